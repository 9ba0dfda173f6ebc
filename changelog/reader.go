package changelog

import (
	"bytes"
	"fmt"

	"github.com/regdiff/regdiff/diff"
	"github.com/regdiff/regdiff/snapshots"
	"github.com/regdiff/regdiff/snapshots/record"
)

// reader reads the records two consecutive versions differ in, for a walk
// over many versions: the files [snapshots.Store.FilesDiffering] selects,
// as [snapshots.Store.RecordsDiffering] does. It also keeps the decoded
// files of the last version, since consecutive pairs share a version and
// most files do not change from one to the next, and decodes only the
// lines of a changed file that the previous blob did not have.
//
// It keeps the files of the last version read and the lines they hold,
// about one version's records.
type reader struct {
	s     *snapshots.Store
	files map[record.Hash][]snapshots.File // tree → files, for the last two versions
	blobs map[record.Hash][]record.Record
	// lines maps a line of a normalized file to its record: a changed file
	// differs from its previous blob in a few lines, and only those are
	// decoded.
	lines map[string]line
	// blobLines lists each cached blob's lines (the keys of lines), so
	// that lines no cached blob has can be dropped.
	blobLines map[record.Hash][]string
}

// line is a decoded line; key is the line itself, kept so that blobLines
// can share the map's string.
type line struct {
	key string
	rec record.Record
}

func newReader(s *snapshots.Store) *reader {
	return &reader{
		s:         s,
		files:     map[record.Hash][]snapshots.File{},
		blobs:     map[record.Hash][]record.Record{},
		lines:     map[string]line{},
		blobLines: map[record.Hash][]string{},
	}
}

// decode reads a normalized file (JSON Lines, one record a line), as the
// store does, decoding only the lines not seen in the blobs read before.
func (r *reader) decode(f snapshots.File) ([]record.Record, error) {
	data, err := r.s.Blob(f.Hash)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", f.Path, err)
	}
	n := bytes.Count(data, []byte{'\n'}) + 1
	recs := make([]record.Record, 0, n)
	keys := make([]string, 0, n)
	for n, l := range snapshots.Lines(data) {
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

func (r *reader) list(v record.Version) ([]snapshots.File, error) {
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
func (r *reader) read(fs []snapshots.File, keep func(path string) bool) ([]record.Record, error) {
	var parts [][]record.Record
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
	out := make([]record.Record, 0, n)
	for _, p := range parts {
		out = append(out, p...)
	}
	return out, nil
}

// all returns every record of v.
func (r *reader) all(v record.Version) ([]record.Record, error) {
	fs, err := r.list(v)
	if err != nil {
		return nil, err
	}
	return r.read(fs, func(string) bool { return true })
}

// differing returns the records of the files
// [snapshots.Store.FilesDiffering] selects for two versions, which a diff
// of the two needs, with the files and blobs of the last version kept. It
// then forgets what only a needed, since the next pair starts at b.
func (r *reader) differing(a, b record.Version) (old, new []record.Record, err error) {
	fa, err := r.list(a)
	if err != nil {
		return nil, nil, err
	}
	fb, err := r.list(b)
	if err != nil {
		return nil, nil, err
	}
	keep, err := r.s.FilesDiffering(fa, fb)
	if err != nil {
		return nil, nil, fmt.Errorf("versions %s and %s: %w", a.Name, b.Name, err)
	}
	in := func(p string) bool { return keep[p] }
	if old, err = r.read(fa, in); err != nil {
		return nil, nil, fmt.Errorf("version %s: %w", a.Name, err)
	}
	if new, err = r.read(fb, in); err != nil {
		return nil, nil, fmt.Errorf("version %s: %w", b.Name, err)
	}
	r.forget(b)
	return old, new, nil
}

// forget drops the cached files and blobs that v does not use.
func (r *reader) forget(v record.Version) {
	fs := r.files[v.Tree]
	used := make(map[record.Hash]bool, len(fs))
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
	recs := make([]record.Record, 0, n)
	keep := func(r *record.Record) *record.Record {
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
