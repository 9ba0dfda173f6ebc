package changelog

import (
	"bytes"
	"encoding/json"
	"flag"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/regdiff/regdiff/diff"
	"github.com/regdiff/regdiff/snapshots/record"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// golden compares got with testdata/name, or rewrites the file with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test ./changelog -run TestGolden -update creates it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (go test ./changelog -run TestGolden -update rewrites it)\ngot:\n%s", path, got)
	}
}

var testFeed = Feed{Self: "https://example.org/ports.atom", Alternate: "https://example.org/ports.html"}

func writers() []struct {
	name  string
	write func(io.Writer, *Changelog) error
} {
	return []struct {
		name  string
		write func(io.Writer, *Changelog) error
	}{
		{"md", WriteMarkdown},
		{"json", WriteJSON},
		{"html", WriteHTML},
		{"atom", func(w io.Writer, c *Changelog) error { return WriteAtom(w, c, testFeed) }},
	}
}

func TestGolden(t *testing.T) {
	s := newStore(t, smallVersions())
	for _, rng := range []struct {
		name         string
		since, until int
	}{{"small", 0, -1}, {"small-range", 2, 3}} {
		c := build(t, s, rng.since, rng.until)
		for _, w := range writers() {
			t.Run(rng.name+"."+w.name, func(t *testing.T) {
				var buf bytes.Buffer
				if err := w.write(&buf, c); err != nil {
					t.Fatal(err)
				}
				golden(t, rng.name+"."+w.name, buf.Bytes())
			})
		}
	}
}

// TestOutputIsDeterministic writes each format twice, from two builds.
func TestOutputIsDeterministic(t *testing.T) {
	s := newStore(t, smallVersions())
	a, b := build(t, s, 0, -1), build(t, s, 0, -1)
	for _, w := range writers() {
		t.Run(w.name, func(t *testing.T) {
			var x, y bytes.Buffer
			if err := w.write(&x, a); err != nil {
				t.Fatal(err)
			}
			if err := w.write(&y, b); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(x.Bytes(), y.Bytes()) {
				t.Errorf("two writes differ")
			}
		})
	}
}

// TestJSONIsDiffJSON checks that each element of the array is, byte for
// byte once compacted, what diff.WriteJSON writes for that entry.
func TestJSONIsDiffJSON(t *testing.T) {
	s := newStore(t, smallVersions())
	c := build(t, s, 0, -1)
	var buf bytes.Buffer
	if err := WriteJSON(&buf, c); err != nil {
		t.Fatal(err)
	}
	var items []json.RawMessage
	if err := json.Unmarshal(buf.Bytes(), &items); err != nil {
		t.Fatalf("not a JSON array: %v", err)
	}
	if len(items) != len(c.Entries) {
		t.Fatalf("%d items for %d entries", len(items), len(c.Entries))
	}
	compact := func(b []byte) string {
		var out bytes.Buffer
		if err := json.Compact(&out, b); err != nil {
			t.Fatal(err)
		}
		return out.String()
	}
	for i := range c.Entries {
		e := &c.Entries[i]
		t.Run(e.Version.Name, func(t *testing.T) {
			if e.Diff == nil {
				// The oldest version on record: an empty diff to it.
				var got struct {
					Registry string
					From     struct{ Version, Commit string }
					To       struct{ Version, Commit string }
					Summary  map[string]int
					Changes  []any
					Trans    []any `json:"transitions"`
				}
				if err := json.Unmarshal(items[i], &got); err != nil {
					t.Fatal(err)
				}
				if got.Registry != testRegistry || got.From.Version != "" || got.To.Version != e.Version.Name || got.To.Commit != e.Version.Commit.String() ||
					len(got.Summary) != 6 || got.Summary["added"] != 0 || got.Changes == nil || len(got.Changes) != 0 || got.Trans == nil || len(got.Trans) != 0 {
					t.Errorf("first version: got %s", items[i])
				}
				return
			}
			var want bytes.Buffer
			if err := diff.WriteJSON(&want, e.Diff); err != nil {
				t.Fatal(err)
			}
			if got, want := compact(items[i]), compact(want.Bytes()); got != want {
				t.Errorf("item %d:\ngot  %s\nwant %s", i, got, want)
			}
		})
	}
}

func TestMarkdown(t *testing.T) {
	s := newStore(t, smallVersions())
	var buf bytes.Buffer
	if err := WriteMarkdown(&buf, build(t, s, 0, -1)); err != nil {
		t.Fatal(err)
	}
	md := buf.String()
	var headings []string
	for _, line := range strings.Split(md, "\n") {
		if strings.HasPrefix(line, "## ") {
			headings = append(headings, line)
		}
	}
	tests := []struct {
		name string
		ok   bool
	}{
		{"a heading per version, newest first", slices.Equal(headings, []string{"## 2020-04-01", "## 2020-03-01.2", "## 2020-03-01", "## 2020-02-01", "## 2020-01-01"})},
		{"diff's own heading is dropped", !strings.Contains(md, "→ 2020")},
		{"diff's sections are kept", strings.Contains(md, "### Port status (2)") && strings.Contains(md, "### Renamed (1)")},
		{"unchanged in one line", strings.Contains(md, "\n\nNo changes since 2020-03-01 to the records, the registry's own elements or its people: the file changed only in its layout.\n\n## 2020-03-01\n")},
		{"first version", strings.HasSuffix(md, "## 2020-01-01\n\nFirst version on record, 8 records.\n")},
		{"markup escaped", strings.Contains(md, `New \<script\>`)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !tt.ok {
				t.Errorf("not so in:\n%s", md)
			}
		})
	}
}

