package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReportMedianRatiosAndVerdicts(t *testing.T) {
	dir := t.TempDir()
	runs := `{"page":"story","server":"dateline","round":1,"result":{"requests":9000,"rps":900,"p50_ms":1,"p95_ms":2,"p99_ms":4}}
{"page":"story","server":"floor","round":1,"result":{"requests":10000,"rps":1000,"p50_ms":1,"p95_ms":1,"p99_ms":2}}
{"page":"story","server":"dateline","round":2,"result":{"requests":5000,"rps":500,"p50_ms":1,"p95_ms":2,"p99_ms":30}}
{"page":"story","server":"floor","round":2,"result":{"requests":10000,"rps":1000,"p50_ms":1,"p95_ms":1,"p99_ms":2}}
{"page":"story","server":"dateline","round":3,"result":{"requests":9500,"rps":950,"p50_ms":1,"p95_ms":2,"p99_ms":5}}
{"page":"story","server":"floor","round":3,"result":{"requests":10000,"rps":1000,"p50_ms":1,"p95_ms":1,"p99_ms":2}}
{"page":"search","server":"dateline","round":1,"result":{"requests":0,"rps":0,"socket_errors":64}}
{"page":"comment","server":"dateline","round":1,"result":{"requests":1000,"rps":100,"status":{"303":900,"429":100}}}
`
	metrics := `{"database":"sqlite","stories":100000,"commit_rate":150,"startup_ms":120,"rss_kb":102400,"rss_flood_kb":204800,"db_bytes":1048576}`
	runsPath, metricsPath := filepath.Join(dir, "runs.jsonl"), filepath.Join(dir, "metrics.json")
	os.WriteFile(runsPath, []byte(runs), 0o644)
	os.WriteFile(metricsPath, []byte(metrics), 0o644)
	var out strings.Builder
	if err := run(runsPath, metricsPath, &out); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	for _, want := range []string{
		// Median of 900, 500, 950 and of the ratios 0.9, 0.5, 0.95; p99 median 5 ms.
		"| anonymous story page | 900 | 1.00 | 2.00 | 5.00 | 1000 | 0.90 | ≥ 0.8 of floor, p99 < 10 ms | **met** |",
		"| search (rotating words) | 0 |",
		"**missed** (no request completed)",
		// 90 saved a second against 150 commits: 0.60.
		"| comment post | 100 | 0.00 | 0.00 | 0.00 | commits: 150 | 0.60 | ≥ 0.5 of the commit rate | **met** |",
		"900 answered 303, 100 answered 429",
		"| peak RSS (VmHWM) after the log-in flood | 200.0 MB | | | | | | < 150 MB | **missed** |",
		"| start-up, exec to first 200 from /healthz | 120 ms | | | | | | < 300 ms | **met** |",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("report lacks %q; it is:\n%s", want, got)
		}
	}
}
