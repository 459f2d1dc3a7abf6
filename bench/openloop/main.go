// Command openloop drives a URL at a fixed rate, open loop: each request
// is sent at its scheduled time whether or not the earlier ones have been
// answered, and its latency runs from that scheduled time to the end of
// the response, so a server that falls behind shows its queue in the
// figures (a closed-loop tool such as wrk waits for an answer before it
// sends again, and so measures its own queue instead).
//
// Each request asks for -url with one of the queries in -queries (a query
// a line, picked at random) as its q parameter, with the -cookie header
// when given. It prints the result as JSON on standard output:
//
//	openloop -url http://127.0.0.1:19500/search -queries words.txt \
//	    -cookie "dateline_session=…" -rate 200 -duration 30s
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"slices"
	"strings"
	"sync"
	"time"

	"dateline/internal/clock"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		fmt.Fprintln(os.Stderr, "openloop:", err)
		os.Exit(1)
	}
}

// Config is one run's settings.
type Config struct {
	URL      string        // the address asked for, without the query
	Queries  []string      // q parameters, one picked at random per request
	Extra    url.Values    // more parameters, the same on every request
	Cookie   string        // Cookie header, or ""
	Rate     float64       // requests a second
	Duration time.Duration // how long requests are sent for
	Timeout  time.Duration // longest a request may take
	Seed     uint64        // random seed of the query picks
}

func run(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("openloop", flag.ContinueOnError)
	var cfg Config
	var queries, extra string
	fs.StringVar(&cfg.URL, "url", "http://127.0.0.1:19500/search", "address to ask for; each query goes in its q parameter")
	fs.StringVar(&queries, "queries", "", "file of queries, one a line")
	fs.StringVar(&extra, "params", "", "more query parameters for every request, as in sort=newest")
	fs.StringVar(&cfg.Cookie, "cookie", "", "Cookie header to send, as in dateline_session=TOKEN")
	fs.Float64Var(&cfg.Rate, "rate", 200, "requests a second")
	fs.DurationVar(&cfg.Duration, "duration", 30*time.Second, "how long to send requests for")
	fs.DurationVar(&cfg.Timeout, "timeout", 10*time.Second, "longest a request may take; a later answer is an error")
	fs.Uint64Var(&cfg.Seed, "seed", 1, "random seed of the query picks")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if queries == "" {
		return errors.New("-queries is required")
	}
	b, err := os.ReadFile(queries) // #nosec G304 -- the file named on the command line
	if err != nil {
		return err
	}
	for line := range strings.Lines(string(b)) {
		if q := strings.TrimSpace(line); q != "" {
			cfg.Queries = append(cfg.Queries, q)
		}
	}
	if cfg.Extra, err = url.ParseQuery(extra); err != nil {
		return fmt.Errorf("-params: %w", err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	res, err := Run(ctx, cfg)
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "%d requests at %.1f/s: p50 %.1f ms, p95 %.1f ms, p99 %.1f ms, max %.1f ms, %d errors\n",
		res.Requests, res.SentRate, res.P50, res.P95, res.P99, res.Max, res.Errors)
	return json.NewEncoder(stdout).Encode(res)
}

// Result is what a run measured. Latencies are in milliseconds, from each
// request's scheduled time to the end of its response, over the requests
// answered 200; errors are the others (another status, a failed or timed
// out request).
type Result struct {
	Requests int     `json:"requests"`
	Errors   int     `json:"errors"`
	Rate     float64 `json:"rate"`      // the rate asked for
	SentRate float64 `json:"sent_rate"` // requests sent a second, from the first send to the last
	DoneRate float64 `json:"done_rate"` // requests answered a second, from the first send to the last answer
	P50      float64 `json:"p50_ms"`
	P90      float64 `json:"p90_ms"`
	P95      float64 `json:"p95_ms"`
	P99      float64 `json:"p99_ms"`
	Max      float64 `json:"max_ms"`
	// FirstError is the first error's text, to tell what went wrong.
	FirstError string `json:"first_error,omitempty"`
}

// Schedule returns the send times of a run at rate requests a second for
// d, as offsets from its start: evenly spaced, the first at zero.
func Schedule(rate float64, d time.Duration) []time.Duration {
	if rate <= 0 || d <= 0 {
		return nil
	}
	interval := float64(time.Second) / rate
	n := int(float64(d) / interval)
	if float64(n)*interval < float64(d) {
		n++
	}
	out := make([]time.Duration, n)
	for i := range out {
		out[i] = time.Duration(float64(i) * interval)
	}
	return out
}

// Percentile returns the p-th percentile (0 < p <= 100) of sorted by the
// nearest rank: the smallest value at least p% of the values are at or
// under. It is 0 for no values.
func Percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(p/100*float64(len(sorted)) + 0.999999999)
	return sorted[min(max(rank, 1), len(sorted))-1]
}

