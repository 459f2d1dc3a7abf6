package password

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"time"

	"golang.org/x/crypto/argon2"
)

// Bounds on the parameters a Hasher is built with and a stored hash may
// carry. They keep a tampered hash from making the server allocate or
// compute without limit.
const (
	maxMemory  = 1 << 20 // KiB, that is 1 GiB
	maxTime    = 100
	maxThreads = 64
	minSaltLen = 8
	maxSaltLen = 64
	minKeyLen  = 16
	maxKeyLen  = 64
)

// ErrBusy is returned by Hash, Verify and DummyVerify when every hashing slot
// stayed taken for longer than the Hasher's wait. Callers answer it with
// 503 Service Unavailable.
var ErrBusy = errors.New("password: too many passwords being hashed at once")

// ErrMalformed is returned, wrapped with a reason, by Verify when the stored
// hash is not a well-formed argon2id PHC string within the accepted bounds.
var ErrMalformed = errors.New("password: malformed hash")

// Params are argon2id cost parameters.
type Params struct {
	// Memory is the memory cost in KiB.
	Memory uint32
	// Time is the number of passes over the memory.
	Time uint32
	// Threads is the degree of parallelism.
	Threads uint8
	// SaltLen is the length of the random salt in bytes.
	SaltLen uint32
	// KeyLen is the length of the derived key in bytes.
	KeyLen uint32
}

// DefaultParams returns parameters that meet OWASP's minimum for argon2id:
// 19 MiB (19456 KiB) of memory, 2 passes, 1 thread, a 16-byte salt and a
// 32-byte key.
func DefaultParams() Params {
	return Params{Memory: 19 * 1024, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}
}

// Validate returns an error unless p lies within the bounds that Verify
// accepts in a stored hash: 1 to 100 passes, 1 to 64 threads, at least 8 KiB of memory
// per thread and at most 1 GiB, a salt of 8 to 64 bytes and a key of 16 to
// 64 bytes.
func (p Params) Validate() error {
	if err := p.check(); err != nil {
		return fmt.Errorf("password: params: %w", err)
	}
	return nil
}

// check is Validate without the package prefix, for decode's messages.
func (p Params) check() error {
	switch {
	case p.Time < 1 || p.Time > maxTime:
		return fmt.Errorf("time %d is outside 1..%d", p.Time, maxTime)
	case p.Threads < 1 || p.Threads > maxThreads:
		return fmt.Errorf("threads %d is outside 1..%d", p.Threads, maxThreads)
	case p.Memory < 8*uint32(p.Threads) || p.Memory > maxMemory:
		return fmt.Errorf("memory %d KiB is outside %d..%d", p.Memory, 8*uint32(p.Threads), maxMemory)
	case p.SaltLen < minSaltLen || p.SaltLen > maxSaltLen:
		return fmt.Errorf("salt length %d is outside %d..%d", p.SaltLen, minSaltLen, maxSaltLen)
	case p.KeyLen < minKeyLen || p.KeyLen > maxKeyLen:
		return fmt.Errorf("key length %d is outside %d..%d", p.KeyLen, minKeyLen, maxKeyLen)
	}
	return nil
}

// Hasher hashes and verifies passwords with argon2id, bounding how many
// hashes run at once. It is safe for concurrent use.
type Hasher struct {
	params Params
	wait   time.Duration
	// sem holds one token per hash in progress.
	sem chan struct{}
	// dummy is a well-formed hash with h's params that no password
	// matches, for DummyVerify.
	dummy string
	// derive is argon2.IDKey; tests replace it to watch the work done.
	derive func(password, salt []byte, time, memory uint32, threads uint8, keyLen uint32) []byte
}

// NewHasher returns a Hasher that hashes with p, runs at most maxConcurrent
// hashes at once (runtime.NumCPU() when maxConcurrent <= 0) and waits at
// most wait for a free slot before giving up with ErrBusy (a wait <= 0 does
// not wait at all). It panics if p fails Validate, since hashes made with
// such parameters could not be verified.
func NewHasher(p Params, maxConcurrent int, wait time.Duration) *Hasher {
	if err := p.Validate(); err != nil {
		panic(err)
	}
	if maxConcurrent <= 0 {
		maxConcurrent = runtime.NumCPU()
	}
	h := &Hasher{
		params: p,
		wait:   max(wait, 0),
		sem:    make(chan struct{}, maxConcurrent),
		derive: argon2.IDKey,
	}
	// The dummy's key is random, so no password matches it; what matters is
	// that verifying against it does the same work as against a real hash.
	h.dummy = encode(p, randomBytes(p.SaltLen), randomBytes(p.KeyLen))
	return h
}

// Hash returns the argon2id hash of password, with a fresh random salt, as a
// PHC string such as "$argon2id$v=19$m=19456,t=2,p=1$<salt>$<key>". It
// returns ErrBusy when no slot frees up in time, or the context's error
// (wrapped) when ctx is done first.
func (h *Hasher) Hash(ctx context.Context, password string) (string, error) {
	if err := h.acquire(ctx); err != nil {
		return "", err
	}
	defer h.release()
	salt := randomBytes(h.params.SaltLen)
	key := h.derive([]byte(password), salt, h.params.Time, h.params.Memory, h.params.Threads, h.params.KeyLen)
	return encode(h.params, salt, key), nil
}

