// Package site holds the settings of the paper as a whole that its
// administrators change in the site: the paper's name and language, its
// time zone, in which people see every time and its days begin, and its
// logo. Its Service reads them through the store, whose snapshot a save
// on any instance drops on every instance.
package site

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/mail"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/language"

	"dateline/internal/field"
	"dateline/internal/media"
	"dateline/internal/story"
)

// The keys the site's settings are stored under.
const (
	keyTimeZone = "site_time_zone"
	keyLogo     = "site_logo"
	keyName     = "site_name"
	keyLanguage = "site_language"
	keyReplyTo  = "site_reply_to"
)

// The names field.Errors gives the settings, as the settings form names
// its fields.
const (
	FieldTimeZone = "time_zone"
	FieldLogo     = "logo"
	FieldName     = "site_name"
	FieldLanguage = "language"
	FieldReplyTo  = "reply_to"
)

// MaxName is the longest name a paper may have, in characters.
const MaxName = 80

// Settings are the site's settings as stored. Empty values are the
// defaults: the time zone given at start (--time-zone) and the logo that
// ships.
type Settings struct {
	// TimeZone is an IANA time zone name such as "Europe/Lisbon"; empty
	// keeps the one the site was started with.
	TimeZone string
	// LogoID is an image of the library to use as the paper's logo; 0 is
	// the default logo.
	LogoID int64
	// Name is the paper's name, shown in the masthead, titles and feeds;
	// empty keeps the one the site was built with.
	Name string
	// Language is a BCP 47 tag such as "en" or "pt-PT", the language of
	// the pages (<html lang>) and feeds; empty keeps the one the site was
	// built with.
	Language string
	// ReplyTo is the address replies to the site's emails go to (their
	// Reply-To); empty keeps the one the site was started with
	// (--mail-reply-to).
	ReplyTo string
}

// Store is what the service needs of the database: the site's settings,
// kept by key.
type Store interface {
	// SettingValues returns the stored values of the keys that are set.
	SettingValues(ctx context.Context, keys ...string) (map[string]string, error)
	// SaveSettingValues stores several values together.
	SaveSettingValues(ctx context.Context, vals map[string]string) error
}

// Images finds an image of the library, story.ErrNotFound when there is
// none.
type Images interface {
	Image(ctx context.Context, id int64) (*media.Image, error)
}

// Service reads and saves the site's settings. It is safe for concurrent
// use.
type Service struct {
	store  Store
	images Images
	zone   *time.Location
	log    *slog.Logger

	mu    sync.Mutex
	zones map[string]*time.Location // loaded by name; only valid names are kept
}

// New returns a Service on st. zone is the time zone the site was started
// with (nil is UTC), which a stored one overrides; images, when not nil,
// checks and finds a chosen logo; log receives what goes wrong while
// reading settings for a page (nil discards it).
func New(st Store, images Images, zone *time.Location, log *slog.Logger) *Service {
	if st == nil {
		panic("site: New needs a store") // a wiring mistake, found by any test
	}
	if zone == nil {
		zone = time.UTC
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Service{store: st, images: images, zone: zone, log: log, zones: map[string]*time.Location{}}
}

// DefaultZone is the time zone the site was started with.
func (s *Service) DefaultZone() *time.Location { return s.zone }

// Settings returns the stored settings; unset or unreadable values are
// empty (the defaults).
func (s *Service) Settings(ctx context.Context) (Settings, error) {
	vals, err := s.store.SettingValues(ctx, keyTimeZone, keyLogo, keyName, keyLanguage, keyReplyTo)
	if err != nil {
		return Settings{}, fmt.Errorf("site: settings: %w", err)
	}
	var set Settings
	if name := vals[keyTimeZone]; name != "" {
		if _, err := s.load(name); err == nil {
			set.TimeZone = name
		}
	}
	if id, err := strconv.ParseInt(vals[keyLogo], 10, 64); err == nil && id > 0 {
		set.LogoID = id
	}
	if name, wrong := checkName(vals[keyName]); wrong == "" {
		set.Name = name
	}
	if tag, wrong := checkLanguage(vals[keyLanguage]); wrong == "" {
		set.Language = tag
	}
	if addr, wrong := checkReplyTo(vals[keyReplyTo]); wrong == "" {
		set.ReplyTo = addr
	}
	return set, nil
}

// checkName tidies a paper's name: spaces collapsed, at most MaxName
// characters, nothing invisible and no < or >. wrong says what is wrong
// with it, in words for the administrator; "" when nothing is.
func checkName(raw string) (name, wrong string) {
	name = strings.Join(strings.Fields(raw), " ")
	if utf8.RuneCountInString(name) > MaxName {
		return "", fmt.Sprintf("Keep the name under %d characters.", MaxName)
	}
	if !utf8.ValidString(name) || strings.ContainsAny(name, "<>") {
		return "", "A name cannot contain < or >, or characters we cannot read."
	}
	for _, r := range name {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			return "", "The name contains invisible characters; please type it again."
		}
	}
	return name, ""
}

