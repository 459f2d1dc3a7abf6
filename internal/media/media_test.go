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
	"strings"
	"testing"

	"dateline/internal/media"
	"dateline/internal/store"
	"dateline/internal/store/storetest"
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