// outcome is one request's end.
type outcome struct {
	latency time.Duration
	end     time.Time
	err     error
}

// Run sends cfg's requests on schedule and waits for every answer.
func Run(ctx context.Context, cfg Config) (Result, error) {
	if len(cfg.Queries) == 0 {
		return Result{}, errors.New("no queries")
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 10 * time.Second
	}
	schedule := Schedule(cfg.Rate, cfg.Duration)
	if len(schedule) == 0 {
		return Result{}, errors.New("the rate and duration make no requests")
	}
	// As many connections as requests in flight: none waits for another's.
	transport := &http.Transport{MaxIdleConnsPerHost: 4096, DisableCompression: true}
	defer transport.CloseIdleConnections()
	client := &http.Client{Transport: transport, Timeout: cfg.Timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	r := rand.New(rand.NewPCG(cfg.Seed, 0)) // #nosec G404 -- picks queries, not secrets
	urls := make([]string, len(schedule))
	for i := range urls {
		v := url.Values{}
		for k, vs := range cfg.Extra {
			v[k] = vs
		}
		v.Set("q", cfg.Queries[r.IntN(len(cfg.Queries))])
		urls[i] = cfg.URL + "?" + v.Encode()
	}

	outcomes := make([]outcome, len(schedule))
	var wg sync.WaitGroup
	// Latency is what a reader waits on the wall clock, so the schedule
	// runs on the system's clock, the one the server under test runs on.
	now := clock.System
	start := now()
	var lastSend time.Time
	for i, at := range schedule {
		due := start.Add(at)
		if wait := due.Sub(now()); wait > 0 {
			select {
			case <-time.After(wait):
			case <-ctx.Done():
				return Result{}, ctx.Err()
			}
		}
		lastSend = now()
		wg.Go(func() {
			err := get(ctx, client, urls[i], cfg.Cookie)
			end := now()
			outcomes[i] = outcome{latency: end.Sub(due), end: end, err: err}
		})
	}
	wg.Wait()
	return summarize(cfg.Rate, start, lastSend, outcomes), nil
}

// get asks for u and reads the whole answer; any status but 200 is an
// error.
func get(ctx context.Context, client *http.Client, u, cookie string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	if cookie != "" {
		req.Header.Set("Cookie", cookie)
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", u, resp.Status)
	}
	return nil
}

// summarize turns the outcomes of a run started at start, whose last
// request went out at lastSend, into its Result.
func summarize(rate float64, start, lastSend time.Time, outcomes []outcome) Result {
	res := Result{Requests: len(outcomes), Rate: rate}
	var lat []time.Duration
	lastEnd := start
	for _, o := range outcomes {
		if o.end.After(lastEnd) {
			lastEnd = o.end
		}
		if o.err != nil {
			if res.Errors == 0 {
				res.FirstError = o.err.Error()
			}
			res.Errors++
			continue
		}
		lat = append(lat, o.latency)
	}
	if len(outcomes) > 1 && lastSend.After(start) {
		res.SentRate = float64(len(outcomes)-1) / lastSend.Sub(start).Seconds()
	}
	if lastEnd.After(start) {
		res.DoneRate = float64(len(lat)) / lastEnd.Sub(start).Seconds()
	}
	slices.Sort(lat)
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	res.P50, res.P90, res.P95, res.P99 = ms(Percentile(lat, 50)), ms(Percentile(lat, 90)), ms(Percentile(lat, 95)), ms(Percentile(lat, 99))
	if len(lat) > 0 {
		res.Max = ms(lat[len(lat)-1])
	}
	return res
}
