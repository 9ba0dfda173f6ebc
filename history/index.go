package history

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"maps"
	"os"
	"path/filepath"
	"slices"

	"github.com/regdiff/regdiff/snapshots"
	"github.com/regdiff/regdiff/snapshots/record"
)

// Index caches what [Build] reads from a [Source]: which normalized files
// each version's tree holds, and the lines (records) of each file. Every
// entry is keyed by a git object hash and holds only what that object's
// content determines, so an entry can never be stale: a version added,
// inserted or rewritten has new hashes, which are simply not in the index
// yet and are read from the source. A missing, truncated or corrupt index
// file is ignored (a checksum guards it), which makes Build slower, never
// different.
//
// Lines are stored once however many files and versions share them (the
// 359 versions of the port registry hold 506,000 record lines but only
// 15,500 distinct ones), and a file is mostly stored as its difference from
// the one before it at the same path, so the file stays small: a few MB.
//
// An Index is a [Source] itself: pass it to Build in place of the store.
// It is not safe for concurrent use.
type Index struct {
	src  Source
	path string

	// Trees the index file holds, column-wise: a history reads one or two
	// files of each of thousands of trees, and decoding every tree's file
	// list was most of its cost. rows is the trees' hashes in the order
	// first read, 20 bytes each; cols[i] gives, for each row, the file at
	// paths[i] as a 1-based number into blobTab (0: the tree lacks it).
	rows    []byte
	next    int                   // the row after the last one found: versions are asked for in order
	rowOf   map[record.Hash]int32 // built when next misses
	paths   []string              // sorted
	cols    []column
	blobTab []byte // 20 bytes per hash

	trees   map[record.Hash][]snapshots.File // trees read from the source or decoded from rows
	learned []record.Hash                    // trees read from the source, in the order read
	blobs   map[record.Hash]*blobLines
	lines   []line
	ids     map[string]int32 // line text → id; built when the first new line is added
	// last is, per path, the file whose lines were last asked for: the
	// base of the next new file's delta.
	last  map[string]record.Hash
	dirty bool
}

// column is one path's file in each row, uvarint-encoded until first use.
type column struct {
	raw  []byte
	refs []int32
}

// line is one distinct record line of a normalized file.
type line struct {
	text   []byte
	lo, hi int32 // the number range; lo = -1 when the record has no port number
}

// blobLines is a file's lines, as ids into Index.lines. Raw holds them
// encoded until first use: a uvarint list, or, when depth > 0, a delta
// from the file base, which has depth-1.
type blobLines struct {
	raw   []byte
	depth int
	base  record.Hash
	delta *delta // decoded delta
	ids   []int32
	known bool // ids are decoded
}

// delta is a file's lines as a change to its base's: base's lines less one
// occurrence of each of del, with ins put in. Files of one path change a
// few records per version, so a port query works out what covers it from
// the base's answer and the delta, not by reading thousands of ids.
type delta struct {
	del []int32
	ins []insert // by ascending position
}

// insert is a line at a position of the new list.
type insert struct{ at, id int32 }

// maxDepth bounds a chain of deltas, so that one file's lines never take
// more than that many steps to rebuild.
const maxDepth = 64

// NewIndex returns an empty in-memory index over src.
func NewIndex(src Source) *Index {
	return &Index{src: src, trees: map[record.Hash][]snapshots.File{}, blobs: map[record.Hash]*blobLines{}, last: map[string]record.Hash{}}
}

// OpenIndex returns an index over src loaded from the file at path, which
// [Index.Save] writes back. A missing file gives an empty index; so does an
// unreadable or corrupt one, whose problem is returned as well, for the
// caller to report or ignore: the index is usable either way.
func OpenIndex(src Source, path string) (*Index, error) {
	ix := NewIndex(src)
	ix.path = path
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return ix, nil
	}
	if err == nil {
		err = ix.decode(data)
	}
	if errors.Is(err, errOtherVersion) {
		err = nil // written by another version of regdiff: rebuilt without a word
	}
	if err != nil {
		fresh := NewIndex(src)
		fresh.path = path
		return fresh, fmt.Errorf("history index %s ignored: %w", path, err)
	}
	return ix, nil
}

// Versions lists the source's versions; they are never cached.
func (ix *Index) Versions(registry string) ([]record.Version, error) {
	return ix.src.Versions(registry)
}

