package diff

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/regdiff/regdiff/snapshots/record"
)

// TableKey says how the records of one table were identified where name,
// protocol and number were not enough: by the further elements in Elements
// (in that order), and, for records where even those are empty, by their
// whole content.
//
// When the table's key structure differs between the two versions (see
// [inferKeys]), OnlyFrom and OnlyTo name the parts of the key that records
// of one version hold and no record of the other does, and every record
// of the table is keyed by Elements alone, which then may include "name",
// "protocol" and "number".
type TableKey struct {
	Table    string   `json:"table"`
	Elements []string `json:"elements"`
	Content  bool     `json:"content"`
	OnlyFrom []string `json:"only_from,omitempty"`
	OnlyTo   []string `json:"only_to,omitempty"`
}

// Changed reports whether the table's key structure differs between the
// versions.
func (k *TableKey) Changed() bool { return len(k.OnlyFrom) > 0 || len(k.OnlyTo) > 0 }

// Key parts that are a record's own fields, as elements of an inferred key.
const (
	nameKey     = "name"
	protocolKey = "protocol"
	numberKey   = "number"
)

var baseKeys = []string{nameKey, protocolKey, numberKey}

// inferKeys works out, for each table of old and new where some records
// have an empty (name, protocol, number) key, the further elements (of
// Record.Other, or the description) that identify those records, and
// returns every record's Extra key part (see [record.Key]); records with a
// name or a number keep theirs, so that an edit to one is a change, not a
// removal and an addition. The elements are chosen from both versions at
// once, so that the key is the same on both sides: greedily, the element
// that leaves the fewest records with an empty key, then the fewest
// records whose key is not unique on their side, for as long as adding one
// helps. A table whose every record has a number or a name keeps the keys
// it has: the port registry's keys never change.
//
// A table's key structure has changed when a part of the key (name,
// protocol, number, or an element chosen as above) is held by most
// records of one version (at least two, and at least half) and by no
// record of the other: IANA started to give the
// records a <name>, or renamed the element that identifies them. Keyed as
// usual, no record would pair with its other version. Such a table is
// keyed by the elements that some record of each version holds (name,
// protocol and number among them), chosen the same way, for every record
// of the table alike; reduced reports those tables, and the TableKey says
// what changed.
func inferKeys(old, new []record.Record) (oldX, newX []string, keys []TableKey, reduced map[string]bool) {
	type presence [2]map[string]int // per side, how many records hold each key part
	tables := map[string]bool{}
	byTable := map[string]*presence{}
	for s, recs := range [][]record.Record{old, new} {
		for i := range recs {
			r := &recs[i]
			p := byTable[r.Table]
			if p == nil {
				p = &presence{{}, {}}
				byTable[r.Table] = p
			}
			if r.Name != "" {
				p[s][nameKey]++
			}
			if r.Protocol != "" {
				p[s][protocolKey]++
			}
			if r.Number != "" {
				p[s][numberKey]++
			}
			if baseEmpty(r) {
				tables[r.Table] = true
			}
			p[s][""]++ // the records of the table
		}
	}
	// A table changed its key structure when a part of the key is held by
	// no record of one side and by most of the other's: at least two
	// records, and at least half of them. (One record that gains a name is
	// a port being assigned, not a new key.)
	most := func(n, of int) bool { return n >= 2 && 2*n >= of }
	onlyIn := func(p *presence, parts []string) (onlyOld, onlyNew []string) {
		if p[0][""] == 0 || p[1][""] == 0 {
			return nil, nil // a table added or removed whole
		}
		for _, k := range parts {
			switch {
			case most(p[0][k], p[0][""]) && p[1][k] == 0:
				onlyOld = append(onlyOld, k)
			case most(p[1][k], p[1][""]) && p[0][k] == 0:
				onlyNew = append(onlyNew, k)
			}
		}
		return onlyOld, onlyNew
	}
	for t, p := range byTable {
		if o, n := onlyIn(p, baseKeys); o != nil || n != nil {
			tables[t] = true
		}
	}
	if len(tables) == 0 {
		return nil, nil, nil, nil
	}
	oldX, newX = make([]string, len(old)), make([]string, len(new))
	sideRecs := [2][]record.Record{old, new}
	for _, table := range slices.Sorted(maps.Keys(tables)) {
		var sides [2][]int
		for s, recs := range sideRecs {
			for i := range recs {
				if recs[i].Table == table {
					sides[s] = append(sides[s], i)
				}
			}
		}
		p := byTable[table]
		for s := range sides {
			for _, i := range sides[s] {
				for name, v := range sideRecs[s][i].Other {
					if v != "" {
						p[s][name]++
					}
				}
				if sideRecs[s][i].Description != "" {
					p[s][descriptionKey]++
				}
			}
		}
		onlyOld, onlyNew := onlyIn(p, baseKeys)
		var chosen []string
		all := onlyOld != nil || onlyNew != nil
		if !all {
			chosen = chooseKey(sideRecs, sides, candidates(sideRecs, sides, nil), false)
			onlyOld, onlyNew = onlyIn(p, chosen)
			all = onlyOld != nil || onlyNew != nil
		}
		if all {
			// Only what both versions hold can pair a record with its
			// other version.
			both := func(k string) bool { return p[0][k] > 0 && p[1][k] > 0 }
			var cands []string
			for _, k := range baseKeys {
				if both(k) {
					cands = append(cands, k)
				}
			}
			cands = append(cands, candidates(sideRecs, sides, both)...)
			chosen = chooseKey(sideRecs, sides, cands, true)
			if reduced == nil {
				reduced = map[string]bool{}
			}
			reduced[table] = true
		}
		tk := TableKey{Table: table, Elements: chosen, OnlyFrom: onlyOld, OnlyTo: onlyNew}
		if tk.Elements == nil {
			tk.Elements = []string{}
		}
		for s, xs := range [][]string{oldX, newX} {
			for _, i := range sides[s] {
				r := &sideRecs[s][i]
				if !all && !baseEmpty(r) {
					continue // a record with a name or a number keeps its key
				}
				if xs[i] = extraOf(r, chosen); xs[i] == "" {
					xs[i] = contentKey(r)
					tk.Content = true
				}
			}
		}
		keys = append(keys, tk)
	}
	return oldX, newX, keys, reduced
}

