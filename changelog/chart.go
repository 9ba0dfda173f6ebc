package changelog

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// The chart is one panel per status, each with its own vertical scale: the
// three counts differ by two orders of magnitude (about 200 Reserved, 6,000
// Assigned and 59,000 Unassigned tcp ports), and on one shared scale every
// change would be a flat line.
//
// A panel is two SVGs side by side: a narrow one with the vertical axis and
// its labels, and the plot, whose width follows the page. The plot's lines
// are drawn in a nested SVG with viewBox="0 0 1000 H" and
// preserveAspectRatio="none", so the horizontal scale stretches with the
// page while the text, placed outside it at percentages, keeps its size:
// the chart stays readable at phone and desktop widths alike.

const (
	plotWidth  = 1000 // user units across the plot
	plotTop    = 10   // px above the highest tick
	plotHeight = 90   // px from the highest to the lowest tick
	panelH     = 124  // px: plot plus room for the year labels
	axisY      = plotTop + plotHeight
	// gapSeconds is the longest stretch without a version drawn as a solid
	// line: IANA publishes every few days or weeks, so a longer one is a
	// hole in the archive, drawn dashed.
	gapSeconds = 62 * 24 * 3600
	// maxDots is the most versions that get a dot each.
	maxDots = 60
)

type chartView struct {
	From, To string // first and last date
	Panels   []panelView
	Years    []yearTick
	Height   int     // px, of each panel
	Top      int     // y of the highest tick
	AxisY    int     // y of the time axis
	TickY    int     // y where year ticks end
	LabelY   int     // baseline of the year labels
	Rows     []Point // newest first, for the table of numbers
	HasGaps  bool
}

type panelView struct {
	Name   string // "Assigned"
	Class  string // "assigned"
	First  string // count in the oldest version
	Last   string // count in the newest version
	Min    string
	Max    string
	Path   string // SVG path data in the plot's user units
	Gaps   string // path data of the stretches without versions, dashed
	Dots   string // path data of a dot per version, for short series
	Ticks  []yTick
	Points int
}

type yTick struct {
	Y     int
	Label string
}

type yearTick struct {
	X     string // percent of the plot's width: "12.5%"
	Label string // "2015", "" where a label would not fit
	Odd   bool   // hidden on narrow screens
}

// newChart lays out the series (oldest first), or returns nil when there
// is nothing to draw.
func newChart(series []Point) *chartView {
	if len(series) == 0 {
		return nil
	}
	times := make([]float64, len(series))
	for i, p := range series {
		times[i] = float64(dateOf(p.Date).Unix())
	}
	t0, t1 := times[0], times[len(times)-1]
	xOf := func(t float64) float64 {
		if t1 <= t0 {
			return plotWidth / 2
		}
		return (t - t0) / (t1 - t0) * plotWidth
	}
	ch := &chartView{
		From: series[0].Date, To: series[len(series)-1].Date,
		Height: panelH, Top: plotTop, AxisY: axisY, TickY: axisY + 5, LabelY: axisY + 20,
	}
	for i := len(series) - 1; i >= 0; i-- {
		ch.Rows = append(ch.Rows, series[i])
	}
	statuses := []struct {
		name, class string
		get         func(Point) int
	}{
		{"Assigned", "assigned", func(p Point) int { return p.Assigned }},
		{"Reserved", "reserved", func(p Point) int { return p.Reserved }},
		{"Unassigned", "unassigned", func(p Point) int { return p.Unassigned }},
	}
	for _, st := range statuses {
		lo, hi := math.MaxInt, math.MinInt
		for _, p := range series {
			lo, hi = min(lo, st.get(p)), max(hi, st.get(p))
		}
		ticks, a, b := niceTicks(lo, hi)
		yOf := func(v int) float64 {
			return plotTop + float64(b-v)/float64(b-a)*plotHeight
		}
		pv := panelView{
			Name: st.name, Class: st.class, Points: len(series),
			First: thousands(st.get(series[0])), Last: thousands(st.get(series[len(series)-1])),
			Min: thousands(lo), Max: thousands(hi),
		}
		for _, v := range ticks {
			pv.Ticks = append(pv.Ticks, yTick{Y: int(math.Round(yOf(v))), Label: thousands(v)})
		}
		var d, gaps strings.Builder
		for i, p := range series {
			x, y := num(xOf(times[i])), num(yOf(st.get(p)))
			switch {
			case i == 0:
				fmt.Fprintf(&d, "M%s %s", x, y)
			case times[i]-times[i-1] > gapSeconds:
				fmt.Fprintf(&gaps, "M%s %sL%s %s", num(xOf(times[i-1])), num(yOf(st.get(series[i-1]))), x, y)
				fmt.Fprintf(&d, "M%s %s", x, y)
				ch.HasGaps = true
			default:
				fmt.Fprintf(&d, "L%s %s", x, y)
			}
		}
		pv.Gaps = gaps.String()
		// A dot marks each version when they are few enough to tell apart,
		// and a version with long gaps on both sides (no solid line shows
		// it otherwise).
		var dots strings.Builder
		for i, p := range series {
			gapBefore := i == 0 || times[i]-times[i-1] > gapSeconds
			gapAfter := i == len(series)-1 || times[i+1]-times[i] > gapSeconds
			if len(series) <= maxDots || gapBefore && gapAfter {
				fmt.Fprintf(&dots, "M%s %sh0", num(xOf(times[i])), num(yOf(st.get(p))))
			}
		}
		pv.Dots = dots.String()
		if len(series) == 1 {
			// One version: a short level line.
			fmt.Fprintf(&d, "M0 %sH%d", num(yOf(st.get(series[0]))), plotWidth)
		}
		pv.Path = d.String()
		ch.Panels = append(ch.Panels, pv)
	}
	for i, tk := range timeTicks(dateOf(ch.From), dateOf(ch.To)) {
		x := xOf(float64(tk.t.Unix())) / plotWidth * 100
		yt := yearTick{X: num(x) + "%", Odd: i%2 == 1}
		if x > 3 && x < 97 {
			yt.Label = tk.label
		}
		ch.Years = append(ch.Years, yt)
	}
	return ch
}

