package password

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// cheap are parameters fast enough to hash many times in a test, even under
// the race detector.
var cheap = Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

func TestDefaultParams(t *testing.T) {
	want := Params{Memory: 19456, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}
	if got := DefaultParams(); got != want {
		t.Fatalf("DefaultParams() = %+v, want %+v", got, want)
	}
}

func TestHashFormat(t *testing.T) {
	h := NewHasher(DefaultParams(), 1, time.Second)
	encoded, err := h.Hash(context.Background(), "correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	// 16 bytes of salt are 22 base64 characters, 32 bytes of key are 43.
	re := regexp.MustCompile(`^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$`)
	if !re.MatchString(encoded) {
		t.Fatalf("Hash = %q, want match for %s", encoded, re)
	}
	p, salt, key, err := decode(encoded)
	if err != nil {
		t.Fatalf("decode(%q): %v", encoded, err)
	}
	if p != DefaultParams() || len(salt) != 16 || len(key) != 32 {
		t.Fatalf("decode = %+v, %d-byte salt, %d-byte key", p, len(salt), len(key))
	}
	ok, rehash, err := h.Verify(context.Background(), "correct horse battery staple", encoded)
	if !ok || rehash || err != nil {
		t.Fatalf("Verify = %v, %v, %v; want true, false, nil", ok, rehash, err)
	}
}

// TestKnownVector checks compatibility with other argon2id implementations:
// the hash is of "password" with salt "somesalt", one of the test vectors in
// src/test.c of the reference implementation (phc-winner-argon2).
func TestKnownVector(t *testing.T) {
	const encoded = "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc"
	h := NewHasher(cheap, 1, time.Second)
	for _, tc := range []struct {
		password string
		want     bool
	}{
		{"password", true},
		{"Password", false},
	} {
		ok, rehash, err := h.Verify(context.Background(), tc.password, encoded)
		if err != nil || ok != tc.want || rehash != tc.want {
			t.Errorf("Verify(%q) = %v, %v, %v; want %v, %v, nil", tc.password, ok, rehash, err, tc.want, tc.want)
		}
	}
}

func TestVerify(t *testing.T) {
	ctx := context.Background()
	h := NewHasher(cheap, 2, time.Second)
	tests := []struct {
		name, password, attempt string
		want                    bool
	}{
		{"same", "correct horse battery staple", "correct horse battery staple", true},
		{"wrong", "correct horse battery staple", "correct horse battery stapler", false},
		{"case matters", "Tr0ub4dor&3", "tr0ub4dor&3", false},
		{"empty attempt", "Tr0ub4dor&3", "", false},
		{"unicode", "пароль-密码-🔑🔑", "пароль-密码-🔑🔑", true},
		{"not normalised", "caf\u00e9 au lait", "cafe\u0301 au lait", false},
		{"trailing space matters", "hunter2hunter2", "hunter2hunter2 ", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			encoded, err := h.Hash(ctx, tc.password)
			if err != nil {
				t.Fatal(err)
			}
			ok, rehash, err := h.Verify(ctx, tc.attempt, encoded)
			if err != nil || ok != tc.want || rehash {
				t.Fatalf("Verify = %v, %v, %v; want %v, false, nil", ok, rehash, err, tc.want)
			}
		})
	}
}

func TestSaltsDiffer(t *testing.T) {
	h := NewHasher(cheap, 1, time.Second)
	a, err := h.Hash(context.Background(), "same password")
	if err != nil {
		t.Fatal(err)
	}
	b, err := h.Hash(context.Background(), "same password")
	if err != nil {
		t.Fatal(err)
	}
	if a == b {
		t.Fatalf("two hashes of one password are both %q", a)
	}
}

func TestNeedsRehash(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name         string
		stored, now  Params
		wantRehash   bool
		wrongAttempt bool
	}{
		{"same params", cheap, cheap, false, false},
		{"more passes", Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}, Params{Memory: 64, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}, true, false},
		{"more memory", cheap, Params{Memory: 128, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}, true, false},
		{"fewer threads", Params{Memory: 64, Time: 1, Threads: 2, SaltLen: 16, KeyLen: 32}, cheap, true, false},
		{"longer salt", cheap, Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 32, KeyLen: 32}, true, false},
		{"longer key", cheap, Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 64}, true, false},
		{"wrong password: no rehash", cheap, Params{Memory: 64, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}, false, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			encoded, err := NewHasher(tc.stored, 1, time.Second).Hash(ctx, "s3cret passphrase")
			if err != nil {
				t.Fatal(err)
			}
			attempt := "s3cret passphrase"
			if tc.wrongAttempt {
				attempt = "not it"
			}
			ok, rehash, err := NewHasher(tc.now, 1, time.Second).Verify(ctx, attempt, encoded)
			if err != nil || ok == tc.wrongAttempt || rehash != tc.wantRehash {
				t.Fatalf("Verify = %v, %v, %v; want %v, %v, nil", ok, rehash, err, !tc.wrongAttempt, tc.wantRehash)
			}
		})
	}
}

