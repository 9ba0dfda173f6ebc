package changelog

import (
	_ "embed"
	"html/template"
	"io"
	"strings"

	"github.com/regdiff/regdiff/snapshots/record"
)

//go:embed page.html.tmpl
var pageText string

var templates = template.Must(template.New("").Funcs(template.FuncMap{"thousands": thousands}).Parse(pageText))

type pageView struct {
	Title   string
	Intro   string
	Chart   *chartView
	NoChart string
	TOC     []tocYear
	Entries []entryView
}

type tocYear struct {
	Year  string
	Links []tocLink
}

type tocLink struct {
	ID, Label, Title string
	Quiet            bool // no record changes
}

// WriteHTML writes the changelog as one self-contained HTML page: inline
// CSS and SVG, no script and nothing loaded from elsewhere. It has a chart
// of the tcp ports by status over time, a table of contents by year and a
// section per version, newest first, whose id is the version's name (so
// PAGE#2024-03-18 links to it). Every text is escaped.
func WriteHTML(w io.Writer, c *Changelog) error {
	p := pageView{Title: c.Title, Intro: intro(c), Chart: newChart(c.Series)}
	switch {
	case len(c.Entries) == 0:
		p.NoChart = "No chart: no versions in this range."
	case c.Registry == "":
		p.NoChart = "No chart: the chart is of one registry's ports."
	case p.Chart == nil:
		p.NoChart = "No chart: this registry has no port records."
	}
	inPage := make(map[string]bool, len(c.Entries))
	for i := range c.Entries {
		inPage[c.anchor(c.Entries[i].Version)] = true
	}
	for i := range c.Entries {
		e := &c.Entries[i]
		p.Entries = append(p.Entries, newEntryView(c, e, "", inPage, 0))
		year, label := splitName(e.Version.Name)
		if c.Registry == "" {
			label = c.label(e.Version)
		}
		if n := len(p.TOC); n == 0 || p.TOC[n-1].Year != year {
			p.TOC = append(p.TOC, tocYear{Year: year})
		}
		t := &p.TOC[len(p.TOC)-1]
		t.Links = append(t.Links, tocLink{ID: c.anchor(e.Version), Label: label, Title: headline(e), Quiet: e.Unchanged()})
	}
	// html/template escapes markup, not control characters: ESC, DEL and
	// the C1 controls would reach whoever cats the page. The page holds
	// none of its own, so the whole page is filtered.
	var buf strings.Builder
	if err := templates.ExecuteTemplate(&buf, "page", p); err != nil {
		return err
	}
	_, err := io.WriteString(w, record.PrintableText(buf.String()))
	return err
}

// splitName splits "2024-03-18" into "2024" and "03-18" for the table of
// contents.
func splitName(name string) (year, rest string) {
	y, r, ok := strings.Cut(name, "-")
	if !ok || len(y) != 4 {
		return "", name
	}
	return y, r
}
