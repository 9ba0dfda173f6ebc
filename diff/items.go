package diff

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/regdiff/regdiff/snapshots/record"
)

// ItemChange is one of the registry's own elements (its title, a note, an
// xref, a footnote, a nested registry, its <updated> date; see
// [record.Item]) added, removed or changed.
type ItemChange struct {
	Kind                string // Added, Removed or Changed
	Table, Element, Key string
	From, To            string // the old and the new text, "" when absent
}

// PersonChange is one entry of the registry's people added, removed or
// changed.
type PersonChange struct {
	Kind string // Added, Removed or Changed
	ID   string
	// Fields maps each field that differs (name, org, uri, updated, and
	// any other by its element name) to its old and new value.
	Fields map[string]FieldChange
}

// CompareItems sets r's item and people changes from two versions' items
// and people, and counts them in r's summary.
//
// Items are matched by (table, element, key). Among items with the same
// match, those with equal text (white space collapsed) pair first, the
// rest pair in order and are changed; what is left is added or removed.
// People are matched by id the same way, and changed when a field differs.
// Giving only the items and people that are not on both sides (as
// snapshots.Store.ItemsDiffering does) gives the same changes as giving
// all of them.
func (r *Result) CompareItems(oldItems, newItems []record.Item, oldPeople, newPeople []record.Person) {
	r.Items = compareItems(oldItems, newItems)
	r.People = comparePeople(oldPeople, newPeople)
	r.Summary.Items, r.Summary.People = len(r.Items), len(r.People)
}

type itemKey struct{ table, element, key string }

// elementOrder is the order items are listed in, by element: roughly the
// order IANA's files give them; other elements follow by name.
var elementOrder = []string{"registry", "title", "category", "created", "updated", "expert",
	"registration_rule", "description", "note", "range", "xref", "footnote", "file", "hide"}

// compareItemKeys orders items: the root registry's first, then by table,
// element and key. The order depends on the keys alone, so giving only the
// items that differ lists their changes as giving all would.
func compareItemKeys(a, b itemKey) int {
	if a.table != b.table {
		switch {
		case a.table == "":
			return -1
		case b.table == "":
			return 1
		}
		return strings.Compare(a.table, b.table)
	}
	rank := func(e string) int {
		if i := slices.Index(elementOrder, e); i >= 0 {
			return i
		}
		return len(elementOrder)
	}
	if c := rank(a.element) - rank(b.element); c != 0 {
		return c
	}
	if c := strings.Compare(a.element, b.element); c != 0 {
		return c
	}
	return strings.Compare(a.key, b.key)
}

func compareItems(old, new []record.Item) []ItemChange {
	groups := map[itemKey]*[2][]int{}
	var order []itemKey // of first appearance, new version first
	add := func(items []record.Item, side int) {
		for i := range items {
			k := itemKey{items[i].Table, items[i].Element, items[i].Key}
			g := groups[k]
			if g == nil {
				g = &[2][]int{}
				groups[k] = g
				order = append(order, k)
			}
			g[side] = append(g[side], i)
		}
	}
	add(new, 1)
	add(old, 0)
	slices.SortFunc(order, compareItemKeys)
	var out []ItemChange
	for _, k := range order {
		g := groups[k]
		os, ns := pairEqual(g[0], g[1], func(i, j int) bool { return equalText(old[i].Text, new[j].Text) })
		for n := 0; n < max(len(os), len(ns)); n++ {
			c := ItemChange{Table: k.table, Element: k.element, Key: k.key}
			switch {
			case n < len(os) && n < len(ns):
				c.Kind, c.From, c.To = Changed, record.Collapse(old[os[n]].Text), record.Collapse(new[ns[n]].Text)
			case n < len(ns):
				c.Kind, c.To = Added, record.Collapse(new[ns[n]].Text)
			default:
				c.Kind, c.From = Removed, record.Collapse(old[os[n]].Text)
			}
			out = append(out, c)
		}
	}
	return out
}

// pairEqual drops from os and ns (indexes into an old and a new list) the
// pairs that eq finds equal, first match first, and returns what is left of
// each, in order.
func pairEqual(os, ns []int, eq func(i, j int) bool) ([]int, []int) {
	used := make([]bool, len(ns))
	var restOld []int
	for _, i := range os {
		found := false
		for jj, j := range ns {
			if !used[jj] && eq(i, j) {
				used[jj], found = true, true
				break
			}
		}
		if !found {
			restOld = append(restOld, i)
		}
	}
	var restNew []int
	for jj, j := range ns {
		if !used[jj] {
			restNew = append(restNew, j)
		}
	}
	return restOld, restNew
}

