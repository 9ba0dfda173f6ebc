package history

import (
	"context"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/regdiff/regdiff/snapshots"
	"github.com/regdiff/regdiff/snapshots/record"
)

func TestDelta(t *testing.T) {
	for _, tc := range []struct {
		name     string
		old, new []int32
		none     bool // no delta can give new
	}{
		{name: "same", old: []int32{1, 2, 3}, new: []int32{1, 2, 3}},
		{name: "insert first", old: []int32{1, 2, 3}, new: []int32{9, 1, 2, 3}},
		{name: "insert between", old: []int32{1, 2, 3}, new: []int32{1, 9, 8, 2, 3}},
		{name: "insert last", old: []int32{1, 2, 3}, new: []int32{1, 2, 3, 9}},
		{name: "delete", old: []int32{1, 2, 3, 4}, new: []int32{1, 4}},
		{name: "replace", old: []int32{1, 2, 3}, new: []int32{1, 7, 3}},
		{name: "everything", old: []int32{1, 2, 3}, new: []int32{4, 5}},
		{name: "from empty", old: nil, new: []int32{4, 5}},
		{name: "to empty", old: []int32{4, 5}, new: nil},
		{name: "duplicate kept", old: []int32{1, 2, 2, 3}, new: []int32{1, 2, 2, 3, 4}},
		{name: "one duplicate dropped", old: []int32{2, 1, 2}, new: []int32{1, 2}},
		{name: "duplicate added", old: []int32{1, 2}, new: []int32{1, 2, 2}},
		{name: "order changed", old: []int32{1, 2, 3}, new: []int32{3, 2, 1}, none: true},
		{name: "duplicate moved", old: []int32{2, 1, 3}, new: []int32{1, 2, 3}, none: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := makeDelta(tc.old, tc.new)
			if tc.none {
				if d != nil {
					t.Fatalf("makeDelta(%v, %v) = %+v, want none", tc.old, tc.new, d)
				}
				return
			}
			if d == nil {
				t.Fatalf("makeDelta(%v, %v): no delta", tc.old, tc.new)
			}
			// Through the file's encoding, as a later run reads it.
			back, err := decodeDelta(d.encode(), 10)
			if err != nil {
				t.Fatalf("decodeDelta: %v", err)
			}
			got, err := back.apply(tc.old)
			if err != nil || !slices.Equal(got, tc.new) {
				t.Errorf("delta %+v applied to %v: got %v, %v; want %v", back, tc.old, got, err, tc.new)
			}
		})
	}
}

func TestDeltaApplyRefusesAMismatchedBase(t *testing.T) {
	d := makeDelta([]int32{1, 2, 3}, []int32{1, 3, 4})
	for _, base := range [][]int32{{1, 3}, {}, {5, 6, 7}} {
		if got, err := d.apply(base); err == nil {
			t.Errorf("delta %+v applied to %v: got %v, want an error", d, base, got)
		}
	}
}

// chainVersions is a registry of n versions: singles single ports from
// 100 on, in one normalized file, the range 249-255 and two records of
// one key on 253/tcp, each version changing one record, every 7th taking
// or freeing 250/tcp inside the range, and the middle one changing the
// first of the two 253/tcp records. That file changes a little in every version, so an index
// keeps it mostly as deltas (with n > maxDepth, in more than one chain).
func chainVersions(n, singles int) []version {
	var recs []record.Record
	for p := 100; p < 100+singles; p++ {
		recs = append(recs, record.Record{Name: fmt.Sprintf("s%d", p), Protocol: "tcp", Number: fmt.Sprint(p), Description: "Service"})
	}
	recs = append(recs, record.Record{Number: "249-255", Description: "Reserved"},
		// Two records with one key: the diff pairs them by their order.
		record.Record{Name: "dup", Protocol: "tcp", Number: "253", Description: "First"},
		record.Record{Name: "dup", Protocol: "tcp", Number: "253", Description: "Second"})
	var vs []version
	for i := range n {
		recs = slices.Clone(recs)
		if i == n/2 {
			recs[slices.IndexFunc(recs, func(r record.Record) bool { return r.Description == "First" })].Description = "First, changed"
		}
		recs[i%singles].Description = fmt.Sprintf("Service, version %d", i)
		if i%7 == 0 {
			if j := slices.IndexFunc(recs, func(r record.Record) bool { return r.Number == "250" }); j >= 0 {
				recs = slices.Delete(recs, j, j+1)
			} else {
				recs = append(recs, record.Record{Name: "foo", Protocol: "tcp", Number: "250", Description: fmt.Sprintf("Foo %d", i)})
			}
		}
		vs = append(vs, version{fmt.Sprintf("2021-%02d-%02d", 1+i/28, 1+i%28), recs})
	}
	return vs
}

