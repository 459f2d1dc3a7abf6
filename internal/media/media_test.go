package media_test

import (
	"bytes"
	"context"
	"dateline/internal/clock"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"dateline/internal/media"
	"dateline/internal/media/mediatest"
	"dateline/internal/store"
	"dateline/internal/store/storetest"
	"dateline/internal/story"
)

func picture(w, h int) image.Image {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{uint8(x), uint8(y), 120, 255})
		}
	}
	return img
}

// withEXIF puts an APP1 Exif segment holding a GPS position right after
// the JPEG's start marker, as cameras and phones do.
func withEXIF(t *testing.T, jpg []byte) []byte {
	t.Helper()
	payload := append([]byte("Exif\x00\x00MM\x00*GPSLatitude 48.8584 N GPSLongitude 2.2945 E"), make([]byte, 8)...)
	seg := []byte{0xFF, 0xE1, 0, 0}
	binary.BigEndian.PutUint16(seg[2:], uint16(len(payload)+2))
	out := append([]byte{}, jpg[:2]...)
	out = append(out, seg...)
	out = append(out, payload...)
	return append(out, jpg[2:]...)
}

// pngBomb is a valid PNG header claiming a 100,000 × 100,000 image.
func pngBomb() []byte {
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], 100000)
	binary.BigEndian.PutUint32(ihdr[4:], 100000)
	ihdr[8], ihdr[9] = 8, 2
	chunk := func(kind string, data []byte) {
		binary.Write(&b, binary.BigEndian, uint32(len(data)))
		b.WriteString(kind)
		b.Write(data)
		binary.Write(&b, binary.BigEndian, crc32.ChecksumIEEE(append([]byte(kind), data...)))
	}
	chunk("IHDR", ihdr)
	chunk("IDAT", []byte{0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01})
	chunk("IEND", nil)
	return b.Bytes()
}

func TestAddKeepsCleanResizedCopies(t *testing.T) {
	dir := t.TempDir()
	lib, err := media.NewLibrary(dir, storetest.Open(t, store.SQLite), clock.System)
	if err != nil {
		t.Fatal(err)
	}
	var jpg bytes.Buffer
	if err := jpeg.Encode(&jpg, picture(1200, 800), nil); err != nil {
		t.Fatal(err)
	}
	upload := withEXIF(t, jpg.Bytes())
	if _, _, err := image.DecodeConfig(bytes.NewReader(upload)); err != nil {
		t.Fatalf("the test's JPEG with EXIF does not decode: %v", err)
	}
	im, err := lib.Add(context.Background(), bytes.NewReader(upload), "A ferry at dusk", "The night boat", "Photo: Staff", 0)
	if err != nil {
		t.Fatal(err)
	}
	if im.Format != "jpeg" || im.Width != 1200 || im.Height != 800 || len(im.Widths) != 3 || im.Widths[2] != 1200 {
		t.Fatalf("image = %+v", im)
	}
	for _, w := range im.Widths {
		data, err := os.ReadFile(lib.Path(im.ID, strings.TrimPrefix(im.URL(w), "/images/1/")))
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(data, []byte("Exif")) || bytes.Contains(data, []byte("GPS")) {
			t.Errorf("the %d px copy keeps the EXIF location", w)
		}
		cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
		if err != nil || cfg.Width != w || cfg.Height != im.HeightAt(w) {
			t.Errorf("copy %d: %dx%d, %v", w, cfg.Width, cfg.Height, err)
		}
	}
	if !strings.Contains(im.Srcset(), "/images/1/480.jpg 480w") {
		t.Errorf("srcset %q", im.Srcset())
	}
	// A small PNG keeps its size and format.
	var p bytes.Buffer
	png.Encode(&p, picture(300, 200))
	small, err := lib.Add(context.Background(), &p, "A chart", "", "", 0)
	if err != nil || small.Format != "png" || len(small.Widths) != 1 || small.Widths[0] != 300 {
		t.Fatalf("png = %+v, %v", small, err)
	}
	if _, err := os.Stat(filepath.Join(dir, "2", "300.png")); err != nil {
		t.Error(err)
	}
}

