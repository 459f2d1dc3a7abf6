// Command startup measures how long a server takes from exec to its first
// 200 from a health URL, several times, stopping it with SIGTERM after
// each, and prints the times as JSON.
//
//	startup -n 3 -url http://127.0.0.1:18080/healthz -- ./dateline serve --addr 127.0.0.1:18080
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"syscall"
	"time"
)

// Result holds each run's time to the first 200, in milliseconds.
type Result struct {
	RunsMS   []float64 `json:"runs_ms"`
	MedianMS float64   `json:"median_ms"`
}

func main() {
	n := flag.Int("n", 3, "runs")
	url := flag.String("url", "http://127.0.0.1:18080/healthz", "health URL to poll")
	timeout := flag.Duration("timeout", 60*time.Second, "give up on a run after this long")
	flag.Parse()
	if flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "startup: give the server's command after --")
		os.Exit(2)
	}
	var res Result
	for range *n {
		d, err := once(flag.Args(), *url, *timeout)
		if err != nil {
			fmt.Fprintln(os.Stderr, "startup:", err)
			os.Exit(1)
		}
		res.RunsMS = append(res.RunsMS, float64(d.Microseconds())/1000)
	}
	sorted := slices.Clone(res.RunsMS)
	slices.Sort(sorted)
	res.MedianMS = sorted[len(sorted)/2]
	if err := json.NewEncoder(os.Stdout).Encode(res); err != nil {
		fmt.Fprintln(os.Stderr, "startup:", err)
		os.Exit(1)
	}
}

// once starts the command, polls url every millisecond until it answers
// 200, then stops the command and waits for it to exit.
func once(args []string, url string, timeout time.Duration) (time.Duration, error) {
	client := &http.Client{Timeout: time.Second}
	// #nosec G204 -- the command is the server the operator names after --, run without a shell.
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stderr = os.Stderr
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, fmt.Errorf("start %s: %w", args[0], err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	stop := func() {
		// An error means the process has already exited; the wait below sees it.
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(35 * time.Second):
			// As above: an error means it has exited meanwhile.
			_ = cmd.Process.Kill()
			<-exited
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	for {
		req, _ := http.NewRequestWithContext(ctx, "GET", url, nil)
		resp, err := client.Do(req)
		if err == nil {
			_ = resp.Body.Close() // only the status matters; nothing to do if closing fails
			if resp.StatusCode == http.StatusOK {
				d := time.Since(start)
				stop()
				return d, nil
			}
		}
		select {
		case err := <-exited:
			return 0, errors.Join(errors.New("the server exited before answering"), err)
		case <-ctx.Done():
			stop()
			return 0, fmt.Errorf("no 200 from %s within %s", url, timeout)
		case <-time.After(time.Millisecond):
		}
	}
}
