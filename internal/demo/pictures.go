package demo

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"math"

	"dateline/internal/media"
)

// Option changes how Seed fills the site.
type Option func(*seeding)

type seeding struct{ lib *media.Library }

// WithPictures makes Seed draw a few illustrations for the demo stories
// and add them to lib, which keeps their resized copies, as the stories'
// featured images, each with its alt text, caption and credit.
func WithPictures(lib *media.Library) Option {
	return func(s *seeding) { s.lib = lib }
}

// picture draws a story's illustration, if it has one, adds it to the
// library and features it on the story.
func (s *seeding) picture(ctx context.Context, storyID int64, headline string) (bool, error) {
	p, ok := pictures()[headline]
	if s.lib == nil || !ok {
		return false, nil
	}
	data, err := paint(p)
	if err != nil {
		return false, err
	}
	im, err := s.lib.Add(ctx, data, p.Alt, p.Caption, credit, 0)
	if err != nil {
		return false, fmt.Errorf("demo: add a picture: %w", err)
	}
	if err := s.lib.SetStoryImage(ctx, storyID, im.ID); err != nil {
		return false, fmt.Errorf("demo: feature a picture: %w", err)
	}
	return true, nil
}

// pictureSeed is an illustration of a demo story, drawn at seed time.
type pictureSeed struct {
	Draw    func(x, y float64) color.RGBA // x and y from 0 to 1
	Alt     string
	Caption string
}

// credit is the credit line of every demo picture.
const credit = "Illustration: Dateline"

// The size the demo pictures are drawn at: 16:9, large enough for the
// lead story on a wide screen, and small enough to seed quickly.
const pictureW, pictureH = 960, 540

// paint draws a picture and encodes it as a JPEG.
func paint(p pictureSeed) (*bytes.Reader, error) {
	img := image.NewRGBA(image.Rect(0, 0, pictureW, pictureH))
	for y := range pictureH {
		fy := (float64(y) + .5) / pictureH
		row := img.Pix[y*img.Stride:]
		for x := range pictureW {
			c := p.Draw((float64(x)+.5)/pictureW, fy)
			row[4*x], row[4*x+1], row[4*x+2], row[4*x+3] = c.R, c.G, c.B, 255
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 90}); err != nil {
		return nil, fmt.Errorf("demo: encode a picture: %w", err)
	}
	return bytes.NewReader(buf.Bytes()), nil
}

// mix is a + (b - a) × t, colour by colour, t from 0 to 1.
func mix(a, b color.RGBA, t float64) color.RGBA {
	t = math.Max(0, math.Min(1, t))
	f := func(p, q uint8) uint8 { return uint8(float64(p) + (float64(q)-float64(p))*t) } // #nosec G115 -- between p and q
	return color.RGBA{f(a.R, b.R), f(a.G, b.G), f(a.B, b.B), 255}
}

func rgb(hex uint32) color.RGBA {
	return color.RGBA{uint8(hex >> 16), uint8(hex >> 8), uint8(hex), 255} // #nosec G115 -- bytes of a colour
}

// hash is a repeatable pseudo-random number from 0 to 1 for a cell.
func hash(i, j int) float64 {
	n := uint32(i*374761393+j*668265263) ^ 0x5bd1e995 // #nosec G115 -- only the bits matter
	n = (n ^ n>>13) * 1274126177
	return float64(n^n>>16) / math.MaxUint32
}

// skyline is the height of a row of buildings at x, from 0 to 1, and
// whether x is on a lit window at height y.
func skyline(x, y, base, scale float64, seed int) (top float64, lit bool) {
	const n = 28
	i := int(x * n)
	top = base - scale*(.25+.75*hash(i, seed))
	wx, wy := math.Mod(x*n*6, 1), math.Mod(y*70, 1)
	lit = y > top+.02 && wx > .3 && wx < .7 && wy > .35 && hash(int(x*n*6), int(y*70)+seed) > .55
	return top, lit
}

