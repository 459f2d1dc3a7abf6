// Command report turns the measurements of one bench/run.sh run into the
// Markdown table of bench/RESULTS.md: the median of the rounds for each
// page, Dateline's requests/s as a fraction of the floor's measured in the
// same rounds, and each of issue 8's targets as met or missed.
//
// Its input is the JSON lines run.sh collects, one per wrk run:
//
//	{"page":"story","server":"dateline","round":1,"result":{...RESULT of report.lua...}}
//
// and a JSON file of the other measurements (Metrics).
//
//	report --runs runs.jsonl --metrics metrics.json
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
)

// Result is one wrk run as report.lua prints it.
type Result struct {
	Requests     int            `json:"requests"`
	Seconds      float64        `json:"seconds"`
	RPS          float64        `json:"rps"`
	P50          float64        `json:"p50_ms"`
	P95          float64        `json:"p95_ms"`
	P99          float64        `json:"p99_ms"`
	NonOK        int            `json:"non2xx3xx"`
	SocketErrors int            `json:"socket_errors"`
	Status       map[string]int `json:"status"`
}

// Run is one line of the runs file.
type Run struct {
	Page   string `json:"page"`
	Server string `json:"server"` // "dateline" or "floor"
	Round  int    `json:"round"`
	Result Result `json:"result"`
}

// Metrics are the measurements that are not wrk runs.
type Metrics struct {
	Database   string  `json:"database"` // sqlite or postgres
	Stories    int     `json:"stories"`
	CommitRate float64 `json:"commit_rate"` // single-row insert commits a second
	StartupMS  float64 `json:"startup_ms"`  // median, exec to first 200 from /healthz
	RSSKB      int     `json:"rss_kb"`      // VmHWM after the page runs, before the log-in flood
	RSSFloodKB int     `json:"rss_flood_kb"`
	DBBytes    int64   `json:"db_bytes"`
}

// Pages in the order the table shows them, with their names.
var pages = []struct{ key, name string }{
	{"story", "anonymous story page"},
	{"front", "front page"},
	{"section", "section page"},
	{"feed", "site Atom feed"},
	{"subscriber", "subscriber's story page"},
	{"search", "search (rotating words)"},
	{"comment", "comment post"},
	{"login", "log-in flood"},
	{"story-during-login", "story page during the log-in flood"},
}

func main() {
	runsPath := flag.String("runs", "", "JSON lines of the wrk runs")
	metricsPath := flag.String("metrics", "", "JSON of the other measurements")
	flag.Parse()
	if err := run(*runsPath, *metricsPath, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "report:", err)
		os.Exit(1)
	}
}

func run(runsPath, metricsPath string, w io.Writer) error {
	runs, err := readRuns(runsPath)
	if err != nil {
		return err
	}
	var m Metrics
	b, err := os.ReadFile(metricsPath) // #nosec G304 -- the path the operator gives with --metrics.
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return fmt.Errorf("%s: %w", metricsPath, err)
	}
	write(w, runs, m)
	return nil
}

func readRuns(path string) ([]Run, error) {
	f, err := os.Open(path) // #nosec G304 -- the path the operator gives with --runs.
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var runs []Run
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for n := 1; sc.Scan(); n++ {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		var r Run
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, n, err)
		}
		runs = append(runs, r)
	}
	if len(runs) == 0 {
		return nil, errors.New(path + " holds no runs")
	}
	return runs, sc.Err()
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// summary is a page's medians over the rounds.
type summary struct {
	rounds             int
	rps, p50, p95, p99 float64
	floorRPS, ratio    float64 // ratio: median of each round's Dateline/floor
	hasFloor           bool
	status             map[string]int // summed over the rounds
	requests, nonOK    int
	socketErrors       int
}

func summarize(runs []Run, page string) (summary, bool) {
	byRound := map[int]map[string]Result{}
	var rps, p50, p95, p99, floor, ratios []float64
	s := summary{status: map[string]int{}}
	for _, r := range runs {
		if r.Page != page {
			continue
		}
		if byRound[r.Round] == nil {
			byRound[r.Round] = map[string]Result{}
		}
		byRound[r.Round][r.Server] = r.Result
		switch r.Server {
		case "dateline":
			rps, p50, p95, p99 = append(rps, r.Result.RPS), append(p50, r.Result.P50), append(p95, r.Result.P95), append(p99, r.Result.P99)
			for k, v := range r.Result.Status {
				s.status[k] += v
			}
			s.requests += r.Result.Requests
			s.nonOK += r.Result.NonOK
			s.socketErrors += r.Result.SocketErrors
			s.rounds++
		case "floor":
			floor = append(floor, r.Result.RPS)
		}
	}
	if s.rounds == 0 {
		return s, false
	}
	for _, rr := range byRound {
		d, okD := rr["dateline"]
		f, okF := rr["floor"]
		if okD && okF && f.RPS > 0 {
			ratios = append(ratios, d.RPS/f.RPS)
		}
	}
	s.rps, s.p50, s.p95, s.p99 = median(rps), median(p50), median(p95), median(p99)
	s.floorRPS, s.ratio, s.hasFloor = median(floor), median(ratios), len(ratios) > 0
	return s, true
}

