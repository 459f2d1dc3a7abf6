package billing_test

import (
	"bufio"
	"io"
	"log/slog"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"dateline/internal/billing"
	"dateline/internal/store"
	"dateline/internal/store/storetest"
)

// StripeMockEnv names the environment variable holding the path of the
// stripe-mock binary; without it the tests look in .cache/bin of the
// checkout, where .ci/run installs it.
const StripeMockEnv = "DATELINE_STRIPE_MOCK"

// stripeMock starts stripe-mock (Stripe's own server that answers the API
// from its OpenAPI description, and checks each request against it) on a
// loopback port, stopped when the test ends, and returns its URL. Without
// the binary the test is skipped, or fails where it must run (CI set, or
// DATELINE_E2E=1).
func stripeMock(t *testing.T) string {
	t.Helper()
	bin := os.Getenv(StripeMockEnv)
	if bin == "" {
		bin = filepath.Join(repoRoot(t), ".cache", "bin", "stripe-mock")
	}
	if _, err := os.Stat(bin); err != nil {
		msg := "stripe-mock is not installed (" + bin + "); install it with " +
			"GOBIN=$PWD/.cache/bin go install github.com/stripe/stripe-mock@v0.203.0, or name it in " + StripeMockEnv
		if os.Getenv("CI") != "" || os.Getenv("DATELINE_E2E") == "1" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	cmd := exec.Command(bin, "-http-addr", "127.0.0.1:", "-https-addr", "127.0.0.1:") // #nosec G204 -- the test's own binary
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		t.Fatalf("start stripe-mock: %v", err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	addr := make(chan string, 1)
	go func() {
		const prefix = "Listening for HTTP at address: "
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if line := sc.Text(); strings.HasPrefix(line, prefix) {
				addr <- strings.TrimSpace(strings.TrimPrefix(line, prefix))
				break
			}
		}
		_, _ = io.Copy(io.Discard, out) // keep it from blocking on a full pipe
	}()
	select {
	case a := <-addr:
		return "http://" + a
	case <-time.After(30 * time.Second):
		t.Fatal("stripe-mock did not say where it listens within 30 seconds")
		return ""
	}
}

// repoRoot is the folder holding go.mod, above the test's folder.
func repoRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test's folder")
		}
		dir = parent
	}
}

// TestStripeCheckoutAgainstStripeMock creates checkout and billing portal
// sessions against stripe-mock, which refuses any request that does not
// match Stripe's API description.
func TestStripeCheckoutAgainstStripeMock(t *testing.T) {
	apiURL := stripeMock(t)
	storetest.Each(t, func(t *testing.T, db *store.Store) {
		e := newStripeEnv(t, db, billing.WithStripeAPIURL(apiURL), billing.WithStripeRetries(0))
		trial := &billing.Plan{Name: "Digital with trial", PriceMinor: 9000, Currency: "EUR", Period: billing.Yearly,
			TrialDays: 14, Active: true, StripePriceID: "price_1RfYearlyTrial"}
		if err := e.svc.CreatePlan(t.Context(), trial); err != nil {
			t.Fatal(err)
		}
		for _, plan := range []*billing.Plan{e.plan, trial} {
			t.Run(plan.Name, func(t *testing.T) {
				got, err := e.svc.StartCheckout(t.Context(), e.user, plan.ID)
				if err != nil {
					t.Fatalf("checkout: %v", err)
				}
				if u, err := url.Parse(got); err != nil || u.Scheme != "https" || u.Host == "" {
					t.Errorf("checkout URL %q is not an https URL", got)
				}
			})
		}
		if s := e.sub(); s != nil {
			t.Errorf("starting a checkout wrote a subscription: %+v", s)
		}

		p := billing.NewStripe(secretKey, billing.WithStripeAPIURL(apiURL), billing.WithStripeRetries(0),
			billing.WithStripeLogger(slog.New(slog.DiscardHandler)))
		got, err := p.Portal(t.Context(), &billing.Subscription{Provider: billing.Stripe, CustomerRef: custID, ProviderRef: subID},
			"https://news.example/account")
		if err != nil {
			t.Fatalf("portal: %v", err)
		}
		if u, err := url.Parse(got); err != nil || u.Scheme != "https" || u.Host == "" {
			t.Errorf("portal URL %q is not an https URL", got)
		}
	})
}