// Verify reports whether password matches encoded, a hash made by Hash,
// comparing keys in constant time. When ok is true, needsRehash reports
// whether encoded was made with parameters other than h's, in which case the
// caller should store a new Hash of password. A malformed encoded string
// gives an error wrapping ErrMalformed; a full Hasher gives ErrBusy; a done
// ctx gives its error, wrapped.
func (h *Hasher) Verify(ctx context.Context, password, encoded string) (ok bool, needsRehash bool, err error) {
	p, salt, key, err := decode(encoded)
	if err != nil {
		return false, false, err
	}
	if err := h.acquire(ctx); err != nil {
		return false, false, err
	}
	defer h.release()
	got := h.derive([]byte(password), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	if subtle.ConstantTimeCompare(got, key) != 1 {
		return false, false, nil
	}
	return true, p != h.params, nil
}

// DummyVerify does the same work as a Verify of password against a real
// hash made with h's parameters, and throws the result away. Call it when a
// login names an unknown account, so that the time taken does not reveal
// whether the account exists. Its errors are Verify's: ErrBusy, or ctx's.
func (h *Hasher) DummyVerify(ctx context.Context, password string) error {
	_, _, err := h.Verify(ctx, password, h.dummy)
	return err
}

// acquire takes a hashing slot, waiting at most h.wait and no longer than
// ctx allows.
func (h *Hasher) acquire(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("password: waiting for a hashing slot: %w", err)
	}
	select {
	case h.sem <- struct{}{}:
		return nil
	default:
	}
	if h.wait <= 0 {
		return ErrBusy
	}
	timer := time.NewTimer(h.wait)
	defer timer.Stop()
	select {
	case h.sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("password: waiting for a hashing slot: %w", ctx.Err())
	case <-timer.C:
		return ErrBusy
	}
}

// release gives back a slot taken by acquire.
func (h *Hasher) release() { <-h.sem }

// randomBytes returns n bytes from crypto/rand, which never fails.
func randomBytes(n uint32) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}

// b64 is the encoding of salts and keys in PHC strings.
var b64 = base64.RawStdEncoding.Strict()

// encode formats a PHC string.
func encode(p Params, salt, key []byte) string {
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.Memory, p.Time, p.Threads,
		b64.EncodeToString(salt), b64.EncodeToString(key))
}

// decode parses a PHC string made by encode. It accepts only the canonical
// form that encode writes, and only parameters that pass Validate, with
// SaltLen and KeyLen taken from the decoded salt and key.
func decode(encoded string) (p Params, salt, key []byte, err error) {
	malformed := func(format string, args ...any) (Params, []byte, []byte, error) {
		return Params{}, nil, nil, fmt.Errorf("%w: "+format, append([]any{ErrMalformed}, args...)...)
	}
	// A well-formed hash is about a hundred bytes; don't look at more.
	if len(encoded) > 512 {
		return malformed("%d bytes long", len(encoded))
	}
	fields := strings.Split(encoded, "$")
	if len(fields) != 6 || fields[0] != "" {
		return malformed("want 5 fields separated by '$', got %d", len(fields)-1)
	}
	if fields[1] != "argon2id" {
		return malformed("algorithm %q is not argon2id", fields[1])
	}
	if fields[2] != "v="+strconv.Itoa(argon2.Version) {
		return malformed("version %q is not v=%d", fields[2], argon2.Version)
	}
	var m, t, threads uint64
	names := [3]string{"m", "t", "p"}
	targets := [3]*uint64{&m, &t, &threads}
	pairs := strings.Split(fields[3], ",")
	if len(pairs) != len(names) {
		return malformed("parameters %q are not m=,t=,p=", fields[3])
	}
	for i, pair := range pairs {
		v, ok := strings.CutPrefix(pair, names[i]+"=")
		if !ok {
			return malformed("parameters %q are not m=,t=,p=", fields[3])
		}
		n, err := parseDecimal(v)
		if err != nil {
			return malformed("parameter %s: %v", names[i], err)
		}
		*targets[i] = n
	}
	if salt, err = decodeB64(fields[4]); err != nil {
		return malformed("salt: %v", err)
	}
	if key, err = decodeB64(fields[5]); err != nil {
		return malformed("key: %v", err)
	}
	if m > maxMemory || t > maxTime || threads > maxThreads {
		return malformed("parameters %q are too large", fields[3])
	}
	p = Params{
		Memory:  uint32(m),
		Time:    uint32(t),
		Threads: uint8(threads),
		// The encoded hash is a few hundred bytes at most (checked above),
		// so neither length can overflow; check bounds them further.
		SaltLen: uint32(len(salt)), // #nosec G115 -- bounded by the encoded length
		KeyLen:  uint32(len(key)),  // #nosec G115 -- bounded by the encoded length
	}
	if err := p.check(); err != nil {
		return malformed("%v", err)
	}
	return p, salt, key, nil
}

// parseDecimal parses a canonical unsigned decimal: digits only, no sign and
// no leading zero, of at most 10 digits.
func parseDecimal(s string) (uint64, error) {
	if s == "" || len(s) > 10 || (len(s) > 1 && s[0] == '0') {
		return 0, fmt.Errorf("%q is not a canonical number", s)
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, fmt.Errorf("%q is not a canonical number", s)
		}
	}
	return strconv.ParseUint(s, 10, 64)
}

// decodeB64 decodes unpadded standard base64, refusing the line breaks the
// decoder would otherwise skip.
func decodeB64(s string) ([]byte, error) {
	b, err := b64.DecodeString(s)
	if err != nil {
		return nil, err
	}
	if b64.EncodedLen(len(b)) != len(s) {
		return nil, errors.New("not canonical base64")
	}
	return b, nil
}