func verdict(ok bool) string {
	if ok {
		return "**met**"
	}
	return "**missed**"
}

func write(w io.Writer, runs []Run, m Metrics) {
	fmt.Fprintln(w, "| page | Dateline req/s | p50 ms | p95 ms | p99 ms | floor req/s | ratio | target | |")
	fmt.Fprintln(w, "|---|---:|---:|---:|---:|---:|---:|---|---|")
	var notes []string
	for _, p := range pages {
		s, ok := summarize(runs, p.key)
		if !ok {
			continue
		}
		floor, ratio := "–", "–"
		if s.hasFloor {
			floor, ratio = fmt.Sprintf("%.0f", s.floorRPS), fmt.Sprintf("%.2f", s.ratio)
		}
		target, met := "", ""
		switch p.key {
		case "story", "front", "section", "feed":
			target = "≥ 0.8 of floor, p99 < 10 ms"
			met = verdict(s.hasFloor && s.ratio >= 0.8 && s.p99 < 10)
		case "subscriber":
			target = "≥ 0.4 of floor"
			met = verdict(s.hasFloor && s.ratio >= 0.4)
		case "search":
			target = "p95 < 25 ms at 100,000 stories"
			met = verdict(s.requests > 0 && s.p95 < 25)
			if m.Stories < 100_000 {
				met += fmt.Sprintf(" (at %d stories)", m.Stories)
			}
		case "comment":
			saved := float64(s.status["303"]) / float64(max(1, s.requests)) * s.rps
			ratio = "–"
			if m.CommitRate > 0 {
				ratio = fmt.Sprintf("%.2f", saved/m.CommitRate)
			}
			floor = fmt.Sprintf("commits: %.0f", m.CommitRate)
			target = "≥ 0.5 of the commit rate"
			met = verdict(m.CommitRate > 0 && saved/m.CommitRate >= 0.5)
			notes = append(notes, fmt.Sprintf("Comment post: %.0f saved (303) a second; of %d posts, %s.",
				saved, s.requests, statusWords(s.status, s.requests)))
		case "login":
			shed := s.status["429"] + s.status["503"]
			target = "sheds load with 429/503"
			met = verdict(shed > 0)
			notes = append(notes, fmt.Sprintf("Log-in flood: of %d log-ins, %s; %.0f%% answered 429 or 503.",
				s.requests, statusWords(s.status, s.requests), 100*float64(shed)/float64(max(1, s.requests))))
		case "story-during-login":
			target = "p99 < 10 ms"
			met = verdict(s.p99 < 10)
		}
		if s.socketErrors > 0 {
			notes = append(notes, fmt.Sprintf("%s: %d requests failed or timed out (wrk --timeout 10s) over %d rounds, %d completed.",
				capitalize(p.name), s.socketErrors, s.rounds, s.requests))
		}
		if s.requests == 0 {
			met = verdict(false) + " (no request completed)"
		}
		fmt.Fprintf(w, "| %s | %.0f | %.2f | %.2f | %.2f | %s | %s | %s | %s |\n",
			p.name, s.rps, s.p50, s.p95, s.p99, floor, ratio, target, met)
	}
	fmt.Fprintf(w, "| peak RSS (VmHWM) serving the pages | %.1f MB | | | | | | < 150 MB | %s |\n",
		float64(m.RSSKB)/1024, verdict(m.RSSKB > 0 && m.RSSKB < 150*1024))
	if m.RSSFloodKB > 0 {
		fmt.Fprintf(w, "| peak RSS (VmHWM) after the log-in flood | %.1f MB | | | | | | < 150 MB | %s |\n",
			float64(m.RSSFloodKB)/1024, verdict(m.RSSFloodKB < 150*1024))
	}
	fmt.Fprintf(w, "| start-up, exec to first 200 from /healthz | %.0f ms | | | | | | < 300 ms | %s |\n",
		m.StartupMS, verdict(m.StartupMS > 0 && m.StartupMS < 300))
	fmt.Fprintf(w, "| database size | %.0f MB | | | | | | | |\n", float64(m.DBBytes)/(1<<20))
	fmt.Fprintf(w, "| single-row insert commits a second | %.0f | | | | | | | |\n", m.CommitRate)
	fmt.Fprintln(w)
	for _, n := range notes {
		fmt.Fprintln(w, "- "+n)
	}
}

// statusWords says how the responses split by status: "980 303, 20 429".
func statusWords(status map[string]int, total int) string {
	if len(status) == 0 {
		return fmt.Sprintf("%d responses, statuses not counted", total)
	}
	keys := make([]string, 0, len(status))
	for k := range status {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%d answered %s", status[k], k)
	}
	return strings.Join(parts, ", ")
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
