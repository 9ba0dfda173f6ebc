package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"

	"github.com/regdiff/regdiff/snapshots"
)

// SiteOptions configure [Site].
type SiteOptions struct {
	// Base is the path the site is served under on its host ("" for the
	// root, "/regdiff" for a sub-folder): links are written under it.
	Base string
	// FeedURL is the site's absolute URL, for the Atom feeds' links.
	FeedURL string
	// Progress, when set, is called after each page with the pages done
	// and the pages to do.
	Progress func(done, total int)
}

// SiteSummary counts what a [Site] export did.
type SiteSummary struct {
	Written   int `json:"written"`   // files whose bytes changed (or new)
	Unchanged int `json:"unchanged"` // files rendered again, with the same bytes
	Skipped   int `json:"skipped"`   // permalink pages of versions exported before, not rendered
}

// manifestName is the file in DIR that remembers what the last export
// wrote: the commit of every version whose pages exist.
const manifestName = ".regdiff-site.json"

type manifest struct {
	Format     int                          `json:"format"`
	Base       string                       `json:"base"`
	Registries map[string]map[string]string `json:"registries"` // id → version name → commit
}

// Site writes the pages of every registry of s into dir as files, each
// page rendered through the same handler that `regdiff serve` runs, so
// any static host serves them (directory pages as index.html, their JSON
// as index.json):
//
//	index.html, index.json
//	ID/index.html, ID/index.json, ID/feed.atom, ID/changelog.html
//	ID/VERSION/index.html, ID/VERSION/index.json, ID/VERSION/raw.FORMAT
//	ID/diff/PREV..VERSION/index.html and index.json, for each consecutive pair
//
// No history page is written (there is one for every value of every
// registry): the static registry page has no history form.
//
// A version's pages and the diff with the version before it are named by
// permalinks, so they never change: a version the manifest lists with the
// same commit, whose files are there, is skipped. The pages that move with
// the store (index and registry pages, feeds) are rendered on every run.
// Each file is written to a temporary file and renamed, and only when its
// bytes differ. Pages of versions gone from the store are left in place.
func Site(ctx context.Context, s *snapshots.Store, dir string, o SiteOptions) (SiteSummary, error) {
	var sum SiteSummary
	h := New(s, Options{Base: o.Base, FeedURL: o.FeedURL, CacheBytes: -1})
	h.static = true
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return sum, fmt.Errorf("site %s: %w", dir, err)
	}
	old := readManifest(filepath.Join(dir, manifestName), o.Base)
	next := manifest{Format: 1, Base: o.Base, Registries: map[string]map[string]string{}}
	ids, err := s.Registries()
	if err != nil {
		return sum, err
	}
	// A page is a URL and the files it goes to: the HTML and, for a
	// directory page, its JSON, both from one rendering of the route.
	type pageFile struct{ url, file, jsonFile string }
	var todo []pageFile
	dirPage := func(segs ...string) {
		p := filepath.Join(append([]string{dir}, segs...)...)
		todo = append(todo, pageFile{h.dirLink(segs...), filepath.Join(p, "index.html"), filepath.Join(p, "index.json")})
	}
	dirPage()
	for _, id := range ids {
		vs, err := s.Versions(id)
		if errors.Is(err, snapshots.ErrEmpty) {
			continue
		}
		if err != nil {
			return sum, err
		}
		dirPage(id)
		todo = append(todo,
			pageFile{url: h.link(id, "feed.atom"), file: filepath.Join(dir, id, "feed.atom")},
			pageFile{url: h.link(id, "changelog.html"), file: filepath.Join(dir, id, "changelog.html")})
		done := map[string]string{}
		next.Registries[id] = done
		for i, v := range vs {
			done[v.Name] = v.Commit.String()
			if old.Registries[id][v.Name] == v.Commit.String() && (i == 0 || old.Registries[id][vs[i-1].Name] == vs[i-1].Commit.String()) &&
				exists(filepath.Join(dir, id, v.Name, "index.html"), filepath.Join(dir, id, v.Name, "index.json"), filepath.Join(dir, id, v.Name, "raw."+v.Format)) &&
				(i == 0 || exists(filepath.Join(dir, id, "diff", vs[i-1].Name+".."+v.Name, "index.html"), filepath.Join(dir, id, "diff", vs[i-1].Name+".."+v.Name, "index.json"))) {
				sum.Skipped += 3
				if i > 0 {
					sum.Skipped += 2
				}
				continue
			}
			dirPage(id, v.Name)
			todo = append(todo, pageFile{url: h.link(id, v.Name, "raw."+v.Format), file: filepath.Join(dir, id, v.Name, "raw."+v.Format)})
			if i > 0 {
				dirPage(id, "diff", vs[i-1].Name+".."+v.Name)
			}
		}
	}
	// Pages are rendered by as many workers as there are processors; the
	// handler is safe for concurrent use.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		mu       sync.Mutex
		firstErr error
		ndone    int
		wg       sync.WaitGroup
	)
	work := make(chan pageFile)
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for p := range work {
				written, unchanged, err := exportPage(ctx, h, p.url, p.file, p.jsonFile)
				mu.Lock()
				sum.Written += written
				sum.Unchanged += unchanged
				ndone++
				if err != nil && firstErr == nil {
					firstErr = err
					cancel()
				}
				if o.Progress != nil && err == nil {
					o.Progress(ndone, len(todo))
				}
				mu.Unlock()
			}
		}()
	}