func TestAddRefusesWhatIsNotASaneImage(t *testing.T) {
	lib, err := media.NewLibrary(t.TempDir(), storetest.Open(t, store.SQLite), clock.System)
	if err != nil {
		t.Fatal(err)
	}
	var ok bytes.Buffer
	png.Encode(&ok, picture(10, 10))
	for name, tc := range map[string]struct {
		data []byte
		alt  string
		want error
	}{
		"a text file called .jpg": {[]byte("this is not an image, whatever its name says"), "x", media.ErrNotImage},
		"a decompression bomb":    {pngBomb(), "x", media.ErrTooLarge},
		"too many bytes":          {bytes.Repeat([]byte{0}, media.MaxBytes+1), "x", media.ErrTooLarge},
		"no alt text":             {ok.Bytes(), "  ", media.ErrNoAlt},
	} {
		if _, err := lib.Add(context.Background(), bytes.NewReader(tc.data), tc.alt, "", "", 0); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", name, err, tc.want)
		}
	}
	if lib.Path(1, "../../etc/passwd") != "" || lib.Path(1, "480.exe") != "" {
		t.Error("Path accepts a name it did not make")
	}
}

// asProgressive turns a baseline JPEG's frame header into a progressive
// one of another size; reading the header is all Inspect does.
func asProgressive(t *testing.T, jpg []byte, progressive bool, w, h int) []byte {
	t.Helper()
	out := bytes.Clone(jpg)
	i := bytes.Index(out, []byte{0xFF, 0xC0})
	if i < 0 {
		t.Fatal("no baseline frame header")
	}
	if progressive {
		out[i+1] = 0xC2
	}
	binary.BigEndian.PutUint16(out[i+5:], uint16(h))
	binary.BigEndian.PutUint16(out[i+7:], uint16(w))
	return out
}

func TestInspectBoundsMemoryFromTheHeader(t *testing.T) {
	var jpg bytes.Buffer
	if err := jpeg.Encode(&jpg, picture(64, 48), nil); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		data []byte
		ok   bool
		says string
	}{
		{"16-bit RGBA, 6000 × 6600", mediatest.UniformPNG(6000, 6600, 16), false, "6000 × 6600 pixels at 16 bits a channel"},
		{"8-bit RGBA, 6000 × 6600", mediatest.UniformPNG(6000, 6600, 8), true, ""},
		{"16-bit RGBA, 4000 × 3000", mediatest.UniformPNG(4000, 3000, 16), true, ""},
		{"baseline JPEG, 7000 × 5000", asProgressive(t, jpg.Bytes(), false, 7000, 5000), true, ""},
		{"progressive JPEG, 7000 × 5000", asProgressive(t, jpg.Bytes(), true, 7000, 5000), false, "7000 × 5000 pixels as a progressive JPEG"},
		{"progressive JPEG, 4000 × 3000", asProgressive(t, jpg.Bytes(), true, 4000, 3000), true, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, _, err := media.Inspect(tc.data)
			if tc.ok {
				if err != nil || cfg.Width == 0 {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if !errors.Is(err, media.ErrTooLarge) {
				t.Fatalf("err = %v, want ErrTooLarge", err)
			}
			if msg := err.Error(); !strings.Contains(msg, "too large to process: "+tc.says) || !strings.Contains(msg, "384 MB") {
				t.Errorf("message %q", msg)
			}
		})
	}
}

