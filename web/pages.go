package web

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/regdiff/regdiff/changelog"
	"github.com/regdiff/regdiff/diff"
	"github.com/regdiff/regdiff/history"
	"github.com/regdiff/regdiff/snapshots"
	"github.com/regdiff/regdiff/snapshots/record"
)

//go:embed pages.html.tmpl
var pageFS embed.FS

// clean drops control characters (but tab and line feed) from registry
// text before html/template escapes it: they are no markup, but a
// terminal copy-pasted into, or a feed reader, would still see them.
func clean(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' {
			return r
		}
		if r < 0x20 || (r >= 0x7f && r < 0xa0) || r == 0xfffd {
			return '\ufffd'
		}
		return r
	}, strings.ToValidUTF8(s, "\ufffd"))
}

var pages = template.Must(template.New("").Funcs(template.FuncMap{"clean": clean}).ParseFS(pageFS, "pages.html.tmpl"))

// view is what every page's layout needs.
type view struct {
	Title string
	Home  string
}

func (h *Handler) view(title string) view { return view{Title: title, Home: h.dirLink()} }

type errorView struct {
	view
	Status  int
	Message string
}

// registryJSON is one registry in the index's JSON: the object that
// `regdiff registries --json` prints for it.
type registryJSON struct {
	Registry string `json:"registry"`
	Title    string `json:"title"`
	Versions int    `json:"versions"`
	First    string `json:"first"`
	Latest   string `json:"latest"`
	Records  int    `json:"records"`
}

type indexRow struct {
	registryJSON
	Link, LatestLink string
	Spark            template.HTML
}

func (h *Handler) index() (*page, error) {
	ids, err := h.s.Registries()
	if err != nil {
		return nil, err
	}
	out := make([]registryJSON, 0, len(ids))
	var rows []indexRow
	var etag strings.Builder
	for _, id := range ids {
		vs, err := h.s.Versions(id)
		if err != nil || len(vs) == 0 {
			continue
		}
		first, last := vs[0], vs[len(vs)-1]
		j := registryJSON{Registry: id, Title: last.Title, Versions: len(vs), First: first.Date, Latest: last.Date, Records: last.Records}
		out = append(out, j)
		rows = append(rows, indexRow{j, h.dirLink(id), h.dirLink(id, last.Name), sparkline(vs)})
		etag.WriteString(last.Commit.String()[:12])
	}
	return &page{
		tmpl: "index", data: struct {
			view
			Rows []indexRow
		}{h.view("regdiff"), rows},
		json: func(w io.Writer) error { return diff.EncodeJSON(w, out) },
		etag: etag.String(),
	}, nil
}

