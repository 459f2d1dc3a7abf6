// Package media takes the newsroom's images: it checks that an upload
// really is a JPEG, PNG or GIF of a sane size, strips everything but the
// pixels (EXIF, GPS position, comments) by decoding and re-encoding, and
// keeps resized copies at a few widths for responsive pages.
package media

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"golang.org/x/image/draw"
)

// Limits on uploads.
const (
	MaxBytes  = 12 << 20 // the file
	MaxPixels = 40e6     // width × height, against decompression bombs
	MaxSide   = 12000
)

// Widths are the sizes kept of every image, never larger than the
// original.
var widths = []int{480, 960, 1600}

// UploadError says, in words for the newsroom, what is wrong with an
// upload.
type UploadError struct{ message string }

func (e *UploadError) Error() string { return e.message }

// Errors for uploads a newsroom must fix.
var (
	ErrNotImage = &UploadError{"That file is not a JPEG, PNG or GIF image."}
	ErrTooLarge = &UploadError{"That image is too large: at most 12 MB and 40 megapixels."}
	ErrNoAlt    = &UploadError{"Describe the image for readers who cannot see it (alt text)."}
)

// Image is a stored image.
type Image struct {
	ID      int64
	Format  string // "jpeg" or "png"
	Width   int
	Height  int
	Widths  []int
	Alt     string
	Caption string
	Credit  string
	By      int64
	At      time.Time
}

// Ext is the file extension of the stored copies.
func (im *Image) Ext() string {
	if im.Format == "png" {
		return "png"
	}
	return "jpg"
}

// URL is the address of the copy of the given width.
func (im *Image) URL(width int) string {
	return "/images/" + strconv.FormatInt(im.ID, 10) + "/" + strconv.Itoa(width) + "." + im.Ext()
}

// Largest is the widest stored copy.
func (im *Image) Largest() int { return im.Widths[len(im.Widths)-1] }

// Srcset lists every copy for the img srcset attribute.
func (im *Image) Srcset() string {
	var parts []string
	for _, w := range im.Widths {
		parts = append(parts, im.URL(w)+" "+strconv.Itoa(w)+"w")
	}
	return strings.Join(parts, ", ")
}

// HeightAt is the height of the copy of the given width.
func (im *Image) HeightAt(width int) int { return im.Height * width / im.Width }

// Store keeps image records.
type Store interface {
	CreateImage(ctx context.Context, im *Image) error
}

// Library stores image files under a folder. It is safe for concurrent
// use.
type Library struct {
	dir   string
	store Store
	now   func() time.Time
}

// NewLibrary keeps images in dir, creating it when needed.
func NewLibrary(dir string, st Store, now func() time.Time) (*Library, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("media: data folder %s: %w", dir, err)
	}
	if now == nil {
		return nil, errors.New("media: NewLibrary needs a clock")
	}
	return &Library{dir: dir, store: st, now: now}, nil
}

// Dir is the folder the files are in.
func (l *Library) Dir() string { return l.dir }

// Add checks an upload, stores resized clean copies and records the image.
func (l *Library) Add(ctx context.Context, r io.Reader, alt, caption, credit string, by int64) (*Image, error) {
	alt = strings.TrimSpace(alt)
	if alt == "" {
		return nil, ErrNoAlt
	}
	data, err := io.ReadAll(io.LimitReader(r, MaxBytes+1))
	if err != nil {
		return nil, fmt.Errorf("media: read upload: %w", err)
	}
	if len(data) > MaxBytes {
		return nil, ErrTooLarge
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil || (format != "jpeg" && format != "png" && format != "gif") {
		return nil, ErrNotImage
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width > MaxSide || cfg.Height > MaxSide || float64(cfg.Width)*float64(cfg.Height) > MaxPixels {
		return nil, ErrTooLarge
	}
	src, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, ErrNotImage
	}
	im := &Image{Format: "jpeg", Width: cfg.Width, Height: cfg.Height, Alt: alt, Caption: strings.TrimSpace(caption),
		Credit: strings.TrimSpace(credit), By: by, At: l.now().UTC()}
	if format != "jpeg" {
		im.Format = "png" // GIFs keep their first frame, losslessly
	}
	for _, w := range widths {
		if w < im.Width {
			im.Widths = append(im.Widths, w)
		}
	}
	im.Widths = append(im.Widths, im.Width)
	if err := l.store.CreateImage(ctx, im); err != nil {
		return nil, err
	}
	folder := filepath.Join(l.dir, strconv.FormatInt(im.ID, 10))
	if err := os.MkdirAll(folder, 0o750); err != nil {
		return nil, fmt.Errorf("media: %w", err)
	}
	for _, w := range im.Widths {
		if err := l.write(filepath.Join(folder, strconv.Itoa(w)+"."+im.Ext()), resize(src, w, im.HeightAt(w)), im.Format); err != nil {
			return nil, err
		}
	}
	return im, nil
}

// resize scales src to w × h; only the pixels survive.
func resize(src image.Image, w, h int) image.Image {
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	if _, opaque := src.(*image.Paletted); opaque {
		draw.Draw(dst, dst.Bounds(), &image.Uniform{color.White}, image.Point{}, draw.Src)
	}
	draw.CatmullRom.Scale(dst, dst.Bounds(), src, src.Bounds(), draw.Over, nil)
	return dst
}

func (l *Library) write(path string, img image.Image, format string) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".upload-*")
	if err != nil {
		return fmt.Errorf("media: %w", err)
	}
	defer os.Remove(tmp.Name())
	if format == "png" {
		err = png.Encode(tmp, img)
	} else {
		err = jpeg.Encode(tmp, img, &jpeg.Options{Quality: 85})
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("media: encode: %w", err)
	}
	return os.Rename(tmp.Name(), path)
}

// Path is where the copy of an image at a width is kept, or "" when the
// request names no such copy.
func (l *Library) Path(id int64, file string) string {
	name, ext, ok := strings.Cut(file, ".")
	w, err := strconv.Atoi(name)
	if !ok || err != nil || w <= 0 || (ext != "jpg" && ext != "png") {
		return ""
	}
	return filepath.Join(l.dir, strconv.FormatInt(id, 10), strconv.Itoa(w)+"."+ext)
}

// gif is imported for its decoder.
var _ = gif.Decode
