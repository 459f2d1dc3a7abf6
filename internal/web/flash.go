package web

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"net/http"
	"time"
)

// flashCookie carries a new API token from the form that made it to the
// page that shows it, once, after the redirect. It is sealed with a key
// made from the session's own secret, which the database does not hold
// (it keeps only a hash): it opens only for the session that made it, on
// whichever instance serves the page, and only for flashAge.
const flashCookie = "dateline_flash"

// flashAge is how long a sealed token waits to be shown.
const flashAge = 5 * time.Minute

// flashPath is the page that shows what the cookie carries; the browser
// sends it nowhere else.
const flashPath = "/account"

func flashAEAD(sessionToken string) (cipher.AEAD, error) {
	key := sha256.Sum256([]byte("dateline flash\x00" + sessionToken))
	block, err := aes.NewCipher(key[:])
	if err != nil {
		return nil, fmt.Errorf("web: flash cipher: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("web: flash cipher: %w", err)
	}
	return aead, nil
}

// setFlash seals secret for the viewer's session, to be shown by the
// next page that takes it.
func (s *Server) setFlash(w http.ResponseWriter, v *viewer, secret string) error {
	aead, err := flashAEAD(v.Token)
	if err != nil {
		return err
	}
	plain := binary.BigEndian.AppendUint64(nil, uint64(s.now().Unix())) // #nosec G115 -- the site's clock is after 1970
	plain = append(plain, secret...)
	nonce := make([]byte, aead.NonceSize())
	_, _ = rand.Read(nonce) // crypto/rand.Read does not fail
	sealed := aead.Seal(nonce, nonce, plain, []byte(flashCookie))
	// #nosec G124 -- Secure is set on https sites, as for the session cookie.
	http.SetCookie(w, &http.Cookie{Name: flashCookie, Value: base64.RawURLEncoding.EncodeToString(sealed), Path: flashPath,
		MaxAge: int(flashAge / time.Second), HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteStrictMode})
	return nil
}

// takeFlash returns what setFlash sealed for the viewer's session and
// removes it, so it is shown once; "" when there is none, it is older
// than flashAge, or another session sealed it.
func (s *Server) takeFlash(w http.ResponseWriter, r *http.Request, v *viewer) string {
	c, err := r.Cookie(flashCookie)
	if err != nil {
		return ""
	}
	// #nosec G124 -- as in setFlash.
	http.SetCookie(w, &http.Cookie{Name: flashCookie, Value: "", Path: flashPath, MaxAge: -1,
		HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteStrictMode})
	sealed, err := base64.RawURLEncoding.DecodeString(c.Value)
	if err != nil {
		return ""
	}
	aead, err := flashAEAD(v.Token)
	if err != nil || len(sealed) < aead.NonceSize() {
		return ""
	}
	plain, err := aead.Open(nil, sealed[:aead.NonceSize()], sealed[aead.NonceSize():], []byte(flashCookie))
	if err != nil || len(plain) < 8 {
		return ""
	}
	made := time.Unix(int64(binary.BigEndian.Uint64(plain)), 0) // #nosec G115 -- written by setFlash from a Unix time
	if age := s.now().Sub(made); age < 0 || age > flashAge {
		return ""
	}
	return string(plain[8:])
}