// TestIndexDeltas builds histories over chainVersions without an index and
// through a saved index that holds that file as deltas; they must
// agree, with the saved index read offline.
func TestIndexDeltas(t *testing.T) {
	s := newStore(t, chainVersions(80, 150))
	queries := []string{"253", "250/tcp", "249-255", "100-300", "120", "foo", "s130/tcp"}
	want := map[string]string{}
	for _, q := range queries {
		want[q] = jsonOf(t, build(t, s, q))
	}
	path := filepath.Join(t.TempDir(), "history.idx")
	ix, err := OpenIndex(s, path)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range queries {
		if got := jsonOf(t, build(t, ix, q)); got != want[q] {
			t.Errorf("%s, cold index: got\n%s\nwant\n%s", q, got, want[q])
		}
	}
	if err := ix.Save(); err != nil {
		t.Fatal(err)
	}
	ix, err = OpenIndex(s, path)
	if err != nil {
		t.Fatal(err)
	}
	full, deepest := 0, 0
	for _, b := range ix.blobs {
		if b.depth == 0 {
			full++
		}
		deepest = max(deepest, b.depth)
	}
	// 80 versions of that file: one chain of deltas can hold at
	// most maxDepth of them, so at least two are whole.
	if deepest != maxDepth || full < 2 {
		t.Errorf("saved index: deepest delta %d, %d whole files; want chains of %d and at least 2 whole files of it", deepest, full, maxDepth)
	}
	for _, q := range queries {
		if got := jsonOf(t, build(t, offline(ix, s), q)); got != want[q] {
			t.Errorf("%s, warm index: got\n%s\nwant\n%s", q, got, want[q])
		}
	}
}

// TestIndexBadStructure checks what the checksum cannot: an index whose
// parts do not fit together, as a bug or a hand edit would leave it. A file
// that breaks the delta rules is refused whole; a column or a delta that
// does not decode is dropped and read again from the store.
func TestIndexBadStructure(t *testing.T) {
	s := newStore(t, chainVersions(80, 150))
	want := jsonOf(t, build(t, s, "253"))
	path := filepath.Join(t.TempDir(), "history.idx")
	ix, _ := OpenIndex(s, path)
	build(t, ix, "253")
	if err := ix.Save(); err != nil {
		t.Fatal(err)
	}
	aDelta := func(ix *Index) *blobLines {
		for _, b := range ix.blobs {
			if b.depth > 1 {
				return b
			}
		}
		t.Fatal("no delta in the index")
		return nil
	}
	for name, spoil := range map[string]func(*Index){
		"depth skips a step": func(ix *Index) { aDelta(ix).depth += 2 },
		"base missing":       func(ix *Index) { aDelta(ix).base = record.Hash{0x01, 0x23, 0x45, 0x67} },
		"deeper than allowed": func(ix *Index) {
			for _, b := range ix.blobs {
				b.depth += maxDepth
			}
		},
	} {
		t.Run(name, func(t *testing.T) {
			ix, err := OpenIndex(s, path)
			if err != nil {
				t.Fatal(err)
			}
			spoil(ix)
			bad := filepath.Join(t.TempDir(), "history.idx")
			if err := os.WriteFile(bad, ix.encode(), 0o644); err != nil {
				t.Fatal(err)
			}
			ix, err = OpenIndex(s, bad)
			if err == nil || len(ix.blobs) != 0 {
				t.Fatalf("OpenIndex: got %d blobs and error %v, want an empty index and an error", len(ix.blobs), err)
			}
			if got := jsonOf(t, build(t, ix, "253")); got != want {
				t.Errorf("got\n%s\nwant\n%s", got, want)
			}
		})
	}
	for name, spoil := range map[string]func(*Index){
		"column":       func(ix *Index) { ix.cols[0].raw = []byte{0x80} },
		"delta":        func(ix *Index) { aDelta(ix).raw = []byte{5, 1} },
		"line id list": func(ix *Index) { ix.blobs[aDelta(ix).base].raw = []byte{0xff, 0xff, 0xff, 0xff, 0x0f} },
		// A delta in the middle of a chain: read again, it comes back on
		// another base, and the deltas on it must be saved to fit.
		"delta mid-chain": func(ix *Index) {
			for _, b := range ix.blobs {
				if b.depth == 10 {
					b.raw = []byte{5, 1}
					return
				}
			}
			t.Fatal("no delta of depth 10")
		},
	} {
		t.Run(name, func(t *testing.T) {
			ix, err := OpenIndex(s, path)
			if err != nil {
				t.Fatal(err)
			}
			spoil(ix)
			if got := jsonOf(t, build(t, ix, "253")); got != want {
				t.Errorf("got\n%s\nwant\n%s", got, want)
			}
			// What was dropped is read from the store, so the index
			// must now serve every query offline.
			if got := jsonOf(t, build(t, offline(ix, s), "253")); got != want {
				t.Errorf("offline after the repair: got\n%s\nwant\n%s", got, want)
			}
			// Saved, the repaired index must open (the deltas on a blob
			// read again chain to it) and serve offline.
			ix.path = filepath.Join(t.TempDir(), "history.idx")
			if err := ix.Save(); err != nil {
				t.Fatal(err)
			}
			ix, err = OpenIndex(s, ix.path)
			if err != nil {
				t.Fatalf("OpenIndex of the repaired index: %v", err)
			}
			if got := jsonOf(t, build(t, offline(ix, s), "253")); got != want {
				t.Errorf("offline, saved after the repair: got\n%s\nwant\n%s", got, want)
			}
		})
	}
}

