package changelog

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/regdiff/regdiff/diff"
	"github.com/regdiff/regdiff/snapshots/record"
)

// WriteMarkdown writes the changelog as Markdown: a title, then a "##"
// heading per version, newest first, followed by diff's Markdown for its
// changes (summary, a "###" section per kind of change, port status
// transitions).
func WriteMarkdown(w io.Writer, c *Changelog) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "# %s: changelog\n\n%s\n", md(c.Title), md(intro(c)))
	var buf bytes.Buffer
	for i := range c.Entries {
		e := &c.Entries[i]
		fmt.Fprintf(bw, "\n## %s\n\n", md(c.label(e.Version)))
		switch {
		case e.First():
			fmt.Fprintf(bw, "%s\n", md(firstText(e)))
		case e.Unchanged():
			fmt.Fprintf(bw, "%s\n", md(unchangedText(e)))
		default:
			fmt.Fprintf(bw, "Changes since %s · %s records.\n\n", md(e.Previous.Name), thousands(e.Version.Records))
			buf.Reset()
			if err := diff.WriteMarkdown(&buf, e.Diff); err != nil {
				return err
			}
			// Drop diff's own "## FROM → TO" heading: the version's heading
			// and the line above say it.
			body := buf.Bytes()
			if bytes.HasPrefix(body, []byte("## ")) {
				if i := bytes.Index(body, []byte("\n\n")); i >= 0 {
					body = body[i+2:]
				}
			}
			bw.Write(body)
		}
	}
	return bw.Flush()
}

// WriteJSON writes the entries, newest first, as one JSON array of diff
// objects, each exactly as [diff.WriteJSON] writes it. The oldest version on
// record, which has nothing to be compared with, has an empty "from"
// version and no changes.
func WriteJSON(w io.Writer, c *Changelog) error {
	items := make([]json.RawMessage, len(c.Entries))
	var buf bytes.Buffer
	for i := range c.Entries {
		buf.Reset()
		if err := diff.WriteJSON(&buf, entryResult(c, &c.Entries[i])); err != nil {
			return err
		}
		items[i] = slices.Clone(buf.Bytes())
	}
	return diff.EncodeJSON(w, items)
}

// entryResult is the entry's diff, or for the oldest version on record an
// empty one to it.
func entryResult(c *Changelog, e *Entry) *diff.Result {
	if e.Diff != nil {
		return e.Diff
	}
	return &diff.Result{
		Registry:    e.Version.Registry,
		To:          diff.VersionOf(e.Version),
		Changes:     []diff.Change{},
		Transitions: []diff.Transition{},
	}
}

// intro is the line under the title.
func intro(c *Changelog) string {
	n := len(c.Entries)
	if c.Registry == "" {
		regs := map[string]bool{}
		for i := range c.Entries {
			regs[c.Entries[i].Version.Registry] = true
		}
		if n == 0 {
			return "Every registry: no versions in this range."
		}
		return fmt.Sprintf("Every registry: %d versions of %d registries, dated %s to %s, newest first.", n, len(regs), c.Entries[n-1].Version.Date, c.Entries[0].Version.Date)
	}
	if n == 0 {
		return "Registry " + c.Registry + ": no versions in this range."
	}
	newest, oldest := c.Entries[0].Version.Name, c.Entries[n-1].Version.Name
	if n == 1 {
		return fmt.Sprintf("Registry %s: version %s.", c.Registry, newest)
	}
	return fmt.Sprintf("Registry %s: %d versions from %s to %s, newest first.", c.Registry, n, oldest, newest)
}

func firstText(e *Entry) string {
	return fmt.Sprintf("First version on record, %s records.", thousands(e.Version.Records))
}

func unchangedText(e *Entry) string {
	if e.Diff.ItemsNote != "" {
		return fmt.Sprintf("No record changes since %s (%s).", e.Previous.Name, e.Diff.ItemsNote)
	}
	return fmt.Sprintf("No changes since %s to the records, the registry's own elements or its people: the file changed only in its layout.", e.Previous.Name)
}

// summaryText is "3 added, 1 removed, 2 changed, 0 renamed", as diff
// writes it.
func summaryText(r *diff.Result) string {
	return fmt.Sprintf("%d added, %d removed, %d changed, %d renamed", r.Added, r.Removed, r.Changed, r.Renamed)
}

// portsText counts ports per kind of status transition, most frequent
// first, as diff's summary line does: "95 Unassigned → Assigned, …".
func portsText(ts []diff.Transition) string {
	var out []string
	for _, c := range diff.CountTransitions(ts) {
		out = append(out, fmt.Sprintf("%s %s → %s", thousands(c.Ports), c.From, c.To))
	}
	return strings.Join(out, ", ")
}

// headline is an entry's one-line description, for feed titles and the
// table of contents.
func headline(e *Entry) string {
	switch {
	case e.First():
		return fmt.Sprintf("first version on record, %s records", thousands(e.Version.Records))
	case e.Unchanged():
		return "no changes"
	}
	var parts []string
	if len(e.Diff.Changes) > 0 || len(e.Diff.Transitions) > 0 {
		parts = append(parts, summaryText(e.Diff))
	} else {
		parts = append(parts, "no record changes")
	}
	if len(e.Diff.Transitions) > 0 {
		parts = append(parts, "ports: "+portsText(e.Diff.Transitions))
	}
	if o := diff.OutsideSummary(e.Diff); o != "" {
		parts = append(parts, o)
	}
	return strings.Join(parts, "; ")
}

// thousands writes n with comma separators: 14,444.
func thousands(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

var mdEscaper = strings.NewReplacer(
	`\`, `\\`, "`", "\\`", "*", `\*`, "_", `\_`, "~", `\~`, "[", `\[`, "]", `\]`,
	"<", `\<`, ">", `\>`, "|", `\|`, "#", `\#`,
)

// md escapes text for Markdown, control characters first
// ([record.Printable]), as diff does.
func md(s string) string { return mdEscaper.Replace(record.Printable(s)) }
