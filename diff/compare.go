package diff

import (
	"cmp"
	"hash/maphash"
	"maps"
	"slices"
	"strings"

	"github.com/regdiff/regdiff/snapshots/record"
)

// Kinds of change, in the order summaries and sections list them.
const (
	Added   = "added"
	Removed = "removed"
	Changed = "changed"
	Renamed = "renamed"
)

// Kinds lists the kinds of change in display order.
var Kinds = []string{Added, Removed, Changed, Renamed}

// Version names one side of a comparison, for headers and JSON.
type Version struct {
	Name   string // "2019-12-31"
	Commit string // commit hash in the store
	Format string // source format: "xml", "csv", ...
}

// Result is the difference between two versions of a registry. Compare
// fills Summary, Changes and Transitions; the caller sets Registry, From, To
// and Reversed (FROM is newer than TO).
type Result struct {
	Registry string
	From, To Version
	Reversed bool
	Summary
	Changes     []Change
	Transitions []Transition
	// Ignored names the fields left out of a comparison across formats
	// (see [CompareAcross]).
	Ignored []string
	// Items and People are the changes outside the records (see
	// [Result.CompareItems]).
	Items  []ItemChange
	People []PersonChange
	// ItemsNote says why items and people were not compared, or is "" when
	// they were.
	ItemsNote string
	// Keys says, for each table whose records name, protocol and number
	// do not identify, or whose key structure changed, what did (see
	// [record.Key] and [Result.Warnings]).
	Keys []TableKey
	// Titles maps a table's id to its title ("" to the root registry's),
	// for headings; see [Result.SetTitles]. Nil when not known.
	Titles map[string]string
}

// Summary counts changes by kind, and the changes to items and people.
type Summary struct {
	Added, Removed, Changed, Renamed int
	Items, People                    int
}

// Empty reports whether the result shows no difference at all: no record,
// port status, item or person changed.
func (r *Result) Empty() bool {
	return len(r.Changes) == 0 && len(r.Transitions) == 0 && len(r.Items) == 0 && len(r.People) == 0
}

// RecordsEmpty reports whether no record and no port status changed.
func (r *Result) RecordsEmpty() bool { return len(r.Changes) == 0 && len(r.Transitions) == 0 }

// Change is one record added, removed, changed or renamed.
type Change struct {
	Kind   string     // Added, Removed, Changed or Renamed
	Key    record.Key // the new record's key; the old one's for Removed
	OldKey record.Key // the old record's key, for Renamed only
	// Fields maps each field whose value differs to its old and new value;
	// see the package documentation for names and for added and removed
	// records.
	Fields   map[string]FieldChange
	Old, New *record.Record // nil for Added and Removed respectively
}

// FieldChange is the old and the new value of one field, "" when absent.
type FieldChange struct {
	From, To string
}

// Field names, as in the record's JSON form.
const (
	FieldDescription  = "description"
	FieldRefs         = "refs"
	FieldAssignee     = "assignee"
	FieldContact      = "contact"
	FieldRegistered   = "registered"
	FieldModified     = "modified"
	FieldNote         = "note"
	FieldUnauthorized = "unauthorized"
	FieldServiceCode  = "service_code"
)

// fieldOrder is the display order of the known fields; fields of
// Record.Other follow, sorted by name.
var fieldOrder = []string{
	nameKey, protocolKey, numberKey, // fields only where a table's key changed
	FieldDescription, FieldRefs, FieldAssignee, FieldContact, FieldRegistered,
	FieldModified, FieldNote, FieldUnauthorized, FieldServiceCode,
}

// FieldNames returns the names of c's changed fields in display order.
func (c *Change) FieldNames() []string {
	names := make([]string, 0, len(c.Fields))
	for _, n := range fieldOrder {
		if _, ok := c.Fields[n]; ok {
			names = append(names, n)
		}
	}
	var other []string
	for n := range c.Fields {
		if !slices.Contains(fieldOrder, n) {
			other = append(other, n)
		}
	}
	slices.Sort(other)
	return append(names, other...)
}

// record returns the record that represents the change: the new one, or the
// old one for a removal.
func (c *Change) record() *record.Record {
	if c.New != nil {
		return c.New
	}
	return c.Old
}

