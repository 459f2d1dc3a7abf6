// Command searchcpu measures what a search costs the store in CPU time,
// in process and without HTTP: it runs store.Search for every query of
// -queries in turn, -rounds times, on one locked OS thread, and prints the
// thread's CPU time per search (the least of the rounds, which is the
// least disturbed by other work on the machine) as JSON. The Go runtime's
// other threads (the garbage collector's) are not counted, so it compares
// one version of the search with another rather than giving its whole
// cost; bench/search.sh measures that, over HTTP.
//
//	searchcpu -database bench/.work/…/dateline.db -queries words.txt -newest
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"
	"time"

	"dateline/internal/clock"
	"dateline/internal/store"
	"dateline/internal/story"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		fmt.Fprintln(os.Stderr, "searchcpu:", err)
		os.Exit(1)
	}
}

func run(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("searchcpu", flag.ContinueOnError)
	database := fs.String("database", "", "the database: a SQLite file or a postgres:// URL")
	queries := fs.String("queries", "", "a file of queries, one a line")
	newest := fs.Bool("newest", false, "sort newest first instead of best match first")
	rounds := fs.Int("rounds", 5, "how many times to run every query")
	limit := fs.Int("limit", 20, "results a page")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the timed rounds to this file")
	server := fs.String("server-cpu", "", "also count the CPU of the processes whose command line holds this, "+
		"such as the PostgreSQL database's name (its backends name it)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *database == "" || *queries == "" {
		return errors.New("-database and -queries are needed")
	}
	qs, err := readLines(*queries)
	if err != nil {
		return err
	}
	ctx := context.Background()
	st, err := store.Open(ctx, *database, clock.System)
	if err != nil {
		return err
	}
	defer st.Close()

	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	search := func(q string) error {
		_, _, err := st.Search(ctx, story.SearchQuery{Terms: strings.Fields(q), Newest: *newest, Limit: *limit})
		return err
	}
	// One untimed round first, to warm the caches.
	for _, q := range qs {
		if err := search(q); err != nil {
			return fmt.Errorf("search %q: %w", q, err)
		}
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	best, bestServer := time.Duration(1<<63-1), time.Duration(1<<63-1)
	for range *rounds {
		before, serverBefore := threadCPU(), processCPU(*server)
		for _, q := range qs {
			if err := search(q); err != nil {
				return fmt.Errorf("search %q: %w", q, err)
			}
		}
		best = min(best, (threadCPU()-before)/time.Duration(len(qs)))
		bestServer = min(bestServer, (processCPU(*server)-serverBefore)/time.Duration(len(qs)))
	}
	result := map[string]any{
		"queries": len(qs), "rounds": *rounds, "newest": *newest,
		"cpu_ms_per_search": float64(best.Microseconds()) / 1000,
	}
	if *server != "" {
		result["server_cpu_ms_per_search"] = float64(bestServer.Microseconds()) / 1000
	}
	return json.NewEncoder(out).Encode(result)
}

// processCPU is the CPU time used so far by the processes whose command
// line holds pattern; none when pattern is empty.
func processCPU(pattern string) time.Duration {
	if pattern == "" {
		return 0
	}
	procs, _ := filepath.Glob("/proc/[0-9]*")
	tick := time.Second / 100 // USER_HZ, 100 on Linux
	var total time.Duration
	for _, p := range procs {
		cmd, err := os.ReadFile(filepath.Join(p, "cmdline")) // #nosec G304 -- a /proc file
		if err != nil || !strings.Contains(string(cmd), pattern) {
			continue
		}
		stat, err := os.ReadFile(filepath.Join(p, "stat")) // #nosec G304 -- a /proc file
		if err != nil {
			continue
		}
		// The fields after the command's name, which is in parentheses:
		// utime and stime are the 14th and 15th of the line.
		f := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
		if len(f) < 13 {
			continue
		}
		u, _ := strconv.ParseInt(f[11], 10, 64)
		k, _ := strconv.ParseInt(f[12], 10, 64)
		total += time.Duration(u+k) * tick
	}
	return total
}

// rusageThread is Linux's RUSAGE_THREAD: the calling thread's use only.
const rusageThread = 1

// threadCPU is the CPU time the calling OS thread has used.
func threadCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(rusageThread, &ru); err != nil {
		panic(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func readLines(path string) ([]string, error) {
	f, err := os.Open(path) // #nosec G304 -- the file named on the command line
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if l := strings.TrimSpace(sc.Text()); l != "" {
			lines = append(lines, l)
		}
	}
	return lines, sc.Err()
}
