package snapshots

import (
	"bufio"
	"bytes"
	"cmp"
	"container/list"
	"crypto/sha1"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/format/idxfile"
	"github.com/klauspost/compress/zlib"
)

// Packing. Refs may only name objects that a kill cannot leave half
// written: loose objects, or installed packs. Loose, each raw file costs
// its compressed size (0.6 MB a version of the ports registry); in a pack
// it is a delta against an earlier version of the same file, a few
// kilobytes. So:
//
//   - an import feeds every object it creates to a pack builder as it
//     writes it, while it still has the content, and installs the pack at
//     the end (the pack, then its index, each synced and renamed into
//     place). Until then each object also goes, whole and quickly
//     compressed, into a checkpoint pack, which is installed just before
//     refs move (writeRefs) and a new one begun; the import's pack
//     replaces them at the end. Writing each object loose instead (as a
//     commit outside an import does) was a quarter of the import of every
//     registry: 90,000 files made and removed again;
//   - a commit outside an import (fetch) packs the store's loose objects
//     once there are more than looseLimit of them, and past maxPacks packs
//     every pack is merged into one ([Store.Pack]).
//
// A kill at any moment leaves the installed checkpoint packs, or the
// import's pack and some of them, all readable (the next import past
// maxPacks packs merges them); a pack being written is named tmp_pack_*,
// git's own name for one, which git gc removes.
//
// Deltas: each blob is stored against an earlier blob of the same path in
// the same registry. A chain of deltas against the previous version would be
// smallest but reading the newest would apply every delta since the first;
// here the n-th blob of a path is based on the (n-1)-th, every 16th on the
// one 16 before, every 256th on the one 256 before, and so on: no chain
// is longer than 15 per level (45 for 4,095 versions, 60 for 65,535).

const (
	deltaFanout = 16
	deltaLevels = 6
)

var (
	looseLimit = 256 // loose objects a commit outside an import leaves unpacked
	maxPacks   = 8   // packs before they are merged into one
)

// packBuilder writes a pack file. It is safe for concurrent use.
type packBuilder struct {
	mu      sync.Mutex
	dir     string // objects/pack
	f       *os.File
	off     int64
	entries []packEntry
	has     map[plumbing.Hash]bool
	paths   map[string]*pathBases
	buf     bytes.Buffer
	zw      *zlib.Writer
	err     error

	// ckpt, in an import's builder, is the checkpoint pack being written
	// (see above): it holds every object added since the last seal.
	ckpt   *packBuilder
	at     map[plumbing.Hash]int64 // in a checkpoint pack: each object's entry
	sealed []string                // checkpoint packs installed, without extension
	store  *Store                  // told of each checkpoint pack installed
	name   string                  // once installed: the pack's path without extension
	index  *idxfile.MemoryIndex    // once installed: its index
}

type packEntry struct {
	hash plumbing.Hash
	off  int64
	crc  uint32
}

// pathBases holds, for one path, the blobs later ones may be based on:
// anchor[j] is the newest whose number is a multiple of deltaFanout^j.
type pathBases struct {
	n      int
	anchor [deltaLevels]packedBlob
}

type packedBlob struct {
	off     int64
	content []byte
}

// newPackBuilder prepares a pack in the store; its file is created with the
// first object, so that an import that writes nothing touches nothing.
func newPackBuilder(gitDir string) (*packBuilder, error) {
	zw, _ := zlib.NewWriterLevel(nil, zlib.DefaultCompression) // the level is valid
	dir := filepath.Join(gitDir, "objects", "pack")
	return &packBuilder{dir: dir, has: map[plumbing.Hash]bool{}, paths: map[string]*pathBases{}, zw: zw}, nil
}

// newCheckpointPack is a pack of whole objects, at zlib's fastest level,
// readable before it is installed (see read).
func newCheckpointPack(dir string) *packBuilder {
	zw, _ := zlib.NewWriterLevel(nil, zlib.BestSpeed) // the level is valid
	return &packBuilder{dir: dir, has: map[plumbing.Hash]bool{}, at: map[plumbing.Hash]int64{}, zw: zw}
}

