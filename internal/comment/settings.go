package comment

import (
	"context"
	"dateline/internal/field"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// The keys the newsroom's discussion settings and policy are stored under.
const (
	keyPremod      = "comments_premod"
	keyPremodFirst = "comments_premod_first"
	keyBannedWords = "comments_banned_words"
	keyCloseDays   = "comments_close_days"
	keyPolicy      = "comment_policy"
)

// The names field.Errors gives the settings a newsroom can change.
const (
	FieldPremod      = "premod"
	FieldPremodFirst = "premod_first"
	FieldBannedWords = "banned_words"
	FieldCloseDays   = "close_days"
	FieldPolicy      = "policy"
)

// Limits on what a newsroom can set.
const (
	// MaxSettingNumber bounds the premoderated first comments and the days
	// until a discussion closes.
	MaxSettingNumber = 365
	// MaxBannedText bounds the banned-word list, all lines together.
	MaxBannedText = 20000
	// MaxBannedWord bounds one entry of it, in characters.
	MaxBannedWord = 100
	// MinPolicy and MaxPolicy bound the comment policy, in bytes.
	MinPolicy, MaxPolicy = 20, 20000
)

const day = 24 * time.Hour

// TidyWords tidies a banned-word list: one entry a line, spaces
// collapsed, without blanks or repeats (in any case).
func TidyWords(words []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, line := range words {
		for _, w := range strings.Split(strings.ReplaceAll(line, "\r", "\n"), "\n") {
			w = strings.Join(strings.Fields(w), " ")
			if w == "" || seen[strings.ToLower(w)] {
				continue
			}
			seen[strings.ToLower(w)] = true
			out = append(out, w)
		}
	}
	return out
}

// wholeNumber is what a newsroom is told of a number it set wrong.
func wholeNumber() string { return fmt.Sprintf("Give a whole number from 0 to %d.", MaxSettingNumber) }

// Validate checks the settings a newsroom can change (pre-moderation,
// banned words, closing); it returns a field.Errors naming every one
// that is wrong.
func (s Settings) Validate() error {
	wrong := field.Errors{}
	switch s.Premod {
	case PremodOff, PremodFirst, PremodAll:
	default:
		wrong[FieldPremod] = "Choose one of the three kinds of pre-moderation."
	}
	msg := wholeNumber()
	if s.PremodFirstN < 0 || s.PremodFirstN > MaxSettingNumber {
		wrong[FieldPremodFirst] = msg
	}
	if s.CloseAfter < 0 || s.CloseAfter > MaxSettingNumber*day || s.CloseAfter%day != 0 {
		wrong[FieldCloseDays] = msg
	}
	if len(strings.Join(s.BannedWords, "\n")) > MaxBannedText {
		wrong[FieldBannedWords] = fmt.Sprintf("The list is too long: keep it under %d characters.", MaxBannedText)
	} else {
		for _, w := range s.BannedWords {
			if utf8.RuneCountInString(w) > MaxBannedWord || strings.ContainsAny(w, "\r\n") {
				wrong[FieldBannedWords] = fmt.Sprintf("Each line holds one word or short phrase, of at most %d characters.", MaxBannedWord)
				break
			}
		}
	}
	return wrong.Err()
}

// Fields are the settings a newsroom can change as it sees and types
// them, by the names of their fields: the banned words one a line, the
// days until a discussion closes as a whole number.
func (s Settings) Fields() map[string]string {
	return map[string]string{
		FieldPremod:      string(s.Premod),
		FieldPremodFirst: strconv.Itoa(s.PremodFirstN),
		FieldBannedWords: strings.Join(s.BannedWords, "\n"),
		FieldCloseDays:   strconv.Itoa(int(s.CloseAfter / day)),
	}
}

// WithFields returns s with the settings a newsroom typed, named as Fields
// names them (the banned words tidied), and checks them as Validate does:
// a field.Errors names every one that is wrong. Settings with errors are
// not to be saved.
func (s Settings) WithFields(vals map[string]string) (Settings, error) {
	wrong := field.Errors{}
	s.Premod = Premod(vals[FieldPremod])
	if n, err := strconv.Atoi(vals[FieldPremodFirst]); err != nil {
		wrong[FieldPremodFirst] = wholeNumber()
	} else {
		s.PremodFirstN = n
	}
	switch n, err := strconv.Atoi(vals[FieldCloseDays]); {
	case err != nil, n < 0 || n > MaxSettingNumber:
		// Checked before multiplying: a huge number of days would wrap
		// around into one that looks right.
		wrong[FieldCloseDays] = wholeNumber()
	default:
		s.CloseAfter = time.Duration(n) * day
	}
	s.BannedWords = TidyWords([]string{vals[FieldBannedWords]})
	wrong.Add(s.Validate())
	return s, wrong.Err()
}

// Settings are the discussion rules in force: those the newsroom saved,
// and the defaults for the rest.
func (s *Service) Settings(ctx context.Context) (Settings, error) {
	d := s.opts.Defaults
	vals, err := s.store.SettingValues(ctx, keyCloseDays, keyPremod, keyPremodFirst, keyBannedWords)
	if err != nil {
		return d, fmt.Errorf("comment: settings: %w", err)
	}
	if v, ok := vals[keyCloseDays]; ok {
		if n, err := strconv.Atoi(v); err == nil && n >= 0 {
			d.CloseAfter = time.Duration(n) * day
		}
	}
	if v, ok := vals[keyPremod]; ok {
		switch p := Premod(v); p {
		case PremodOff, PremodFirst, PremodAll:
			d.Premod = p
		}
	}
	if v, ok := vals[keyPremodFirst]; ok {
		if n, err := strconv.Atoi(v); err == nil && n >= 0 {
			d.PremodFirstN = n
		}
	}
	if v, ok := vals[keyBannedWords]; ok {
		d.BannedWords = TidyWords([]string{v})
	}
	return d, nil
}

// SaveSettings checks and stores the settings a newsroom can change:
// pre-moderation, banned words (tidied first) and when discussions close.
// The others come from the service's defaults and are not saved. Wrong
// settings are refused with a field.Errors and nothing is saved.
func (s *Service) SaveSettings(ctx context.Context, set Settings) error {
	set.BannedWords = TidyWords(set.BannedWords)
	if err := set.Validate(); err != nil {
		return err
	}
	err := s.store.SaveSettingValues(ctx, map[string]string{
		keyPremod:      string(set.Premod),
		keyPremodFirst: strconv.Itoa(set.PremodFirstN),
		keyBannedWords: strings.Join(set.BannedWords, "\n"),
		keyCloseDays:   strconv.Itoa(int(set.CloseAfter / day)),
	})
	if err != nil {
		return fmt.Errorf("comment: save settings: %w", err)
	}
	return nil
}

// Policy is the comment policy readers are shown, in Markdown: the
// newsroom's own, or DefaultPolicy until it writes one.
func (s *Service) Policy(ctx context.Context) (string, error) {
	vals, err := s.store.SettingValues(ctx, keyPolicy)
	if err != nil {
		return "", fmt.Errorf("comment: policy: %w", err)
	}
	if text := vals[keyPolicy]; text != "" {
		return text, nil
	}
	return DefaultPolicy, nil
}

// ValidatePolicy checks a comment policy a newsroom wrote; it returns a
// field.Errors.
func ValidatePolicy(text string) error {
	if len(text) < MinPolicy || len(text) > MaxPolicy {
		return field.Errors{FieldPolicy: "The policy needs between 20 and 20,000 characters."}
	}
	return nil
}

// SavePolicy checks and stores the comment policy, in Markdown.
func (s *Service) SavePolicy(ctx context.Context, text string) error {
	if err := ValidatePolicy(text); err != nil {
		return err
	}
	if err := s.store.SaveSettingValues(ctx, map[string]string{keyPolicy: text}); err != nil {
		return fmt.Errorf("comment: save policy: %w", err)
	}
	return nil
}