// Files lists a version's normalized files, from the index when it knows
// the version's tree.
func (ix *Index) Files(v record.Version) ([]snapshots.File, error) {
	if fs, ok := ix.trees[v.Tree]; ok && !v.Tree.IsZero() {
		return fs, nil
	}
	if row, ok := ix.row(v.Tree); ok {
		var fs []snapshots.File
		for i, p := range ix.paths {
			h, ok := ix.cell(i, row)
			if !ok {
				return ix.Files(v) // the file's columns were corrupt and are dropped
			}
			if !h.IsZero() {
				fs = append(fs, snapshots.File{Path: p, Hash: h})
			}
		}
		ix.trees[v.Tree] = fs
		return fs, nil
	}
	fs, err := ix.src.Files(v)
	if err != nil {
		return nil, err
	}
	if !v.Tree.IsZero() {
		ix.trees[v.Tree] = fs
		ix.learned = append(ix.learned, v.Tree)
		ix.dirty = true
	}
	return fs, nil
}

// pick puts in out the hashes of a version's files at paths, the zero
// hash for a file the version lacks, reading only those paths' columns.
func (ix *Index) pick(v record.Version, paths []string, out []record.Hash) error {
	if row, ok := ix.row(v.Tree); ok {
		for j, p := range paths {
			out[j] = record.Hash{}
			i, found := slices.BinarySearch(ix.paths, p)
			if !found {
				continue
			}
			if out[j], ok = ix.cell(i, row); !ok {
				return ix.pick(v, paths, out)
			}
		}
		return nil
	}
	files, err := ix.Files(v)
	if err != nil {
		return err
	}
	pick(files, paths, out)
	return nil
}

// row finds a tree among the rows. They are kept in the order the trees
// were first read, which is mostly version order, so the row after the
// last one found is tried first.
func (ix *Index) row(tree record.Hash) (int, bool) {
	const size = record.HashSize
	if n := ix.next; n < len(ix.rows)/size && record.Hash(ix.rows[n*size:]) == tree {
		ix.next++
		return n, true
	}
	if ix.rowOf == nil {
		ix.rowOf = make(map[record.Hash]int32, len(ix.rows)/size)
		for i := range len(ix.rows) / size {
			ix.rowOf[record.Hash(ix.rows[i*size:])] = int32(i)
		}
	}
	i, ok := ix.rowOf[tree]
	if ok {
		ix.next = int(i) + 1
	}
	return int(i), ok
}

// cell returns the file of column i in row, decoding the column on first
// use. A column that does not decode (a hand-edited file; the checksum
// catches the rest) drops every row, ok false: the trees are then read
// from the source.
func (ix *Index) cell(i, row int) (h record.Hash, ok bool) {
	refs, ok := ix.column(i)
	if !ok {
		return h, false
	}
	if ref := int(refs[row]); ref > 0 {
		copy(h[:], ix.blobTab[(ref-1)*len(h):])
	}
	return h, true
}

// column returns column i, decoding it on first use; see cell.
func (ix *Index) column(i int) ([]int32, bool) {
	c := &ix.cols[i]
	if c.refs == nil {
		size := record.HashSize
		rows, tab := len(ix.rows)/size, len(ix.blobTab)/size
		d := decoder{data: c.raw}
		c.refs = make([]int32, rows)
		for r := range c.refs {
			if c.refs[r] = int32(d.uvarint()); int(c.refs[r]) > tab {
				d.err = errCorrupt
			}
		}
		if d.err != nil || len(d.data) != 0 {
			ix.rows, ix.rowOf, ix.paths, ix.cols, ix.blobTab = nil, map[record.Hash]int32{}, nil, nil, nil
			// The trees decoded from rows so far are kept, and the next
			// save writes them in a sound file.
			ix.learned = slices.Collect(maps.Keys(ix.trees))
			ix.dirty = true
			return nil, false
		}
		c.raw = nil
	}
	return c.refs, true
}

// Blob reads a blob from the source.
func (ix *Index) Blob(h record.Hash) ([]byte, error) { return ix.src.Blob(h) }

