package password

import (
	"bufio"
	"errors"
	"os"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestCheck(t *testing.T) {
	account := []string{"Jane.Doe@Example.com", "Jane Doe", "Dateline"}
	tests := []struct {
		name     string
		password string
		context  []string
		want     Rule // 0: accepted
	}{
		{"empty", "", nil, TooShort},
		{"7 characters", "k9#vQ2!", nil, TooShort},
		{"8 characters", "k9#vQ2!z", nil, 0},
		{"8 spaces", "        ", nil, 0},
		{"no composition rules: lower-case letters only", "glorious morning tea", nil, 0},
		{"no composition rules: digits only", "9081726354", nil, 0},
		{"128 characters", strings.Repeat("k9#vQ2!z", 16), nil, 0},
		{"256 characters", strings.Repeat("k9#vQ2!z", 32), nil, 0},
		{"257 characters", strings.Repeat("k9#vQ2!z", 32) + "x", nil, TooLong},
		{"7 emoji", strings.Repeat("🔑", 7), nil, TooShort},
		{"8 emoji", strings.Repeat("🔑", 8), nil, 0},
		{"128 emoji", strings.Repeat("🔑", 128), nil, 0},
		{"128 CJK characters", strings.Repeat("新聞", 64), nil, 0},
		{"256 CJK characters", strings.Repeat("新聞", 128), nil, 0},
		{"257 emoji", strings.Repeat("🔑", 257), nil, TooLong},
		{"7 decomposed accents count as 7", strings.Repeat("e\u0301", 7), nil, TooShort},
		{"8 decomposed accents", strings.Repeat("e\u0301", 8), nil, 0},
		{"common", "password", nil, Common},
		{"common with digit", "password1", nil, Common},
		{"common capitalised", "Password1", nil, Common},
		{"common upper case", "PASSWORD1", nil, Common},
		{"common keyboard walk", "qwertyuiop", nil, Common},
		{"common digits", "123456789", nil, Common},
		{"common with spaces around", "  iloveyou1 ", nil, Common},
		{"long random passphrase", "ferret cobalt umbrella nineteen orbit", nil, 0},
		{"long random string", "Zq4!uW9@pL2#tR7$", nil, 0},
		{"same as email", "jane.doe@example.com", account, SameAsAccount},
		{"same as email's local part", "JANE.DOE", account, SameAsAccount},
		{"same as display name", "jane doe", account, SameAsAccount},
		{"same as site name", "DATELINE", account, SameAsAccount},
		{"contains display name", "jane doe forever", account, 0},
		{"empty context ignored", "k9#vQ2!z", []string{"", "  "}, 0},
		{"short local part still counts", "ab@example.org", []string{"ab@example.org"}, SameAsAccount},
		{"context too short is caught by length first", "jd", []string{"jd@example.com"}, TooShort},
	}
	p := NewPolicy()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := p.Check(tc.password, tc.context...)
			if tc.want == 0 {
				if err != nil {
					t.Fatalf("Check(%q) = %v, want nil", tc.password, err)
				}
				return
			}
			var pe *PolicyError
			if !errors.As(err, &pe) {
				t.Fatalf("Check(%q) = %v, want a *PolicyError", tc.password, err)
			}
			if pe.Rule != tc.want {
				t.Fatalf("Check(%q) broke rule %v (%q), want %v", tc.password, pe.Rule, pe.Message, tc.want)
			}
			if pe.Error() != pe.Message || !strings.HasSuffix(pe.Message, ".") || pe.Message == "" {
				t.Fatalf("message %q is not a sentence for people", pe.Message)
			}
		})
	}
}

func TestCheckMessages(t *testing.T) {
	tests := []struct {
		password string
		context  []string
		want     string
	}{
		{"short", nil, "Your password needs at least 8 characters."},
		{strings.Repeat("x", MaxLength+1), nil, "at most 256 characters"},
		{"Password1", nil, "That password is one of the most commonly used, so it is easy to guess. Choose another."},
		{"jane@example.com", []string{"jane@example.com"}, "can't be the same as your email address"},
	}
	for _, tc := range tests {
		err := Check(tc.password, tc.context...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Check(%.20q) = %v, want a message containing %q", tc.password, err, tc.want)
		}
	}
}

func TestCommonList(t *testing.T) {
	p := NewPolicy()
	if n := len(p.common); n < 10000 {
		t.Fatalf("the common-password list has %d entries, want at least 10,000", n)
	}
	// The file itself: one lower-case password per line, each at least
	// MinLength characters, no duplicates, comments only at the top.
	f, err := os.Open("common.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	seen := make(map[string]bool)
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		s := sc.Text()
		if strings.HasPrefix(s, "#") {
			if len(seen) > 0 {
				t.Errorf("line %d: comment after the first entry", line)
			}
			continue
		}
		switch {
		case s != strings.ToLower(strings.TrimSpace(s)) || s == "":
			t.Errorf("line %d: %q is not trimmed and lower-case", line, s)
		case utf8.RuneCountInString(s) < MinLength:
			t.Errorf("line %d: %q is shorter than %d", line, s, MinLength)
		case seen[s]:
			t.Errorf("line %d: %q is listed twice", line, s)
		}
		seen[s] = true
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(seen) != len(p.common) {
		t.Fatalf("file has %d entries, policy loaded %d", len(seen), len(p.common))
	}
}

func TestCheckSharesOnePolicy(t *testing.T) {
	first, second := defaultPolicy(), defaultPolicy()
	if first != second {
		t.Fatal("Check builds a new Policy on each call")
	}
}
