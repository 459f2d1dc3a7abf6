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
	// MaxMemory bounds the memory taking one image needs: the decoded
	// pixels and the working copies made while resizing, reckoned from
	// the file's header before anything is decoded. A few pixels can
	// take much memory: 16 bits a channel doubles it, a progressive
	// JPEG keeps every coefficient.
	MaxMemory = 384 << 20
)

// Widths are the sizes kept of every image, never larger than the
// original.
var widths = []int{480, 960, 1600}

// UploadError says, in words for the newsroom, what is wrong with an
// upload.
type UploadError struct {
	message string
	kind    *UploadError // the general error this one is a case of
}

func (e *UploadError) Error() string { return e.message }

// Is makes a specific error match the general one it is a case of, so an
// image too large to process is also ErrTooLarge.
func (e *UploadError) Is(target error) bool { return e.kind != nil && target == e.kind }

// Errors for uploads a newsroom must fix.
var (
	ErrNotImage = &UploadError{message: "That file is not a JPEG, PNG or GIF image."}
	ErrTooLarge = &UploadError{message: "That image is too large: at most 12 MB and 40 megapixels."}
	ErrNoAlt    = &UploadError{message: "Describe the image for readers who cannot see it (alt text)."}
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

// Store keeps image records, and which image each story features.
type Store interface {
	CreateImage(ctx context.Context, im *Image) error
	ImageByID(ctx context.Context, id int64) (*Image, error)
	RecentImages(ctx context.Context, limit int) ([]Image, error)
	SetStoryImage(ctx context.Context, storyID, imageID int64) error
	StoryImageID(ctx context.Context, storyID int64) (int64, error)
	StoryImages(ctx context.Context, storyIDs []int64) (map[int64]*Image, error)
}

// Library stores image files under a folder. It is safe for concurrent
// use; it takes one image at a time, so that parallel uploads cannot
// multiply the memory one of them may need.
type Library struct {
	dir   string
	store Store
	now   func() time.Time
	busy  chan struct{} // holds a token while an image is decoded and resized
}

// NewLibrary keeps images in dir, creating it when needed.
func NewLibrary(dir string, st Store, now func() time.Time) (*Library, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("media: data folder %s: %w", dir, err)
	}
	if now == nil {
		return nil, errors.New("media: NewLibrary needs a clock")
	}
	return &Library{dir: dir, store: st, now: now, busy: make(chan struct{}, 1)}, nil
}

// Dir is the folder the files are in.
func (l *Library) Dir() string { return l.dir }

// Image finds an image; the store's not-found error when there is none.
func (l *Library) Image(ctx context.Context, id int64) (*Image, error) {
	im, err := l.store.ImageByID(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("media: %w", err)
	}
	return im, nil
}

// Recent lists the newest images, up to limit.
func (l *Library) Recent(ctx context.Context, limit int) ([]Image, error) {
	list, err := l.store.RecentImages(ctx, limit)
	if err != nil {
		return nil, fmt.Errorf("media: %w", err)
	}
	return list, nil
}

// StoryImageID is the image a story features, 0 when it has none.
func (l *Library) StoryImageID(ctx context.Context, storyID int64) (int64, error) {
	id, err := l.store.StoryImageID(ctx, storyID)
	if err != nil {
		return 0, fmt.Errorf("media: %w", err)
	}
	return id, nil
}

// StoryImage is the image a story features; nil, and no error, when it
// has none.
func (l *Library) StoryImage(ctx context.Context, storyID int64) (*Image, error) {
	id, err := l.StoryImageID(ctx, storyID)
	if err != nil || id == 0 {
		return nil, err
	}
	return l.Image(ctx, id)
}

// StoryImages reads the featured images of many stories at once, as a
// list of stories shows them, by story; stories without one are not in
// the map.
func (l *Library) StoryImages(ctx context.Context, storyIDs []int64) (map[int64]*Image, error) {
	m, err := l.store.StoryImages(ctx, storyIDs)
	if err != nil {
		return nil, fmt.Errorf("media: %w", err)
	}
	return m, nil
}