// FuzzIndexFile decodes arbitrary index bodies (behind a valid checksum, so
// that the decoder is what is tried) and builds histories through them:
// nothing may panic or hang. A bad index may give wrong answers (it is
// trusted as a cache keyed by hashes), so answers are not checked. The store
// is read once into memory: minimizing an input runs this body thousands of
// times.
func FuzzIndexFile(f *testing.F) {
	src := memorize(f, newStore(f, chainVersions(12, 20)))
	ix := NewIndex(src)
	for _, q := range []string{"253", "foo"} {
		if _, err := Build(context.Background(), ix, ports, mustQuery(f, q)); err != nil {
			f.Fatal(err)
		}
	}
	f.Add(ix.encode()[len(indexMagic)+4:])
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, body []byte) {
		file := append([]byte(indexMagic), binary.LittleEndian.AppendUint32(nil, crc32.Checksum(body, castagnoli))...)
		ix := NewIndex(src)
		if ix.decode(append(file, body...)) != nil {
			return
		}
		for _, q := range []string{"253", "foo"} {
			Build(context.Background(), ix, ports, mustQuery(t, q))
		}
		ix.encode()
	})
}

// memSource is a Source held in memory.
type memSource struct {
	versions []record.Version
	files    map[record.Hash][]snapshots.File
	blobs    map[record.Hash][]byte
}

func memorize(tb testing.TB, s *snapshots.Store) *memSource {
	tb.Helper()
	vs, err := s.Versions(ports)
	if err != nil {
		tb.Fatal(err)
	}
	m := &memSource{versions: vs, files: map[record.Hash][]snapshots.File{}, blobs: map[record.Hash][]byte{}}
	for _, v := range vs {
		fs, err := s.Files(v)
		if err != nil {
			tb.Fatal(err)
		}
		m.files[v.Tree] = fs
		for _, f := range fs {
			if m.blobs[f.Hash], err = s.Blob(f.Hash); err != nil {
				tb.Fatal(err)
			}
		}
	}
	return m
}

func (m *memSource) Versions(string) ([]record.Version, error) { return m.versions, nil }

func (m *memSource) Files(v record.Version) ([]snapshots.File, error) {
	if fs, ok := m.files[v.Tree]; ok {
		return fs, nil
	}
	return nil, fmt.Errorf("no tree %s", v.Tree)
}

func (m *memSource) Blob(h record.Hash) ([]byte, error) {
	if b, ok := m.blobs[h]; ok {
		return b, nil
	}
	return nil, fmt.Errorf("no blob %s", h)
}

