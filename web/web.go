// Package web serves a store over HTTP, read-only: an index of the
// registries, one page per registry (its versions and changelog, with an
// Atom feed), per version (its records and the raw file as published), per
// diff of two versions and per history of a value. Every page is rendered
// by the code the command line uses (diff.Between and its writers,
// history.Build and its writers, package changelog), and every page is
// also JSON: the object the command's --json prints.
//
// URLs (prefixed by [Options.Base]):
//
//	/                          registries            /index.json
//	/ID/                       versions, changelog   /ID/index.json (changelog --json)
//	/ID/feed.atom              Atom feed
//	/ID/changelog.html         changelog --format html
//	/ID/VERSION/               records; ?q= filters  /ID/VERSION/index.json (show --json)
//	/ID/VERSION/raw.FORMAT     the raw file, byte for byte
//	/ID/diff/FROM..TO/         diff                  /ID/diff/FROM..TO/index.json (diff --json)
//	/ID/history/QUERY/         history               /ID/history/QUERY/index.json (history --json)
//
// A page is also JSON when asked with Accept: application/json, or with
// ".json" after its last segment (/ID/diff/2019..2024.json). A version
// named by its name or full commit is a permalink: its page never changes,
// and is served with an ETag (the commit) and as immutable. Any other spec
// (latest, 2019, latest~1, a commit prefix) is redirected (302) to the
// permalink. Pages that change with the store (the index, a registry, a
// history) carry an ETag of the registry tips and no-cache.
//
// The handler never takes the store's lock: it only reads objects, which
// writers add and never change, and re-reads a registry's version list
// on each request (a ref read and, when the tip is unchanged, a small
// cache file), so versions a concurrent fetch adds show up at once.
package web

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"runtime"
	"strconv"
	"strings"
	"sync"

	"github.com/regdiff/regdiff/changelog"
	"github.com/regdiff/regdiff/diff"
	"github.com/regdiff/regdiff/history"
	"github.com/regdiff/regdiff/snapshots"
	"github.com/regdiff/regdiff/snapshots/record"
)

// Options configure a Handler.
type Options struct {
	// Base is the path the pages live under ("" or "/regdiff"); links are
	// written under it, so a static copy works in a sub-folder of a site.
	Base string
	// CacheBytes bounds the rendered permalink pages kept in memory
	// (they never change, so a copy is always good): 0 means 64 MiB, a
	// negative value keeps none.
	CacheBytes int
	// FeedURL is the absolute URL prefix of the site, for the Atom feed's
	// self and entry links; "" leaves them relative to Base.
	FeedURL string
}

// Handler serves one store. It is safe for concurrent use.
type Handler struct {
	s    *snapshots.Store
	base string
	feed string

	mu   sync.Mutex
	logs map[string]*cachedLog // by registry

	ixMu sync.Mutex // history.Index is not safe for concurrent use
	ix   *history.Index

	static bool // pages for a static copy (see Site): no history form

	// busy bounds the pages rendered at once, so that a crowd of clients
	// queues instead of holding a version's records each.
	busy chan struct{}

	cacheMu    sync.Mutex
	cache      map[string]*rendered
	cacheOrder []string // oldest first, for eviction
	cacheSize  int
	cacheMax   int
}

// rendered is a permalink page as sent.
type rendered struct {
	ctype, etag string
	body        []byte
}

type cachedLog struct {
	tip  record.Hash
	once sync.Once
	c    *changelog.Changelog
	err  error
}

// New returns a handler serving s.
func New(s *snapshots.Store, o Options) *Handler {
	h := &Handler{s: s, base: strings.TrimRight(o.Base, "/"), feed: strings.TrimRight(o.FeedURL, "/"), logs: map[string]*cachedLog{},
		busy: make(chan struct{}, 2*runtime.GOMAXPROCS(0)), cache: map[string]*rendered{}, cacheMax: o.CacheBytes}
	if h.cacheMax == 0 {
		h.cacheMax = 64 << 20
	}
	// The history cache is read once and kept in memory; it is never
	// saved, since saving it would write into the store.
	if ix, err := history.OpenIndex(s, s.HistoryCache()); err == nil {
		h.ix = ix
	} else {
		h.ix = history.NewIndex(s)
	}
	return h
}

