package history

import (
	"bytes"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"

	"github.com/regdiff/regdiff/snapshots"
	"github.com/regdiff/regdiff/snapshots/record"
)

// CheckIndex opens the index at path and checks it ([Index.Check]),
// removing the file when it is damaged or disagrees with src: what it
// returns is what was wrong.
func CheckIndex(src Source, path string) []string {
	ix, err := OpenIndex(src, path)
	var msgs []string
	if err != nil {
		msgs = []string{err.Error()}
	} else {
		msgs = ix.Check()
	}
	if len(msgs) > 0 {
		os.Remove(path)
	}
	return msgs
}

// Check compares every entry of the index with the object it was built
// from, read again from the source: each tree's files, each file's lines.
// It returns one line for each entry that disagrees. An index is keyed by
// object hashes and so never stale, but one built from objects read
// without a check (by an older regdiff, from a damaged store) would keep
// answering from the damage after the objects were repaired. Entries whose
// object no longer reads are passed over: the source's own check reports
// the objects a version needs.
func (ix *Index) Check() []string {
	var msgs []string
	const size = record.HashSize
	for r := range len(ix.rows) / size {
		tree := record.Hash(ix.rows[r*size:])
		want, err := ix.src.Files(record.Version{Name: "tree " + tree.String(), Tree: tree})
		if err != nil {
			continue
		}
		var got []snapshots.File
		for i, p := range ix.paths {
			h, ok := ix.cell(i, r)
			if !ok {
				return append(msgs, "its tree columns do not decode")
			}
			if !h.IsZero() {
				got = append(got, snapshots.File{Path: p, Hash: h})
			}
		}
		byPath := func(a, b snapshots.File) int { return strings.Compare(a.Path, b.Path) }
		slices.SortFunc(want, byPath)
		slices.SortFunc(got, byPath)
		if !slices.Equal(got, want) {
			msgs = append(msgs, fmt.Sprintf("tree %s: holds other files than the tree", tree))
		}
	}
	for _, h := range slices.SortedFunc(maps.Keys(ix.blobs), func(a, b record.Hash) int { return bytes.Compare(a[:], b[:]) }) {
		ids, ok := ix.heldLines(h, 0)
		if !ok {
			msgs = append(msgs, fmt.Sprintf("file %s: its lines do not decode", h))
			continue
		}
		data, err := ix.src.Blob(h)
		if err != nil {
			continue
		}
		var want [][]byte
		for l := range bytes.SplitSeq(data, []byte("\n")) {
			if len(bytes.TrimSpace(l)) > 0 {
				want = append(want, l)
			}
		}
		same := len(ids) == len(want)
		for i := 0; same && i < len(ids); i++ {
			l := ix.lines[ids[i]]
			lo, hi, err := lineRange(l.text)
			same = bytes.Equal(l.text, want[i]) && err == nil && lo == l.lo && hi == l.hi
		}
		if !same {
			msgs = append(msgs, fmt.Sprintf("file %s: holds other lines than the file", h))
		}
	}
	return msgs
}
