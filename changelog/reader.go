package changelog

import (
	"bytes"
	"fmt"
	"path"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/regdiff/regdiff/diff"
	"github.com/regdiff/regdiff/snapshots"
)

// reader reads the records two consecutive versions differ in, for a walk
// over many versions. [snapshots.Store.RecordsDiffering] reads about 10,000
// records per pair of real versions (a changed ranges.jsonl means every
// file of the table), which made a changelog of all 359 versions take 19 s.
// The reader reads less (see differing), keeps the decoded files of the
// last version, since consecutive pairs share a version and most files do
// not change from one to the next, and decodes only the lines of a changed
// file that the previous blob did not have: the same changelog takes about
// 1.2 s.
//
// It keeps the files of the last version read and the lines they hold,
// about one version's records.
type reader struct {
	s     *snapshots.Store
	files map[plumbing.Hash][]snapshots.File // tree → files, for the last two versions
	blobs map[plumbing.Hash][]snapshots.Record
	// lines maps a line of a normalized file to its record: a changed file
	// differs from its previous blob in a few lines, and only those are
	// decoded.
	lines map[string]line
	// blobLines lists each cached blob's lines (the keys of lines), so
	// that lines no cached blob has can be dropped.
	blobLines map[plumbing.Hash][]string
}

// line is a decoded line; key is the line itself, kept so that blobLines
// can share the map's string.
type line struct {
	key string
	rec snapshots.Record
}

func newReader(s *snapshots.Store) *reader {
	return &reader{
		s:         s,
		files:     map[plumbing.Hash][]snapshots.File{},
		blobs:     map[plumbing.Hash][]snapshots.Record{},
		lines:     map[string]line{},
		blobLines: map[plumbing.Hash][]string{},
	}
}

// decode reads a normalized file (JSON Lines, one record a line), as the
// store does, decoding only the lines not seen in the blobs read before.
func (r *reader) decode(f snapshots.File) ([]snapshots.Record, error) {
	data, err := r.s.Blob(f.Hash)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", f.Path, err)
	}
	n := bytes.Count(data, []byte{'\n'}) + 1
	recs := make([]snapshots.Record, 0, n)
	keys := make([]string, 0, n)
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
		ln, ok := r.lines[string(l)]
		if !ok {
			ln.key = string(l)
			if ln.rec, err = snapshots.DecodeRecordLine(ln.key); err != nil {
				return nil, fmt.Errorf("%s:%d: %w", f.Path, n, err)
			}
			r.lines[ln.key] = ln
		}
		recs = append(recs, ln.rec)
		keys = append(keys, ln.key)
	}
	r.blobLines[f.Hash] = keys
	return recs, nil
}

func (r *reader) list(v snapshots.Version) ([]snapshots.File, error) {
	if fs, ok := r.files[v.Tree]; ok {
		return fs, nil
	}
	fs, err := r.s.Files(v)
	if err != nil {
		return nil, err
	}
	r.files[v.Tree] = fs
	return fs, nil
}

// read returns the records of the files keep selects, in file order.
func (r *reader) read(fs []snapshots.File, keep func(path string) bool) ([]snapshots.Record, error) {
	var parts [][]snapshots.Record
	n := 0
	for _, f := range fs {
		if !keep(f.Path) {
			continue
		}
		recs, ok := r.blobs[f.Hash]
		if !ok {
			var err error
			if recs, err = r.decode(f); err != nil {
				return nil, err
			}
			r.blobs[f.Hash] = recs
		}
		parts = append(parts, recs)
		n += len(recs)
	}
	if len(parts) == 1 {
		return parts[0], nil
	}
	out := make([]snapshots.Record, 0, n)
	for _, p := range parts {
		out = append(out, p...)
	}
	return out, nil
}

// all returns every record of v.
func (r *reader) all(v snapshots.Version) ([]snapshots.Record, error) {
	fs, err := r.list(v)
	if err != nil {
		return nil, err
	}
	return r.read(fs, func(string) bool { return true })
}