// withCheckpoints makes b an import's builder: every object added goes into
// a checkpoint pack too, installed by seal.
func (b *packBuilder) withCheckpoints(s *Store) *packBuilder {
	b.ckpt, b.store = newCheckpointPack(b.dir), s
	return b
}

// holds reports whether an object was added.
func (b *packBuilder) holds(h plumbing.Hash) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.has[h]
}

// read returns an object added to b's checkpoint pack and not yet sealed.
func (b *packBuilder) read(h plumbing.Hash) (plumbing.ObjectType, []byte, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.ckpt == nil {
		return 0, nil, false
	}
	off, ok := b.ckpt.at[h]
	if !ok || b.ckpt.err != nil {
		return 0, nil, false
	}
	var ps packedSet
	o, err := ps.read(&packFile{f: b.ckpt.f}, off, 0)
	if err != nil {
		return 0, nil, false
	}
	return o.t, o.data, true
}

// seal installs the checkpoint pack, when it holds anything, so that refs
// may name its objects, and begins the next one.
func (b *packBuilder) seal() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.ckpt == nil || len(b.ckpt.entries) == 0 && b.ckpt.err == nil {
		return nil
	}
	if _, err := b.ckpt.finish(); err != nil {
		// Objects of versions about to be committed are in no installed
		// pack: nothing more can be committed.
		b.err = fmt.Errorf("checkpoint pack: %w", err)
		return b.err
	}
	b.sealed = append(b.sealed, b.ckpt.name)
	b.store.addPack(b.ckpt.name, b.ckpt.index)
	b.ckpt = newCheckpointPack(b.dir)
	return nil
}

// dropSealed removes the checkpoint packs, once the import's pack, which
// holds all their objects, is installed.
func (b *packBuilder) dropSealed() {
	for _, p := range b.sealed {
		// The pack first (see Pack).
		os.Remove(p + ".pack")
		os.Remove(p + ".idx")
	}
	b.sealed = nil
}

// addWhole appends a whole object to a checkpoint pack; entry is its
// entry as wholeEntry makes it, or nil.
func (b *packBuilder) addWhole(h plumbing.Hash, t plumbing.ObjectType, content, entry []byte) error {
	if b.err != nil || b.has[h] {
		return b.err
	}
	if b.f == nil {
		if b.create(); b.err != nil {
			return b.err
		}
	}
	if entry == nil {
		entry = b.wholeEntry(t, content)
	}
	if b.err != nil {
		return b.err
	}
	b.has[h] = true
	b.at[h] = b.off
	b.entries = append(b.entries, packEntry{hash: h, off: b.off, crc: crc32.ChecksumIEEE(entry)})
	b.write(entry)
	return b.err
}

// wholeEntry is a pack entry holding content whole, compressed by zw (one of
// zlibWriters, or b's own when nil).
func (b *packBuilder) wholeEntry(t plumbing.ObjectType, content []byte) []byte {
	return appendWholeEntry(nil, b.zw, t, content, &b.err)
}

func appendWholeEntry(out []byte, zw *zlib.Writer, t plumbing.ObjectType, content []byte, errp *error) []byte {
	buf := bytes.NewBuffer(out)
	buf.Grow(len(content)/4 + 64)
	size := len(content)
	c := byte(t)<<4 | byte(size&0x0f)
	for size >>= 4; size > 0; size >>= 7 {
		buf.WriteByte(c | 0x80)
		c = byte(size & 0x7f)
	}
	buf.WriteByte(c)
	zw.Reset(buf)
	zw.Write(content)
	if err := zw.Close(); err != nil && *errp == nil {
		*errp = err
	}
	return buf.Bytes()
}