type timeTick struct {
	t     time.Time
	label string
}

// timeTicks returns the ticks of the time axis strictly after first and up
// to last: every 1 January over three years and more, else the first of
// every month, or of every 2nd, 3rd or 6th month, so that at most 12
// ticks are labelled.
func timeTicks(first, last time.Time) []timeTick {
	var out []timeTick
	if last.Sub(first) > 3*365*24*time.Hour {
		for y := first.Year() + 1; y <= last.Year(); y++ {
			out = append(out, timeTick{time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC), strconv.Itoa(y)})
		}
		return out
	}
	months := (last.Year()-first.Year())*12 + int(last.Month()-first.Month())
	step := 1
	for _, s := range []int{1, 2, 3, 6} {
		step = s
		if months/s <= 12 {
			break
		}
	}
	t := time.Date(first.Year(), first.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, 1, 0)
	for ; !t.After(last); t = t.AddDate(0, 1, 0) {
		if (int(t.Month())-1)%step != 0 {
			continue
		}
		label := t.Format("Jan")
		if t.Month() == time.January {
			label = t.Format("2006")
		}
		out = append(out, timeTick{t, label})
	}
	return out
}

// niceTicks returns 3 to 6 round values covering lo..hi, and the range
// they span.
func niceTicks(lo, hi int) (ticks []int, a, b int) {
	if hi-lo < 2 {
		lo, hi = lo-1, hi+1
	}
	raw := float64(hi-lo) / 3
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step := int(mag)
	for _, m := range []float64{1, 2, 5, 10} {
		if m*mag >= raw {
			step = int(m * mag)
			break
		}
	}
	step = max(step, 1)
	a = int(math.Floor(float64(lo)/float64(step))) * step
	b = int(math.Ceil(float64(hi)/float64(step))) * step
	for v := a; v <= b; v += step {
		ticks = append(ticks, v)
	}
	return ticks, a, b
}

// num formats a coordinate with at most one decimal.
func num(f float64) string {
	return strconv.FormatFloat(math.Round(f*10)/10, 'f', -1, 64)
}

// dateOf parses a registry date: "2024-03-18", or "1990-03" for a month.
func dateOf(s string) time.Time {
	for _, layout := range []string{"2006-01-02", "2006-01", "2006"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t
		}
	}
	return time.Time{}
}