func comparePeople(old, new []record.Person) []PersonChange {
	byID := map[string]*[2][]int{}
	var ids []string
	add := func(ps []record.Person, side int) {
		for i := range ps {
			g := byID[ps[i].ID]
			if g == nil {
				g = &[2][]int{}
				byID[ps[i].ID] = g
				ids = append(ids, ps[i].ID)
			}
			g[side] = append(g[side], i)
		}
	}
	add(old, 0)
	add(new, 1)
	slices.Sort(ids)
	var out []PersonChange
	for _, id := range ids {
		g := byID[id]
		os, ns := pairEqual(g[0], g[1], func(i, j int) bool { return personFields(&old[i], &new[j]) == nil })
		for n := 0; n < max(len(os), len(ns)); n++ {
			c := PersonChange{ID: id}
			switch {
			case n < len(os) && n < len(ns):
				c.Kind, c.Fields = Changed, personFields(&old[os[n]], &new[ns[n]])
			case n < len(ns):
				c.Kind, c.Fields = Added, personFields(nil, &new[ns[n]])
			default:
				c.Kind, c.Fields = Removed, personFields(&old[os[n]], nil)
			}
			out = append(out, c)
		}
	}
	return out
}

// personFields returns the fields that differ between a and b (nil meaning
// a person with every field empty), or nil when none do.
func personFields(a, b *record.Person) map[string]FieldChange {
	var empty record.Person
	if a == nil {
		a = &empty
	}
	if b == nil {
		b = &empty
	}
	var out map[string]FieldChange
	text := func(name, x, y string) {
		if !equalText(x, y) {
			if out == nil {
				out = map[string]FieldChange{}
			}
			out[name] = FieldChange{From: record.Collapse(x), To: record.Collapse(y)}
		}
	}
	text("name", a.Name, b.Name)
	text("org", a.Org, b.Org)
	text("uri", a.URI, b.URI)
	text("updated", a.Updated, b.Updated)
	keys := slices.Sorted(maps.Keys(a.Other))
	for k := range b.Other {
		if _, ok := a.Other[k]; !ok {
			keys = append(keys, k)
		}
	}
	for _, k := range keys {
		text(k, a.Other[k], b.Other[k])
	}
	return out
}

// FieldNames returns the names of c's fields in display order: name,
// org, uri, updated, then the others sorted.
func (c *PersonChange) FieldNames() []string {
	known := []string{"name", "org", "uri", "updated"}
	var out, other []string
	for _, n := range known {
		if _, ok := c.Fields[n]; ok {
			out = append(out, n)
		}
	}
	for n := range c.Fields {
		if !slices.Contains(known, n) {
			other = append(other, n)
		}
	}
	slices.Sort(other)
	return append(out, other...)
}

// SetTitles sets r.Titles from two versions' items (all of them, not only
// those that differ): each table's <title>, the root registry's under "",
// from the new version, or from the old one for a table the new one lacks.
func (r *Result) SetTitles(oldItems, newItems []record.Item) {
	titles := map[string]string{}
	for _, items := range [][]record.Item{oldItems, newItems} {
		seen := map[string]bool{}
		for _, it := range items {
			if it.Element != "title" || seen[it.Table] {
				continue
			}
			if t := record.Collapse(it.Text); t != "" {
				titles[it.Table], seen[it.Table] = t, true
			}
		}
	}
	r.Titles = titles
}

// TitleSource reads all of a version's items, for [Result.SetTitles];
// *snapshots.Store is one.
type TitleSource interface {
	Items(v record.Version) ([]record.Item, []record.Person, error)
}

// ItemSource reads what two versions hold outside their records;
// *snapshots.Store is one.
type ItemSource interface {
	ItemsDiffering(a, b record.Version) (old, new []record.Item, err error)
	PeopleDiffering(a, b record.Version) (old, new []record.Person, err error)
}

// CompareItemsOf sets r's item and people changes from two stored
// versions, or says in r.ItemsNote why they cannot be compared: a version
// stored by a regdiff that did not keep them (see
// [record.Version.HasItems]), or versions of two source formats (only
// XML carries items and people).
func (r *Result) CompareItemsOf(src ItemSource, a, b record.Version) error {
	switch {
	case !a.HasItems() || !b.HasItems():
		old := a
		if a.HasItems() {
			old = b
		}
		r.ItemsNote = fmt.Sprintf("the registry's own elements and people are not compared: version %s was stored by an older regdiff, which kept its records only; `regdiff reindex` adds them", old.Name)
		return nil
	case a.Format != b.Format:
		r.ItemsNote = fmt.Sprintf("the registry's own elements and people are not compared: only XML carries them, and %s is from %s, %s from %s", a.Name, a.Format, b.Name, b.Format)
		return nil
	}
	oi, ni, err := src.ItemsDiffering(a, b)
	if err != nil {
		return err
	}
	op, np, err := src.PeopleDiffering(a, b)
	if err != nil {
		return err
	}
	r.CompareItems(oi, ni, op, np)
	return nil
}