func mustQuery(tb testing.TB, s string) Query {
	tb.Helper()
	q, err := ParseQuery(s)
	if err != nil {
		tb.Fatal(err)
	}
	return q
}

// TestIndexOfAnotherFormat: an index written by an older regdiff is
// rebuilt without a warning, unlike a damaged one.
func TestIndexOfAnotherFormat(t *testing.T) {
	s := newStore(t, testVersions())
	path := filepath.Join(t.TempDir(), "history.idx")
	if err := os.WriteFile(path, []byte("regdiff history index 1\n\x00\x00\x00\x00rest of an old file"), 0o644); err != nil {
		t.Fatal(err)
	}
	ix, err := OpenIndex(s, path)
	if err != nil || len(ix.blobs) != 0 || len(ix.rows) != 0 {
		t.Fatalf("OpenIndex on an older index: got %d blobs, %d row bytes, error %v; want an empty index and no error", len(ix.blobs), len(ix.rows), err)
	}
	build(t, ix, "253")
	if err := ix.Save(); err != nil {
		t.Fatal(err)
	}
	if ix, err = OpenIndex(s, path); err != nil || len(ix.blobs) == 0 {
		t.Fatalf("OpenIndex after the rebuild: got %d blobs, error %v; want the new index", len(ix.blobs), err)
	}
}

// TestIndexLearnsNewPaths: a saved index meets a store grown by a version
// with a file at a new path (a first port in 5000-5999); saved again, it
// must hold the old trees, whose columns are kept as they were, and the
// new one, whose column is new.
func TestIndexLearnsNewPaths(t *testing.T) {
	vs := testVersions()
	path := filepath.Join(t.TempDir(), "history.idx")
	ix, _ := OpenIndex(newStore(t, vs), path)
	build(t, ix, "ssh")
	if err := ix.Save(); err != nil {
		t.Fatal(err)
	}
	grown := append(slices.Clone(vs), version{"2020-05-01", append(slices.Clone(vs[len(vs)-1].recs),
		record.Record{Name: "five", Protocol: "udp", Number: "5000", Description: "Five"})})
	s := newStore(t, grown)
	queries := []string{"5000", "22", "ssh", "five", "253"}
	want := map[string]string{}
	for _, q := range queries {
		want[q] = jsonOf(t, build(t, s, q))
	}
	ix, err := OpenIndex(s, path)
	if err != nil {
		t.Fatal(err)
	}
	build(t, ix, "ssh") // reads every tree of the grown store, and every file
	if err := ix.Save(); err != nil {
		t.Fatal(err)
	}
	if ix, err = OpenIndex(s, path); err != nil {
		t.Fatal(err)
	}
	// The old versions' trees are the same objects in both stores.
	if rows := len(ix.rows) / record.HashSize; rows != len(grown) {
		t.Errorf("saved index holds %d trees, want the %d of the grown store", rows, len(grown))
	}
	if !slices.Contains(ix.paths, snapshots.FilesCovering(5000, 5000)[1]) {
		t.Errorf("saved index paths %q lack the new file", ix.paths)
	}
	for _, q := range queries {
		if got := jsonOf(t, build(t, offline(ix, s), q)); got != want[q] {
			t.Errorf("%s: got\n%s\nwant\n%s", q, got, want[q])
		}
	}
}

// The largest numbers a line can hold survive the cache file, which writes
// each bound plus one: 2147483647 closes ranges in aaa-parameters and
// others, and made the saved index unreadable.
func TestIndexLargestNumbers(t *testing.T) {
	for _, tt := range []struct {
		line   string
		lo, hi int32
	}{
		{`{"number":"4-2147483646"}`, 4, 2147483646},
		{`{"number":"4-2147483647"}`, -1, -1},
		{`{"number":"2147483647"}`, -1, -1},
	} {
		lo, hi, err := lineRange([]byte(tt.line))
		if err != nil || lo != tt.lo || hi != tt.hi {
			t.Errorf("lineRange(%s) = %d, %d, %v; want %d, %d", tt.line, lo, hi, err, tt.lo, tt.hi)
		}
		ix := &Index{lines: []line{{text: []byte(tt.line), lo: lo, hi: hi}}}
		var back Index
		if err := back.decode(ix.encode()); err != nil {
			t.Errorf("%s: the saved index does not read back: %v", tt.line, err)
		}
	}
}
