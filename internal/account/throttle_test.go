package account_test

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"dateline/internal/account"
	"dateline/internal/store"
	"dateline/internal/store/storetest"
)

// burst sends n attempts at once and counts those answered with the
// error refused (a wrong password or code: the secret was tried) and those
// refused unheard, as throttled with a Retry-After.
func burst(t *testing.T, n int, refused error, try func(i int) error) (tried, throttled int) {
	t.Helper()
	var mu sync.Mutex
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			err := try(i)
			var te *account.ThrottledError
			mu.Lock()
			defer mu.Unlock()
			switch {
			case errors.Is(err, refused):
				tried++
			case errors.As(err, &te) && te.RetryAfter > 0:
				throttled++
			default:
				t.Errorf("attempt %d: %v", i, err)
			}
		}()
	}
	close(start)
	wg.Wait()
	return tried, throttled
}

func TestLogInBurstIsThrottledBeforeHashing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.Store) {
		e := newEnv(t, db, func(o *account.Options) { o.LoginFailuresIP = 8 })
		e.register("ann@example.com", "Ann", "correct horse battery")

		t.Run("one account", func(t *testing.T) {
			tried, throttled := burst(t, 20, account.ErrBadCredentials, func(int) error {
				_, _, err := e.svc.LogIn(ctx, "ann@example.com", "guess", false, e.alice, "")
				return err
			})
			if tried != 5 || throttled != 15 {
				t.Errorf("20 wrong passwords at once: %d tried, %d throttled; want 5 and 15", tried, throttled)
			}
			// The right password waits for the block like any other.
			var te *account.ThrottledError
			if _, _, err := e.svc.LogIn(ctx, "ann@example.com", "correct horse battery", false, e.alice, ""); !errors.As(err, &te) {
				t.Errorf("the right password after the burst: %v, want a ThrottledError", err)
			}
		})

		t.Run("one IP", func(t *testing.T) {
			ip := account.Client{IP: "203.0.113.9"}
			tried, throttled := burst(t, 20, account.ErrBadCredentials, func(i int) error {
				_, _, err := e.svc.LogIn(ctx, fmt.Sprintf("spray%d@example.com", i), "guess", false, ip, "")
				return err
			})
			if tried != 8 || throttled != 12 {
				t.Errorf("20 addresses tried at once from one IP: %d tried, %d throttled; want 8 and 12", tried, throttled)
			}
		})
	})
}

func TestRightPasswordsDoNotUseUpTheAllowance(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.Store) {
		e := newEnv(t, db, func(o *account.Options) { o.LoginFailuresIP = 3 })
		u, _ := e.register("ann@example.com", "Ann", "correct horse battery")
		for i := range 6 {
			if _, _, err := e.svc.LogIn(ctx, "ann@example.com", "correct horse battery", false, e.alice, ""); err != nil {
				t.Fatalf("log-in %d: %v", i+1, err)
			}
			// The current password is right; the new one is refused.
			var fe *account.FieldError
			if err := e.svc.ChangePassword(ctx, u, nil, "correct horse battery", "x"); !errors.As(err, &fe) || fe.Field != "new_password" {
				t.Fatalf("password change %d: %v, want the new password refused", i+1, err)
			}
		}
		// Neither the IP nor the account has failed anything yet.
		if _, _, err := e.svc.LogIn(ctx, "ann@example.com", "guess", false, e.alice, ""); !errors.Is(err, account.ErrBadCredentials) {
			t.Errorf("a wrong password after six good log-ins: %v, want ErrBadCredentials", err)
		}
		var fe *account.FieldError
		if err := e.svc.ChangePassword(ctx, u, nil, "guess", "another good password"); !errors.As(err, &fe) || fe.Field != "current_password" {
			t.Errorf("a wrong current password after six right ones: %v, want it refused as wrong", err)
		}
	})
}

func TestLogInCountStartsAfreshAfterTheWindow(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		e.register("ann@example.com", "Ann", "correct horse battery")
		for range 5 {
			e.svc.LogIn(ctx, "ann@example.com", "guess", false, e.alice, "")
		}
		// An hour on, the old failures no longer count: four more wrong
		// passwords are tried before the fifth blocks again.
		e.clock.Advance(time.Hour + time.Second)
		for i := range 5 {
			if _, _, err := e.svc.LogIn(ctx, "ann@example.com", "guess", false, e.alice, ""); !errors.Is(err, account.ErrBadCredentials) {
				t.Fatalf("failure %d of a new hour: %v, want ErrBadCredentials", i+1, err)
			}
		}
		var te *account.ThrottledError
		if _, _, err := e.svc.LogIn(ctx, "ann@example.com", "guess", false, e.alice, ""); !errors.As(err, &te) || te.RetryAfter != 30*time.Second {
			t.Errorf("after five more: %v, want a block of 30s", err)
		}
	})
}
