package web

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"testing"
)

// logoSide is the width and height of the default logo, in pixels.
const logoSide = defaultLogoSide

// drawLogo draws the default logo, the favicon's monogram at 512 × 512:
// a pale D on an ink square with rounded corners, over a red rule. Each
// pixel averages 4 × 4 samples, so the edges are smooth.
func drawLogo() *image.NRGBA {
	ink, paper, red := color.NRGBA{0x1b, 0x1b, 0x1b, 255}, color.NRGBA{0xfb, 0xfa, 0xf6, 255}, color.NRGBA{0xa3, 0x14, 0x1f, 255}
	// at is the colour at a point of the favicon's 32 × 32 drawing, and
	// whether the point is inside the square.
	at := func(x, y float64) (color.NRGBA, bool) {
		const r = 6 // the corners' radius
		cx, cy := math.Max(r, math.Min(32-r, x)), math.Max(r, math.Min(32-r, y))
		if math.Hypot(x-cx, y-cy) > r {
			return color.NRGBA{}, false
		}
		d := func(x0, radius float64) bool { // the D's outline, from x0, around (16, 16)
			return y >= 16-radius && y <= 16+radius && x >= x0 && (x <= 16 || math.Hypot(x-16, y-16) <= radius)
		}
		switch {
		case y >= 28 && y <= 29.5 && x >= 6 && x <= 26:
			return red, true
		case d(8, 10) && !d(13, 5):
			return paper, true
		}
		return ink, true
	}
	img := image.NewNRGBA(image.Rect(0, 0, logoSide, logoSide))
	const n, scale = 4, 32.0 / logoSide
	for py := range logoSide {
		for px := range logoSide {
			var r, g, b, a float64
			for sy := range n {
				for sx := range n {
					c, in := at((float64(px)+(float64(sx)+.5)/n)*scale, (float64(py)+(float64(sy)+.5)/n)*scale)
					if in {
						r, g, b, a = r+float64(c.R), g+float64(c.G), b+float64(c.B), a+1
					}
				}
			}
			if a > 0 {
				img.SetNRGBA(px, py, color.NRGBA{uint8(r / a), uint8(g / a), uint8(b / a), uint8(255 * a / (n * n))})
			}
		}
	}
	return img
}

// TestDefaultLogoIsDrawn checks that static/logo.png is the logo
// drawLogo draws; DATELINE_DRAW_LOGO=1 draws it again into the file.
func TestDefaultLogoIsDrawn(t *testing.T) {
	want := drawLogo()
	const path = "static/logo.png"
	if os.Getenv("DATELINE_DRAW_LOGO") == "1" {
		var buf bytes.Buffer
		enc := png.Encoder{CompressionLevel: png.BestCompression}
		if err := enc.Encode(&buf, want); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil { // #nosec G306 -- a file of the source tree
			t.Fatal(err)
		}
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	got, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if got.Bounds() != want.Bounds() {
		t.Fatalf("%s is %v, want %v", path, got.Bounds(), want.Bounds())
	}
	for y := range logoSide {
		for x := range logoSide {
			if g, w := color.NRGBAModel.Convert(got.At(x, y)), want.At(x, y); g != w {
				t.Fatalf("%s at (%d, %d) is %v, want %v: run with DATELINE_DRAW_LOGO=1 to draw it again", path, x, y, g, w)
			}
		}
	}
}