// Compare returns the differences from old to new. Neither slice is
// modified; the Result points into both.
func Compare(old, new []record.Record) *Result {
	res := &Result{Changes: []Change{}, Transitions: []Transition{}}

	// Where name, protocol and number do not identify a table's records,
	// further elements do (see inferKeys); xOld and xNew hold each
	// record's part of the key from them, or are nil.
	xOld, xNew, keys, reduced := inferKeys(old, new)
	res.Keys = keys
	extra := func(xs []string, i int) string {
		if xs == nil {
			return ""
		}
		return xs[i]
	}
	// In a table whose key structure changed (reduced), records are
	// keyed by Extra alone, and name, protocol and number are fields.
	isReduced := func(r *record.Record) bool { return reduced != nil && reduced[r.Table] }
	keyOf := func(r *record.Record, xs []string, i int) record.Key {
		if isReduced(r) {
			return record.Key{Table: r.Table, Extra: extra(xs, i)}
		}
		k := r.Key()
		k.Extra = extra(xs, i)
		return k
	}
	fields := func(a, b *record.Record) map[string]FieldChange {
		f := fieldChanges(a, b)
		if r := cmp.Or(a, b); r != nil && isReduced(r) {
			f = baseFieldChanges(f, a, b)
		}
		return f
	}

	// Multiset matching. Records are found by a hash of their key: head[h]
	// is the first old record with hash h not yet known to be matched, and
	// next chains old records with the same hash in slice order. A lookup
	// takes an unmatched record in the chain whose key is equal. Records
	// that share a key pair up by content first (a first pass pairs only
	// records that are equal), then in order. (Hashing the key's strings
	// once and keying the map by a number is several times faster than a
	// map keyed by record.Key.)
	seed := maphash.MakeSeed()
	head := make(map[uint64]int32, len(old))
	next := make([]int32, len(old))
	for i := len(old) - 1; i >= 0; i-- {
		h := keyHash(seed, &old[i], extra(xOld, i), isReduced(&old[i]))
		next[i] = -1
		if x, ok := head[h]; ok {
			next[i] = x
		}
		head[h] = int32(i)
	}
	matched := make([]bool, len(old))
	pairedNew := make([]bool, len(new))
	hashes := make([]uint64, len(new))
	for j := range new {
		hashes[j] = keyHash(seed, &new[j], extra(xNew, j), isReduced(&new[j]))
	}
	find := func(j int, equal bool) int {
		nr := &new[j]
		h := hashes[j]
		first, ok := head[h]
		for ok && first >= 0 && matched[first] {
			first = next[first]
			head[h] = first
		}
		for i := first; ok && i >= 0; i = next[i] {
			if matched[i] || !sameKey(&old[i], nr, extra(xOld, int(i)), extra(xNew, j), isReduced(nr)) {
				continue
			}
			if !equal || fields(&old[i], nr) == nil {
				return int(i)
			}
		}
		return -1
	}
	var added []int
	for pass := range 2 {
		for j := range new {
			if pairedNew[j] {
				continue
			}
			i := find(j, pass == 0)
			if i < 0 {
				if pass == 1 {
					added = append(added, j)
				}
				continue
			}
			matched[i], pairedNew[j] = true, true
			if pass == 1 {
				if f := fields(&old[i], &new[j]); f != nil {
					res.Changes = append(res.Changes, Change{Kind: Changed, Key: keyOf(&new[j], xNew, j), Fields: f, Old: &old[i], New: &new[j]})
				}
			}
		}
	}
	var removed []int
	for i := range old {
		if !matched[i] {
			removed = append(removed, i)
		}
	}

	// Renames among the unmatched records.
	renamedOld, renamedNew := pairRenames(old, new, removed, added)
	for _, j := range added {
		if i, ok := renamedNew[j]; ok {
			res.Changes = append(res.Changes, Change{
				Kind: Renamed, Key: keyOf(&new[j], xNew, j), OldKey: keyOf(&old[i], xOld, i),
				Fields: fields(&old[i], &new[j]), Old: &old[i], New: &new[j],
			})
			continue
		}
		res.Changes = append(res.Changes, Change{Kind: Added, Key: keyOf(&new[j], xNew, j), Fields: fields(nil, &new[j]), New: &new[j]})
	}
	for _, i := range removed {
		if _, ok := renamedOld[i]; ok {
			continue
		}
		res.Changes = append(res.Changes, Change{Kind: Removed, Key: keyOf(&old[i], xOld, i), Fields: fields(&old[i], nil), Old: &old[i]})
	}
	sortChanges(res.Changes)
	res.Summary = summarize(res.Changes)

	if len(res.Changes) > 0 && (hasPorts(old) || hasPorts(new)) {
		w := changedWindows(res.Changes)
		res.Transitions = Transitions(portStatuses(old, w), portStatuses(new, w))
	}
	return res
}