// SetStoryImage makes imageID the image a story features; 0, or an image
// that cannot be found, leaves the story without one.
func (l *Library) SetStoryImage(ctx context.Context, storyID, imageID int64) error {
	if imageID != 0 {
		if _, err := l.store.ImageByID(ctx, imageID); err != nil {
			imageID = 0
		}
	}
	if err := l.store.SetStoryImage(ctx, storyID, imageID); err != nil {
		return fmt.Errorf("media: %w", err)
	}
	return nil
}

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
	cfg, format, err := Inspect(data)
	if err != nil {
		return nil, err
	}
	select {
	case l.busy <- struct{}{}:
	case <-ctx.Done():
		return nil, fmt.Errorf("media: waiting for the image before: %w", ctx.Err())
	}
	defer func() { <-l.busy }()
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
	_, white := src.(*image.Paletted)
	base := src // what the smaller copies are scaled from
	for i := len(im.Widths) - 1; i >= 0; i-- {
		w := im.Widths[i]
		var img image.Image
		if w == im.Width {
			img = flatten(src, white)
		} else {
			base = halve(base, w)
			img = resize(base, w, im.HeightAt(w), white)
		}
		if err := l.write(filepath.Join(folder, strconv.Itoa(w)+"."+im.Ext()), img, im.Format); err != nil {
			return nil, err
		}
	}
	return im, nil
}

