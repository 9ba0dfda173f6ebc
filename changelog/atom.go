package changelog

import (
	"bytes"
	"cmp"
	"encoding/xml"
	"io"
	"strings"
	"time"

	"github.com/regdiff/regdiff/snapshots/record"
)

// Feed says where an Atom feed lives and who publishes it. Every field is
// optional; the zero Feed gives a valid feed.
type Feed struct {
	// ID is the feed's id, an IRI that must never change; default: Self,
	// else tag:AUTHORITY:REGISTRY.
	ID string
	// Self is the URL the feed is served at (link rel="self").
	Self string
	// Alternate is the URL of the HTML changelog; entries link to their
	// section in it (Alternate#VERSION).
	Alternate string
	// Title defaults to "TITLE: changelog".
	Title string
	// Author defaults to "regdiff".
	Author string
	// Updated defaults to the newest entry's date, so that regenerating a
	// feed with no new version gives the same bytes.
	Updated time.Time
	// TagAuthority is the "authority,date" part of the tag: URIs
	// (RFC 4151) that identify entries; default "regdiff.invalid,2024".
	// Keep it once the feed is published: entry ids depend on it.
	TagAuthority string
	// MaxChanges caps the changes and port transitions shown in an entry's
	// content; default 100, -1 for no cap.
	MaxChanges int
}

// DefaultTagAuthority is the authority of entry ids when Feed.TagAuthority
// is empty.
const DefaultTagAuthority = "regdiff.invalid,2024"

type (
	atomFeed struct {
		XMLName   xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
		ID        string      `xml:"id"`
		Title     atomText    `xml:"title"`
		Subtitle  *atomText   `xml:"subtitle,omitempty"`
		Updated   string      `xml:"updated"`
		Author    atomPerson  `xml:"author"`
		Links     []atomLink  `xml:"link"`
		Generator atomGen     `xml:"generator"`
		Entries   []atomEntry `xml:"entry"`
	}
	atomText struct {
		Type string `xml:"type,attr,omitempty"`
		Body string `xml:",chardata"`
	}
	atomPerson struct {
		Name string `xml:"name"`
	}
	atomLink struct {
		Rel  string `xml:"rel,attr,omitempty"`
		Type string `xml:"type,attr,omitempty"`
		Href string `xml:"href,attr"`
	}
	atomGen struct {
		URI  string `xml:"uri,attr,omitempty"`
		Body string `xml:",chardata"`
	}
	atomEntry struct {
		ID      string     `xml:"id"`
		Title   atomText   `xml:"title"`
		Updated string     `xml:"updated"`
		Links   []atomLink `xml:"link"`
		Summary atomText   `xml:"summary"`
		Content atomText   `xml:"content"`
	}
)

// WriteAtom writes the changelog as an Atom 1.0 feed (RFC 4287), an entry
// per version, newest first. An entry's id is a tag: URI made of the
// registry and the sha256 of the version's raw file, so it never changes:
// not when versions are inserted before it (which rewrites its commit), not
// when a same-date version seen earlier is imported (which renames it from
// 2019-06-01 to 2019-06-01.2). Its updated date is the version's date, its
// content the entry's changes as HTML.
func WriteAtom(w io.Writer, c *Changelog, f Feed) error {
	auth := cmp.Or(f.TagAuthority, DefaultTagAuthority)
	limit := f.MaxChanges
	switch {
	case limit == 0:
		limit = 100
	case limit < 0:
		limit = 0
	}
	feed := atomFeed{
		ID:        cmp.Or(f.ID, f.Self, "tag:"+auth+":"+cmp.Or(c.Registry, "all")),
		Title:     atomText{Type: "text", Body: cmp.Or(f.Title, c.Title+": changelog")},
		Subtitle:  &atomText{Type: "text", Body: intro(c)},
		Author:    atomPerson{Name: cmp.Or(f.Author, "regdiff")},
		Generator: atomGen{URI: "https://github.com/regdiff/regdiff", Body: "regdiff"},
	}
	if f.Self != "" {
		feed.Links = append(feed.Links, atomLink{Rel: "self", Type: "application/atom+xml", Href: f.Self})
	}
	if f.Alternate != "" {
		feed.Links = append(feed.Links, atomLink{Rel: "alternate", Type: "text/html", Href: f.Alternate})
	}
	var inPage map[string]bool
	if f.Alternate != "" {
		inPage = make(map[string]bool, len(c.Entries))
		for i := range c.Entries {
			inPage[c.anchor(c.Entries[i].Version)] = true
		}
	}
	updated := f.Updated
	var buf bytes.Buffer
	for i := range c.Entries {
		e := &c.Entries[i]
		when := dateOf(e.Version.Date)
		if when.After(updated) {
			updated = when
		}
		buf.Reset()
		v := newEntryView(c, e, f.Alternate, inPage, limit)
		if err := templates.ExecuteTemplate(&buf, "body", v); err != nil {
			return err
		}
		ae := atomEntry{
			ID:      EntryID(auth, e.Version.Registry, e.Version.SHA256),
			Title:   atomText{Type: "text", Body: c.label(e.Version) + ": " + headline(e)},
			Updated: when.UTC().Format(time.RFC3339),
			Summary: atomText{Type: "text", Body: headline(e)},
			Content: atomText{Type: "html", Body: oneLineHTML(buf.String())},
		}
		if f.Alternate != "" {
			ae.Links = append(ae.Links, atomLink{Rel: "alternate", Type: "text/html", Href: f.Alternate + "#" + c.anchor(e.Version)})
		}
		feed.Entries = append(feed.Entries, ae)
	}
	feed.Updated = updated.UTC().Format(time.RFC3339)
	// encoding/xml writes the C0 controls XML forbids as U+FFFD, but DEL
	// and the C1 controls raw: the feed, which holds none of its own, is
	// filtered whole.
	var out strings.Builder
	out.WriteString(xml.Header)
	enc := xml.NewEncoder(&out)
	enc.Indent("", "  ")
	if err := enc.Encode(feed); err != nil {
		return err
	}
	out.WriteString("\n")
	_, err := io.WriteString(w, record.PrintableText(out.String()))
	return err
}

// EntryID is the Atom id of a version: tag:AUTHORITY:REGISTRY/sha256:HEX,
// where HEX is the sha256 of the version's raw file.
func EntryID(authority, registry, sha256 string) string {
	return "tag:" + authority + ":" + registry + "/sha256:" + sha256
}

// oneLineHTML drops the template's line breaks, which XML would write as
// "&#xA;": between tags they mean nothing, and record text never holds one.
func oneLineHTML(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(strings.TrimSpace(s), ">\n", ">"), "\n", " ")
}
