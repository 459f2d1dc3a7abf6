package password

import (
	"bufio"
	_ "embed"
	"fmt"
	"strings"
	"sync"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Password length bounds, in characters (Unicode code points after NFC
// normalisation). NIST SP 800-63B asks for at least 8 and for accepting at
// least 64; OWASP suggests allowing at least 128.
const (
	MinLength = 8
	MaxLength = 256
)

// Rule names the rule of the policy that a password broke.
type Rule int

// The rules a PolicyError can name.
const (
	// TooShort: fewer than MinLength characters.
	TooShort Rule = iota + 1
	// TooLong: more than MaxLength characters.
	TooLong
	// Common: on the list of the most common passwords.
	Common
	// SameAsAccount: equal to one of the account's details, such as its
	// email address or display name, or to the site's name.
	SameAsAccount
)

// PolicyError tells why a password was refused.
type PolicyError struct {
	// Rule is the rule the password broke.
	Rule Rule
	// Message explains the refusal in plain English, fit to show to the
	// person choosing the password.
	Message string
}

// Error returns e.Message.
func (e *PolicyError) Error() string { return e.Message }

//go:embed common.txt
var commonTxt string

// Policy decides whether a new password is acceptable. Build one with
// NewPolicy; it is immutable and safe for concurrent use.
type Policy struct {
	// common holds the common passwords, lower-cased. It is never written
	// after NewPolicy returns.
	common map[string]struct{}
}

// NewPolicy returns a Policy with the embedded list of common passwords,
// which it parses on each call: build one when the program starts and share
// it.
func NewPolicy() *Policy {
	common := make(map[string]struct{}, 12000)
	sc := bufio.NewScanner(strings.NewReader(commonTxt))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		common[strings.ToLower(line)] = struct{}{}
	}
	// A scanner over an embedded string of short lines cannot fail; a list
	// that could not be read is a broken build.
	if err := sc.Err(); err != nil {
		panic("password: reading common.txt: " + err.Error())
	}
	return &Policy{common: common}
}

// Check returns nil if password is acceptable, or else a *PolicyError saying
// why not. A password must have between MinLength and MaxLength characters,
// counted after NFC normalisation; any character may be used and there are
// no composition rules. It is refused if, ignoring case and surrounding
// spaces, it is one of the most common passwords or equals one of context:
// pass the account's email address, display name and the site's name (for
// an email address, its part before the '@' is checked as well).
func (p *Policy) Check(password string, context ...string) error {
	n := utf8.RuneCountInString(norm.NFC.String(password))
	if n < MinLength {
		return &PolicyError{Rule: TooShort, Message: fmt.Sprintf(
			"Your password needs at least %d characters. A few unrelated words make a long password that is still easy to remember.",
			MinLength)}
	}
	if n > MaxLength {
		return &PolicyError{Rule: TooLong, Message: fmt.Sprintf(
			"Your password can have at most %d characters. Please choose a shorter one.",
			MaxLength)}
	}
	folded := fold(password)
	if _, ok := p.common[folded]; ok {
		return &PolicyError{Rule: Common, Message: "That password is one of the most commonly used, so it is easy to guess. Choose another."}
	}
	for _, c := range context {
		if sameAsAccount(folded, c) {
			return &PolicyError{Rule: SameAsAccount, Message: "Your password can't be the same as your email address, your name or the name of this site, because those are easy to guess. Choose another."}
		}
	}
	return nil
}

// sameAsAccount reports whether the folded password equals c or, when c is
// an email address, its local part.
func sameAsAccount(folded, c string) bool {
	c = fold(c)
	if c == "" {
		return false
	}
	if folded == c {
		return true
	}
	local, _, isEmail := strings.Cut(c, "@")
	return isEmail && local != "" && folded == local
}

// fold puts s in the form used for comparisons: NFC, lower case, without
// surrounding spaces.
func fold(s string) string {
	return strings.ToLower(strings.TrimSpace(norm.NFC.String(s)))
}

// defaultPolicy is built on the first call of Check and never changed.
var defaultPolicy = sync.OnceValue(NewPolicy)

// Check is Policy.Check on a Policy shared by the whole process, built on
// first use.
func Check(password string, context ...string) error {
	return defaultPolicy().Check(password, context...)
}
