package main

import (
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/regdiff/regdiff/snapshots"
)

func TestChangelog(t *testing.T) {
	c := newCLI(t)
	c.mustRun("import", "testdata/ports-2019.xml", "testdata/ports-2024.xml")
	md := c.mustRun("changelog")
	i2024, i2019 := strings.Index(md, "## 2024-03-18"), strings.Index(md, "## 2019-12-31")
	if i2024 < 0 || i2019 < 0 || i2024 > i2019 || !strings.Contains(md, "newsvc") {
		t.Errorf("changelog md (newest first, with the 2024 changes):\n%s", md)
	}
	out := filepath.Join(t.TempDir(), "feed.atom")
	c.mustRun("changelog", "--format", "atom", "--feed-url", "https://example.org/ports.atom", "-o", out)
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var feed struct {
		XMLName xml.Name
		Entries []struct {
			ID string `xml:"id"`
		} `xml:"entry"`
	}
	if err := xml.Unmarshal(b, &feed); err != nil || feed.XMLName.Local != "feed" || len(feed.Entries) != 2 {
		t.Errorf("atom feed: %v %+v", err, feed)
	}
	// A date is a calendar window: one before the oldest version keeps them all.
	if all := c.mustRun("changelog", "--since", "1999"); all != md {
		t.Errorf("--since 1999: got\n%s\nwant every version, as without --since:\n%s", all, md)
	}
	if code, _, errs := c.run("changelog", "--since", "latest~5"); code != exitError || !strings.Contains(errs, "--since latest~5") {
		t.Errorf("--since before the oldest version: exit %d, %q", code, errs)
	}
	if code, _, errs := c.run("changelog", "--since", "2024", "--until", "2019"); code != exitError || errs == "" {
		t.Errorf("--since after --until: exit %d, %q", code, errs)
	}
	if code, _, errs := c.run("changelog", "--format", "pdf"); code != exitError || !strings.Contains(errs, `unknown --format "pdf"`) {
		t.Errorf("--format pdf: exit %d, %q", code, errs)
	}
}

// changelog --all is one changelog of every registry: entries of all of
// them newest first by date, each headed by registry and version, linked
// and identified per registry; the window applies to each registry.
func TestChangelogAll(t *testing.T) {
	c := newCLI(t)
	c.mustRun("import", "testdata/ports-2019.xml", "testdata/ports-2024.xml", "testdata/protocols.xml")
	md := c.mustRun("changelog", "--all")
	heads := []string{"## service-names-port-numbers 2024-03-18", "## protocol-numbers 2024-01-08", "## service-names-port-numbers 2019-12-31"}
	last := -1
	for _, h := range heads {
		i := strings.Index(md, h)
		if i < last {
			t.Errorf("changelog --all lacks %q after the headings before it:\n%s", h, md)
		}
		last = i
	}
	if !strings.Contains(md, "Every registry: 3 versions of 2 registries") {
		t.Errorf("intro:\n%s", md)
	}

	// The window applies to each registry: since 2020 keeps the 2024 port
	// version (against 2019) and the protocols.
	since := c.mustRun("changelog", "--all", "--since", "2020")
	if strings.Contains(since, "## service-names-port-numbers 2019-12-31") || !strings.Contains(since, "Changes since 2019-12-31") || !strings.Contains(since, "## protocol-numbers 2024-01-08") {
		t.Errorf("--all --since 2020:\n%s", since)
	}

	html := c.mustRun("changelog", "--all", "--format", "html")
	for _, id := range []string{`id="service-names-port-numbers/2024-03-18"`, `id="protocol-numbers/2024-01-08"`} {
		if !strings.Contains(html, id) {
			t.Errorf("html lacks %s", id)
		}
	}
	var feed struct {
		ID      string `xml:"id"`
		Entries []struct {
			ID    string `xml:"id"`
			Title string `xml:"title"`
		} `xml:"entry"`
	}
	if err := xml.Unmarshal([]byte(c.mustRun("changelog", "--all", "--format", "atom")), &feed); err != nil || len(feed.Entries) != 3 {
		t.Fatalf("atom: %v %+v", err, feed)
	}
	// Entry ids are those of each registry's own feed.
	var one struct {
		Entries []struct {
			ID string `xml:"id"`
		} `xml:"entry"`
	}
	xml.Unmarshal([]byte(c.mustRun("--registry", "protocol-numbers", "changelog", "--format", "atom")), &one)
	if len(one.Entries) != 1 || feed.Entries[1].ID != one.Entries[0].ID || !strings.HasPrefix(feed.Entries[1].Title, "protocol-numbers 2024-01-08: ") {
		t.Errorf("protocol-numbers entry in --all %+v, in its own feed %+v", feed.Entries[1], one.Entries)
	}
	// latest~1 exists for the ports only: protocol-numbers, with one
	// version, is left out, and said so.
	code, out, errs := c.run("changelog", "--all", "--since", "latest~1")
	if code != exitOK || !strings.Contains(out, "## service-names-port-numbers 2024-03-18") || strings.Contains(out, "## protocol-numbers") || !strings.Contains(errs, "does not resolve in 1 of 2 registries") {
		t.Errorf("--all --since latest~1: exit %d\n%s%s", code, out, errs)
	}
	if code, _, errs := c.run("changelog", "--all", "--since", "latest~9"); code != exitError || !strings.Contains(errs, "--since latest~9") {
		t.Errorf("--all --since latest~9 (in no registry): exit %d, %q", code, errs)
	}
	if code, _, errs := c.run("changelog", "--all", "--since", "2019-13"); code != exitError {
		t.Errorf("--all --since 2019-13: exit %d, %q", code, errs)
	}
	empty := newCLI(t)
	if _, err := snapshots.Create(empty.store); err != nil { // a store with no versions
		t.Fatal(err)
	}
	if code, _, errs := empty.run("changelog", "--all"); code != exitStore || !strings.Contains(errs, "holds no versions") {
		t.Errorf("--all on an empty store: exit %d, %q", code, errs)
	}
	if code, _, errs := c.run("changelog", "--all", "--since", "2030"); code != exitOK || !strings.Contains(errs, "no version of any registry") {
		t.Errorf("--all --since 2030: exit %d, %q", code, errs)
	}
}