// httpError is an error with the status it answers.
type httpError struct {
	status int
	err    error
}

func (e *httpError) Error() string { return e.err.Error() }
func (e *httpError) Unwrap() error { return e.err }

func errStatus(status int, format string, a ...any) error {
	return &httpError{status, fmt.Errorf(format, a...)}
}

// page is what a route produces: HTML data for a template, and the JSON
// writer of the command line for the same object.
type page struct {
	tmpl      string
	data      any
	json      func(io.Writer) error
	raw       []byte // served as is, with ctype
	ctype     string
	etag      string // "" for none
	immutable bool
	redirect  string
	// build, when set, makes the page itself: a page whose etag is known
	// before the work (a history, by the registry's tip) is served from
	// the cache or as 304 without it.
	build func() (*page, error)
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	wantJSON := strings.Contains(r.Header.Get("Accept"), "application/json")
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		h.writeError(w, r, wantJSON, errStatus(http.StatusMethodNotAllowed, "method %s not allowed: this server is read-only", r.Method))
		return
	}
	key := fmt.Sprintf("%t %s?%s", wantJSON, r.URL.EscapedPath(), r.URL.RawQuery)
	if c := h.cached(key); c != nil {
		h.sendCached(w, r, c, immutable)
		return
	}
	select {
	case h.busy <- struct{}{}:
		defer func() { <-h.busy }()
	case <-r.Context().Done():
		return // the client left while waiting
	}
	p, isJSON, err := h.route(r.Context(), r)
	wantJSON = wantJSON || isJSON
	if err != nil {
		h.writeError(w, r, wantJSON, err)
		return
	}
	if p.redirect != "" {
		w.Header().Set("Cache-Control", "no-cache")
		http.Redirect(w, r, p.redirect, http.StatusFound)
		return
	}
	tagged := key + "\x00" + p.etag
	if p.etag != "" && !p.immutable {
		// A page that moves with the store is the same for the same tips.
		if c := h.cached(tagged); c != nil {
			h.sendCached(w, r, c, "no-cache")
			return
		}
	}
	hd := w.Header()
	if p.immutable {
		hd.Set("Cache-Control", immutable)
	} else {
		hd.Set("Cache-Control", "no-cache")
	}
	if p.etag != "" {
		tag := `"` + p.etag + `"`
		if wantJSON {
			tag = `"` + p.etag + `.json"`
		}
		hd.Set("ETag", tag)
		if inm := r.Header.Get("If-None-Match"); inm != "" && inm == tag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
	}
	hd.Set("Vary", "Accept")
	if p.build != nil {
		etag, immutable := p.etag, p.immutable
		if p, err = p.build(); err != nil {
			hd.Del("ETag")
			hd.Set("Cache-Control", "no-cache")
			h.writeError(w, r, wantJSON, err)
			return
		}
		p.etag, p.immutable = etag, immutable
	}
	body, ctype, err := p.body(wantJSON)
	hd.Set("Content-Type", ctype)
	if err != nil {
		hd.Del("ETag")
		hd.Set("Cache-Control", "no-cache")
		h.writeError(w, r, wantJSON, err)
		return
	}
	switch {
	case p.immutable:
		h.keep(key, &rendered{ctype, hd.Get("ETag"), body})
	case p.etag != "":
		h.keep(tagged, &rendered{ctype, hd.Get("ETag"), body})
	}
	h.send(w, r, body)
}

// body renders a page, as JSON or not, with its content type.
func (p *page) body(asJSON bool) ([]byte, string, error) {
	var buf bytes.Buffer
	var ctype string
	var err error
	switch {
	case p.raw != nil:
		return p.raw, p.ctype, nil
	case p.ctype != "":
		ctype = p.ctype
		err = p.json(&buf) // a writer of another type (Atom, changelog HTML)
	case asJSON && p.json != nil:
		ctype = "application/json"
		err = p.json(&buf)
	default:
		ctype = "text/html; charset=utf-8"
		err = pages.ExecuteTemplate(&buf, p.tmpl, p.data)
	}
	return buf.Bytes(), ctype, err
}

