package web

import (
	"fmt"
	"strings"
	"time"

	"dateline/internal/insight"
)

// The frame every chart is drawn in, in SVG user units; the SVG scales to
// the column it sits in.
const (
	chartWidth  = 640
	chartHeight = 240
	chartLeft   = 60 // room for the values
	chartRight  = 12
	chartTop    = 12
	chartBottom = 34 // room for the dates
)

// chartView is a chart as the dashboard draws it: an SVG of lines, a
// sentence that says what it shows, and the same numbers as a table.
type chartView struct {
	ID      string // prefix of the chart's element ids
	Title   string
	Summary string
	Width   int
	Height  int
	Left    int // x of the value axis
	LabelX  int // x where the values' labels end
	Bottom  int // y of the time axis
	Right   int // x where the plot ends
	Lines   []chartLine
	YTicks  []chartTick
	XTicks  []chartTick
	// The table: a column for the time, then one per series.
	TimeHead string
	Heads    []string
	Rows     []chartRow
}

// chartLine is one series drawn.
type chartLine struct {
	Name   string
	Class  string // line-1 … line-4: its colour and dashes
	Points string // the polyline's points
}

// chartTick is a labelled mark on an axis.
type chartTick struct {
	At     float64
	Label  string
	Anchor string // how the label sits on its mark: start, middle or end
}

// chartRow is one row of a chart's table.
type chartRow struct {
	Label    string
	DateTime string
	Values   []int
}

// chartSummary says in words what a chart shows.
type chartSummary func(c insight.Chart) string

// newChartView lays out c: values from zero to a round maximum upwards,
// time from left to right.
func newChartView(id, title string, c insight.Chart, summary chartSummary) chartView {
	v := chartView{ID: id, Title: title, Summary: summary(c), Width: chartWidth, Height: chartHeight,
		Left: chartLeft, LabelX: chartLeft - 6, Bottom: chartHeight - chartBottom, Right: chartWidth - chartRight, TimeHead: "Day"}
	if c.Hourly {
		v.TimeHead = "Hour"
	}
	top := 0
	for _, s := range c.Series {
		for _, n := range s.Values {
			top = max(top, n)
		}
	}
	top = roundUp(top)
	plotW, plotH := float64(v.Right-v.Left), float64(v.Bottom-chartTop)
	n := len(c.Points)
	x := func(i int) float64 {
		if n < 2 {
			return float64(v.Left)
		}
		return float64(v.Left) + plotW*float64(i)/float64(n-1)
	}
	y := func(val int) float64 { return float64(v.Bottom) - plotH*float64(val)/float64(top) }
	for k, s := range c.Series {
		var pts strings.Builder
		for i, val := range s.Values {
			if i > 0 {
				pts.WriteByte(' ')
			}
			fmt.Fprintf(&pts, "%.1f,%.1f", x(i), y(val))
		}
		v.Lines = append(v.Lines, chartLine{Name: s.Name, Class: fmt.Sprintf("line-%d", k%4+1), Points: pts.String()})
		v.Heads = append(v.Heads, s.Name)
	}
	for _, val := range []int{0, top / 2, top} {
		v.YTicks = append(v.YTicks, chartTick{At: y(val), Label: thousands(val), Anchor: "end"})
	}
	for i, p := range c.Points {
		if label, ok := timeTick(c, i, p); ok {
			// The last mark's label ends at it, inside the frame.
			anchor := "middle"
			if i == n-1 {
				anchor = "end"
			}
			v.XTicks = append(v.XTicks, chartTick{At: x(i), Label: label, Anchor: anchor})
		}
		row := chartRow{Label: p.Format("Mon 2 Jan"), DateTime: p.Format(time.DateOnly)}
		if c.Hourly {
			row.Label, row.DateTime = p.Format("Mon 2 Jan, 15:04"), p.Format(time.RFC3339)
		}
		for _, s := range c.Series {
			row.Values = append(row.Values, s.Values[i])
		}
		v.Rows = append(v.Rows, row)
	}
	return v
}

// timeTick labels the time axis: each midnight of an hourly chart (by its
// weekday alone, which a week's span leaves unambiguous), and
// every week (or month, over a longer span) of a daily one, counted
// back from today so that today is always marked.
func timeTick(c insight.Chart, i int, p time.Time) (string, bool) {
	n := len(c.Points)
	switch {
	case c.Hourly:
		return p.Format("Mon"), p.Hour() == 0 && p.Minute() == 0
	case n > 60:
		return p.Format("2 Jan"), (n-1-i)%30 == 0
	default:
		return p.Format("2 Jan"), (n-1-i)%7 == 0
	}
}

// roundUp is a round maximum for a value axis: 1, 2 or 5 times a power
// of ten, at least 4 so that the halfway mark is whole.
func roundUp(n int) int {
	if n <= 4 {
		return 4
	}
	for step := 10; ; step *= 10 {
		for _, m := range []int{1, 2, 5} {
			if m*step >= n {
				return m * step
			}
		}
	}
}

// plural is n and a noun, made plural unless n is 1.
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return thousands(n) + " " + many
}

// summariseViews says how many views there were and when most came.
func summariseViews(c insight.Chart) string {
	s := c.Series[0]
	total := s.Total()
	if total == 0 {
		return "No page views in the last 7 days."
	}
	peak := 0
	for i, n := range s.Values {
		if n > s.Values[peak] {
			peak = i
		}
	}
	return fmt.Sprintf("%s in the last 7 days. The busiest hour began at %s, with %s.", plural(total, "page view", "page views"),
		c.Points[peak].Format("15:04 on Monday 2 January"), plural(s.Values[peak], "view", "views"))
}

// summariseTotals gives each series' total over the chart's days.
func summariseTotals(c insight.Chart) string {
	parts := make([]string, len(c.Series))
	for i, s := range c.Series {
		parts[i] = fmt.Sprintf("%s: %s", s.Name, thousands(s.Total()))
	}
	return fmt.Sprintf("In the last %d days. %s.", len(c.Points), strings.Join(parts, "; "))
}

// summariseLevels gives each series' value today and at the chart's
// start.
func summariseLevels(c insight.Chart) string {
	n := len(c.Points)
	now, then := make([]string, len(c.Series)), make([]string, len(c.Series))
	for i, s := range c.Series {
		now[i] = fmt.Sprintf("%s %s", thousands(s.Values[n-1]), strings.ToLower(s.Name))
		then[i] = fmt.Sprintf("%s %s", thousands(s.Values[0]), strings.ToLower(s.Name))
	}
	return fmt.Sprintf("Today: %s. %d days ago: %s.", strings.Join(now, ", "), n-1, strings.Join(then, ", "))
}