func TestVerifyMalformed(t *testing.T) {
	const salt, key = "c29tZXNhbHRzb21lc2FsdA", "CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc"
	tests := []struct{ name, encoded string }{
		{"empty", ""},
		{"dollar only", "$"},
		{"plain text", "hunter2"},
		{"bcrypt", "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy"},
		{"argon2i", "$argon2i$v=19$m=64,t=1,p=1$" + salt + "$" + key},
		{"argon2d", "$argon2d$v=19$m=64,t=1,p=1$" + salt + "$" + key},
		{"no leading dollar", "argon2id$v=19$m=64,t=1,p=1$" + salt + "$" + key},
		{"missing key", "$argon2id$v=19$m=64,t=1,p=1$" + salt},
		{"missing version", "$argon2id$m=64,t=1,p=1$" + salt + "$" + key},
		{"extra field", "$argon2id$v=19$m=64,t=1,p=1$" + salt + "$" + key + "$"},
		{"old version", "$argon2id$v=16$m=64,t=1,p=1$" + salt + "$" + key},
		{"params out of order", "$argon2id$v=19$t=1,m=64,p=1$" + salt + "$" + key},
		{"missing param", "$argon2id$v=19$m=64,t=1$" + salt + "$" + key},
		{"extra param", "$argon2id$v=19$m=64,t=1,p=1,k=1$" + salt + "$" + key},
		{"empty param", "$argon2id$v=19$m=,t=1,p=1$" + salt + "$" + key},
		{"negative param", "$argon2id$v=19$m=64,t=-1,p=1$" + salt + "$" + key},
		{"plus sign", "$argon2id$v=19$m=+64,t=1,p=1$" + salt + "$" + key},
		{"leading zero", "$argon2id$v=19$m=064,t=1,p=1$" + salt + "$" + key},
		{"space", "$argon2id$v=19$m=64, t=1,p=1$" + salt + "$" + key},
		{"absurd memory", "$argon2id$v=19$m=99999999,t=1,p=1$" + salt + "$" + key},
		{"memory over 1 GiB", "$argon2id$v=19$m=1048577,t=1,p=1$" + salt + "$" + key},
		{"memory overflows uint32", "$argon2id$v=19$m=4294967360,t=1,p=1$" + salt + "$" + key},
		{"huge number", "$argon2id$v=19$m=99999999999999999999,t=1,p=1$" + salt + "$" + key},
		{"memory under 8 KiB per thread", "$argon2id$v=19$m=8,t=1,p=2$" + salt + "$" + key},
		{"zero time", "$argon2id$v=19$m=64,t=0,p=1$" + salt + "$" + key},
		{"absurd time", "$argon2id$v=19$m=64,t=101,p=1$" + salt + "$" + key},
		{"zero threads", "$argon2id$v=19$m=64,t=1,p=0$" + salt + "$" + key},
		{"threads overflow uint8", "$argon2id$v=19$m=4096,t=1,p=257$" + salt + "$" + key},
		{"too many threads", "$argon2id$v=19$m=4096,t=1,p=65$" + salt + "$" + key},
		{"bad base64 salt", "$argon2id$v=19$m=64,t=1,p=1$!!!!$" + key},
		{"bad base64 key", "$argon2id$v=19$m=64,t=1,p=1$" + salt + "$" + key[:42] + "*"},
		{"padded key", "$argon2id$v=19$m=64,t=1,p=1$" + salt + "$" + key + "="},
		{"url-safe base64", "$argon2id$v=19$m=64,t=1,p=1$" + salt + "$" + strings.Replace(key, "+", "-", 1) + "_"},
		{"newline in key", "$argon2id$v=19$m=64,t=1,p=1$" + salt + "$" + key[:20] + "\n" + key[20:]},
		{"non-canonical trailing bits", "$argon2id$v=19$m=64,t=1,p=1$" + salt + "$" + key[:42] + "d"},
		{"empty salt", "$argon2id$v=19$m=64,t=1,p=1$$" + key},
		{"short salt", "$argon2id$v=19$m=64,t=1,p=1$c29tZQ$" + key},
		{"empty key", "$argon2id$v=19$m=64,t=1,p=1$" + salt + "$"},
		{"short key", "$argon2id$v=19$m=64,t=1,p=1$" + salt + "$c29tZXNhbHQ"},
		{"long key", "$argon2id$v=19$m=64,t=1,p=1$" + salt + "$" + strings.Repeat("A", 88)},
		{"very long", "$argon2id$v=19$m=64,t=1,p=1$" + salt + "$" + strings.Repeat("A", 1<<20)},
	}
	h := NewHasher(cheap, 1, time.Second)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ok, rehash, err := h.Verify(context.Background(), "password", tc.encoded)
			if !errors.Is(err, ErrMalformed) || ok || rehash {
				t.Fatalf("Verify = %v, %v, %v; want false, false, ErrMalformed", ok, rehash, err)
			}
		})
	}
}