const immutable = "public, max-age=31536000, immutable"

// sendCached sends a page rendered before, or 304 when the client has it.
func (h *Handler) sendCached(w http.ResponseWriter, r *http.Request, c *rendered, cacheControl string) {
	hd := w.Header()
	hd.Set("Cache-Control", cacheControl)
	hd.Set("ETag", c.etag)
	hd.Set("Vary", "Accept")
	if r.Header.Get("If-None-Match") == c.etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	hd.Set("Content-Type", c.ctype)
	h.send(w, r, c.body)
}

func (h *Handler) send(w http.ResponseWriter, r *http.Request, body []byte) {
	hd := w.Header()
	hd.Set("X-Content-Type-Options", "nosniff")
	if strings.HasPrefix(hd.Get("Content-Type"), "text/html") {
		hd.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:")
	} else {
		// A raw file is the registry's, not ours: XML can hold script.
		hd.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	}
	hd.Set("Content-Length", strconv.Itoa(len(body)))
	if r.Method == http.MethodHead {
		return
	}
	w.Write(body) // a client gone mid-page only fails this write
}

func (h *Handler) cached(key string) *rendered {
	h.cacheMu.Lock()
	defer h.cacheMu.Unlock()
	return h.cache[key]
}

func (h *Handler) keep(key string, c *rendered) {
	if len(c.body) > h.cacheMax/4 {
		return
	}
	h.cacheMu.Lock()
	defer h.cacheMu.Unlock()
	if h.cache[key] != nil {
		return
	}
	h.cache[key] = c
	h.cacheOrder = append(h.cacheOrder, key)
	h.cacheSize += len(c.body)
	for h.cacheSize > h.cacheMax && len(h.cacheOrder) > 0 {
		old := h.cacheOrder[0]
		h.cacheOrder = h.cacheOrder[1:]
		h.cacheSize -= len(h.cache[old].body)
		delete(h.cache, old)
	}
}

func (h *Handler) writeError(w http.ResponseWriter, r *http.Request, asJSON bool, err error) {
	status := http.StatusInternalServerError
	var he *httpError
	switch {
	case errors.As(err, &he):
		status = he.status
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		status = http.StatusServiceUnavailable
	}
	hd := w.Header()
	hd.Set("Cache-Control", "no-cache")
	hd.Set("X-Content-Type-Options", "nosniff")
	var buf bytes.Buffer
	if asJSON {
		hd.Set("Content-Type", "application/json")
		diff.EncodeJSON(&buf, struct {
			Status int    `json:"status"`
			Error  string `json:"error"`
		}{status, err.Error()})
	} else {
		hd.Set("Content-Type", "text/html; charset=utf-8")
		pages.ExecuteTemplate(&buf, "error", errorView{h.view(http.StatusText(status)), status, err.Error()})
	}
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		w.Write(buf.Bytes())
	}
}

// segments splits the escaped path after Base into unescaped segments,
// so that %2F stays within its segment.
func (h *Handler) segments(r *http.Request) ([]string, error) {
	p := r.URL.EscapedPath()
	rest, ok := strings.CutPrefix(p, h.base+"/")
	if !ok {
		return nil, errStatus(http.StatusNotFound, "%s is not under %s/", p, h.base)
	}
	if rest == "" {
		return nil, nil
	}
	parts := strings.Split(rest, "/")
	for i, s := range parts {
		u, err := url.PathUnescape(s)
		if err != nil {
			return nil, errStatus(http.StatusBadRequest, "bad path segment %q", s)
		}
		parts[i] = u
	}
	return parts, nil
}

// trimPage strips the file forms of a page's last segment: "" (a trailing
// slash), index.html, index.json and a .json suffix. json says whether
// the form asks for JSON.
func trimPage(parts []string) (_ []string, json bool) {
	if n := len(parts); n > 0 {
		switch last := parts[n-1]; {
		case last == "" || last == "index.html":
			return parts[:n-1], false
		case last == "index.json":
			return parts[:n-1], true
		case strings.HasSuffix(last, ".json"):
			parts[n-1] = strings.TrimSuffix(last, ".json")
			return parts, true
		}
	}
	return parts, false
}