// pairRenames pairs removed and added records that share table, protocol
// and number and have different non-empty names. It returns the pairs both
// ways: old index → new index and new index → old index.
func pairRenames(old, new []record.Record, removed, added []int) (map[int]int, map[int]int) {
	type slot struct{ table, protocol, number string }
	cands := make(map[slot][]int) // removed candidates by slot
	for _, i := range removed {
		r := &old[i]
		if r.Name != "" && r.Number != "" {
			s := slot{r.Table, r.Protocol, r.Number}
			cands[s] = append(cands[s], i)
		}
	}
	oldToNew, newToOld := map[int]int{}, map[int]int{}
	if len(cands) == 0 {
		return oldToNew, newToOld
	}
	adds := make(map[slot][]int)
	var slots []slot
	for _, j := range added {
		r := &new[j]
		s := slot{r.Table, r.Protocol, r.Number}
		if r.Name == "" || r.Number == "" || cands[s] == nil {
			continue
		}
		if adds[s] == nil {
			slots = append(slots, s)
		}
		adds[s] = append(adds[s], j)
	}
	byName := func(recs []record.Record) func(a, b int) int {
		return func(a, b int) int { return cmp.Or(cmp.Compare(recs[a].Name, recs[b].Name), cmp.Compare(a, b)) }
	}
	for _, s := range slots {
		os, ns := cands[s], adds[s]
		slices.SortFunc(os, byName(old))
		slices.SortFunc(ns, byName(new))
		used := make([]bool, len(ns))
		pair := func(i, jj int) {
			oldToNew[i], newToOld[ns[jj]] = ns[jj], i
			used[jj] = true
		}
		var rest []int
		for _, i := range os {
			found := false
			for jj, j := range ns {
				if !used[jj] && old[i].Name != new[j].Name && equalText(old[i].Description, new[j].Description) {
					pair(i, jj)
					found = true
					break
				}
			}
			if !found {
				rest = append(rest, i)
			}
		}
		for _, i := range rest {
			for jj, j := range ns {
				if !used[jj] && old[i].Name != new[j].Name {
					pair(i, jj)
					break
				}
			}
		}
	}
	return oldToNew, newToOld
}

// keyHash hashes r's key; with only, its table and extra alone.
func keyHash(seed maphash.Seed, r *record.Record, extra string, only bool) uint64 {
	if only {
		return maphash.String(seed, r.Table) ^ maphash.String(seed, extra)*0x9E3779B97F4A7C15
	}
	h := maphash.String(seed, r.Name)
	if extra != "" {
		h = h*0x9E3779B97F4A7C15 ^ maphash.String(seed, extra)
	}
	h = h*0x9E3779B97F4A7C15 ^ maphash.String(seed, r.Number)
	h = h*0x9E3779B97F4A7C15 ^ maphash.String(seed, r.Protocol)
	if r.Table != "" {
		h = h*0x9E3779B97F4A7C15 ^ maphash.String(seed, r.Table)
	}
	return h
}

func sameKey(a, b *record.Record, xa, xb string, only bool) bool {
	if only {
		return a.Table == b.Table && xa == xb
	}
	return a.Name == b.Name && a.Number == b.Number && a.Protocol == b.Protocol && a.Table == b.Table && xa == xb
}

// sortChanges orders changes like the records of a normalized version
// (the order of record.Compare on the change's record), then by kind,
// then by the old name, then as they came. Sort keys are computed once,
// since parsing numbers in every comparison would dominate.
func sortChanges(cs []Change) {
	type sortKey struct {
		rec    *record.Record
		lo, hi int
		ok     bool
		kind   int
		index  int
	}
	keys := make([]sortKey, len(cs))
	for i := range cs {
		r := cs[i].record()
		lo, hi, ok := r.Range()
		keys[i] = sortKey{rec: r, lo: lo, hi: hi, ok: ok, kind: slices.Index(Kinds, cs[i].Kind), index: i}
	}
	slices.SortFunc(keys, func(a, b sortKey) int {
		if c := cmp.Compare(a.rec.Table, b.rec.Table); c != 0 {
			return c
		}
		switch {
		case a.ok && !b.ok:
			return -1
		case !a.ok && b.ok:
			return 1
		case a.ok && b.ok:
			if c := cmp.Or(cmp.Compare(a.lo, b.lo), cmp.Compare(a.hi, b.hi)); c != 0 {
				return c
			}
		}
		return cmp.Or(
			cmp.Compare(a.rec.Number, b.rec.Number),
			cmp.Compare(a.rec.Protocol, b.rec.Protocol),
			cmp.Compare(a.rec.Name, b.rec.Name),
			cmp.Compare(a.kind, b.kind),
			cmp.Compare(cs[a.index].OldKey.Name, cs[b.index].OldKey.Name),
			cmp.Compare(a.index, b.index),
		)
	})
	sorted := make([]Change, len(cs))
	for i, k := range keys {
		sorted[i] = cs[k.index]
	}
	copy(cs, sorted)
}

