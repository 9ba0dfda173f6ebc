package diff

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"maps"
	"slices"
	"strings"

	"github.com/regdiff/regdiff/snapshots/record"
)

// TableKey says how the records of one table were identified where name,
// protocol and number were not enough: by the further elements in Elements
// (in that order), and, for records where even those are empty, by their
// whole content.
type TableKey struct {
	Table    string   `json:"table"`
	Elements []string `json:"elements"`
	Content  bool     `json:"content"`
}

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
func inferKeys(old, new []record.Record) (oldX, newX []string, keys []TableKey) {
	tables := map[string]bool{}
	for _, recs := range [][]record.Record{old, new} {
		for i := range recs {
			if baseEmpty(&recs[i]) {
				tables[recs[i].Table] = true
			}
		}
	}
	if len(tables) == 0 {
		return nil, nil, nil
	}
	oldX, newX = make([]string, len(old)), make([]string, len(new))
	for _, table := range slices.Sorted(maps.Keys(tables)) {
		var sides [2][]int
		for s, recs := range [][]record.Record{old, new} {
			for i := range recs {
				if recs[i].Table == table {
					sides[s] = append(sides[s], i)
				}
			}
		}
		sideRecs := [2][]record.Record{old, new}
		var cands []string
		for s := range sides {
			for _, i := range sides[s] {
				for name := range sideRecs[s][i].Other {
					if !slices.Contains(cands, name) {
						cands = append(cands, name)
					}
				}
			}
		}
		slices.Sort(cands)
		// The description last, so that an element of the registry's own
		// wins a tie: some registries hold their key there (TLS exporter
		// labels are a description and two flags).
		cands = append(cands, descriptionKey)
		// score counts, over both sides, the records whose key with the
		// elements chosen is empty, and those whose key is not unique.
		score := func(elems []string) (empty, dups int) {
			for s := range sides {
				seen := map[string]int{}
				for _, i := range sides[s] {
					r := &sideRecs[s][i]
					x := ""
					if baseEmpty(r) {
						if x = extraOf(r, elems); x == "" {
							empty++
						}
					}
					seen[baseOf(r)+"\x00"+x]++
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
		tk := TableKey{Table: table, Elements: chosen}
		if tk.Elements == nil {
			tk.Elements = []string{}
		}
		for s, xs := range [][]string{oldX, newX} {
			for _, i := range sides[s] {
				r := &sideRecs[s][i]
				if !baseEmpty(r) {
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
	return oldX, newX, keys
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
		v := r.Other[e]
		if e == descriptionKey {
			v = record.Collapse(r.Description)
		}
		if v != "" {
			parts = append(parts, e+"="+v)
		}
	}
	return strings.Join(parts, "; ")
}

// contentKey identifies a record by a digest of its whole content: two
// records with the same key are the same record, unchanged.
func contentKey(r *record.Record) string {
	b, _ := json.Marshal(r) // a Record always marshals; map keys come sorted
	sum := sha256.Sum256(b)
	return "#" + hex.EncodeToString(sum[:6])
}
