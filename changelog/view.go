package changelog

import (
	"slices"
	"strings"

	"github.com/regdiff/regdiff/diff"
	"github.com/regdiff/regdiff/snapshots/record"
)

// entryView is what the HTML templates show of one entry: plain strings,
// with at most a limited number of changes.
type entryView struct {
	ID        string // the version's name, the section's id
	Name      string
	Prev      string // the previous version's name, "" for the first
	PrevHref  string // link to the previous version's section, or ""
	Href      string // link to this entry's section
	Records   string
	First     bool
	Unchanged bool
	Text      string // the line that says what kind of entry it is
	Summary   string // "3 added, 1 removed, 2 changed, 0 renamed"
	Ports     string // "95 Unassigned → Assigned, …"
	Outside   string // "registry: 1 changed; people: 2 added"
	Note      string // diff's note on differing source formats
	NumberCol string // "Port" or "Number"
	ShowTable bool   // changes span several tables
	Sections  []sectionView
	Trans     []diff.Transition
	Outer     []sectionView // changes outside the records: registry items, people
	TransN    int           // transitions in all, when Trans is cut short
	Omitted   int           // changes and transitions left out by the limit
}

type sectionView struct {
	Title string // "Added"
	Kind  string // "added": class names
	Total int
	Rows  []rowView    // added and removed
	Items []changeView // changed and renamed
}

type rowView struct {
	Table, Name, Port, Desc string
}

type changeView struct {
	OldName, Name, Port string
	Fields              []fieldView
}

type fieldView struct {
	Name     string
	From, To string
	Inline   []diff.Span // an inline word diff, for long text
}

var kindTitles = map[string]string{diff.Added: "Added", diff.Removed: "Removed", diff.Changed: "Changed", diff.Renamed: "Renamed"}

// newEntryView builds the view of e. base is prefixed to "#VERSION" links
// ("" in the page itself, the page's URL in a feed; links to versions
// outside the page are left out). limit caps the changes plus transitions
// shown, 0 meaning no cap.
func newEntryView(c *Changelog, e *Entry, base string, inPage map[string]bool, limit int) entryView {
	v := entryView{
		ID:      c.anchor(e.Version),
		Name:    c.label(e.Version),
		Records: thousands(e.Version.Records),
		First:   e.First(),
	}
	if base != "" || inPage != nil {
		v.Href = base + "#" + v.ID
	}
	if e.First() {
		v.Text = firstText(e)
		return v
	}
	v.Prev = e.Previous.Name
	if prev := c.anchor(*e.Previous); inPage[prev] {
		v.PrevHref = base + "#" + prev
	}
	r := e.Diff
	if r.Empty() {
		v.Unchanged = true
		v.Text = unchangedText(e)
		return v
	}
	v.Summary = summaryText(r)
	if r.RecordsEmpty() {
		v.Summary = "no record changes"
	}
	v.Ports = portsText(r.Transitions)
	v.Outside = diff.OutsideSummary(r)
	if r.From.Format != r.To.Format && r.From.Format != "" && r.To.Format != "" {
		v.Note = "The formats differ: " + r.From.Name + " is from " + r.From.Format + ", " + r.To.Name + " from " + r.To.Format
		if len(r.Ignored) > 0 {
			v.Note += "; not compared, as one format cannot carry them: " + strings.Join(r.Ignored, ", ") + "."
		} else {
			v.Note += "; fields one format cannot carry show as changes."
		}
	}
	v.NumberCol = "Number"
	if len(r.Transitions) > 0 || slices.ContainsFunc(r.Changes, func(c diff.Change) bool { return c.Key.Protocol != "" }) {
		v.NumberCol = "Port"
	}
	for _, ch := range r.Changes {
		if ch.Key.Table != r.Changes[0].Key.Table || ch.OldKey.Table != "" && ch.OldKey.Table != ch.Key.Table {
			v.ShowTable = true
			break
		}
	}
	left := limit
	take := func() bool {
		if limit == 0 {
			return true
		}
		if left > 0 {
			left--
			return true
		}
		v.Omitted++
		return false
	}
	for _, kind := range diff.Kinds {
		sec := sectionView{Title: kindTitles[kind], Kind: kind}
		for i := range r.Changes {
			ch := &r.Changes[i]
			if ch.Kind != kind {
				continue
			}
			sec.Total++
			if !take() {
				continue
			}
			switch kind {
			case diff.Added, diff.Removed:
				rec := ch.New
				if rec == nil {
					rec = ch.Old
				}
				sec.Rows = append(sec.Rows, rowView{Table: ch.Key.Table, Name: diff.KeyName(ch.Key), Port: portText(ch.Key), Desc: record.Collapse(recDesc(rec))})
			default:
				cv := changeView{Name: diff.KeyName(ch.Key), Port: portText(ch.Key)}
				if v.ShowTable && ch.Key.Table != "" {
					cv.Port = strings.TrimSpace("[" + ch.Key.Table + "] " + cv.Port)
				}
				if kind == diff.Renamed {
					cv.OldName = ch.OldKey.Name
				}
				for _, name := range ch.FieldNames() {
					fc := ch.Fields[name]
					fv := fieldView{Name: name, From: fc.From, To: fc.To}
					if diff.IsLong(fc) {
						fv.Inline = diff.WordDiff(fc.From, fc.To)
					}
					cv.Fields = append(cv.Fields, fv)
				}
				sec.Items = append(sec.Items, cv)
			}
		}
		if sec.Total > 0 {
			v.Sections = append(v.Sections, sec)
		}
	}
	v.TransN = len(r.Transitions)
	for _, t := range r.Transitions {
		if take() {
			v.Trans = append(v.Trans, t)
		}
	}
	if len(r.Items) > 0 {
		sec := sectionView{Title: "Registry", Kind: "items", Total: len(r.Items)}
		for _, c := range r.Items {
			if !take() {
				continue
			}
			sec.Items = append(sec.Items, changeView{Name: kindTitles[c.Kind] + " " + diff.ItemLabel(c), Fields: []fieldView{textField("text", diff.FieldChange{From: c.From, To: c.To})}})
		}
		v.Outer = append(v.Outer, sec)
	}
	if len(r.People) > 0 {
		sec := sectionView{Title: "People", Kind: "people", Total: len(r.People)}
		for _, c := range r.People {
			if !take() {
				continue
			}
			cv := changeView{Name: kindTitles[c.Kind] + " " + c.ID}
			for _, name := range c.FieldNames() {
				cv.Fields = append(cv.Fields, textField(name, c.Fields[name]))
			}
			sec.Items = append(sec.Items, cv)
		}
		v.Outer = append(v.Outer, sec)
	}
	return v
}

func textField(name string, fc diff.FieldChange) fieldView {
	fv := fieldView{Name: name, From: fc.From, To: fc.To}
	if diff.IsLong(fc) {
		fv.Inline = diff.WordDiff(fc.From, fc.To)
	}
	return fv
}

func recDesc(r *record.Record) string {
	if r == nil {
		return ""
	}
	return r.Description
}

// portText is a key's number and protocol: "22/tcp", "249-255", "tcp" or "".
func portText(k record.Key) string {
	switch {
	case k.Protocol == "":
		return k.Number
	case k.Number == "":
		return k.Protocol
	}
	return k.Number + "/" + k.Protocol
}