// The file that took a server from 105 MB to 2.15 GB: about 300 KB on
// disk, 317 MB decoded. It is refused before a pixel is decoded.
func TestAddRefusesA16BitImageWithoutDecodingIt(t *testing.T) {
	dir := t.TempDir()
	lib, err := media.NewLibrary(dir, storetest.Open(t, store.SQLite), clock.System)
	if err != nil {
		t.Fatal(err)
	}
	data := mediatest.UniformPNG(6000, 6600, 16)
	if len(data) > 500<<10 {
		t.Fatalf("the test file is %d bytes", len(data))
	}
	const decoded = 6000 * 6600 * 8
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, err = lib.Add(context.Background(), bytes.NewReader(data), "A flood of white", "", "", 0)
	runtime.ReadMemStats(&after)
	if !errors.Is(err, media.ErrTooLarge) || !strings.Contains(err.Error(), "16 bits a channel") {
		t.Fatalf("err = %v", err)
	}
	if used := after.TotalAlloc - before.TotalAlloc; used > decoded/10 {
		t.Errorf("refusing the image allocated %d MB; decoding it takes %d MB", used>>20, decoded>>20)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("a refused image left %d files", len(entries))
	}
}

// One image is decoded and resized at a time: an upload waits while
// another is being processed, and gives up when its request ends.
func TestAddTakesOneImageAtATime(t *testing.T) {
	lib, err := media.NewLibrary(t.TempDir(), storetest.Open(t, store.SQLite), clock.System)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := png.Encode(&b, picture(20, 10)); err != nil {
		t.Fatal(err)
	}
	release := media.Hold(lib) // another image is being processed
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := lib.Add(ctx, bytes.NewReader(b.Bytes()), "A small box", "", "", 0); !errors.Is(err, context.Canceled) {
		t.Fatalf("while another image is processed: %v, want the request's end", err)
	}
	release()
	if _, err := lib.Add(context.Background(), bytes.NewReader(b.Bytes()), "A small box", "", "", 0); err != nil {
		t.Fatalf("once it is done: %v", err)
	}
}

// A story's featured image is one the library has; choosing an image that
// is not there takes the story's image away rather than failing.
func TestStoryImages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.Store) {
		ctx := context.Background()
		lib, err := media.NewLibrary(t.TempDir(), db, clock.System)
		if err != nil {
			t.Fatal(err)
		}
		if err := db.CreateSection(ctx, &story.Section{Slug: "world", Name: "World"}); err != nil {
			t.Fatal(err)
		}
		st := &story.Story{Headline: "Ferries", Section: story.Section{Slug: "world"}, Bylines: []story.Byline{{Name: "Staff"}},
			Body: "Text.", Status: story.Draft, CreatedAt: time.Date(2026, 11, 29, 9, 0, 0, 0, time.UTC)}
		if err := st.Prepare(story.NewRenderer()); err != nil {
			t.Fatal(err)
		}
		if err := db.CreateStory(ctx, st); err != nil {
			t.Fatal(err)
		}
		var added []*media.Image
		for _, alt := range []string{"A ferry", "A quay"} {
			var b bytes.Buffer
			png.Encode(&b, picture(20, 10))
			im, err := lib.Add(ctx, &b, alt, "", "", 0)
			if err != nil {
				t.Fatal(err)
			}
			added = append(added, im)
		}
		if recent, err := lib.Recent(ctx, 1); err != nil || len(recent) != 1 || recent[0].ID != added[1].ID {
			t.Errorf("recent %+v, %v", recent, err)
		}
		if im, err := lib.Image(ctx, added[0].ID); err != nil || im.Alt != "A ferry" {
			t.Errorf("image %+v, %v", im, err)
		}
		if im, err := lib.StoryImage(ctx, st.ID); err != nil || im != nil {
			t.Errorf("a story without an image: %+v, %v", im, err)
		}
		if err := lib.SetStoryImage(ctx, st.ID, added[0].ID); err != nil {
			t.Fatal(err)
		}
		if im, err := lib.StoryImage(ctx, st.ID); err != nil || im == nil || im.ID != added[0].ID {
			t.Errorf("featured %+v, %v", im, err)
		}
		if err := lib.SetStoryImage(ctx, st.ID, added[1].ID+100); err != nil {
			t.Fatal(err)
		}
		if id, err := lib.StoryImageID(ctx, st.ID); err != nil || id != 0 {
			t.Errorf("after choosing an image that is not there: %d, %v", id, err)
		}
	})
}
