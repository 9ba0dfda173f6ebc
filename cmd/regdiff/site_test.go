package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/regdiff/regdiff/internal/realstore"
	"github.com/regdiff/regdiff/snapshots"
	"github.com/regdiff/regdiff/web"
)

// siteFiles reads every file of an exported site, by path relative to it.
func siteFiles(t testing.TB, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		out[filepath.ToSlash(rel)] = b
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// changedFiles are the files added or whose bytes differ.
func changedFiles(before, after map[string][]byte) []string {
	var out []string
	for p, b := range after {
		if old, ok := before[p]; !ok || !bytes.Equal(old, b) {
			out = append(out, p)
		}
	}
	slices.Sort(out)
	return out
}

var hrefRE = regexp.MustCompile(`(?:href|action)="([^"#?]*)`)

// checkLinks: every root-relative link of every HTML page names a file of
// the site, a directory link its index.html, as a static host serves it.
func checkLinks(t *testing.T, files map[string][]byte, base string) {
	t.Helper()
	n := 0
	for p, b := range files {
		if !strings.HasSuffix(p, ".html") {
			continue
		}
		for _, m := range hrefRE.FindAllSubmatch(b, -1) {
			link := string(m[1])
			if link == "" || strings.Contains(link, "://") {
				continue
			}
			rel, ok := strings.CutPrefix(link, base+"/")
			if !ok {
				t.Errorf("%s: link %q is not under %s/", p, link, base)
				continue
			}
			if rel == "" || strings.HasSuffix(rel, "/") {
				rel += "index.html"
			}
			rel = strings.ReplaceAll(rel, "%20", " ")
			if _, ok := files[rel]; !ok {
				t.Errorf("%s: link %q names no file of the site", p, link)
			}
			n++
		}
	}
	if n == 0 {
		t.Error("no link checked")
	}
}

// TestSite exports the fixture store: the files expected and no other,
// links that resolve on a static host, raw files equal to the imported
// ones, JSON equal to the commands', a second run that writes nothing, and
// after a new version exactly the pages it changes.
func TestSite(t *testing.T) {
	for _, base := range []string{"", "/sub/dir"} {
		t.Run("base="+base, func(t *testing.T) { testSite(t, base) })
	}
}

func testSite(t *testing.T, base string) {
	ctx := context.Background()
	store := filepath.Join(t.TempDir(), "store")
	g, _, _ := testGlobals(t, store)
	if err := runImport(ctx, &importOptions{globals: g, inputs: []string{"testdata/ports-2019.xml", "testdata/ports-2024.xml", "testdata/protocols.xml"}, quiet: true}); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "site")
	g, out, _ := testGlobals(t, store)
	if err := runSite(ctx, &siteOptions{globals: g, dir: dir, base: base, json: true}); err != nil {
		t.Fatal(err)
	}
	files := siteFiles(t, dir)
	const P = "service-names-port-numbers/"
	want := []string{".regdiff-site.json", "index.html", "index.json"}
	for _, reg := range []string{P, "protocol-numbers/"} {
		want = append(want, reg+"index.html", reg+"index.json", reg+"feed.atom", reg+"changelog.html")
	}
	for _, v := range []string{P + "2019-12-31/", P + "2024-03-18/", "protocol-numbers/2024-01-08/"} {
		want = append(want, v+"index.html", v+"index.json", v+"raw.xml")
	}
	want = append(want, P+"diff/2019-12-31..2024-03-18/index.html", P+"diff/2019-12-31..2024-03-18/index.json")
	slices.Sort(want)
	if got := slices.Sorted(maps.Keys(files)); !slices.Equal(got, want) {
		t.Fatalf("files:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if !strings.Contains(out.String(), `"written": 21`) {
		t.Errorf("summary: %s", out)
	}
	checkLinks(t, files, base)
	raw, _ := os.ReadFile("testdata/ports-2024.xml")
	if !bytes.Equal(files[P+"2024-03-18/raw.xml"], raw) {
		t.Error("raw.xml differs from the file imported")
	}
	g, diffOut, _ := testGlobals(t, store)
	if err := runDiff(ctx, &diffOptions{globals: g, from: "2019", to: "2024", json: true, color: "never"}); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(files[P+"diff/2019-12-31..2024-03-18/index.json"], diffOut.Bytes()) {
		t.Error("the diff's index.json differs from diff --json")
	}

	// Again: nothing to write, the version pages not even rendered.
	g, out, _ = testGlobals(t, store)
	if err := runSite(ctx, &siteOptions{globals: g, dir: dir, base: base, json: true}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), `"written": 0`) || !strings.Contains(out.String(), `"skipped": 11`) {
		t.Errorf("second run: %s", out)
	}
	if c := changedFiles(files, siteFiles(t, dir)); len(c) > 0 {
		t.Errorf("second run changed %v", c)
	}
	// A file removed by hand is written again, and only it.
	os.Remove(filepath.Join(dir, P+"2019-12-31/index.json"))
	g, out, _ = testGlobals(t, store)
	if err := runSite(ctx, &siteOptions{globals: g, dir: dir, base: base, json: true}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), `"written": 1,`) {
		t.Errorf("after a removed file: %s", out)
	}
	if c := changedFiles(files, siteFiles(t, dir)); len(c) > 0 {
		t.Errorf("after a removed file, changed %v", c)
	}

	// A new version: its pages, the diff with the one before, and the
	// pages that list versions; nothing else.
	src, _ := os.ReadFile("testdata/ports-2024.xml")
	next := strings.ReplaceAll(string(src), "2024-03-18", "2025-01-02")
	next = strings.Replace(next, "<description>World Wide Web HTTP</description>", "<description>World Wide Web HTTP, changed</description>", 1)
	file := filepath.Join(t.TempDir(), "ports-2025.xml")
	os.WriteFile(file, []byte(next), 0o644)
	g, _, _ = testGlobals(t, store)
	if err := runImport(ctx, &importOptions{globals: g, inputs: []string{file}, quiet: true}); err != nil {
		t.Fatal(err)
	}
	g, _, _ = testGlobals(t, store)
	if err := runSite(ctx, &siteOptions{globals: g, dir: dir, base: base}); err != nil {
		t.Fatal(err)
	}
	got := changedFiles(files, siteFiles(t, dir))
	want = []string{".regdiff-site.json", "index.html", "index.json",
		P + "2025-01-02/index.html", P + "2025-01-02/index.json", P + "2025-01-02/raw.xml",
		P + "changelog.html", P + "diff/2024-03-18..2025-01-02/index.html", P + "diff/2024-03-18..2025-01-02/index.json",
		P + "feed.atom", P + "index.html", P + "index.json"}
	if !slices.Equal(got, want) {
		t.Errorf("after one new version, changed:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// The version before keeps its bytes: its page links to the next
	// version only while there is none, so that a permalink never moves.
}

// TestSiteErrors: a DIR that cannot be written is exit 9 or an error
// naming it, and no store is exit 7.
func TestSiteErrors(t *testing.T) {
	ctx := context.Background()
	g, _, _ := testGlobals(t, filepath.Join(t.TempDir(), "none"))
	var ce *codeError
	if err := runSite(ctx, &siteOptions{globals: g, dir: t.TempDir()}); !errors.As(err, &ce) || ce.code != exitStore {
		t.Errorf("no store: %v, want exit %d", err, exitStore)
	}
	store := filepath.Join(t.TempDir(), "store")
	g, _, _ = testGlobals(t, store)
	if err := runImport(ctx, &importOptions{globals: g, inputs: []string{"testdata/ports-2019.xml"}, quiet: true}); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "a-file")
	os.WriteFile(file, nil, 0o644)
	g, _, _ = testGlobals(t, store)
	if err := runSite(ctx, &siteOptions{globals: g, dir: filepath.Join(file, "site")}); err == nil || !strings.Contains(err.Error(), file) {
		t.Errorf("DIR under a file: %v", err)
	}
}

