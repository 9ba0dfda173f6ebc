package history

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"slices"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/regdiff/regdiff/snapshots"
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
// 15,500 distinct ones), so the file stays small: a few MB.
//
// An Index is a [Source] itself: pass it to Build in place of the store.
// It is not safe for concurrent use.
type Index struct {
	src   Source
	path  string
	trees map[plumbing.Hash][]snapshots.File
	// rawTrees are trees as the index file holds them, decoded on first
	// use: a history reads one or two files of each of thousands of
	// trees, and allocating every tree's file list was most of its cost.
	rawTrees map[plumbing.Hash][]byte
	paths    []string // of rawTrees' path ids
	blobs    map[plumbing.Hash]*blobLines
	lines    []line
	ids      map[string]int32 // line text → id; built when the first new line is added
	dirty    bool
}

// line is one distinct record line of a normalized file.
type line struct {
	text   []byte
	lo, hi int32 // the number range; lo = -1 when the record has no port number
}

// blobLines is a file's lines, as ids into Index.lines; raw holds them
// uvarint-encoded until first use.
type blobLines struct {
	raw     []byte
	ids     []int32
	decoded bool
}

// NewIndex returns an empty in-memory index over src.
func NewIndex(src Source) *Index {
	return &Index{src: src, trees: map[plumbing.Hash][]snapshots.File{}, rawTrees: map[plumbing.Hash][]byte{}, blobs: map[plumbing.Hash]*blobLines{}}
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
	if err != nil {
		fresh := NewIndex(src)
		fresh.path = path
		return fresh, fmt.Errorf("history index %s ignored: %w", path, err)
	}
	return ix, nil
}

// Versions lists the source's versions; they are never cached.
func (ix *Index) Versions(registry string) ([]snapshots.Version, error) {
	return ix.src.Versions(registry)
}

// Files lists a version's normalized files, from the index when it knows
// the version's tree.
func (ix *Index) Files(v snapshots.Version) ([]snapshots.File, error) {
	if fs, ok := ix.trees[v.Tree]; ok && !v.Tree.IsZero() {
		return fs, nil
	}
	if raw, ok := ix.rawTrees[v.Tree]; ok {
		d := decoder{data: raw}
		fs := make([]snapshots.File, d.count())
		for i := range fs {
			fs[i] = snapshots.File{Path: ix.paths[d.uvarint()], Hash: d.hash()} // ids checked by decode
		}
		delete(ix.rawTrees, v.Tree)
		ix.trees[v.Tree] = fs
		return fs, nil
	}
	fs, err := ix.src.Files(v)
	if err != nil {
		return nil, err
	}
	if !v.Tree.IsZero() {
		ix.trees[v.Tree] = fs
		ix.dirty = true
	}
	return fs, nil
}

// pick returns the hashes of a version's files at paths, the zero hash
// for a file the version lacks, without decoding a tree the index holds.
func (ix *Index) pick(v snapshots.Version, paths []string) ([]plumbing.Hash, error) {
	raw, ok := ix.rawTrees[v.Tree]
	if !ok {
		files, err := ix.Files(v)
		if err != nil {
			return nil, err
		}
		return pick(files, paths), nil
	}
	out := make([]plumbing.Hash, len(paths))
	d := decoder{data: raw}
	for n := d.count(); n > 0; n-- {
		p := ix.paths[d.uvarint()]
		h := d.hash()
		if i := slices.Index(paths, p); i >= 0 {
			out[i] = h
		}
	}
	return out, nil
}

// Blob reads a blob from the source.
func (ix *Index) Blob(h plumbing.Hash) ([]byte, error) { return ix.src.Blob(h) }