// fileLines returns the line ids of a file, reading and splitting it the
// first time.
func (ix *Index) fileLines(f snapshots.File) ([]int32, error) {
	if f.Hash.IsZero() {
		return nil, nil
	}
	base := ix.last[f.Path]
	if f.Path != "" {
		ix.last[f.Path] = f.Hash
	}
	if ids, ok := ix.heldLines(f.Hash, 0); ok {
		return ids, nil
	}
	data, err := ix.src.Blob(f.Hash)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", f.Path, err)
	}
	if ix.ids == nil {
		ix.ids = make(map[string]int32, len(ix.lines)+1024)
		for i, l := range ix.lines {
			ix.ids[string(l.text)] = int32(i)
		}
	}
	var ids []int32
	for n, l := range snapshots.Lines(data) {
		id, ok := ix.ids[string(l)]
		if !ok {
			lo, hi, err := lineRange(l)
			if err != nil {
				return nil, fmt.Errorf("%s:%d: %w", f.Path, n, err)
			}
			id = int32(len(ix.lines))
			text := bytes.Clone(l)
			ix.lines = append(ix.lines, line{text: text, lo: lo, hi: hi})
			ix.ids[string(text)] = id
		}
		ids = append(ids, id)
	}
	ix.addBlob(f, base, ids)
	return ids, nil
}

// heldLines returns the line ids of a blob the index holds, rebuilding a
// delta's from its base; ok is false when the index lacks the blob or it
// does not decode (a hand-edited file: it is dropped and read again).
func (ix *Index) heldLines(h record.Hash, steps int) ([]int32, bool) {
	b, ok := ix.blobs[h]
	if !ok {
		return nil, false
	}
	if b.known {
		return b.ids, true
	}
	var ids []int32
	var err error
	if b.depth == 0 {
		ids, err = decodeIDs(b.raw, len(ix.lines))
	} else if d, ok := ix.lineDelta(h); !ok || steps > maxDepth {
		err = errCorrupt
	} else if base, ok := ix.heldLines(b.base, steps+1); !ok {
		err = errCorrupt
	} else {
		ids, err = d.apply(base)
	}
	if err != nil {
		delete(ix.blobs, h)
		return nil, false
	}
	b.ids, b.known = ids, true
	return ids, true
}

// lineDelta returns a held blob's delta, or ok false when the index holds
// the blob whole (or not at all, or corrupt).
func (ix *Index) lineDelta(h record.Hash) (*delta, bool) {
	b, ok := ix.blobs[h]
	if !ok || b.depth == 0 {
		return nil, false
	}
	if b.delta == nil {
		d, err := decodeDelta(b.raw, len(ix.lines))
		if err != nil {
			return nil, false
		}
		b.delta = d
	}
	return b.delta, true
}

// addBlob keeps a new file's lines, as a delta from base (the last file
// asked for at its path) when that is much smaller than the list.
func (ix *Index) addBlob(f snapshots.File, baseHash record.Hash, ids []int32) {
	nb := &blobLines{ids: ids, known: true}
	ix.blobs[f.Hash] = nb
	ix.dirty = true
	base := ix.blobs[baseHash]
	if f.Path == "" || baseHash == f.Hash || base == nil || base.depth >= maxDepth {
		return
	}
	old, ok := ix.heldLines(baseHash, 0)
	if !ok {
		return
	}
	if d := makeDelta(old, ids); d != nil && 2*(len(d.del)+2*len(d.ins)) < len(ids) {
		nb.depth, nb.base, nb.delta = base.depth+1, baseHash, d
	}
}

// makeDelta returns the delta from old to new, or nil when applying it
// would not give new back (lines whose order changed).
func makeDelta(old, new []int32) *delta {
	surplus := make(map[int32]int, len(old))
	for _, id := range old {
		surplus[id]++
	}
	d := &delta{}
	for i, id := range new {
		if surplus[id] > 0 {
			surplus[id]--
		} else {
			d.ins = append(d.ins, insert{at: int32(i), id: id})
		}
	}
	for _, id := range old {
		if surplus[id] > 0 {
			surplus[id]--
			d.del = append(d.del, id)
		}
	}
	if got, err := d.apply(old); err != nil || !slices.Equal(got, new) {
		return nil
	}
	return d
}