func TestHTML(t *testing.T) {
	s := newStore(t, smallVersions())
	c := build(t, s, 0, -1)
	var buf bytes.Buffer
	if err := WriteHTML(&buf, c); err != nil {
		t.Fatal(err)
	}
	page := buf.String()
	ids := map[string]int{}
	for _, m := range regexp.MustCompile(` id="([^"]*)"`).FindAllStringSubmatch(page, -1) {
		ids[m[1]]++
	}
	var dangling []string
	for _, m := range regexp.MustCompile(` href="#([^"]*)"`).FindAllStringSubmatch(page, -1) {
		if ids[m[1]] == 0 {
			dangling = append(dangling, m[1])
		}
	}
	var dup []string
	for id, n := range ids {
		if n > 1 {
			dup = append(dup, id)
		}
	}
	sectionIDs := regexp.MustCompile(`<section class="entry" id="([^"]*)"`).FindAllStringSubmatch(page, -1)
	var sections []string
	for _, m := range sectionIDs {
		sections = append(sections, m[1])
	}
	tests := []struct {
		name string
		ok   bool
	}{
		{"doctype and viewport", strings.HasPrefix(page, "<!DOCTYPE html>") && strings.Contains(page, `<meta name="viewport" content="width=device-width, initial-scale=1">`)},
		{"a section per version, id = name, newest first", slices.Equal(sections, []string{"2020-04-01", "2020-03-01.2", "2020-03-01", "2020-02-01", "2020-01-01"})},
		{"table of contents links every version", strings.Count(page, `<nav class="toc"`) == 1 && strings.Count(page, `title="`) >= 5},
		{"no dangling anchor", len(dangling) == 0},
		{"no duplicate id", len(dup) == 0},
		{"no script", !strings.Contains(page, "<script")},
		{"markup in records escaped", strings.Contains(page, "New &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &#34;quoted&#34; service")},
		{"nothing loaded from elsewhere", !regexp.MustCompile(`(src|href)="(https?:)?//`).MatchString(page) && !strings.Contains(page, "@import") && !strings.Contains(page, "url(")},
		{"inline CSS", strings.Contains(page, "<style>")},
		{"chart: a plot per status", strings.Count(page, `<svg class="plot"`) == 3},
		{"chart: lines and axes", strings.Count(page, `<path class="line `) == 3 && strings.Contains(page, `class="axis"`)},
		{"chart: axis labels", strings.Contains(page, `text-anchor="end">`) && strings.Contains(page, `>Feb</text>`)},
		{"unchanged entry in one line", strings.Count(page, "No changes since") == 1},
		{"first entry", strings.Contains(page, "<p>First version on record, 8 records.</p>")},
		{"inline word diff of a long text", strings.Contains(page, "<dd><del>SSH</del><ins>The Secure Shell (SSH) Protocol, for remote login and more</ins></dd>")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !tt.ok {
				t.Errorf("not so (dangling %v, duplicate %v, sections %v)", dangling, dup, sections)
			}
		})
	}
}

// TestHTMLWithoutPorts renders a registry that has no port records (like
// protocol-numbers): no series, no chart, still a page.
func TestHTMLWithoutPorts(t *testing.T) {
	c := &Changelog{Registry: "protocol-numbers", Title: "Protocol Numbers", Entries: []Entry{
		{Version: record.Version{Registry: "protocol-numbers", Name: "2020-01-31", Date: "2020-01-31", Records: 150}},
	}}
	var buf bytes.Buffer
	if err := WriteHTML(&buf, c); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "No chart: this registry has no port records.") || strings.Contains(buf.String(), "<svg") {
		t.Errorf("want a page without a chart, got:\n%s", buf.String())
	}
}

func TestChartTimeTicks(t *testing.T) {
	d := func(s string) time.Time { return dateOf(s) }
	tests := []struct {
		name, from, to string
		want           string
	}{
		{"years", "2013-02-18", "2024-03-18", "2014 2015 2016 2017 2018 2019 2020 2021 2022 2023 2024"},
		{"months", "2023-10-23", "2024-03-18", "Nov Dec 2024 Feb Mar"},
		{"every 2nd month", "2022-03-01", "2024-01-08", "May Jul Sep Nov 2023 Mar May Jul Sep Nov 2024"},
		{"one day", "2020-01-01", "2020-01-01", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, tk := range timeTicks(d(tt.from), d(tt.to)) {
				got = append(got, tk.label)
			}
			if s := strings.Join(got, " "); s != tt.want {
				t.Errorf("got %q, want %q", s, tt.want)
			}
		})
	}
}