// TestSiteReal exports the shared bundle's store, then a copy with one
// version more, and checks that only that version's pages and the pages
// listing versions were written; the times are logged.
func TestSiteReal(t *testing.T) {
	store := realstore.Copy(t)
	s, err := snapshots.Open(store)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "site")
	start := time.Now()
	sum, err := web.Site(ctx, s, dir, web.SiteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	full := time.Since(start)
	before := siteFiles(t, dir)
	t.Logf("full export: %v, %d files written", full, sum.Written)

	vs, _ := s.Versions(snapshots.DefaultRegistry)
	last := vs[len(vs)-1]
	raw, err := s.Raw(last)
	if err != nil {
		t.Fatal(err)
	}
	next := bytes.Replace(raw, []byte("<updated>"+last.Date+"</updated>"), []byte("<updated>2099-01-01</updated>"), 1)
	next = bytes.Replace(next, []byte("<description>Secure Shell"), []byte("<description>Secured Shell"), 1)
	file := filepath.Join(t.TempDir(), "next.xml")
	os.WriteFile(file, next, 0o644)
	g, _, errb := testGlobals(t, store)
	if err := runImport(ctx, &importOptions{globals: g, inputs: []string{file}, quiet: true, force: true}); err != nil {
		t.Fatalf("%v: %s", err, errb)
	}
	s, _ = snapshots.Open(store)
	vs2, _ := s.Versions(snapshots.DefaultRegistry)
	if len(vs2) != len(vs)+1 {
		t.Fatalf("the import added %d versions", len(vs2)-len(vs))
	}
	nv := vs2[len(vs2)-1].Name
	start = time.Now()
	sum, err = web.Site(ctx, s, dir, web.SiteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	inc := time.Since(start)
	got := changedFiles(before, siteFiles(t, dir))
	const P = "service-names-port-numbers/"
	want := []string{".regdiff-site.json", "index.html", "index.json",
		P + nv + "/index.html", P + nv + "/index.json", P + nv + "/raw.xml",
		P + "changelog.html", P + "diff/" + last.Name + ".." + nv + "/index.html", P + "diff/" + last.Name + ".." + nv + "/index.json",
		P + "feed.atom", P + "index.html", P + "index.json"}
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("after one new version, changed:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	t.Logf("after one new version: %v, %d files written, %d unchanged, %d skipped (full export %v: %.1fx)", inc, sum.Written, sum.Unchanged, sum.Skipped, full, float64(full)/float64(inc))
}

// BenchmarkSiteFull: a site of the shared bundle's store from nothing
// (target ≤ 60 s), against BenchmarkSiteBaseline in the same run.
func BenchmarkSiteFull(b *testing.B) {
	store, _ := realstore.Store(b)
	s, err := snapshots.Open(store)
	if err != nil {
		b.Fatal(err)
	}
	for i := range b.N {
		dir := filepath.Join(b.TempDir(), fmt.Sprint("site", i))
		sum, err := web.Site(context.Background(), s, dir, web.SiteOptions{})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(sum.Written), "files")
	}
}

// BenchmarkSiteOneNew: the export after one new version (target ≤ 5 s).
func BenchmarkSiteOneNew(b *testing.B) {
	store := realstore.Copy(b)
	s, err := snapshots.Open(store)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	base := filepath.Join(b.TempDir(), "site")
	if _, err := web.Site(ctx, s, base, web.SiteOptions{}); err != nil {
		b.Fatal(err)
	}
	vs, _ := s.Versions(snapshots.DefaultRegistry)
	last := vs[len(vs)-1]
	raw, _ := s.Raw(last)
	next := bytes.Replace(raw, []byte("<updated>"+last.Date+"</updated>"), []byte("<updated>2099-01-01</updated>"), 1)
	file := filepath.Join(b.TempDir(), "next.xml")
	os.WriteFile(file, next, 0o644)
	var out, errb bytes.Buffer
	g := &globals{store: store, registry: snapshots.DefaultRegistry, io: &streams{Out: &out, Err: &errb, Getenv: func(string) string { return "" }}}
	if err := runImport(ctx, &importOptions{globals: g, inputs: []string{file}, quiet: true, force: true}); err != nil {
		b.Fatalf("%v: %s", err, errb.String())
	}
	s, _ = snapshots.Open(store)
	b.ResetTimer()
	for i := range b.N {
		b.StopTimer()
		dir := filepath.Join(b.TempDir(), fmt.Sprint("site", i))
		if out, err := exec.Command("cp", "-a", base, dir).CombinedOutput(); err != nil {
			b.Fatalf("%v: %s", err, out)
		}
		b.StartTimer()
		sum, err := web.Site(ctx, s, dir, web.SiteOptions{})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(sum.Written), "files")
	}
}

// BenchmarkSiteBaseline: what the commands print for the same pages'
// JSON, to a buffer: show --json for every version and diff --json for
// every consecutive pair, of both registries.
func BenchmarkSiteBaseline(b *testing.B) {
	store, _ := realstore.Store(b)
	s, err := snapshots.Open(store)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	for range b.N {
		for _, reg := range realstore.Registries {
			vs, _ := s.Versions(reg)
			for i, v := range vs {
				g := &globals{store: store, registry: reg, io: &streams{Out: io.Discard, Err: io.Discard, Getenv: func(string) string { return "" }}}
				if err := runShow(ctx, &showOptions{globals: g, version: v.Name, json: true}); err != nil {
					b.Fatal(err)
				}
				if i > 0 {
					if err := runDiff(ctx, &diffOptions{globals: g, from: vs[i-1].Name, to: v.Name, json: true, color: "never"}); err != nil {
						b.Fatal(err)
					}
				}
			}
		}
	}
}
