package web

import (
	"context"
	"dateline/internal/account"
	"encoding/json"
	"image"
	_ "image/png" // the logo
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"dateline/internal/store"
	"dateline/internal/store/storetest"
	"dateline/internal/story"
)

// eachPictureSite runs fn against the whole demo site, with the demo's
// pictures, on SQLite and on PostgreSQL.
func eachPictureSite(t *testing.T, fn func(t *testing.T, s *accountSite)) {
	storetest.Each(t, func(t *testing.T, db *store.Store) {
		fn(t, newAccountSiteWith(t, db, accountSiteOptions{pictures: true}))
	})
}

// wantResponsiveImage checks what an img needs so that it loads the
// right copy and takes its place before it loads: a srcset of the copies
// on this site, sizes, width and height in the picture's proportions,
// and alt text.
func wantResponsiveImage(t *testing.T, s *accountSite, img *html.Node, where string) {
	t.Helper()
	w, _ := strconv.Atoi(attr(img, "width"))
	h, _ := strconv.Atoi(attr(img, "height"))
	if w <= 0 || h <= 0 {
		t.Errorf("%s: img has width %q and height %q", where, attr(img, "width"), attr(img, "height"))
	}
	if attr(img, "alt") == "" || attr(img, "sizes") == "" {
		t.Errorf("%s: img has alt %q and sizes %q", where, attr(img, "alt"), attr(img, "sizes"))
	}
	set := strings.Split(attr(img, "srcset"), ", ")
	if len(set) < 2 {
		t.Errorf("%s: srcset %q, want a copy at each width", where, attr(img, "srcset"))
	}
	for _, c := range append(set, attr(img, "src")+" 0w") {
		u, _, _ := strings.Cut(c, " ")
		if r := s.get(t, u); r.Code != http.StatusOK || !strings.HasPrefix(r.Header.Get("Content-Type"), "image/") {
			t.Errorf("%s: %s = %d %s", where, u, r.Code, r.Header.Get("Content-Type"))
		}
	}
}