// pictures are the demo's illustrations, by the headline of the story
// they go with.
func pictures() map[string]pictureSeed {
	night, dusk, water := rgb(0x1b2a4a), rgb(0xe58e5a), rgb(0x16304a)
	return map[string]pictureSeed{
		"Retired postman wins city chess open on final-round tiebreak": {
			Alt:     "A chessboard seen from above, with one dark and one pale piece facing each other across the centre squares.",
			Caption: "The final-round game was settled on the tiebreak.",
			Draw: func(x, y float64) color.RGBA {
				bg := mix(rgb(0x3b2f2a), rgb(0x6b4f3a), y)
				bx, by := (x-.5)*16/9+.5, y
				if bx < .08 || bx > .92 || by < .08 || by > .92 {
					return bg
				}
				i, j := int((bx-.08)/.84*8), int((by-.08)/.84*8)
				sq := rgb(0xe9dcc0)
				if (i+j)%2 == 1 {
					sq = rgb(0x8a6a4c)
				}
				piece := func(cx, cy float64, c color.RGBA) (color.RGBA, bool) {
					d := math.Hypot(bx-cx, by-cy)
					return mix(c, mix(c, rgb(0x000000), .35), d/.045), d < .045
				}
				if c, ok := piece(.08+.84*3.5/8, .08+.84*3.5/8, rgb(0x2a2220)); ok {
					return c
				}
				if c, ok := piece(.08+.84*4.5/8, .08+.84*4.5/8, rgb(0xfaf5ea)); ok {
					return c
				}
				return sq
			},
		},
		"Night ferry returns to the river after two-year pause": {
			Alt:     "A ferry with lit windows crossing a dark river at dusk, the city's towers behind it.",
			Caption: "The night ferry crosses between the two banks every forty minutes.",
			Draw: func(x, y float64) color.RGBA {
				if y < .62 {
					top, lit := skyline(x, y, .62, .32, 1)
					if y > top {
						if lit {
							return rgb(0xf6d38b)
						}
						return rgb(0x141b2d)
					}
					return mix(night, dusk, y/.62)
				}
				// The ferry, with a row of windows.
				if x > .3 && x < .58 && y > .6 && y < .7-.06*math.Max(0, (x-.52)/.06) {
					if y > .63 && y < .655 && math.Mod(x*120, 1) < .55 {
						return rgb(0xf6d38b)
					}
					return rgb(0xece6da)
				}
				ripple := .5 + .5*math.Sin(x*90+math.Sin(y*200)*2)
				c := mix(water, mix(night, dusk, 1-(y-.62)/.38), .35*ripple)
				if math.Abs(x-.44) < .12*(y-.6)*3 && ripple > .8 {
					c = mix(c, rgb(0xf6d38b), .45)
				}
				return c
			},
		},
		"Library branch to stay open until midnight in six-month trial": {
			Alt:     "The front of a library at night: a row of tall windows glowing warm against a starry blue sky.",
			Caption: "The branch will keep its reading rooms open until midnight.",
			Draw: func(x, y float64) color.RGBA {
				sky := mix(rgb(0x0f1a33), rgb(0x2e4372), y)
				if y < .3 || x < .1 || x > .9 {
					if hash(int(x*300), int(y*170)) > .996 {
						return rgb(0xe8ecf5)
					}
					return sky
				}
				if y > .88 {
					return rgb(0x3a3430)
				}
				wall := rgb(0x5a4a44)
				col := math.Mod((x-.1)/.8*6, 1)
				// Six tall windows, each with a mullion and a transom.
				if col > .25 && col < .75 && y > .42 && y < .8 {
					if math.Abs(col-.5) < .02 || math.Abs(y-.62) < .006 {
						return rgb(0x3e302a)
					}
					return mix(rgb(0xffd98a), rgb(0xf2a44c), (y-.42)/.38)
				}
				if y < .36 {
					return rgb(0x6b5a52)
				}
				return wall
			},
		},
		"Cooling rooms open across Osaka as heatwave prompts water advisory": {
			Alt:     "A large low sun over rooftops in shimmering orange heat.",
			Caption: "Temperatures stayed above 35 degrees for a sixth day.",
			Draw: func(x, y float64) color.RGBA {
				c := mix(rgb(0xfbd36b), rgb(0xd9542c), y*1.1+.08*math.Sin(x*40+y*25))
				if d := math.Hypot((x-.62)*16/9, y-.42); d < .2 {
					c = mix(rgb(0xfff4d6), c, math.Max(0, (d-.16)/.04))
				}
				if top, _ := skyline(x, y, .95, .25, 7); y > top {
					return mix(rgb(0x5b2a22), rgb(0x2f1814), (y-top)*4)
				}
				return c
			},
		},
		"Divers and drones map northern seagrass meadows": {
			Alt:     "Blades of seagrass swaying in clear green-blue water, lit from the surface.",
			Caption: "Seagrass meadows store carbon and shelter young fish.",
			Draw: func(x, y float64) color.RGBA {
				c := mix(rgb(0x7fd3c8), rgb(0x0b3a4a), y)
				if y < .35 {
					c = mix(c, rgb(0xe8fbf6), .25*math.Max(0, math.Sin(x*60+math.Sin(y*30)*3))*(1-y/.35))
				}
				for k := int(x*40) - 2; k <= int(x*40)+1; k++ {
					bx := (float64(k) + hash(k, 3)) / 40
					h := .35 + .4*hash(k, 5)
					if y > 1-h {
						sway := .03 * math.Sin((1-y)*8+float64(k)) * (1 - y)
						if math.Abs(x-bx-sway) < .004+.004*(y-(1-h))/h {
							return mix(rgb(0x5f9e3c), rgb(0x1f4f2a), hash(k, 9)*.6+(y-(1-h))/h*.4)
						}
					}
				}
				return c
			},
		},
		"Numbered signs bring order to the city's hillside stairways": {
			Alt:     "A map-like drawing of a hillside: contour lines in sand and green, with a red stairway zigzagging up them.",
			Caption: "Each flight of steps now carries a number and the name of the street it reaches.",
			Draw: func(x, y float64) color.RGBA {
				h := 1.4*math.Hypot((x-.7)*16/9, y-.35) + .06*math.Sin(x*9) + .05*math.Cos(y*11)
				c := mix(rgb(0x9fbf8a), rgb(0xf1e6cc), h)
				if math.Mod(h*14, 1) < .07 {
					c = mix(c, rgb(0x6b5a3c), .5)
				}
				// The stairway: a zigzag from the bottom left up to the summit.
				t := (y - .35) / .6
				if t > 0 && t < 1 {
					zig := .7 - .45*t + .05*math.Abs(math.Mod(t*8, 2)-1)
					if math.Abs(x-zig) < .007 {
						return rgb(0xc0392b)
					}
				}
				if math.Hypot((x-.7)*16/9, y-.35) < .02 {
					return rgb(0xc0392b)
				}
				return c
			},
		},
		"Single-screen cinema reopens with volunteer projectionists": {
			Alt:     "A strip of film frames running across a deep red curtain.",
			Caption: "Volunteers took turns in the projection box on the opening night.",
			Draw: func(x, y float64) color.RGBA {
				c := mix(rgb(0x7a1020), rgb(0x3a0610), .5+.5*math.Sin(x*70))
				c = mix(c, rgb(0x1a0205), y*.6)
				sy := y - .3 - .15*math.Sin(x*3)
				if sy > 0 && sy < .34 {
					if sy < .05 || sy > .29 {
						if math.Mod(x*60, 1) > .35 && math.Mod(x*60, 1) < .65 && sy > .012 && sy < .33 && (sy < .038 || sy > .302) {
							return rgb(0xe9d9b0)
						}
						return rgb(0x17120f)
					}
					if math.Mod(x*5, 1) < .04 {
						return rgb(0x17120f)
					}
					return mix(rgb(0xf2d68a), rgb(0x8f6a3a), math.Abs(math.Mod(x*5, 1)-.52)*1.6)
				}
				return c
			},
		},
	}
}