// apply rebuilds a list from its base: dropping the first occurrence of
// each deleted id, then inserting.
func (d *delta) apply(base []int32) ([]int32, error) {
	drop := make(map[int32]int, len(d.del))
	for _, id := range d.del {
		drop[id]++
	}
	out := make([]int32, 0, len(base)+len(d.ins))
	k := 0
	put := func() {
		for k < len(d.ins) && int(d.ins[k].at) == len(out) {
			out = append(out, d.ins[k].id)
			k++
		}
	}
	dropped := 0
	for _, id := range base {
		if drop[id] > 0 {
			drop[id]--
			dropped++
			continue
		}
		put()
		out = append(out, id)
	}
	put()
	if k != len(d.ins) || dropped != len(d.del) {
		return nil, errCorrupt
	}
	return out, nil
}

// lineRange finds a record line's number range, lo = -1 when the record
// has no port number (none, or at or past the largest int32: the cache
// file writes each bound plus one, which must stay within what it reads
// back; 2147483647 closes ranges in several registries).
func lineRange(l []byte) (lo, hi int32, err error) {
	a, b, ok, err := snapshots.LineRange(l)
	if err != nil || !ok || a >= 1<<31-1 || b >= 1<<31-1 {
		return -1, -1, err
	}
	return int32(a), int32(b), nil
}

// record decodes line id.
func (ix *Index) record(id int32) (record.Record, error) {
	return snapshots.DecodeRecordLine(string(ix.lines[id].text))
}

// Save writes the index to the file it was opened from, when it learned
// anything; the file is replaced atomically, so a concurrent reader sees
// the old or the new index. It does nothing for an index made by NewIndex.
func (ix *Index) Save() error {
	if ix.path == "" || !ix.dirty {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(ix.path), 0o755); err != nil {
		return fmt.Errorf("save history index: %w", err)
	}
	f, err := os.CreateTemp(filepath.Dir(ix.path), ".tmp-"+filepath.Base(ix.path)+"-*")
	if err != nil {
		return fmt.Errorf("save history index: %w", err)
	}
	defer os.Remove(f.Name()) // no-op once renamed
	ix.settleDepths()
	_, err = f.Write(ix.encode())
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), ix.path)
	}
	if err != nil {
		return fmt.Errorf("save history index: %w", err)
	}
	ix.dirty = false
	return nil
}

// The index file: a magic line, then the CRC-32C of the body, then the
// body, all integers uvarints unless said otherwise:
//
//	lines:   count, then each: lo+1, hi+1, length, text
//	blobs:   count, then each: hash, depth, base hash when depth > 0,
//	         byte length, then that many bytes: the line ids, or for a
//	         delta the count of deleted ids, those ids, the count of
//	         inserts and each: position less the previous one's, id
//	trees:   count, then their hashes (20 bytes each), in the order read
//	blobTab: count, then hashes (20 bytes each)
//	paths:   count, then each: length, text; sorted
//	columns: for each path, byte length, then per tree: 0, or 1 + the
//	         index in blobTab of the tree's file at that path
const indexMagic = "regdiff history index 2\n"

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

func (ix *Index) encode() []byte {
	var body []byte
	u := func(n int) { body = binary.AppendUvarint(body, uint64(n)) }
	u(len(ix.lines))
	for _, l := range ix.lines {
		u(int(l.lo) + 1)
		u(int(l.hi) + 1)
		u(len(l.text))
		body = append(body, l.text...)
	}
	u(len(ix.blobs))
	for h, b := range ix.blobs {
		body = append(body, h[:]...)
		u(b.depth)
		if b.depth > 0 {
			body = append(body, b.base[:]...)
		}
		raw := b.raw
		switch {
		case b.depth > 0 && b.delta != nil:
			raw = b.delta.encode()
		case b.depth == 0 && b.known:
			raw = nil
			for _, id := range b.ids {
				raw = binary.AppendUvarint(raw, uint64(id))
			}
		}
		u(len(raw))
		body = append(body, raw...)
	}

	hashes, paths, refs, tabList := ix.columns()
	u(len(hashes))
	for _, h := range hashes {
		body = append(body, h[:]...)
	}
	u(len(tabList))
	for _, h := range tabList {
		body = append(body, h[:]...)
	}
	u(len(paths))
	for _, p := range paths {
		u(len(p))
		body = append(body, p...)
	}
	for _, col := range refs {
		var c []byte
		for _, ref := range col {
			c = binary.AppendUvarint(c, uint64(ref))
		}
		u(len(c))
		body = append(body, c...)
	}

	out := make([]byte, 0, len(indexMagic)+4+len(body))
	out = append(out, indexMagic...)
	out = binary.LittleEndian.AppendUint32(out, crc32.Checksum(body, castagnoli))
	return append(out, body...)
}