func (b *packBuilder) create() {
	if err := os.MkdirAll(b.dir, 0o755); err != nil {
		b.err = fmt.Errorf("pack objects: %w", err)
		return
	}
	f, err := os.CreateTemp(b.dir, "tmp_pack_")
	if err != nil {
		b.err = fmt.Errorf("pack objects: %w", err)
		return
	}
	b.f = f
	// The object count is written over this once it is known.
	b.write([]byte("PACK\x00\x00\x00\x02\x00\x00\x00\x00"))
}

func (b *packBuilder) write(p []byte) {
	if b.err != nil {
		return
	}
	_, b.err = b.f.Write(p)
	b.off += int64(len(p))
}

// add appends an object; path, when not empty, names the file a blob is a
// version of ("ID/records/00000-00999.jsonl"). content must not change
// afterwards.
func (b *packBuilder) add(h plumbing.Hash, t plumbing.ObjectType, content []byte, path string) error {
	_, err := b.addNew(h, t, content, path)
	return err
}

// addNew is add, telling whether the object was new to b.
func (b *packBuilder) addNew(h plumbing.Hash, t plumbing.ObjectType, content []byte, path string) (bool, error) {
	var whole []byte
	var werr error
	if b.ckpt != nil && !b.holds(h) {
		// The checkpoint entry is compressed outside the lock: it depends
		// on nothing else in the pack.
		zw := zlibWriters.Get().(*zlib.Writer)
		whole = appendWholeEntry(nil, zw, t, content, &werr)
		zlibWriters.Put(zw)
		if werr != nil {
			return false, werr
		}
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.err != nil || b.has[h] {
		return false, b.err
	}
	if b.ckpt != nil {
		// Both packs or neither: an object b holds is one that refs may
		// name once the checkpoint is sealed.
		if err := b.ckpt.addWhole(h, t, content, whole); err != nil {
			b.err = fmt.Errorf("checkpoint pack: %w", err)
			return false, b.err
		}
	}
	if b.f == nil {
		if b.create(); b.err != nil {
			return false, b.err
		}
	}
	b.has[h] = true
	var pb *pathBases
	var base *packedBlob
	if path != "" && t == plumbing.BlobObject {
		pb = b.paths[path]
		if pb == nil {
			pb = &pathBases{}
			b.paths[path] = pb
		} else {
			j := 0
			for m := pb.n; m%deltaFanout == 0 && j+1 < deltaLevels; m /= deltaFanout {
				j++
			}
			base = &pb.anchor[j]
		}
	}
	data, kind := content, t
	var delta []byte
	// go-git refuses a delta against an empty base; small ones are not
	// worth it.
	if base != nil && len(content) > 64 && len(base.content) > 64 {
		delta = makeDelta(base.content, content)
		if len(delta) < len(content)/2 {
			data, kind = delta, plumbing.OFSDeltaObject
		}
	}
	start := b.off
	b.buf.Reset()
	// Entry header: type and size, 7 bits at a time after the first 4.
	size := len(data)
	c := byte(kind)<<4 | byte(size&0x0f)
	for size >>= 4; size > 0; size >>= 7 {
		b.buf.WriteByte(c | 0x80)
		c = byte(size & 0x7f)
	}
	b.buf.WriteByte(c)
	if kind == plumbing.OFSDeltaObject {
		// The distance back to the base, in git's offset encoding.
		rel := start - base.off
		var tmp [10]byte
		i := len(tmp) - 1
		tmp[i] = byte(rel & 0x7f)
		for rel >>= 7; rel > 0; rel >>= 7 {
			rel--
			i--
			tmp[i] = 0x80 | byte(rel&0x7f)
		}
		b.buf.Write(tmp[i:])
	}
	b.zw.Reset(&b.buf)
	b.zw.Write(data)
	if err := b.zw.Close(); err != nil {
		b.err = err
		return false, err
	}
	b.write(b.buf.Bytes())
	b.entries = append(b.entries, packEntry{hash: h, off: start, crc: crc32.ChecksumIEEE(b.buf.Bytes())})
	if pb != nil {
		// Object number n is the newest multiple of fanout^j for every j
		// up to the number of trailing zero digits of n (all, for 0).
		for j, m := 0, pb.n; j < deltaLevels; j, m = j+1, m/deltaFanout {
			pb.anchor[j] = packedBlob{off: start, content: content}
			if m%deltaFanout != 0 {
				break
			}
		}
		pb.n++
	}
	return true, b.err
}

// abort removes the pack being written.
func (b *packBuilder) abort() {
	if b.ckpt != nil {
		b.ckpt.abort()
	}
	if b.f != nil && b.name == "" {
		b.f.Close()
		os.Remove(b.f.Name())
	}
}

// finish completes the pack and its index, syncs them and renames both
// into place. It returns the objects the pack holds.
func (b *packBuilder) finish() ([]plumbing.Hash, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.err != nil || len(b.entries) == 0 {
		b.abort()
		return nil, b.err
	}
	fail := func(err error) ([]plumbing.Hash, error) {
		b.abort()
		return nil, fmt.Errorf("pack objects: %w", err)
	}
	var count [4]byte
	binary.BigEndian.PutUint32(count[:], uint32(len(b.entries)))
	if _, err := b.f.WriteAt(count[:], 8); err != nil {
		return fail(err)
	}
	if _, err := b.f.Seek(0, io.SeekStart); err != nil {
		return fail(err)
	}
	sum := sha1.New()
	if _, err := io.Copy(sum, b.f); err != nil {
		return fail(err)
	}
	var packHash plumbing.Hash
	copy(packHash[:], sum.Sum(nil))
	if _, err := b.f.Write(packHash[:]); err != nil {
		return fail(err)
	}
	if err := b.f.Sync(); err != nil {
		return fail(err)
	}
	if err := b.f.Close(); err != nil {
		return fail(err)
	}
	w := new(idxfile.Writer)
	w.OnHeader(uint32(len(b.entries)))
	hashes := make([]plumbing.Hash, len(b.entries))
	for i, e := range b.entries {
		w.Add(e.hash, uint64(e.off), e.crc)
		hashes[i] = e.hash
	}
	if err := w.OnFooter(packHash); err != nil {
		return fail(err)
	}
	idx, err := w.Index()
	if err != nil {
		return fail(err)
	}
	name, err := installPack(b.dir, b.f.Name(), packHash, idx, b.stage)
	if err != nil {
		return fail(err)
	}
	b.name, b.index = name, idx
	if err := syncDir(b.dir); err != nil {
		return nil, fmt.Errorf("pack objects: %w", err)
	}
	b.stage("installed")
	return hashes, nil
}

// packStage lets tests stop a process at each step of installing a pack.
var packStage = func(stage string) {}

// stage calls packStage, naming a checkpoint pack's steps "checkpoint …".
func (b *packBuilder) stage(s string) {
	if b.at != nil {
		s = "checkpoint " + s
	}
	packStage(s)
}

func syncFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// removeLoose removes the loose copies of objects now in a pack, and the
// object folders left empty (as git prune-packed does).
func (s *Store) removeLoose(hashes []plumbing.Hash) {
	dirs := map[string]bool{}
	for _, h := range hashes {
		hex := h.String()
		if os.Remove(filepath.Join(s.dir, "objects", hex[:2], hex[2:])) == nil {
			dirs[hex[:2]] = true
		}
	}
	for d := range dirs {
		os.Remove(filepath.Join(s.dir, "objects", d)) // fails unless empty
	}
}

// packs lists the store's pack files (their paths without extension) that
// have an index.
func (s *Store) packs() ([]string, error) {
	idx, err := filepath.Glob(filepath.Join(s.dir, "objects", "pack", "pack-*.idx"))
	if err != nil {
		return nil, err
	}
	var out []string
	for _, p := range idx {
		base := strings.TrimSuffix(p, ".idx")
		if _, err := os.Stat(base + ".pack"); err == nil {
			out = append(out, base)
		}
	}
	return out, nil
}

// packedSet knows the store's packs as their indexes stood when it was
// first asked, when reloadPacks was last called, or when a read found an
// object in none of them (relist). A writer checking for an object does not
// look again (inPack): objects packed since are written loose again, which
// is harmless.
type packedSet struct {
	mu     sync.Mutex
	loaded bool
	packs  []*packFile
	cache  map[packedKey]*list.Element // resolved objects, see read; values are *cacheEntry
	lru    list.List                   // the same, most recently used first
	cached int                         // bytes in cache
	max    int                         // bound on cached; 0 for packCacheBytes
}

type cacheEntry struct {
	key packedKey
	o   packedObject
}

type packFile struct {
	path string // without extension
	idx  *idxfile.MemoryIndex
	f    *os.File
}

type packedKey struct {
	p   *packFile
	off int64
}

type packedObject struct {
	t    plumbing.ObjectType
	data []byte
}

// packCacheBytes bounds the resolved objects kept, least recently used
// out first: enough for the delta bases that the versions a command reads
// in turn share. Against a cache four times the size emptied whole when
// full, a changelog of the port registry took the same time (0.87 s
// against 0.85 s) at 100 MB instead of 181 MB, and a diff 72 MB instead of
// 90 MB; at 8 MiB the changelog took 1.2 times as long.
const packCacheBytes = 16 << 20

func (ps *packedSet) load(s *Store) {
	if ps.loaded {
		return
	}
	ps.loaded = true
	packs, _ := s.packs()
	for _, p := range packs {
		data, err := os.ReadFile(p + ".idx")
		if err != nil {
			continue
		}
		idx := idxfile.NewMemoryIndex()
		if err := idxfile.NewDecoder(bytes.NewReader(data)).Decode(idx); err == nil {
			ps.packs = append(ps.packs, &packFile{path: p, idx: idx})
		}
	}
}

func (s *Store) inPack(h plumbing.Hash) bool {
	ps := &s.packed
	ps.mu.Lock()
	defer ps.mu.Unlock()
	ps.load(s)
	for _, p := range ps.packs {
		if ok, _ := p.idx.Contains(h); ok {
			return true
		}
	}
	return false
}

// packedRead reads an object from the store's packs. go-git does the same
// but hashes every object of a delta chain as it caches it, a fifth of a
// diff's time on a packed store. Anything unusual (a REF_DELTA entry,
// which git may write, a damaged entry) is left to go-git.
func (s *Store) packedRead(h plumbing.Hash) (plumbing.ObjectType, []byte, bool) {
	ps := &s.packed
	ps.mu.Lock()
	defer ps.mu.Unlock()
	ps.load(s)
	o, err := ps.find(h)
	if (errors.Is(err, errNotInPacks) || errors.Is(err, fs.ErrNotExist)) && ps.relist(s) {
		// A writer installed or merged packs since they were listed: a
		// long-lived reader (serve) sees them without a restart.
		o, err = ps.find(h)
	}
	if err != nil {
		return 0, nil, false
	}
	return o.t, bytes.Clone(o.data), true // the cache keeps its own
}

var errNotInPacks = errors.New("in none of the packs listed")

// find reads h from the packs listed.
func (ps *packedSet) find(h plumbing.Hash) (packedObject, error) {
	for _, p := range ps.packs {
		if off, err := p.idx.FindOffset(h); err == nil {
			return ps.read(p, off, 0)
		}
	}
	return packedObject{}, errNotInPacks
}

// relist lists the store's packs again and, when they are not the ones
// loaded, forgets those and loads the new list; it reports whether it did.
func (ps *packedSet) relist(s *Store) bool {
	paths, err := s.packs()
	if err != nil {
		return false
	}
	loaded := make([]string, len(ps.packs))
	for i, p := range ps.packs {
		loaded[i] = p.path
	}
	slices.Sort(paths)
	slices.Sort(loaded) // addPack appends
	if slices.Equal(paths, loaded) {
		return false
	}
	ps.reset()
	ps.load(s)
	return true
}

// reset forgets the packs loaded and what was read from them.
func (ps *packedSet) reset() {
	for _, p := range ps.packs {
		if p.f != nil {
			p.f.Close()
		}
	}
	ps.loaded, ps.packs, ps.cache, ps.cached = false, nil, nil, 0
	ps.lru.Init()
}

// read resolves the pack entry at off (see git's gitformat-pack).
func (ps *packedSet) read(p *packFile, off int64, depth int) (packedObject, error) {
	key := packedKey{p, off}
	if el, ok := ps.cache[key]; ok {
		ps.lru.MoveToFront(el)
		return el.Value.(*cacheEntry).o, nil
	}
	if depth > 1000 {
		return packedObject{}, errors.New("delta chain too long")
	}
	if p.f == nil {
		f, err := os.Open(p.path + ".pack")
		if err != nil {
			return packedObject{}, err
		}
		p.f = f
	}
	r := bufio.NewReaderSize(io.NewSectionReader(p.f, off, 1<<62), 4096)
	t, size, rel, err := readEntryHead(r)
	if err != nil {
		return packedObject{}, fmt.Errorf("entry at %d: %w", off, err)
	}
	base := int64(-1)
	switch t {
	case plumbing.CommitObject, plumbing.TreeObject, plumbing.BlobObject, plumbing.TagObject:
	case plumbing.OFSDeltaObject:
		base = off - rel
		if base < 12 {
			return packedObject{}, fmt.Errorf("bad delta offset at %d", off)
		}
	default:
		return packedObject{}, fmt.Errorf("entry type %d at %d", t, off)
	}
	if size > 1<<32 {
		return packedObject{}, fmt.Errorf("entry at %d too large", off)
	}
	zr, err := zlib.NewReader(r)
	if err != nil {
		return packedObject{}, err
	}
	data, err := readSized(zr, int(size))
	zr.Close()
	if err != nil {
		return packedObject{}, err
	}
	o := packedObject{t: t, data: data}
	if base >= 0 {
		b, err := ps.read(p, base, depth+1)
		if err != nil {
			return packedObject{}, err
		}
		if o.data, err = applyDelta(b.data, data); err != nil {
			return packedObject{}, err
		}
		o.t = b.t
	}
	if ps.cache == nil {
		ps.cache = map[packedKey]*list.Element{}
	}
	ps.cache[key] = ps.lru.PushFront(&cacheEntry{key, o})
	ps.cached += len(o.data)
	for ps.cached > cmp.Or(ps.max, packCacheBytes) && ps.lru.Len() > 1 {
		old := ps.lru.Remove(ps.lru.Back()).(*cacheEntry)
		delete(ps.cache, old.key)
		ps.cached -= len(old.o.data)
	}
	return o, nil
}

var (
	errBadEntryHead   = errors.New("bad header")
	errBadDeltaOffset = errors.New("bad delta offset")
)

// readEntryHead reads a pack entry's header: its type, its inflated size
// and, for an OFS_DELTA, how far before the entry its base starts (see
// git's gitformat-pack). It reads no byte past the header.
func readEntryHead(r *bufio.Reader) (t plumbing.ObjectType, size, rel int64, err error) {
	c, err := r.ReadByte()
	if err != nil {
		return 0, 0, 0, err
	}
	t = plumbing.ObjectType(c >> 4 & 7)
	size = int64(c & 0x0f)
	for shift := 4; c&0x80 != 0; shift += 7 {
		if c, err = r.ReadByte(); err != nil || shift > 56 {
			return 0, 0, 0, errBadEntryHead
		}
		size |= int64(c&0x7f) << shift
	}
	if t != plumbing.OFSDeltaObject {
		return t, size, 0, nil
	}
	if c, err = r.ReadByte(); err != nil {
		return 0, 0, 0, err
	}
	rel = int64(c & 0x7f)
	for c&0x80 != 0 {
		if c, err = r.ReadByte(); err != nil || rel > 1<<48 {
			return 0, 0, 0, errBadDeltaOffset
		}
		rel = (rel+1)<<7 | int64(c&0x7f)
	}
	if rel <= 0 {
		return 0, 0, 0, errBadDeltaOffset
	}
	return t, size, rel, nil
}

// addPack makes the store's own reader see one more pack, installed since
// the store's packs were listed; go-git's storage sees it after the next
// reloadPacks.
func (s *Store) addPack(path string, idx *idxfile.MemoryIndex) {
	ps := &s.packed
	ps.mu.Lock()
	defer ps.mu.Unlock()
	if ps.loaded {
		ps.packs = append(ps.packs, &packFile{path: path, idx: idx})
	}
}

// reloadPacks makes the store see packs installed since it was opened:
// go-git lists a store's packs once.
func (s *Store) reloadPacks() {
	ps := &s.packed
	ps.mu.Lock()
	ps.reset()
	ps.mu.Unlock()
	s.gitMu.Lock()
	s.st = open(s.dir).st
	s.gitMu.Unlock()
}

// looseObjects lists the store's loose objects.
func (s *Store) looseObjects() ([]plumbing.Hash, error) {
	var out []plumbing.Hash
	for i := range 256 {
		sub := fmt.Sprintf("%02x", i)
		names, err := os.ReadDir(filepath.Join(s.dir, "objects", sub))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		for _, n := range names {
			if h, ok := parseHash(sub + n.Name()); ok {
				out = append(out, h)
			}
		}
	}
	return out, nil
}

// Pack packs the store's loose objects into a new pack, each blob a delta
// against an earlier version of its file; with all, every object of the
// store goes into that one pack, and the packs that held them are removed
// (a pack git was told to keep, with a .keep file, is left as it is). The
// caller must hold the lock.
func (s *Store) Pack(all bool) error {
	loose, err := s.looseObjects()
	if err != nil {
		return fmt.Errorf("pack objects: %w", err)
	}
	want := make(map[plumbing.Hash]bool, len(loose))
	for _, h := range loose {
		want[h] = true
	}
	var old []string
	if all {
		packs, err := s.packs()
		if err != nil {
			return fmt.Errorf("pack objects: %w", err)
		}
		for _, p := range packs {
			if _, err := os.Stat(p + ".keep"); err == nil {
				continue
			}
			hs, err := packHashes(p + ".idx")
			if err != nil {
				return fmt.Errorf("pack objects: %w", err)
			}
			for _, h := range hs {
				want[h] = true
			}
			old = append(old, p)
		}
	}
	if len(want) == 0 || !all && len(want) < 2 {
		return nil
	}
	pb, err := newPackBuilder(s.dir)
	if err != nil {
		return err
	}
	if err := s.packInto(pb, want); err != nil {
		pb.abort()
		return fmt.Errorf("pack objects: %w", err)
	}
	hashes, err := pb.finish()
	if err != nil {
		return err
	}
	s.reloadPacks()
	s.removeLoose(hashes)
	for _, p := range old {
		// The pack first: an index without its pack is no pack to git or
		// go-git, where go-git fails on a pack without its index.
		for _, ext := range []string{".pack", ".idx", ".rev", ".bitmap", ".mtimes"} {
			os.Remove(p + ext)
		}
	}
	if len(old) > 0 {
		s.reloadPacks()
	}
	return nil
}

// packInto adds the wanted objects to pb: those of each registry's versions
// first, oldest version first, so that each blob finds the one before it at
// its path; then the rest (metadata, objects no version holds).
func (s *Store) packInto(pb *packBuilder, want map[plumbing.Hash]bool) error {
	add := func(h plumbing.Hash, t plumbing.ObjectType, path string) error {
		if !want[h] {
			return nil
		}
		delete(want, h)
		data, err := s.objectData(h, t)
		if err != nil {
			return err
		}
		return pb.add(h, t, data, path)
	}
	var walk func(reg, dir string, tree plumbing.Hash) error
	walk = func(reg, dir string, tree plumbing.Hash) error {
		data, err := s.objectData(tree, plumbing.TreeObject)
		if err != nil {
			return err
		}
		if want[tree] {
			delete(want, tree)
			if err := pb.add(tree, plumbing.TreeObject, data, ""); err != nil {
				return err
			}
		}
		for len(data) > 0 {
			sp := bytes.IndexByte(data, ' ')
			nul := bytes.IndexByte(data, 0)
			if sp < 0 || nul < sp || nul+21 > len(data) {
				return fmt.Errorf("tree %s: bad entry", tree)
			}
			mode, name := string(data[:sp]), string(data[sp+1:nul])
			var h plumbing.Hash
			copy(h[:], data[nul+1:nul+21])
			data = data[nul+21:]
			switch {
			case mode == "40000":
				if want[h] {
					if err := walk(reg, dir+name+"/", h); err != nil {
						return err
					}
				}
			case strings.HasPrefix(mode, "100"):
				if err := add(h, plumbing.BlobObject, reg+"/"+dir+name); err != nil {
					return err
				}
			}
		}
		return nil
	}
	regs, err := s.Registries()
	if err != nil {
		return err
	}
	for _, reg := range regs {
		vs, err := s.Versions(reg)
		if err != nil {
			return err
		}
		for _, v := range vs {
			if !want[plumbing.Hash(v.Commit)] && !want[plumbing.Hash(v.Tree)] {
				continue
			}
			if err := add(plumbing.Hash(v.Commit), plumbing.CommitObject, ""); err != nil {
				return err
			}
			if err := walk(reg, "", plumbing.Hash(v.Tree)); err != nil {
				return err
			}
		}
	}
	for h := range want {
		t, data, err := s.encoded(plumbing.AnyObject, h)
		if err != nil {
			return fmt.Errorf("object %s: %w", h, err)
		}
		if err := pb.add(h, t, data, ""); err != nil {
			return err
		}
	}
	return nil
}

// objectData reads an object's content.
func (s *Store) objectData(h plumbing.Hash, t plumbing.ObjectType) ([]byte, error) {
	if t == plumbing.BlobObject {
		return s.blob(h)
	}
	_, data, err := s.encoded(t, h)
	if err != nil {
		return nil, fmt.Errorf("object %s: %w", h, err)
	}
	return data, nil
}

// encoded reads object h whole through go-git.
func (s *Store) encoded(t plumbing.ObjectType, h plumbing.Hash) (plumbing.ObjectType, []byte, error) {
	s.gitMu.Lock()
	defer s.gitMu.Unlock()
	o, err := s.st.EncodedObject(t, h)
	if err != nil {
		return 0, nil, err
	}
	data, err := readEncoded(o)
	return o.Type(), data, err
}

func readEncoded(o plumbing.EncodedObject) ([]byte, error) {
	r, err := o.Reader()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	buf := bytes.NewBuffer(make([]byte, 0, o.Size()))
	_, err = io.Copy(buf, r)
	return buf.Bytes(), err
}

// packHashes lists the objects of a pack's index.
func packHashes(idxPath string) ([]plumbing.Hash, error) {
	data, err := os.ReadFile(idxPath)
	if err != nil {
		return nil, err
	}
	idx := idxfile.NewMemoryIndex()
	if err := idxfile.NewDecoder(bytes.NewReader(data)).Decode(idx); err != nil {
		return nil, fmt.Errorf("%s: %w", idxPath, err)
	}
	it, err := idx.Entries()
	if err != nil {
		return nil, err
	}
	defer it.Close()
	var out []plumbing.Hash
	for {
		e, err := it.Next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		out = append(out, e.Hash)
	}
}

// autoPack keeps a store that grows a version at a time (fetch) packed:
// past looseLimit loose objects they go into a new pack, and past maxPacks
// packs all are merged into one.
func (s *Store) autoPack() error {
	loose, err := s.looseObjects()
	if err != nil || len(loose) <= looseLimit {
		return err
	}
	packs, err := s.packs()
	if err != nil {
		return err
	}
	return s.Pack(len(packs)+1 > maxPacks)
}
