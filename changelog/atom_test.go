package changelog

import (
	"bytes"
	"encoding/xml"
	"regexp"
	"strings"
	"testing"
	"time"
)

// The feed as a reader sees it, decoded independently of the structs that
// wrote it.
type (
	parsedFeed struct {
		XMLName xml.Name      `xml:"http://www.w3.org/2005/Atom feed"`
		ID      []string      `xml:"http://www.w3.org/2005/Atom id"`
		Title   []string      `xml:"http://www.w3.org/2005/Atom title"`
		Updated []string      `xml:"http://www.w3.org/2005/Atom updated"`
		Authors []parsedName  `xml:"http://www.w3.org/2005/Atom author"`
		Links   []parsedLink  `xml:"http://www.w3.org/2005/Atom link"`
		Entries []parsedEntry `xml:"http://www.w3.org/2005/Atom entry"`
	}
	parsedName struct {
		Name string `xml:"http://www.w3.org/2005/Atom name"`
	}
	parsedLink struct {
		Rel  string `xml:"rel,attr"`
		Href string `xml:"href,attr"`
	}
	parsedEntry struct {
		ID      []string     `xml:"http://www.w3.org/2005/Atom id"`
		Title   []string     `xml:"http://www.w3.org/2005/Atom title"`
		Updated []string     `xml:"http://www.w3.org/2005/Atom updated"`
		Links   []parsedLink `xml:"http://www.w3.org/2005/Atom link"`
		Content []struct {
			Type string `xml:"type,attr"`
			Body string `xml:",chardata"`
		} `xml:"http://www.w3.org/2005/Atom content"`
	}
)

func parseFeed(t *testing.T, c *Changelog, f Feed) parsedFeed {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteAtom(&buf, c, f); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(buf.Bytes(), []byte(`<?xml version="1.0" encoding="UTF-8"?>`)) {
		t.Errorf("no XML declaration")
	}
	var p parsedFeed
	if err := xml.Unmarshal(buf.Bytes(), &p); err != nil {
		t.Fatalf("not XML, or not an Atom feed: %v", err)
	}
	return p
}

// tagURI is RFC 4151's syntax: tag:authority,date:specific.
var tagURI = regexp.MustCompile(`^tag:[a-z0-9.-]+,\d{4}(-\d{2}(-\d{2})?)?:[A-Za-z0-9\-._~!$&'()*+,;=:@/?]*$`)

func rfc3339(s string) bool {
	_, err := time.Parse(time.RFC3339, s)
	return err == nil
}

// TestAtomIsValid checks RFC 4287's rules for a feed and its entries.
func TestAtomIsValid(t *testing.T) {
	s := newStore(t, smallVersions())
	c := build(t, s, 0, -1)
	feeds := map[string]Feed{
		"zero Feed":     {},
		"with URLs":     testFeed,
		"custom":        {ID: "urn:uuid:60a76c80-d399-11d9-b93C-0003939e0af6", Title: "Ports", Author: "Ops", TagAuthority: "example.org,2025", Updated: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC), MaxChanges: 1},
		"no change cap": {MaxChanges: -1},
	}
	for name, f := range feeds {
		t.Run(name, func(t *testing.T) {
			p := parseFeed(t, c, f)
			one := func(what string, xs []string) string {
				t.Helper()
				if len(xs) != 1 || strings.TrimSpace(xs[0]) == "" {
					t.Errorf("%s: %d elements %q, want exactly one, not empty", what, len(xs), xs)
					return ""
				}
				return xs[0]
			}
			one("feed id", p.ID)
			one("feed title", p.Title)
			if u := one("feed updated", p.Updated); !rfc3339(u) {
				t.Errorf("feed updated %q is not an RFC 3339 date", u)
			}
			if len(p.Authors) == 0 || p.Authors[0].Name == "" {
				t.Errorf("feed has no author")
			}
			if f.Self != "" {
				found := false
				for _, l := range p.Links {
					found = found || l.Rel == "self" && l.Href == f.Self
				}
				if !found {
					t.Errorf("no self link to %s in %v", f.Self, p.Links)
				}
			}
			if len(p.Entries) != len(c.Entries) {
				t.Fatalf("%d entries, want %d", len(p.Entries), len(c.Entries))
			}
			seen := map[string]bool{}
			for i, e := range p.Entries {
				id := one("entry id", e.ID)
				if seen[id] {
					t.Errorf("entry id %s twice", id)
				}
				seen[id] = true
				if f.ID == "" && !tagURI.MatchString(id) {
					t.Errorf("entry id %q is not a tag: URI", id)
				}
				if !strings.Contains(one("entry title", e.Title), c.Entries[i].Version.Name) {
					t.Errorf("entry title %q does not name the version", e.Title)
				}
				if u := one("entry updated", e.Updated); !rfc3339(u) || !strings.HasPrefix(u, c.Entries[i].Version.Date) {
					t.Errorf("entry updated %q: want the version's date %s in RFC 3339", u, c.Entries[i].Version.Date)
				}
				if len(e.Content) != 1 || e.Content[0].Type != "html" || e.Content[0].Body == "" {
					t.Errorf("entry %s: want one html content, got %+v", id, e.Content)
				}
			}
		})
	}
	t.Run("cap on changes", func(t *testing.T) {
		p := parseFeed(t, c, Feed{MaxChanges: 1, Alternate: "https://example.org/p.html"})
		body := p.Entries[3].Content[0].Body // 2020-02-01: 6 changes, 2 transitions
		if !strings.Contains(body, "… and 7 more: <a href=\"https://example.org/p.html#2020-02-01\">the full entry</a>.") {
			t.Errorf("capped content lacks the note and link:\n%s", body)
		}
	})
}

// TestAtomIDsAreStable builds the same versions in two stores, imported in
// different orders and batches, and in one store before and after a
// same-date version seen earlier arrives (which renames a version from
// 2020-03-01 to 2020-03-01.2): every version keeps its entry id.
func TestAtomIDsAreStable(t *testing.T) {
	all := smallVersions()
	bySHA := func(t *testing.T, c *Changelog) map[string]string {
		t.Helper()
		p := parseFeed(t, c, Feed{})
		out := map[string]string{}
		for i, e := range p.Entries {
			out[c.Entries[i].Version.SHA256] = e.ID[0]
		}
		return out
	}
	inOrder := bySHA(t, build(t, newStore(t, all), 0, -1))

	shuffled := newStore(t, []synth{all[3], all[4]}, []synth{all[0]})
	before := bySHA(t, build(t, shuffled, 0, -1))
	names := map[string]string{}
	for _, v := range versions(t, shuffled) {
		names[v.SHA256] = v.Name
	}
	commit(t, shuffled, all[2], all[1])
	after := bySHA(t, build(t, shuffled, 0, -1))
	renamed := false
	for _, v := range versions(t, shuffled) {
		if old, ok := names[v.SHA256]; ok && old != v.Name {
			renamed = true
		}
	}
	if !renamed {
		t.Fatalf("the test expects a version to be renamed by the later import")
	}
	if len(inOrder) != len(all) || len(after) != len(all) {
		t.Fatalf("%d and %d ids, want %d", len(inOrder), len(after), len(all))
	}
	for sha, id := range before {
		if after[sha] != id {
			t.Errorf("version %s…: id %s before an insertion, %s after", sha[:12], id, after[sha])
		}
	}
	for sha, id := range inOrder {
		if after[sha] != id {
			t.Errorf("version %s…: id %s imported in order, %s shuffled", sha[:12], id, after[sha])
		}
	}
}