// differing returns the records two versions differ in, with everything
// diff.Compare needs to compute their port status transitions:
//
//   - every file whose blob differs, on both sides;
//   - the ranges file of every table in which some file differs, since
//     ranges cover the ports of changed single-number records;
//   - every single-number file whose ports meet the span of a range record
//     that differs, since those records cover the ports of the range.
//
// This is less than [snapshots.Store.RecordsDiffering] reads (every file of
// a table whose ranges file differs) and checked against diff.Compare of
// full versions in the tests. It then forgets what only a needed, since
// the next pair starts at b.
func (r *reader) differing(a, b snapshots.Version) (old, new []snapshots.Record, err error) {
	fa, err := r.list(a)
	if err != nil {
		return nil, nil, err
	}
	fb, err := r.list(b)
	if err != nil {
		return nil, nil, err
	}
	ha := make(map[string]plumbing.Hash, len(fa))
	for _, f := range fa {
		ha[f.Path] = f.Hash
	}
	hb := make(map[string]plumbing.Hash, len(fb))
	for _, f := range fb {
		hb[f.Path] = f.Hash
	}
	dirty := map[string]bool{} // tables in which a file differs
	var spans [][2]int         // ports of the range records that differ
	differs := func(p string) error {
		dirty[tableOf(p)] = true
		if path.Base(p) != rangesFile {
			return nil
		}
		s, err := r.s.RangesDiffering(ha[p], hb[p])
		if err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		spans = append(spans, s...)
		return nil
	}
	for p, h := range ha {
		if h != hb[p] {
			if err := differs(p); err != nil {
				return nil, nil, err
			}
		}
	}
	for p := range hb {
		if _, ok := ha[p]; !ok {
			if err := differs(p); err != nil {
				return nil, nil, err
			}
		}
	}
	keep := func(p string) bool {
		if ha[p] != hb[p] {
			return true
		}
		if path.Base(p) == rangesFile {
			return dirty[tableOf(p)]
		}
		lo, hi, ok := bucketPorts(p)
		if !ok {
			return false
		}
		for _, s := range spans {
			if s[0] <= hi && lo <= s[1] {
				return true
			}
		}
		return false
	}
	if old, err = r.read(fa, keep); err != nil {
		return nil, nil, fmt.Errorf("version %s: %w", a.Name, err)
	}
	if new, err = r.read(fb, keep); err != nil {
		return nil, nil, fmt.Errorf("version %s: %w", b.Name, err)
	}
	r.forget(b)
	return old, new, nil
}

const rangesFile = "ranges.jsonl"

// tableOf returns the folder of a normalized file: its table.
func tableOf(p string) string { return p[:strings.LastIndexByte(p, '/')+1] }

// bucketPorts parses the numbers a single-number file holds from its name
// ("records/01000-01999.jsonl").
func bucketPorts(p string) (lo, hi int, ok bool) {
	name, ok := strings.CutSuffix(path.Base(p), ".jsonl")
	if !ok || name == "" || name[0] < '0' || name[0] > '9' {
		return 0, 0, false
	}
	return snapshots.ParseRange(name)
}

// forget drops the cached files and blobs that v does not use.
func (r *reader) forget(v snapshots.Version) {
	fs := r.files[v.Tree]
	used := make(map[plumbing.Hash]bool, len(fs))
	for _, f := range fs {
		used[f.Hash] = true
	}
	inUse := 0
	for h := range r.blobs {
		if !used[h] {
			delete(r.blobs, h)
			delete(r.blobLines, h)
			continue
		}
		inUse += len(r.blobLines[h])
	}
	// Drop the lines no cached blob has once they are as many as those in
	// use: rebuilding the map costs a version's lines, so this amortizes.
	if len(r.lines) > 2*inUse+1024 {
		lines := make(map[string]line, inUse)
		for _, keys := range r.blobLines {
			for _, k := range keys {
				lines[k] = r.lines[k]
			}
		}
		r.lines = lines
	}
	for t := range r.files {
		if t != v.Tree {
			delete(r.files, t)
		}
	}
}

// detach copies the records a result points to, so that the result no
// longer keeps alive the slices it was computed from (thousands of records
// per version, most of them unchanged).
func detach(res *diff.Result) {
	n := 0
	for _, c := range res.Changes {
		if c.Old != nil {
			n++
		}
		if c.New != nil {
			n++
		}
	}
	recs := make([]snapshots.Record, 0, n)
	keep := func(r *snapshots.Record) *snapshots.Record {
		if r == nil {
			return nil
		}
		recs = append(recs, *r)
		return &recs[len(recs)-1]
	}
	for i := range res.Changes {
		c := &res.Changes[i]
		c.Old, c.New = keep(c.Old), keep(c.New)
	}
}