// settleDepths makes every delta's depth one more than its base's, as the
// file requires. A blob that failed to decode was read again, whole or on
// another base, and the deltas on it kept their old depths: saved as they
// are, the next run would refuse the whole file. A delta whose chain is
// broken or too deep is made whole, or dropped when it cannot be rebuilt.
func (ix *Index) settleDepths() {
	depth := map[record.Hash]int{}
	var walk func(h record.Hash, steps int) int // -1: cannot stay a delta
	walk = func(h record.Hash, steps int) int {
		if d, ok := depth[h]; ok {
			return d
		}
		b := ix.blobs[h]
		d := 0
		switch {
		case b == nil || steps > maxDepth:
			d = -1
		case b.depth > 0:
			if d = walk(b.base, steps+1); d >= 0 && d < maxDepth {
				d++
			} else {
				d = -1
			}
		}
		depth[h] = d
		return d
	}
	for h := range ix.blobs {
		walk(h, 0)
	}
	for h, b := range ix.blobs {
		switch d := depth[h]; {
		case d >= 0:
			b.depth = d
		default:
			ids, ok := ix.heldLines(h, 0)
			if !ok {
				delete(ix.blobs, h)
				continue
			}
			*b = blobLines{ids: ids, known: true}
		}
	}
}

// columns returns what encode writes of the trees: the rows (those read
// from the file, in their order, then those learned), the paths, each
// path's column of 1-based numbers into tab (0: no file), and tab. The
// loaded columns are kept as they are, numbers and all (tab starts with the
// loaded blobTab): after a fetch, a run learns one tree and saves 5,000.
func (ix *Index) columns() (hashes []record.Hash, paths []string, refs [][]int32, tab []record.Hash) {
	const size = record.HashSize
	for i := range ix.cols {
		if _, ok := ix.column(i); !ok {
			break // every row is dropped; the learned trees are what is left
		}
	}
	loaded := len(ix.rows) / size
	for r := range loaded {
		hashes = append(hashes, record.Hash(ix.rows[r*size:]))
	}
	for r := range len(ix.blobTab) / size {
		tab = append(tab, record.Hash(ix.blobTab[r*size:]))
	}
	pathIDs := map[string]int{}
	for _, p := range ix.paths {
		pathIDs[p] = 0
	}
	// A tree is learned once: Files reads from the source only what
	// ix.trees lacks.
	hashes = append(hashes, ix.learned...)
	for _, h := range ix.learned {
		for _, f := range ix.trees[h] {
			pathIDs[f.Path] = 0
		}
	}
	paths = slices.Sorted(maps.Keys(pathIDs))
	refs = make([][]int32, len(paths))
	for i, p := range paths {
		pathIDs[p] = i
		refs[i] = make([]int32, len(hashes))
	}
	for j, p := range ix.paths {
		copy(refs[pathIDs[p]], ix.cols[j].refs)
	}
	if len(ix.learned) == 0 {
		return hashes, paths, refs, tab
	}
	at := make(map[record.Hash]int32, len(tab))
	for i, h := range tab {
		at[h] = int32(i + 1)
	}
	for k, h := range ix.learned {
		for _, f := range ix.trees[h] {
			ref, ok := at[f.Hash]
			if !ok {
				tab = append(tab, f.Hash)
				ref = int32(len(tab))
				at[f.Hash] = ref
			}
			refs[pathIDs[f.Path]][loaded+k] = ref
		}
	}
	return hashes, paths, refs, tab
}

func (d *delta) encode() []byte {
	var raw []byte
	u := func(n int32) { raw = binary.AppendUvarint(raw, uint64(n)) }
	u(int32(len(d.del)))
	for _, id := range d.del {
		u(id)
	}
	u(int32(len(d.ins)))
	prev := int32(0)
	for _, in := range d.ins {
		u(in.at - prev)
		u(in.id)
		prev = in.at
	}
	return raw
}

