package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestScheduleSpacesRequestsEvenlyFromZero(t *testing.T) {
	got := Schedule(200, time.Second)
	if len(got) != 200 {
		t.Fatalf("200 a second for 1 s: %d requests, want 200", len(got))
	}
	for i, at := range got {
		if want := time.Duration(i) * 5 * time.Millisecond; at != want {
			t.Fatalf("request %d at %v, want %v", i, at, want)
		}
	}
	if got := Schedule(3, 1100*time.Millisecond); !slices.Equal(got, []time.Duration{0, time.Second / 3, 2 * time.Second / 3, time.Second}) {
		t.Errorf("3 a second for 1.1 s: %v, want four sends a third of a second apart", got)
	}
	if got := Schedule(0, time.Second); got != nil {
		t.Errorf("rate 0: %v, want no requests", got)
	}
}

func TestPercentileIsTheNearestRank(t *testing.T) {
	var ms []time.Duration
	for i := 1; i <= 100; i++ {
		ms = append(ms, time.Duration(i)*time.Millisecond)
	}
	for _, c := range []struct {
		p    float64
		want time.Duration
	}{{50, 50 * time.Millisecond}, {95, 95 * time.Millisecond}, {99, 99 * time.Millisecond}, {100, 100 * time.Millisecond}, {0.5, time.Millisecond}} {
		if got := Percentile(ms, c.p); got != c.want {
			t.Errorf("p%v of 1..100 ms = %v, want %v", c.p, got, c.want)
		}
	}
	three := []time.Duration{10, 20, 30}
	if got := Percentile(three, 95); got != 30 {
		t.Errorf("p95 of three values = %v, want the largest", got)
	}
	if got := Percentile(three, 50); got != 20 {
		t.Errorf("p50 of three values = %v, want the middle one", got)
	}
	if got := Percentile(nil, 95); got != 0 {
		t.Errorf("p95 of nothing = %v, want 0", got)
	}
}

// The server answers no request until every one has arrived: a closed
// loop, which waits for an answer before sending again, would never get
// there; an open loop sends each request on time and all are answered.
func TestRunSendsEachRequestOnTimeWithoutWaitingForAnswers(t *testing.T) {
	const n = 20
	var mu sync.Mutex
	arrived := 0
	all := make(chan struct{})
	var queries []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		arrived++
		queries = append(queries, r.URL.Query().Get("q")+"|"+r.URL.Query().Get("sort")+"|"+r.Header.Get("Cookie"))
		if arrived == n {
			close(all)
		}
		mu.Unlock()
		select {
		case <-all:
			w.Write([]byte("found"))
		case <-time.After(20 * time.Second):
			http.Error(w, "the other requests never came", http.StatusServiceUnavailable)
		}
	}))
	defer srv.Close()

	res, err := Run(context.Background(), Config{URL: srv.URL + "/search", Queries: []string{"harbour", "rail oslo"},
		Extra: map[string][]string{"sort": {"newest"}}, Cookie: "dateline_session=abc",
		Rate: 1000, Duration: n * time.Millisecond, Timeout: 30 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if res.Requests != n || res.Errors != 0 {
		t.Fatalf("%d requests, %d errors (%s); want %d answered", res.Requests, res.Errors, res.FirstError, n)
	}
	if res.P50 <= 0 || res.P50 > res.P95 || res.P95 > res.Max {
		t.Errorf("percentiles out of order: p50 %v, p95 %v, max %v", res.P50, res.P95, res.Max)
	}
	for _, q := range queries {
		if q != "harbour|newest|dateline_session=abc" && q != "rail oslo|newest|dateline_session=abc" {
			t.Errorf("a request asked for %q, want a listed query with the parameters and cookie", q)
		}
	}
}

func TestRunCountsOtherStatusesAsErrors(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.Contains(r.URL.RawQuery, "missing") {
			http.NotFound(w, r)
			return
		}
		w.Write([]byte("found"))
	}))
	defer srv.Close()
	res, err := Run(context.Background(), Config{URL: srv.URL, Queries: []string{"missing"}, Rate: 1000, Duration: 5 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if res.Errors != res.Requests || res.Requests != 5 {
		t.Fatalf("%d of %d requests were errors, want all 5", res.Errors, res.Requests)
	}
	if !strings.Contains(res.FirstError, "404") {
		t.Errorf("first error %q, want the status", res.FirstError)
	}
}