// TestFrontPageShowsPictures: the lead story's picture is large and
// loads first; the other cards' are small and load as they scroll into
// view; every picture is a responsive image with its size and alt text.
// The page is still kept and served from the page cache, and section
// pages show the pictures too.
func TestFrontPageShowsPictures(t *testing.T) {
	eachPictureSite(t, func(t *testing.T, s *accountSite) {
		front := s.browser(t).get("/")
		lead := one(t, front.Doc, "section.lead")
		img := one(t, lead, "img.lead-image")
		wantResponsiveImage(t, s, img, "the lead")
		if attr(img, "loading") != "" || attr(img, "fetchpriority") != "high" {
			t.Errorf("the lead's picture has loading %q, fetchpriority %q; want it loaded first", attr(img, "loading"), attr(img, "fetchpriority"))
		}
		if !strings.Contains(attr(img, "sizes"), "100vw") || !strings.Contains(attr(img, "sizes"), "43rem") {
			t.Errorf("the lead's picture has sizes %q, want the width of the screen on phones and a large one beside the headline", attr(img, "sizes"))
		}
		cards := findAll(front.Doc, "img.card-image")
		if len(cards) < 4 {
			t.Fatalf("%d cards show a picture, want the demo's pictures", len(cards))
		}
		for i, c := range cards {
			wantResponsiveImage(t, s, c, "card "+strconv.Itoa(i))
			if attr(c, "loading") != "lazy" {
				t.Errorf("card %d: loading %q, want lazy", i, attr(c, "loading"))
			}
			if !strings.Contains(attr(c, "sizes"), "7.5rem") {
				t.Errorf("card %d: sizes %q, want a small picture on phones", i, attr(c, "sizes"))
			}
		}
		// A card's alt text is its story's picture's.
		ids, byPath := []int64{}, map[string]int64{}
		list, err := s.db.PublishedStories(context.Background(), story.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		for _, st := range list {
			ids, byPath[st.Path()] = append(ids, st.ID), st.ID
		}
		images, err := s.db.StoryImages(context.Background(), ids)
		if err != nil {
			t.Fatal(err)
		}
		for _, card := range findAll(front.Doc, "article.card") {
			imgs := findAll(card, "img")
			im := images[byPath[attr(one(t, one(t, card, "h3"), "a"), "href")]]
			switch {
			case im == nil && len(imgs) > 0:
				t.Errorf("a card without a picture shows %v", imgs[0].Attr)
			case im != nil && (len(imgs) != 1 || attr(imgs[0], "alt") != im.Alt || attr(imgs[0], "width") != strconv.Itoa(im.Width) ||
				attr(imgs[0], "height") != strconv.Itoa(im.Height)):
				t.Errorf("a card shows %d pictures, want image %d, %d × %d, alt %q", len(imgs), im.ID, im.Width, im.Height, im.Alt)
			}
		}

		// The page cache keeps the page with its pictures.
		if again := s.browser(t).get("/"); again.Body != front.Body {
			t.Error("the front page served again differs")
		}

		// A section page's first row loads at once, the rest when seen.
		sec := s.browser(t).get("/section/world")
		imgs := findAll(sec.Doc, "img.card-image")
		if len(imgs) < 2 {
			t.Fatalf("the world section shows %d pictures", len(imgs))
		}
		for _, im := range imgs {
			wantResponsiveImage(t, s, im, "the world section")
		}
		first := findAll(sec.Doc, "article.card")[0]
		if got := findAll(first, "img"); len(got) != 1 || attr(got[0], "loading") == "lazy" {
			t.Error("the first card of a section does not show its picture at once")
		}
	})
}

// TestStoryPictureIsAFigure: a story's picture is a figure with its
// caption and credit; link previews (OpenGraph, Twitter) show it large
// with its alt text; the NewsArticle data lists its copies and the
// publisher's logo, which the site serves.
func TestStoryPictureIsAFigure(t *testing.T) {
	eachPictureSite(t, func(t *testing.T, s *accountSite) {
		st, err := s.db.StoryBySlug(context.Background(), "retired-postman-wins-city-chess-open-on-final-round-tiebreak")
		if err != nil {
			t.Fatal(err)
		}
		images, err := s.db.StoryImages(context.Background(), []int64{st.ID})
		if err != nil || images[st.ID] == nil {
			t.Fatalf("the chess story has no picture: %v", err)
		}
		im := images[st.ID]
		for _, who := range []string{"anonymous", "anonymous, kept"} {
			page := s.browser(t).get(st.Path())
			fig := one(t, page.Doc, "figure.story-image")
			wantResponsiveImage(t, s, one(t, fig, "img"), who)
			cap := one(t, fig, "figcaption")
			if got := text(one(t, cap, "span.caption")); got != im.Caption {
				t.Errorf("%s: caption %q, want %q", who, got, im.Caption)
			}
			if got := text(one(t, cap, "span.credit")); got != "Illustration: Dateline" {
				t.Errorf("%s: credit %q", who, got)
			}

			meta := func(key, name string) string {
				t.Helper()
				return attr(one(t, page.Doc, "meta["+key+"="+name+"]"), "content")
			}
			big := testBase + im.URL(im.Largest())
			for name, want := range map[string]string{
				"og:image": big, "og:image:width": strconv.Itoa(im.Largest()), "og:image:height": strconv.Itoa(im.HeightAt(im.Largest())),
				"og:image:alt": im.Alt,
			} {
				if got := meta("property", name); got != want {
					t.Errorf("%s: %s = %q, want %q", who, name, got, want)
				}
			}
			for name, want := range map[string]string{"twitter:card": "summary_large_image", "twitter:image": big, "twitter:image:alt": im.Alt} {
				if got := meta("name", name); got != want {
					t.Errorf("%s: %s = %q, want %q", who, name, got, want)
				}
			}

			var ld struct {
				Image     []string
				Publisher struct {
					Logo struct {
						Type          string `json:"@type"`
						URL           string
						Width, Height int
					}
				}
			}
			if err := json.Unmarshal([]byte(text(one(t, page.Doc, "script[type=application/ld+json]"))), &ld); err != nil {
				t.Fatalf("%s: JSON-LD: %v", who, err)
			}
			if len(ld.Image) != len(im.Widths) || ld.Image[0] != big {
				t.Errorf("%s: JSON-LD image = %q, want every copy, widest first", who, ld.Image)
			}
			for _, u := range ld.Image {
				if !strings.HasPrefix(u, testBase+"/images/") {
					t.Errorf("%s: JSON-LD image %q is not an absolute address on the site", who, u)
				}
			}
			logo := ld.Publisher.Logo
			u, err := url.Parse(logo.URL)
			if logo.Type != "ImageObject" || err != nil || !strings.HasPrefix(logo.URL, testBase+"/") {
				t.Fatalf("%s: JSON-LD publisher logo = %+v", who, logo)
			}
			r := s.get(t, u.Path)
			cfg, format, err := image.DecodeConfig(strings.NewReader(r.Body))
			if r.Code != http.StatusOK || r.Header.Get("Content-Type") != "image/png" || err != nil || format != "png" ||
				cfg.Width != logo.Width || cfg.Height != logo.Height {
				t.Errorf("%s: the logo %s = %d %s, %d × %d (%v); JSON-LD says %d × %d", who, u.Path, r.Code, r.Header.Get("Content-Type"),
					cfg.Width, cfg.Height, err, logo.Width, logo.Height)
			}
		}

		// An administrator's choice of logo is the publisher's logo from
		// then on, on pages kept before the choice too.
		admin := s.staff(t, "admin@news.example", account.Admin)
		expect(t, admin.post("/admin/settings", "time_zone", "", "logo", strconv.FormatInt(im.ID, 10)),
			http.StatusSeeOther, "/admin/settings?done=1")
		var chosen struct {
			Publisher struct {
				Logo struct {
					URL           string
					Width, Height int
				}
			}
		}
		page := s.browser(t).get(st.Path())
		if err := json.Unmarshal([]byte(text(one(t, page.Doc, "script[type=application/ld+json]"))), &chosen); err != nil {
			t.Fatalf("JSON-LD after choosing a logo: %v", err)
		}
		w := im.Largest()
		if logo := chosen.Publisher.Logo; logo.URL != testBase+im.URL(w) || logo.Width != w || logo.Height != im.HeightAt(w) {
			t.Errorf("after choosing image %d as the logo, the JSON-LD logo is %+v", im.ID, logo)
		}

		// A story without a picture is a summary card.
		plain, err := s.db.StoryBySlug(context.Background(), "worker-owned-bakery-opens-a-second-shop")
		if err != nil {
			t.Fatal(err)
		}
		if images, _ := s.db.StoryImages(context.Background(), []int64{plain.ID}); images[plain.ID] != nil {
			t.Fatal("the bakery story has a picture")
		}
		page = s.browser(t).get(plain.Path())
		if got := attr(one(t, page.Doc, "meta[name=twitter:card]"), "content"); got != "summary" {
			t.Errorf("a story without a picture: twitter:card %q", got)
		}
		if n := len(findAll(page.Doc, "figure")) + len(findAll(page.Doc, "meta[property=og:image]")); n != 0 {
			t.Errorf("a story without a picture shows %d figures and og:image tags", n)
		}
	})
}