func summarize(cs []Change) Summary {
	var s Summary
	for _, c := range cs {
		switch c.Kind {
		case Added:
			s.Added++
		case Removed:
			s.Removed++
		case Changed:
			s.Changed++
		case Renamed:
			s.Renamed++
		}
	}
	return s
}

func hasPorts(recs []record.Record) bool {
	for i := range recs {
		if recs[i].Protocol != "" {
			return true
		}
	}
	return false
}

// fieldChanges returns the fields that differ between a and b (nil meaning
// a record with every field empty), or nil when none do.
func fieldChanges(a, b *record.Record) map[string]FieldChange {
	var empty record.Record
	if a == nil {
		a = &empty
	}
	if b == nil {
		b = &empty
	}
	var out map[string]FieldChange
	set := func(name, from, to string) {
		if out == nil {
			out = make(map[string]FieldChange)
		}
		out[name] = FieldChange{From: from, To: to}
	}
	text := func(name, x, y string) {
		if !equalText(x, y) {
			set(name, record.Collapse(x), record.Collapse(y))
		}
	}
	list := func(name string, x, y []string) {
		if slices.Equal(x, y) {
			return
		}
		xs, ys := canonList(x), canonList(y)
		if xs != ys {
			set(name, xs, ys)
		}
	}
	text(FieldDescription, a.Description, b.Description)
	list(FieldRefs, a.Refs, b.Refs)
	list(FieldAssignee, a.Assignee, b.Assignee)
	list(FieldContact, a.Contact, b.Contact)
	text(FieldRegistered, a.Registered, b.Registered)
	text(FieldModified, a.Modified, b.Modified)
	text(FieldNote, a.Note, b.Note)
	text(FieldUnauthorized, a.Unauthorized, b.Unauthorized)
	text(FieldServiceCode, a.ServiceCode, b.ServiceCode)
	if len(a.Other) > 0 || len(b.Other) > 0 {
		keys := slices.Sorted(maps.Keys(a.Other))
		for k := range b.Other {
			if _, ok := a.Other[k]; !ok {
				keys = append(keys, k)
			}
		}
		for _, k := range keys {
			text(k, a.Other[k], b.Other[k])
		}
	}
	return out
}

// baseFieldChanges adds to f (which it may allocate) name, protocol and
// number where they differ between a and b (nil meaning an empty record):
// fields, where a table's key structure changed and they are no longer
// the key.
func baseFieldChanges(f map[string]FieldChange, a, b *record.Record) map[string]FieldChange {
	var empty record.Record
	if a == nil {
		a = &empty
	}
	if b == nil {
		b = &empty
	}
	for _, p := range [][3]string{{nameKey, a.Name, b.Name}, {protocolKey, a.Protocol, b.Protocol}, {numberKey, a.Number, b.Number}} {
		if p[1] != p[2] {
			if f == nil {
				f = map[string]FieldChange{}
			}
			f[p[0]] = FieldChange{From: p[1], To: p[2]}
		}
	}
	return f
}

// equalText reports whether x and y are equal once white space is
// collapsed ([record.Collapse]).
func equalText(x, y string) bool {
	return x == y || record.Collapse(x) == record.Collapse(y)
}

// canonList is a list field's comparable form: items collapsed, sorted and
// joined with ", ".
func canonList(xs []string) string {
	if len(xs) == 0 {
		return ""
	}
	c := make([]string, 0, len(xs))
	for _, x := range xs {
		if x = record.Collapse(x); x != "" {
			c = append(c, x)
		}
	}
	slices.Sort(c)
	return strings.Join(c, ", ")
}