// checkReplyTo reads a bare email address for the Reply-To header;
// empty stays empty. wrong says what is wrong with it; "" when nothing is.
func checkReplyTo(raw string) (addr, wrong string) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return "", ""
	}
	a, err := mail.ParseAddress(raw)
	if err != nil || a.Address != raw || strings.ContainsAny(raw, "\r\n") || len(raw) > 254 {
		return "", "Give one email address, such as letters@example.com."
	}
	return raw, ""
}

// checkLanguage reads a BCP 47 language tag and returns it in its
// canonical form ("pt-pt" is "pt-PT"); empty stays empty. wrong says what
// is wrong with it; "" when nothing is.
func checkLanguage(raw string) (tag, wrong string) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return "", ""
	}
	const msg = "Give a language tag (BCP 47) such as en, en-GB, pt-PT or fr."
	t, err := language.Parse(raw)
	if err != nil || len(raw) > 35 {
		return "", msg
	}
	if base, _, _ := t.Raw(); base.String() == "und" {
		return "", msg
	}
	return t.String(), ""
}

// Validate checks the settings: a time zone must be an IANA name the
// machine knows, and a logo an image of the library. It returns a
// field.Errors naming every setting that is wrong.
func (s *Service) Validate(ctx context.Context, set Settings) error {
	wrong := field.Errors{}
	if _, msg := checkName(set.Name); msg != "" {
		wrong[FieldName] = msg
	}
	if _, msg := checkLanguage(set.Language); msg != "" {
		wrong[FieldLanguage] = msg
	}
	if _, msg := checkReplyTo(set.ReplyTo); msg != "" {
		wrong[FieldReplyTo] = msg
	}
	if name := strings.TrimSpace(set.TimeZone); name != "" {
		if _, err := s.load(name); err != nil {
			wrong[FieldTimeZone] = "Give a time zone by its IANA name, such as Europe/Lisbon or America/New_York."
		}
	}
	switch {
	case set.LogoID < 0:
		wrong[FieldLogo] = "Choose an image of the library, or none for the default logo."
	case set.LogoID > 0 && s.images == nil:
		wrong[FieldLogo] = "This site has no image library; keep the default logo."
	case set.LogoID > 0:
		if _, err := s.images.Image(ctx, set.LogoID); errors.Is(err, story.ErrNotFound) {
			wrong[FieldLogo] = fmt.Sprintf("There is no image %d in the library.", set.LogoID)
		} else if err != nil {
			return fmt.Errorf("site: check logo: %w", err)
		}
	}
	return wrong.Err()
}

