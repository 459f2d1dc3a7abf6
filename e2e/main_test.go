package e2e

import (
	"flag"
	"os"
	"os/exec"
	"testing"

	"dateline/internal/store/storetest"
)

// TestMain says, before the tests run, when the browser tests will skip
// for want of Chromium, so that a plain `go test ./...` shows it.
func TestMain(m *testing.M) {
	flag.Parse() // for testing.Short
	if !e2eRequired() {
		_, errPath := exec.LookPath("chromium")
		if os.Getenv(envChromium) == "" && isExecutable(defaultChromium) != nil && errPath != nil {
			storetest.Notice("Chromium is not installed, so the browser tests in e2e are skipped; " + installChromium)
		} else if testing.Short() {
			storetest.Notice("the browser tests in e2e are skipped under -short")
		}
	}
	os.Exit(m.Run())
}