func TestNewHasherRefusesBadParams(t *testing.T) {
	tests := []struct {
		name string
		p    Params
	}{
		{"zero", Params{}},
		{"zero time", Params{Memory: 64, Time: 0, Threads: 1, SaltLen: 16, KeyLen: 32}},
		{"zero threads", Params{Memory: 64, Time: 1, Threads: 0, SaltLen: 16, KeyLen: 32}},
		{"too much memory", Params{Memory: 2 << 20, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}},
		{"short salt", Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 4, KeyLen: 32}},
		{"short key", Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 8}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.p.Validate() == nil {
				t.Errorf("Validate(%+v) = nil, want an error", tc.p)
			}
			defer func() {
				if recover() == nil {
					t.Errorf("NewHasher(%+v) did not panic", tc.p)
				}
			}()
			NewHasher(tc.p, 1, time.Second)
		})
	}
}

// holdSlot takes h's only slot for the rest of the test.
func holdSlot(t *testing.T, h *Hasher) {
	t.Helper()
	if err := h.acquire(context.Background()); err != nil {
		t.Fatalf("acquire: %v", err)
	}
	t.Cleanup(h.release)
}

func TestBusy(t *testing.T) {
	ctx := context.Background()
	for _, wait := range []time.Duration{0, 20 * time.Millisecond} {
		h := NewHasher(cheap, 1, wait)
		encoded, err := h.Hash(ctx, "password")
		if err != nil {
			t.Fatal(err)
		}
		holdSlot(t, h)
		calls := []struct {
			name string
			call func() error
		}{
			{"Hash", func() error { _, err := h.Hash(ctx, "password"); return err }},
			{"Verify", func() error { _, _, err := h.Verify(ctx, "password", encoded); return err }},
			{"DummyVerify", func() error { return h.DummyVerify(ctx, "password") }},
		}
		for _, c := range calls {
			t.Run(c.name+"/wait="+wait.String(), func(t *testing.T) {
				start := time.Now()
				if err := c.call(); !errors.Is(err, ErrBusy) {
					t.Fatalf("err = %v, want ErrBusy", err)
				}
				if elapsed := time.Since(start); elapsed < wait {
					t.Fatalf("gave up after %v, before the wait of %v", elapsed, wait)
				}
			})
		}
	}
}

func TestSlotFreedAfterUse(t *testing.T) {
	ctx := context.Background()
	h := NewHasher(cheap, 1, 0)
	encoded, err := h.Hash(ctx, "password")
	if err != nil {
		t.Fatal(err)
	}
	// With no wait, each call succeeds only if the one before gave its slot
	// back, including after a wrong password.
	for i, attempt := range []string{"password", "wrong", "password"} {
		if _, _, err := h.Verify(ctx, attempt, encoded); err != nil {
			t.Fatalf("Verify #%d: %v", i, err)
		}
	}
	if err := h.DummyVerify(ctx, "password"); err != nil {
		t.Fatalf("DummyVerify: %v", err)
	}
	if _, err := h.Hash(ctx, "password"); err != nil {
		t.Fatalf("Hash: %v", err)
	}
}

func TestWaitsForSlot(t *testing.T) {
	h := NewHasher(cheap, 1, time.Minute)
	holdSlot := make(chan struct{})
	if err := h.acquire(context.Background()); err != nil {
		t.Fatal(err)
	}
	go func() {
		<-holdSlot
		h.release()
	}()
	done := make(chan error)
	go func() {
		_, err := h.Hash(context.Background(), "password")
		done <- err
	}()
	close(holdSlot)
	if err := <-done; err != nil {
		t.Fatalf("Hash after the slot was freed: %v", err)
	}
}