// SaveSettings checks and stores the settings; wrong ones are refused
// with a field.Errors and nothing is saved. Every instance reads them
// through the store.
func (s *Service) SaveSettings(ctx context.Context, set Settings) error {
	set.TimeZone = strings.TrimSpace(set.TimeZone)
	if err := s.Validate(ctx, set); err != nil {
		return err
	}
	set.Name, _ = checkName(set.Name)
	set.Language, _ = checkLanguage(set.Language)
	set.ReplyTo, _ = checkReplyTo(set.ReplyTo)
	logo := ""
	if set.LogoID > 0 {
		logo = strconv.FormatInt(set.LogoID, 10)
	}
	if err := s.store.SaveSettingValues(ctx, map[string]string{keyTimeZone: set.TimeZone, keyLogo: logo,
		keyName: set.Name, keyLanguage: set.Language, keyReplyTo: set.ReplyTo}); err != nil {
		return fmt.Errorf("site: save settings: %w", err)
	}
	return nil
}

// Zone returns the paper's time zone: the stored setting, or the one the
// site was started with. It is a clock.Zone. When the settings cannot be
// read it says so in the log and keeps to the default: a page is better
// shown in the starting zone than not at all.
func (s *Service) Zone(ctx context.Context) *time.Location {
	set, err := s.Settings(ctx)
	if err != nil {
		s.log.WarnContext(ctx, "site: time zone setting", "err", err)
		return s.zone
	}
	if set.TimeZone == "" {
		return s.zone
	}
	loc, err := s.load(set.TimeZone)
	if err != nil {
		return s.zone
	}
	return loc
}

// Logo is the image of the library an administrator chose as the paper's
// logo, or nil for the logo that ships with the site (also when the chosen
// image cannot be read).
func (s *Service) Logo(ctx context.Context) *media.Image {
	set, err := s.Settings(ctx)
	if err != nil || set.LogoID == 0 || s.images == nil {
		return nil
	}
	im, err := s.images.Image(ctx, set.LogoID)
	if err != nil || len(im.Widths) == 0 {
		return nil
	}
	return im
}

// load returns the named location, loading it once.
func (s *Service) load(name string) (*time.Location, error) {
	s.mu.Lock()
	loc, ok := s.zones[name]
	s.mu.Unlock()
	if ok {
		return loc, nil
	}
	if name == "Local" { // the machine's own zone: not a name another machine reads alike
		return nil, fmt.Errorf("site: time zone %q: not an IANA name", name)
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("site: time zone %q: %w", name, err)
	}
	s.mu.Lock()
	s.zones[name] = loc
	s.mu.Unlock()
	return loc, nil
}

// Zones lists common IANA time zone names, offered as suggestions where an
// administrator types one; any other IANA name is accepted as well.
func Zones() []string {
	return []string{
		"UTC",
		"Africa/Cairo", "Africa/Johannesburg", "Africa/Lagos", "Africa/Nairobi",
		"America/Anchorage", "America/Bogota", "America/Buenos_Aires", "America/Chicago",
		"America/Denver", "America/Halifax", "America/Los_Angeles", "America/Mexico_City",
		"America/New_York", "America/Phoenix", "America/Santiago", "America/Sao_Paulo",
		"America/Toronto", "America/Vancouver",
		"Asia/Bangkok", "Asia/Dubai", "Asia/Hong_Kong", "Asia/Jakarta", "Asia/Jerusalem",
		"Asia/Karachi", "Asia/Kolkata", "Asia/Manila", "Asia/Seoul", "Asia/Shanghai",
		"Asia/Singapore", "Asia/Tehran", "Asia/Tokyo",
		"Atlantic/Azores", "Atlantic/Canary", "Atlantic/Reykjavik",
		"Australia/Adelaide", "Australia/Brisbane", "Australia/Perth", "Australia/Sydney",
		"Europe/Amsterdam", "Europe/Athens", "Europe/Berlin", "Europe/Brussels",
		"Europe/Dublin", "Europe/Helsinki", "Europe/Istanbul", "Europe/Kyiv", "Europe/Lisbon",
		"Europe/London", "Europe/Madrid", "Europe/Paris", "Europe/Rome", "Europe/Stockholm",
		"Europe/Warsaw", "Europe/Zurich",
		"Pacific/Auckland", "Pacific/Honolulu",
	}
}
