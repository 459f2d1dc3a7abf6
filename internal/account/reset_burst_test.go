package account_test

import (
	"errors"
	"fmt"
	"testing"

	"dateline/internal/account"
	"dateline/internal/store"
	"dateline/internal/store/storetest"
)

func TestResetCodeBurstIsCountedBeforeComparing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.Store) {
		e := newEnv(t, db, func(o *account.Options) { o.ResetCodeTriesPerIP = 10 })
		u, _ := e.register("ann@example.com", "Ann", oldPassword)

		t.Run("one code", func(t *testing.T) {
			if err := e.svc.RequestReset(ctx, "ann@example.com", e.alice); err != nil {
				t.Fatal(err)
			}
			code := e.lastCode("ann@example.com")
			var wrong []string
			for i := 0; len(wrong) < 40; i++ {
				if guess := fmt.Sprintf("%08d", 10000000+i); guess != code {
					wrong = append(wrong, guess)
				}
			}
			bad, throttled := burst(t, len(wrong), account.ErrBadCode, func(i int) error {
				return e.svc.ResetPassword(ctx, account.Reset{Email: "ann@example.com", Code: wrong[i], Password: newPassword},
					account.Client{IP: fmt.Sprintf("198.51.100.%d", i+1)})
			})
			if bad != len(wrong) || throttled != 0 {
				t.Errorf("%d wrong codes at once from %[1]d IPs: %d refused as wrong, %d throttled", len(wrong), bad, throttled)
			}
			// Every code compared was counted first: the count is the
			// number compared, and no more than five were.
			if tried := e.count(`SELECT attempts FROM reset_codes WHERE user_id = ?`, u.ID); tried != 5 {
				t.Errorf("%d wrong codes compared, want 5", tried)
			}
			if err := e.reset("ann@example.com", code, newPassword); !errors.Is(err, account.ErrBadCode) {
				t.Errorf("the right code after the burst: %v, want ErrBadCode", err)
			}
			if _, _, err := e.svc.LogIn(ctx, "ann@example.com", oldPassword, false, e.alice, ""); err != nil {
				t.Errorf("the old password after the burst: %v", err)
			}
		})

		t.Run("one IP", func(t *testing.T) {
			ip := account.Client{IP: "203.0.113.77"}
			bad, throttled := burst(t, 40, account.ErrBadCode, func(i int) error {
				return e.svc.ResetPassword(ctx, account.Reset{Email: "ann@example.com", Code: fmt.Sprintf("%08d", i), Password: newPassword}, ip)
			})
			if bad != 10 || throttled != 30 {
				t.Errorf("40 codes at once from one IP: %d tried, %d throttled; want 10 and 30", bad, throttled)
			}
		})
	})
}

func TestRefusedNewPasswordsKeepTheCodeTries(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		e.register("ann@example.com", "Ann", oldPassword)
		e.svc.RequestReset(ctx, "ann@example.com", e.alice)
		code := e.lastCode("ann@example.com")
		// The right code with a refused password, more often than the code
		// may be tried wrongly: each try is given back.
		for i := range 7 {
			if err := e.reset("ann@example.com", code, "short"); fieldOf(err) != "password" {
				t.Fatalf("try %d with a short new password: %v", i+1, err)
			}
		}
		if err := e.reset("ann@example.com", code, newPassword); err != nil {
			t.Errorf("the right code and a good password after 7 refused ones: %v", err)
		}
	})
}
