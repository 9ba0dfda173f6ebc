package main

import (
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
	"testing"
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