func TestContextDoneWhileWaiting(t *testing.T) {
	tests := []struct {
		name    string
		ctx     func() (context.Context, context.CancelFunc)
		wantErr error
	}{
		{"cancelled", func() (context.Context, context.CancelFunc) {
			ctx, cancel := context.WithCancel(context.Background())
			go func() { time.Sleep(10 * time.Millisecond); cancel() }()
			return ctx, cancel
		}, context.Canceled},
		{"already cancelled", func() (context.Context, context.CancelFunc) {
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			return ctx, cancel
		}, context.Canceled},
		{"deadline", func() (context.Context, context.CancelFunc) {
			return context.WithTimeout(context.Background(), 10*time.Millisecond)
		}, context.DeadlineExceeded},
	}
	h := NewHasher(cheap, 1, time.Minute)
	holdSlot(t, h)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := tc.ctx()
			defer cancel()
			start := time.Now()
			_, err := h.Hash(ctx, "password")
			if !errors.Is(err, tc.wantErr) || errors.Is(err, ErrBusy) {
				t.Fatalf("Hash = %v, want %v", err, tc.wantErr)
			}
			if elapsed := time.Since(start); elapsed > 30*time.Second {
				t.Fatalf("Hash waited %v despite the context", elapsed)
			}
		})
	}
}

func TestConcurrencyBounded(t *testing.T) {
	const limit = 2
	h := NewHasher(cheap, limit, time.Minute)
	var running, peak atomic.Int32
	derive := h.derive
	h.derive = func(password, salt []byte, time, memory uint32, threads uint8, keyLen uint32) []byte {
		n := running.Add(1)
		defer running.Add(-1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		return derive(password, salt, time, memory, threads, keyLen)
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if _, err := h.Hash(context.Background(), "password"); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if p := peak.Load(); p > limit || p < 1 {
		t.Fatalf("peak of %d hashes at once, want 1..%d", p, limit)
	}
}

func TestDummyVerify(t *testing.T) {
	p := Params{Memory: 128, Time: 3, Threads: 2, SaltLen: 24, KeyLen: 48}
	h := NewHasher(p, 1, time.Second)
	var calls int
	h.derive = func(password, salt []byte, time, memory uint32, threads uint8, keyLen uint32) []byte {
		calls++
		if len(h.sem) != 1 {
			t.Errorf("argon2 ran without holding a slot")
		}
		got := Params{Memory: memory, Time: time, Threads: threads, SaltLen: uint32(len(salt)), KeyLen: keyLen}
		if got != p {
			t.Errorf("argon2 ran with %+v, want the Hasher's %+v", got, p)
		}
		if string(password) != "guess" {
			t.Errorf("argon2 ran on %q, want the given password", password)
		}
		return make([]byte, keyLen)
	}
	if err := h.DummyVerify(context.Background(), "guess"); err != nil {
		t.Fatal(err)
	}
	if calls != 1 {
		t.Fatalf("DummyVerify ran argon2 %d times, want 1", calls)
	}
}

func TestDummyVerifyRealArgon2(t *testing.T) {
	h := NewHasher(DefaultParams(), 1, time.Second)
	if err := h.DummyVerify(context.Background(), "no such account"); err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := decode(h.dummy); err != nil {
		t.Fatalf("dummy hash %q does not parse: %v", h.dummy, err)
	}
}

func FuzzVerifyNeverPanics(f *testing.F) {
	h := NewHasher(cheap, 1, time.Second)
	valid, err := h.Hash(context.Background(), "password")
	if err != nil {
		f.Fatal(err)
	}
	for _, seed := range []string{
		valid,
		"",
		"$",
		"$$$$$",
		"$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
		"$argon2id$v=19$m=99999999,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
		"$argon2id$v=19$m=64,t=0,p=0$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
		"$argon2i$v=19$m=64,t=1,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
		"$argon2id$v=19$m=64,t=1,p=1$!!$!!",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, encoded string) {
		p, salt, key, err := decode(encoded)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("decode error %v does not wrap ErrMalformed", err)
			}
			return
		}
		if err := p.Validate(); err != nil {
			t.Fatalf("decode accepted invalid params: %v", err)
		}
		// decode accepts only what encode writes.
		if again := encode(p, salt, key); again != encoded {
			t.Fatalf("decode accepted %q, which encodes as %q", encoded, again)
		}
		// Run argon2 only when it is cheap, so the fuzzer stays fast.
		if p.Memory <= 1024 && p.Time <= 2 {
			if _, _, err := h.Verify(context.Background(), "password", encoded); err != nil {
				t.Fatalf("Verify of a parsed hash: %v", err)
			}
		}
	})
}

func BenchmarkHash(b *testing.B) {
	h := NewHasher(DefaultParams(), 1, time.Minute)
	ctx := context.Background()
	for b.Loop() {
		if _, err := h.Hash(ctx, "correct horse battery staple"); err != nil {
			b.Fatal(err)
		}
	}
}