var (
	errCorrupt      = errors.New("corrupt or truncated")
	errOtherVersion = errors.New("a history index of another format")
)

func (ix *Index) decode(data []byte) error {
	if !bytes.HasPrefix(data, []byte(indexMagic)) {
		if bytes.HasPrefix(data, []byte(indexMagic[:len(indexMagic)-2])) {
			return errOtherVersion
		}
		return errors.New("not a history index")
	}
	data = data[len(indexMagic):]
	if len(data) < 4 || binary.LittleEndian.Uint32(data) != crc32.Checksum(data[4:], castagnoli) {
		return fmt.Errorf("checksum mismatch: %w", errCorrupt)
	}
	d := decoder{data: data[4:]}
	n := d.count()
	ix.lines = make([]line, 0, n)
	for range n {
		lo, hi := int32(d.uvarint())-1, int32(d.uvarint())-1
		ix.lines = append(ix.lines, line{lo: lo, hi: hi, text: d.bytes(d.uvarint())})
	}
	n = d.count()
	for range n {
		h := d.hash()
		b := &blobLines{depth: d.uvarint()}
		if b.depth > 0 {
			b.base = d.hash()
		}
		b.raw = d.bytes(d.uvarint())
		ix.blobs[h] = b
	}
	// A delta's base must be one step shallower, which rules out a cycle.
	for _, b := range ix.blobs {
		if base, ok := ix.blobs[b.base]; b.depth > maxDepth || b.depth > 0 && (!ok || base.depth != b.depth-1) {
			return errCorrupt
		}
	}
	ix.rows = d.bytes(d.count() * record.HashSize)
	ix.blobTab = d.bytes(d.count() * record.HashSize)
	ix.paths = make([]string, d.count())
	for i := range ix.paths {
		ix.paths[i] = string(d.bytes(d.uvarint()))
	}
	ix.cols = make([]column, len(ix.paths))
	for i := range ix.cols {
		ix.cols[i].raw = d.bytes(d.uvarint())
	}
	if d.err == nil && len(d.data) != 0 {
		d.err = errCorrupt
	}
	return d.err
}

func decodeIDs(raw []byte, n int) ([]int32, error) {
	d := decoder{data: raw}
	var ids []int32
	for len(d.data) > 0 {
		ids = append(ids, d.id(n))
	}
	return ids, d.err
}

func decodeDelta(raw []byte, n int) (*delta, error) {
	d := decoder{data: raw}
	dl := &delta{del: make([]int32, d.count())}
	for i := range dl.del {
		dl.del[i] = d.id(n)
	}
	dl.ins = make([]insert, d.count())
	at := 0
	for i := range dl.ins {
		at += d.uvarint()
		dl.ins[i] = insert{at: int32(min(at, 1<<31-1)), id: d.id(n)}
	}
	if d.err == nil && len(d.data) != 0 {
		d.err = errCorrupt
	}
	return dl, d.err
}

// decoder reads the index body; after the first error every read returns
// zero values and err stays set.
type decoder struct {
	data []byte
	err  error
}

func (d *decoder) uvarint() int {
	if d.err != nil {
		return 0
	}
	v, k := binary.Uvarint(d.data)
	if k <= 0 || v > 1<<31-1 {
		d.err = errCorrupt
		d.data = nil
		return 0
	}
	d.data = d.data[k:]
	return int(v)
}

// id reads a line id, which must be below n.
func (d *decoder) id(n int) int32 {
	v := d.uvarint()
	if v >= n && d.err == nil {
		d.err = errCorrupt
		d.data = nil
	}
	return int32(v)
}

// count reads a count of entries, each at least one byte long.
func (d *decoder) count() int {
	n := d.uvarint()
	if n > len(d.data) {
		d.err = errCorrupt
		d.data = nil
		return 0
	}
	return n
}

func (d *decoder) bytes(n int) []byte {
	if d.err != nil {
		return nil
	}
	if n > len(d.data) {
		d.err = errCorrupt
		d.data = nil
		return nil
	}
	b := d.data[:n:n]
	d.data = d.data[n:]
	return b
}

func (d *decoder) hash() record.Hash {
	var h record.Hash
	copy(h[:], d.bytes(len(h)))
	return h
}