// sparkline draws the record count of each version as an inline SVG.
func sparkline(vs []record.Version) template.HTML {
	const w, ht = 160.0, 24.0
	lo, hi := vs[0].Records, vs[0].Records
	for _, v := range vs {
		lo, hi = min(lo, v.Records), max(hi, v.Records)
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="spark" width="%g" height="%g" viewBox="0 0 %g %g" role="img" aria-label="records per version, %d to %d"><polyline fill="none" stroke="currentColor" points="`, w, ht, w, ht, lo, hi)
	for i, v := range vs {
		x := w / 2
		if len(vs) > 1 {
			x = float64(i) * w / float64(len(vs)-1)
		}
		y := ht / 2
		if hi > lo {
			y = ht - 1 - float64(v.Records-lo)*(ht-2)/float64(hi-lo)
		}
		fmt.Fprintf(&b, "%.1f,%.1f ", x, y)
	}
	b.WriteString(`"/></svg>`)
	return template.HTML(b.String()) // numbers only
}

// changelogOf builds a registry's changelog once per tip commit.
func (h *Handler) changelogOf(ctx context.Context, id string, vs []record.Version) (*changelog.Changelog, error) {
	tip := vs[len(vs)-1].Commit
	h.mu.Lock()
	c := h.logs[id]
	if c == nil || c.tip != tip {
		c = &cachedLog{tip: tip}
		h.logs[id] = c
	}
	h.mu.Unlock()
	c.once.Do(func() {
		// Built apart from the request: one client gone must not spoil
		// the changelog for the others.
		c.c, c.err = changelog.Build(context.WithoutCancel(ctx), h.s, id, vs, changelog.Options{Since: 0, Until: len(vs) - 1})
	})
	if c.err != nil {
		h.mu.Lock()
		if h.logs[id] == c {
			delete(h.logs, id)
		}
		h.mu.Unlock()
	}
	return c.c, c.err
}

type versionRow struct {
	Name, Date, Link, DiffLink string
	Records                    int
	Summary                    string
}

func (h *Handler) registry(ctx context.Context, id string, vs []record.Version) (*page, error) {
	c, err := h.changelogOf(ctx, id, vs)
	if err != nil {
		return nil, err
	}
	rows := make([]versionRow, 0, len(c.Entries))
	for _, e := range c.Entries {
		v := e.Version
		row := versionRow{Name: v.Name, Date: v.Date, Link: h.dirLink(id, v.Name), Records: v.Records}
		switch {
		case e.First():
			row.Summary = "first version on record"
		case e.Unchanged():
			row.Summary = "no change"
			row.DiffLink = h.dirLink(id, "diff", e.Previous.Name+".."+v.Name)
		default:
			d := e.Diff
			row.Summary = fmt.Sprintf("+%d −%d ~%d, %d renamed, %d port transitions", d.Added, d.Removed, d.Changed, d.Renamed, len(d.Transitions))
			row.DiffLink = h.dirLink(id, "diff", e.Previous.Name+".."+v.Name)
		}
		rows = append(rows, row)
	}
	return &page{
		tmpl: "registry", data: struct {
			view
			ID, Feed, Changelog, JSON string
			Static                    bool
			Spark                     template.HTML
			Rows                      []versionRow
		}{h.view(c.Title), id, h.link(id, "feed.atom"), h.link(id, "changelog.html"), h.link(id, "index.json"), h.static, sparkline(vs), rows},
		json: func(w io.Writer) error { return changelog.WriteJSON(w, c) },
		etag: vs[len(vs)-1].Commit.String(),
	}, nil
}

func (h *Handler) changelogFile(ctx context.Context, id, file string) (*page, error) {
	vs, err := h.versions(id)
	if err != nil {
		return nil, err
	}
	c, err := h.changelogOf(ctx, id, vs)
	if err != nil {
		return nil, err
	}
	p := &page{etag: vs[len(vs)-1].Commit.String()}
	if file == "feed.atom" {
		f := changelog.Feed{Self: h.feed + h.link(id, "feed.atom"), Alternate: h.feed + h.link(id, "changelog.html")}
		p.ctype = "application/atom+xml"
		p.json = func(w io.Writer) error { return changelog.WriteAtom(w, c, f) }
	} else {
		p.ctype = "text/html; charset=utf-8"
		p.json = func(w io.Writer) error { return changelog.WriteHTML(w, c) }
	}
	return p, nil
}

func (h *Handler) raw(id, spec, file string) (*page, error) {
	vs, err := h.versions(id)
	if err != nil {
		return nil, err
	}
	i, perma, err := resolve(vs, spec)
	if err != nil {
		return nil, err
	}
	v := vs[i]
	if want := "raw." + v.Format; file != want {
		return nil, errStatus(http.StatusNotFound, "version %s's raw file is %s", v.Name, want)
	}
	if !perma {
		return &page{redirect: h.link(id, v.Name, file)}, nil
	}
	b, err := h.s.Raw(v)
	if err != nil {
		return nil, err
	}
	if b == nil {
		b = []byte{}
	}
	return &page{raw: b, ctype: rawType(v.Format), etag: v.Commit.String(), immutable: true}, nil
}

// matches says whether a record answers a search: a number the record's
// number or range holds, else text found (case-insensitive) in its
// number, protocol, name or description.
func matches(r record.Record, q string) bool {
	if q == "" {
		return true
	}
	if n, err := strconv.Atoi(q); err == nil {
		lo, hi, ok := strings.Cut(r.Number, "-")
		a, errA := strconv.Atoi(lo)
		b, errB := a, errA
		if ok {
			b, errB = strconv.Atoi(hi)
		}
		if errA == nil && errB == nil {
			return a <= n && n <= b
		}
	}
	q = strings.ToLower(q)
	for _, f := range []string{r.Number, r.Protocol, r.Name, r.Description} {
		if strings.Contains(strings.ToLower(f), q) {
			return true
		}
	}
	return false
}

func (h *Handler) version(r *http.Request, id string, vs []record.Version, spec string, isJSON bool) (*page, error) {
	i, perma, err := resolve(vs, spec)
	if err != nil {
		return nil, err
	}
	v := vs[i]
	if !perma {
		return &page{redirect: h.pageLink(isJSON, r, id, v.Name)}, nil
	}
	recs, err := h.s.Records(v)
	if err != nil {
		return nil, err
	}
	q := r.URL.Query().Get("q")
	var shown []record.Record
	for _, rec := range recs {
		if matches(rec, q) {
			shown = append(shown, rec)
		}
	}
	// A search of a permalink is as lasting as the version; its own ETag
	// keeps a client from taking one search's answer for another's.
	etag := v.Commit.String()
	if q != "" {
		etag += "?q=" + url.QueryEscape(q)
	}
	// No link to the next version: a permalink's page must not change
	// when a version is added.
	var prev string
	if i > 0 {
		prev = h.dirLink(id, "diff", vs[i-1].Name+".."+v.Name)
	}
	return &page{
		tmpl: "version", data: struct {
			view
			V                                 record.Version
			Commit, Registry, Raw, JSON, Diff string
			Q                                 string
			Records                           []record.Record
			Total                             int
		}{h.view(v.Title + " — " + v.Name), v, v.Commit.String(), h.dirLink(id), h.link(id, v.Name, "raw."+v.Format), h.link(id, v.Name, "index.json"), prev, q, shown, len(recs)},
		json: func(w io.Writer) error {
			items, people, err := h.s.Items(v)
			if err != nil {
				return err
			}
			return diff.EncodeJSON(w, record.Show(v, recs, items, people))
		},
		etag: etag, immutable: true,
	}, nil
}

// pageLink is the permalink of a page, in the form it was asked for,
// with the query string kept.
func (h *Handler) pageLink(isJSON bool, r *http.Request, segs ...string) string {
	l := h.dirLink(segs...)
	if isJSON {
		l += "index.json"
	}
	if r.URL.RawQuery != "" {
		l += "?" + r.URL.RawQuery
	}
	return l
}

func (h *Handler) diff(r *http.Request, id string, vs []record.Version, pair string, isJSON bool) (*page, error) {
	from, to, ok := strings.Cut(pair, "..")
	if !ok || from == "" || to == "" {
		return nil, errStatus(http.StatusBadRequest, "diff %q: want FROM..TO, as in 2019..2024", pair)
	}
	fi, fp, err := resolve(vs, from)
	if err != nil {
		return nil, err
	}
	ti, tp, err := resolve(vs, to)
	if err != nil {
		return nil, err
	}
	a, b := vs[fi], vs[ti]
	if !fp || !tp {
		return &page{redirect: h.pageLink(isJSON, r, id, "diff", a.Name+".."+b.Name)}, nil
	}
	res, err := diff.Between(h.s, a, b, diff.Filter{})
	if err != nil {
		return nil, err
	}
	res.Reversed = fi > ti
	var text bytes.Buffer
	if err := diff.WriteText(&text, res, false); err != nil {
		return nil, err
	}
	return &page{
		tmpl: "diff", data: struct {
			view
			Registry, FromLink, ToLink, JSON string
			From, To                         record.Version
			Res                              *diff.Result
			Text                             string
		}{h.view(fmt.Sprintf("%s: %s → %s", id, a.Name, b.Name)), h.dirLink(id), h.dirLink(id, a.Name), h.dirLink(id, b.Name), h.link(id, "diff", a.Name+".."+b.Name, "index.json"), a, b, res, text.String()},
		json: func(w io.Writer) error { return diff.WriteJSON(w, res) },
		etag: a.Commit.String() + ".." + b.Commit.String(), immutable: true,
	}, nil
}

// lane is one row of a history's timeline: the periods of one
// sub-registry and transport (and number, for a name).
type lane struct {
	Label string
	Bars  []bar
}

type bar struct {
	Left, Width float64 // percent of the registry's versions
	Status      string
	Class       string
	Title       string
}

func (h *Handler) history(ctx context.Context, id string, vs []record.Version, query string) (*page, error) {
	var q history.Query
	var err error
	if id == snapshots.DefaultRegistry {
		q, err = history.ParseQuery(query)
	} else {
		q, err = history.ValueQuery(query, "")
	}
	if err != nil {
		return nil, &httpError{http.StatusBadRequest, err}
	}
	return &page{etag: vs[len(vs)-1].Commit.String(), build: func() (*page, error) { return h.historyPage(ctx, id, vs, query, q) }}, nil
}

func (h *Handler) historyPage(ctx context.Context, id string, vs []record.Version, query string, q history.Query) (*page, error) {
	h.ixMu.Lock()
	hist, err := history.Build(ctx, h.ix, id, q)
	h.ixMu.Unlock()
	if err != nil {
		var ve *history.ValueError
		if errors.Is(err, history.ErrNoSuchName) || errors.As(err, &ve) {
			return nil, &httpError{http.StatusNotFound, err}
		}
		return nil, err
	}
	if q.IsValue() {
		hist.Titles = h.titles(vs)
	}
	var text bytes.Buffer
	if err := history.WriteText(&text, hist, false); err != nil {
		return nil, err
	}
	at := make(map[string]int, len(vs))
	for i, v := range vs {
		at[v.Name] = i
	}
	var lanes []lane
	key := ""
	n := float64(len(vs))
	for _, p := range hist.Periods {
		k := p.Table + "\x00" + p.Protocol + "\x00" + p.Number
		if k != key || len(lanes) == 0 {
			label := strings.Trim(strings.Join([]string{p.Table, p.Protocol, p.Number}, " "), " ")
			if label == "" {
				label = "all"
			}
			lanes = append(lanes, lane{Label: label})
			key = k
		}
		lo, hi := at[p.From], at[p.To]
		l := &lanes[len(lanes)-1]
		l.Bars = append(l.Bars, bar{
			Left: float64(lo) * 100 / n, Width: float64(hi-lo+1) * 100 / n,
			Status: p.Status, Class: statusClass(p.Status),
			Title: fmt.Sprintf("%s: %s to %s (%d versions)", p.Status, p.From, p.To, p.Versions),
		})
	}
	return &page{
		tmpl: "history", data: struct {
			view
			Registry, JSON, First, Last string
			Lanes                       []lane
			Text                        string
		}{h.view(fmt.Sprintf("%s: history of %s", id, query)), h.dirLink(id), h.link(id, "history", query, "index.json"), vs[0].Name, vs[len(vs)-1].Name, lanes, text.String()},
		json: func(w io.Writer) error { return history.WriteJSON(w, hist) },
	}, nil
}

func statusClass(s string) string {
	switch strings.ToLower(s) {
	case "assigned":
		return "s-assigned"
	case "reserved":
		return "s-reserved"
	case "unassigned", "unlisted":
		return "s-unassigned"
	case "deregistered", "deprecated", "obsolete":
		return "s-dereg"
	}
	return "s-other"
}

// titles are the sub-registries' titles, from the newest version and the
// oldest, by the rule of diff.Result.SetTitles (as the history command).
func (h *Handler) titles(vs []record.Version) map[string]string {
	newest, _, err := h.s.Items(vs[len(vs)-1])
	if err != nil {
		return nil
	}
	oldest, _, err := h.s.Items(vs[0])
	if err != nil {
		return nil
	}
	var r diff.Result
	r.SetTitles(oldest, newest)
	return r.Titles
}