// fileLines returns the line ids of a file, reading and splitting it the
// first time.
func (ix *Index) fileLines(f snapshots.File) ([]int32, error) {
	if f.Hash.IsZero() {
		return nil, nil
	}
	if b, ok := ix.blobs[f.Hash]; ok {
		if !b.decoded {
			ids, err := decodeIDs(b.raw, len(ix.lines))
			if err != nil {
				// Only a hand-edited file passes the checksum and gets
				// here; read the blob again.
				delete(ix.blobs, f.Hash)
				return ix.fileLines(f)
			}
			b.ids, b.raw, b.decoded = ids, nil, true
		}
		return b.ids, nil
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
	for n := 1; len(data) > 0; n++ {
		var l []byte
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			l, data = data[:i], data[i+1:]
		} else {
			l, data = data, nil
		}
		if len(bytes.TrimSpace(l)) == 0 {
			continue
		}
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
	ix.blobs[f.Hash] = &blobLines{ids: ids, decoded: true}
	ix.dirty = true
	return ids, nil
}

var numberKey = []byte(`"number":"`)

// lineRange finds a record line's number range. In JSON text, "number":"
// with unescaped quotes can only be the record's key, so the number is
// usually read without decoding the line.
func lineRange(l []byte) (lo, hi int32, err error) {
	if i := bytes.Index(l, numberKey); i >= 0 {
		num := l[i+len(numberKey):]
		if j := bytes.IndexByte(num, '"'); j >= 0 && bytes.IndexByte(num[:j], '\\') < 0 {
			return rangeOf(string(num[:j]))
		}
	}
	r, err := snapshots.DecodeRecordLine(string(l))
	if err != nil {
		return 0, 0, err
	}
	return rangeOf(r.Number)
}

func rangeOf(number string) (lo, hi int32, err error) {
	a, b, ok := snapshots.ParseRange(number)
	if !ok || a > 1<<31-1 || b > 1<<31-1 {
		return -1, -1, nil
	}
	return int32(a), int32(b), nil
}

// record decodes line id.
func (ix *Index) record(id int32) (snapshots.Record, error) {
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
//	lines: count, then each: lo+1, hi+1, length, text
//	blobs: count, then each: hash, byte length, then that many bytes of line ids
//	paths: count, then each: length, text
//	trees: count, then each: hash, file count, then each: path index, hash
const indexMagic = "regdiff history index 1\n"

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
		raw := b.raw
		if b.decoded {
			raw = nil
			for _, id := range b.ids {
				raw = binary.AppendUvarint(raw, uint64(id))
			}
		}
		u(len(raw))
		body = append(body, raw...)
	}
	for h := range ix.rawTrees {
		ix.Files(snapshots.Version{Tree: h}) // cannot fail: the tree is held
	}
	pathIDs := map[string]int{}
	var paths []string
	for _, fs := range ix.trees {
		for _, f := range fs {
			if _, ok := pathIDs[f.Path]; !ok {
				pathIDs[f.Path] = len(paths)
				paths = append(paths, f.Path)
			}
		}
	}
	u(len(paths))
	for _, p := range paths {
		u(len(p))
		body = append(body, p...)
	}
	u(len(ix.trees))
	for h, fs := range ix.trees {
		body = append(body, h[:]...)
		u(len(fs))
		for _, f := range fs {
			u(pathIDs[f.Path])
			body = append(body, f.Hash[:]...)
		}
	}
	out := make([]byte, 0, len(indexMagic)+4+len(body))
	out = append(out, indexMagic...)
	out = binary.LittleEndian.AppendUint32(out, crc32.Checksum(body, castagnoli))
	return append(out, body...)
}

var errCorrupt = errors.New("corrupt or truncated")

func (ix *Index) decode(data []byte) error {
	if !bytes.HasPrefix(data, []byte(indexMagic)) {
		return errors.New("not a history index of this format")
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
		ix.blobs[h] = &blobLines{raw: d.bytes(d.uvarint())}
	}
	paths := make([]string, d.count())
	for i := range paths {
		paths[i] = string(d.bytes(d.uvarint()))
	}
	ix.paths = paths
	n = d.count()
	for range n {
		h := d.hash()
		before := d.data
		for k := d.count(); k > 0 && d.err == nil; k-- {
			if d.uvarint() >= len(paths) {
				d.err = errCorrupt
			}
			d.hash()
		}
		if d.err != nil {
			break
		}
		ix.rawTrees[h] = before[:len(before)-len(d.data)]
	}
	if d.err == nil && len(d.data) != 0 {
		d.err = errCorrupt
	}
	return d.err
}

func decodeIDs(raw []byte, n int) ([]int32, error) {
	var ids []int32
	for len(raw) > 0 {
		v, k := binary.Uvarint(raw)
		if k <= 0 || v >= uint64(n) {
			return nil, errCorrupt
		}
		ids = append(ids, int32(v))
		raw = raw[k:]
	}
	return ids, nil
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
		return 0
	}
	d.data = d.data[k:]
	return int(v)
}

// count reads a count of entries, each at least one byte long.
func (d *decoder) count() int {
	n := d.uvarint()
	if n > len(d.data) {
		d.err = errCorrupt
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
		return nil
	}
	b := d.data[:n:n]
	d.data = d.data[n:]
	return b
}

func (d *decoder) hash() plumbing.Hash {
	var h plumbing.Hash
	copy(h[:], d.bytes(len(h)))
	return h
}