func (h *Handler) route(ctx context.Context, r *http.Request) (*page, bool, error) {
	parts, err := h.segments(r)
	if err != nil {
		return nil, false, err
	}
	if len(parts) == 2 && (parts[1] == "feed.atom" || parts[1] == "changelog.html") {
		p, err := h.changelogFile(ctx, parts[0], parts[1])
		return p, false, err
	}
	if len(parts) == 3 && strings.HasPrefix(parts[2], "raw.") {
		p, err := h.raw(parts[0], parts[1], parts[2])
		return p, false, err
	}
	parts, isJSON := trimPage(parts)
	if len(parts) == 0 {
		p, err := h.index()
		return p, isJSON, err
	}
	id := parts[0]
	vs, err := h.versions(id)
	if err != nil {
		return nil, isJSON, err
	}
	switch {
	case len(parts) == 1:
		p, err := h.registry(ctx, id, vs)
		return p, isJSON, err
	case parts[1] == "diff" && len(parts) == 3:
		p, err := h.diff(r, id, vs, parts[2], isJSON)
		return p, isJSON, err
	case parts[1] == "history" && len(parts) == 2 && r.URL.Query().Get("q") != "":
		// The registry page's search form, without JavaScript.
		return &page{redirect: h.dirLink(id, "history", r.URL.Query().Get("q"))}, isJSON, nil
	case parts[1] == "history" && len(parts) >= 3:
		p, err := h.history(ctx, id, vs, strings.Join(parts[2:], "/"))
		return p, isJSON, err
	case len(parts) == 2:
		p, err := h.version(r, id, vs, parts[1], isJSON)
		return p, isJSON, err
	}
	return nil, isJSON, errStatus(http.StatusNotFound, "no page at %s", r.URL.Path)
}

// versions re-reads a registry's versions: cheap when its tip has not
// moved (snapshots keeps a cache keyed by the tip).
func (h *Handler) versions(id string) ([]record.Version, error) {
	if !snapshots.ValidID(id) {
		return nil, errStatus(http.StatusNotFound, "no registry %q in this store", id)
	}
	vs, err := h.s.Versions(id)
	if errors.Is(err, snapshots.ErrEmpty) {
		return nil, errStatus(http.StatusNotFound, "no registry %q in this store", id)
	}
	return vs, err
}

// resolve finds a version spec; perma says whether spec names it by name
// or full commit, so that its page never changes.
func resolve(vs []record.Version, spec string) (i int, perma bool, err error) {
	i, err = snapshots.Resolve(vs, spec)
	if err != nil {
		// A spec of no known form is a bad request; one that names nothing
		// stored (a commit, a date before the first version) is not found.
		var u *snapshots.UnknownSpecError
		if !errors.As(err, &u) && (strings.Contains(err.Error(), "no stored version") || strings.Contains(err.Error(), "before the oldest")) {
			return 0, false, &httpError{http.StatusNotFound, err}
		}
		return 0, false, &httpError{http.StatusBadRequest, err}
	}
	v := vs[i]
	return i, spec == v.Name || spec == v.Commit.String(), nil
}

// link is the URL of a page under Base, each segment escaped.
func (h *Handler) link(segs ...string) string {
	var b strings.Builder
	b.WriteString(h.base)
	for _, s := range segs {
		b.WriteByte('/')
		b.WriteString(url.PathEscape(s))
	}
	return b.String()
}

// dirLink is the URL of a directory page (trailing slash), which a
// static host serves from its index.html.
func (h *Handler) dirLink(segs ...string) string { return h.link(segs...) + "/" }

func rawType(format string) string {
	switch format {
	case "xml":
		return "application/xml"
	case "csv":
		return "text/csv; charset=utf-8"
	}
	if t := mime.TypeByExtension("." + format); t != "" {
		return t
	}
	return "application/octet-stream"
}