feed:
	for _, p := range todo {
		select {
		case work <- p:
		case <-ctx.Done():
			break feed
		}
	}
	close(work)
	wg.Wait()
	if firstErr != nil {
		return sum, firstErr
	}
	if err := ctx.Err(); err != nil {
		return sum, err
	}
	// The manifest goes last: an export cut short is done again.
	b, _ := json.MarshalIndent(next, "", "  ")
	if _, err := writeIfChanged(filepath.Join(dir, manifestName), append(b, '\n')); err != nil {
		return sum, err
	}
	return sum, nil
}

// exportPage renders one URL as a client would ask for it, and its JSON
// form from the same route when jsonFile is set, and writes the files.
func exportPage(ctx context.Context, h *Handler, url, file, jsonFile string) (written, unchanged int, err error) {
	req := httptest.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	p, _, err := h.route(ctx, req)
	if err == nil && p.redirect != "" {
		err = fmt.Errorf("redirected to %s", p.redirect)
	}
	if err != nil {
		return 0, 0, fmt.Errorf("site: page %s: %w", url, err)
	}
	for _, f := range []struct {
		file   string
		asJSON bool
	}{{file, false}, {jsonFile, true}} {
		if f.file == "" {
			continue
		}
		body, _, err := p.body(f.asJSON)
		if err != nil {
			return written, unchanged, fmt.Errorf("site: page %s: %w", url, err)
		}
		changed, err := writeIfChanged(f.file, body)
		if err != nil {
			return written, unchanged, err
		}
		if changed {
			written++
		} else {
			unchanged++
		}
	}
	return written, unchanged, nil
}

func firstLine(s string) string { l, _, _ := strings.Cut(s, "\n"); return l }

func readManifest(path, base string) manifest {
	var m manifest
	b, err := os.ReadFile(path)
	if err != nil || json.Unmarshal(b, &m) != nil || m.Format != 1 || m.Base != base {
		return manifest{} // no manifest, or another base: every page again
	}
	return m
}

// exists says whether every path is there: a file removed from DIR by
// hand is written again.
func exists(paths ...string) bool {
	for _, p := range paths {
		if _, err := os.Stat(p); err != nil {
			return false
		}
	}
	return true
}

// writeIfChanged writes body to path through a temporary file and a
// rename, unless path holds those bytes already.
func writeIfChanged(path string, body []byte) (bool, error) {
	if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, body) {
		return false, nil
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return false, fmt.Errorf("site: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return false, fmt.Errorf("site: %w", err)
	}
	_, err = tmp.Write(body)
	if err == nil {
		err = tmp.Chmod(0o644)
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return false, fmt.Errorf("site: write %s: %w", path, err)
	}
	return true, nil
}