// Inspect reads an upload's header, never its pixels, and says whether
// it is an image this library takes: a JPEG, PNG or GIF within MaxPixels,
// MaxSide and MaxMemory. It returns ErrNotImage or an error matching
// ErrTooLarge that says why.
func Inspect(data []byte) (image.Config, string, error) {
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil || (format != "jpeg" && format != "png" && format != "gif") {
		return image.Config{}, "", ErrNotImage
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width > MaxSide || cfg.Height > MaxSide || float64(cfg.Width)*float64(cfg.Height) > MaxPixels {
		return image.Config{}, "", ErrTooLarge
	}
	perPixel, depth := decodedBytesPerPixel(data, cfg, format)
	if need := int64(len(data)) + workBytes(cfg.Width, cfg.Height, perPixel, format == "gif"); need > MaxMemory {
		return image.Config{}, "", &UploadError{kind: ErrTooLarge, message: fmt.Sprintf(
			"This image is too large to process: %d × %d pixels %s would take %d MB of memory, and we take at most %d MB. "+
				"Save it with fewer pixels or at 8 bits a channel, and upload it again.",
			cfg.Width, cfg.Height, depth, need>>20, MaxMemory>>20)}
	}
	return cfg, format, nil
}

// decodedBytesPerPixel is how many bytes a pixel of the image takes once
// decoded, reckoned on the generous side from its colour model and
// header, with the words that say so to the newsroom.
func decodedBytesPerPixel(data []byte, cfg image.Config, format string) (float64, string) {
	if format == "jpeg" {
		// The decoder keeps 3 bytes a pixel for colour (1 for gray), 8
		// for CMYK (its YCbCr and black planes and the CMYK image), 4
		// more when it turns RGB into RGBA, and a progressive JPEG also
		// keeps 4 bytes for every sample of every component.
		n := 3.0
		switch cfg.ColorModel {
		case color.GrayModel:
			n = 1
		case color.CMYKModel:
			n = 8
		case color.RGBAModel:
			n = 7
		}
		progressive, samples, ok := jpegFrame(data)
		if !ok {
			progressive, samples = true, 4
		}
		if progressive {
			return n + 4*samples, "as a progressive JPEG"
		}
		return n, "as a JPEG"
	}
	var n float64
	depth := "at 8 bits a channel"
	switch cfg.ColorModel {
	case color.GrayModel, color.AlphaModel:
		n = 1
	case color.Gray16Model, color.Alpha16Model:
		n, depth = 2, "at 16 bits a channel"
	case color.RGBAModel, color.NRGBAModel:
		n = 4
	case color.RGBA64Model, color.NRGBA64Model:
		n, depth = 8, "at 16 bits a channel"
	default:
		if _, ok := cfg.ColorModel.(color.Palette); ok {
			n, depth = 1, "with a palette"
		} else {
			n = 8
		}
	}
	// An interlaced PNG is decoded pass by pass, each pass an image of
	// its own, before the passes are put together.
	if format == "png" && len(data) > 28 && data[28] == 1 {
		n *= 2
	}
	return n, depth
}

// jpegFrame reads a JPEG's frame header: whether it is progressive, and
// how many samples a pixel has over all its components.
func jpegFrame(data []byte) (progressive bool, samples float64, ok bool) {
	for i := 2; i+4 <= len(data); {
		if data[i] != 0xFF {
			return false, 0, false
		}
		m := data[i+1]
		switch {
		case m == 0xFF:
			i++ // a fill byte
			continue
		case m == 0x01 || m >= 0xD0 && m <= 0xD8:
			i += 2 // markers without a length
			continue
		}
		n := int(data[i+2])<<8 | int(data[i+3])
		if m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC {
			seg := data[i+4 : min(i+2+n, len(data))]
			if len(seg) < 6 || len(seg) < 6+3*int(seg[5]) {
				return false, 0, false
			}
			var hmax, vmax, sum int
			for c := range int(seg[5]) {
				h, v := int(seg[7+3*c]>>4), int(seg[7+3*c]&15)
				hmax, vmax, sum = max(hmax, h), max(vmax, v), sum+h*v
			}
			if hmax == 0 || vmax == 0 {
				return false, 0, false
			}
			return m == 0xC2 || m == 0xC6 || m == 0xCA || m == 0xCE, float64(sum) / float64(hmax*vmax), true
		}
		i += 2 + n
	}
	return false, 0, false
}

// workBytes is the memory, at most, that decoding and resizing an image
// of w × h takes when a decoded pixel is perPixel bytes: the decoded
// image, its full-size copy when a palette is flattened, the halved
// images the smaller copies are scaled from, and for the widest of them
// the scaler's scratch space (32 bytes for each of the copy's columns on
// each row of what it is scaled from) and the copy itself.
func workBytes(w, h int, perPixel float64, paletted bool) int64 {
	n := float64(w) * float64(h) * perPixel
	if paletted {
		n += float64(w) * float64(h) * 4
	}
	bw, bh := w, h
	var scaled float64
	for i := len(widths) - 1; i >= 0; i-- {
		cw := widths[i]
		if cw >= w {
			continue
		}
		for bw/2 >= cw {
			bw, bh = bw/2, bh/2
			n += float64(bw) * float64(bh) * 4
		}
		ch := h * cw / w
		scaled = max(scaled, 32*float64(cw)*float64(bh)+4*float64(cw)*float64(ch))
	}
	return int64(n + scaled)
}

// flatten is the full-size copy: the decoded pixels themselves, or for a
// paletted image its first frame on white.
func flatten(src image.Image, white bool) image.Image {
	if !white {
		return src
	}
	dst := image.NewRGBA(src.Bounds())
	draw.Draw(dst, dst.Bounds(), &image.Uniform{color.White}, image.Point{}, draw.Src)
	draw.Draw(dst, dst.Bounds(), src, src.Bounds().Min, draw.Over)
	return dst
}

// halve averages src down by 2 × 2 blocks while it stays at least twice
// as wide as w, so a copy of width w is scaled from an image less than
// twice its size and the scaler's scratch space stays small.
func halve(src image.Image, w int) image.Image {
	for src.Bounds().Dx()/2 >= w {
		b := src.Bounds()
		dst := image.NewRGBA(image.Rect(0, 0, b.Dx()/2, b.Dy()/2))
		// At exactly half the size, bilinear sampling averages each
		// 2 × 2 block.
		draw.ApproxBiLinear.Scale(dst, dst.Bounds(), src, b, draw.Src, nil)
		src = dst
	}
	return src
}

// resize scales src to w × h, on white when asked; only the pixels
// survive.
func resize(src image.Image, w, h int, white bool) image.Image {
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	if white {
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