// candidates lists the elements of Record.Other that the records of
// sides hold (those keep accepts, when it is not nil), sorted, then the
// description, last, so that an element of the registry's own wins a
// tie: some registries hold their key there (TLS exporter labels are a
// description and two flags).
func candidates(recs [2][]record.Record, sides [2][]int, keep func(string) bool) []string {
	var cands []string
	for s := range sides {
		for _, i := range sides[s] {
			for name := range recs[s][i].Other {
				if !slices.Contains(cands, name) && (keep == nil || keep(name)) {
					cands = append(cands, name)
				}
			}
		}
	}
	slices.Sort(cands)
	if keep == nil || keep(descriptionKey) {
		cands = append(cands, descriptionKey)
	}
	return cands
}

// chooseKey picks greedily, from cands, the elements that identify the
// records of sides: each time the one that leaves the fewest records with
// an empty key, then the fewest records whose key is not unique on their
// side, for as long as adding one helps. With all, every record is keyed
// by the elements; otherwise only those with no name, protocol or number
// are, the others by those three.
func chooseKey(recs [2][]record.Record, sides [2][]int, cands []string, all bool) []string {
	score := func(elems []string) (empty, dups int) {
		for s := range sides {
			seen := map[string]int{}
			for _, i := range sides[s] {
				r := &recs[s][i]
				x, base := "", ""
				if all || baseEmpty(r) {
					if x = extraOf(r, elems); x == "" {
						empty++
					}
				} else {
					base = baseOf(r)
				}
				seen[base+"\x00"+x]++
			}
			for _, n := range seen {
				if n > 1 {
					dups += n
				}
			}
		}
		return empty, dups
	}
	var chosen []string
	bestE, bestD := score(nil)
	for bestE+bestD > 0 {
		pick := ""
		for _, c := range cands {
			if slices.Contains(chosen, c) {
				continue
			}
			e, d := score(append(slices.Clone(chosen), c))
			if cmp.Or(cmp.Compare(e, bestE), cmp.Compare(d, bestD)) < 0 {
				pick, bestE, bestD = c, e, d
			}
		}
		if pick == "" {
			break
		}
		chosen = append(chosen, pick)
	}
	return chosen
}

// Warnings says, for each table whose key structure differs between the
// two versions (see [TableKey]), what changed and how its records were
// paired instead: "option-type: the records' key changed between the
// versions (name in TO only); paired by number". Text and Markdown show
// them, JSON lists them as "warnings", and the diff command repeats them
// on standard error.
func (r *Result) Warnings() []string {
	var out []string
	for i := range r.Keys {
		k := &r.Keys[i]
		if !k.Changed() {
			continue
		}
		var what []string
		if len(k.OnlyFrom) > 0 {
			what = append(what, strings.Join(k.OnlyFrom, " and ")+" in FROM only")
		}
		if len(k.OnlyTo) > 0 {
			what = append(what, strings.Join(k.OnlyTo, " and ")+" in TO only")
		}
		by := "whole content"
		switch {
		case len(k.Elements) > 0 && k.Content:
			by = strings.Join(k.Elements, " and ") + ", then whole content"
		case len(k.Elements) > 0:
			by = strings.Join(k.Elements, " and ")
		}
		out = append(out, fmt.Sprintf("%s: the records' key changed between the versions (%s); paired by %s", r.tableName(k.Table), strings.Join(what, "; "), by))
	}
	return out
}

// tableName is a table's id, or the registry's for the root registry.
func (r *Result) tableName(table string) string {
	if table == "" && r.Registry != "" {
		return r.Registry
	}
	return table
}

// tableKey returns the TableKey of a table, or nil.
func (r *Result) tableKey(table string) *TableKey {
	for i := range r.Keys {
		if r.Keys[i].Table == table {
			return &r.Keys[i]
		}
	}
	return nil
}

// descriptionKey names the record's description among the elements a key
// may be made of.
const descriptionKey = "description"

func baseEmpty(r *record.Record) bool { return r.Name == "" && r.Protocol == "" && r.Number == "" }

func baseOf(r *record.Record) string { return r.Name + "\x00" + r.Protocol + "\x00" + r.Number }

// extraOf is the Extra key part of r for the elements given: "code=0x01",
// several joined by "; ", the empty ones left out.
func extraOf(r *record.Record, elems []string) string {
	var parts []string
	for _, e := range elems {
		v := keyValue(r, e)
		if v != "" {
			parts = append(parts, e+"="+v)
		}
	}
	return strings.Join(parts, "; ")
}

// keyValue is the value of r's key element e: one of its own fields
// (name, protocol, number, the description, collapsed) or of Other.
func keyValue(r *record.Record, e string) string {
	switch e {
	case descriptionKey:
		return record.Collapse(r.Description)
	case nameKey:
		return r.Name
	case protocolKey:
		return r.Protocol
	case numberKey:
		return r.Number
	}
	return r.Other[e]
}

// contentKey identifies a record by a digest of its whole content: two
// records with the same key are the same record, unchanged.
func contentKey(r *record.Record) string {
	b, _ := json.Marshal(r) // a Record always marshals; map keys come sorted
	sum := sha256.Sum256(b)
	return "#" + hex.EncodeToString(sum[:6])
}
