package snapshots

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"time"

	"github.com/regdiff/regdiff/snapshots/record"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// Source says where a version came from. It is kept on refs/regdiff/meta,
// never in the version's commit, so that it cannot change commit hashes.
type Source struct {
	Kind     string    `json:"kind"`               // "file", "git", "fetch"
	Location string    `json:"location"`           // file path, URL, or repo path@commit:file
	Format   string    `json:"format"`             // "xml", "csv", ...
	Seen     time.Time `json:"seen,omitzero"`      // when the content was first seen: fetch time, source commit time
	ETag     string    `json:"etag,omitempty"`     // fetch only
	Modified string    `json:"modified,omitempty"` // fetch only: Last-Modified
}

// Prepared is a version whose objects are written but which no ref names
// yet; [Store.Commit] makes it part of a registry's history.
type Prepared struct {
	Version record.Version // Name and Commit are set by Commit
	Source  Source
	created []plumbing.Hash
}

// Prepare writes the objects of one version (raw file, normalized records,
// trees) and returns what Commit needs. It takes no lock and is safe to call
// from several goroutines: objects no ref points at are harmless.
func (s *Store) Prepare(raw []byte, reg *record.Registry, src Source) (Prepared, error) {
	return s.prepare(raw, reg, src, s.objectWriter())
}

func (s *Store) prepare(raw []byte, reg *record.Registry, src Source, w *objectWriter) (Prepared, error) {
	if err := CheckID(reg.ID); err != nil {
		return Prepared{}, err
	}
	if _, err := dateTime(reg.Updated); err != nil {
		return Prepared{}, fmt.Errorf("registry %s: %w", reg.ID, err)
	}
	sum := sha256.Sum256(raw)
	format := cmp.Or(reg.Format, src.Format, "xml")
	v := record.Version{
		Registry: reg.ID,
		Date:     reg.Updated,
		Title:    reg.Title,
		Format:   format,
		SHA256:   hex.EncodeToString(sum[:]),
		Records:  len(reg.Records),
		RawFile:  reg.ID + "." + rawExt(format),

		Normalizer: normalizer,
	}
	files, err := encodeVersion(reg)
	if err != nil {
		return Prepared{}, err
	}
	hashes := make(map[string]plumbing.Hash, len(files)+1)
	for name, data := range files {
		if hashes[name], err = w.writeAt(reg.ID+"/"+name, plumbing.BlobObject, data); err != nil {
			return Prepared{}, err
		}
	}
	if hashes[v.RawFile], err = w.writeAt(reg.ID+"/"+v.RawFile, plumbing.BlobObject, raw); err != nil {
		return Prepared{}, err
	}
	tree, err := w.tree(hashes)
	if err != nil {
		return Prepared{}, err
	}
	v.Tree = record.Hash(tree)
	src.Format = format
	return Prepared{Version: v, Source: src, created: w.created}, nil
}

// Discard removes the objects that Prepare created for p, for a version
// refused before Commit: no ref names them, and the store is left as it
// was. The caller must hold the lock (another writer could be about to
// use the same objects).
func (s *Store) Discard(p Prepared) {
	for _, h := range p.created {
		hex := h.String()
		os.Remove(filepath.Join(s.dir, "objects", hex[:2], hex[2:]))
	}
}

func rawExt(format string) string {
	switch format {
	case "xml", "csv":
		return format
	}
	return "txt"
}

// dateTime gives the fixed commit time of a registry date: noon UTC, so
// that no time zone shows it on another day.
func dateTime(date string) (time.Time, error) {
	for _, layout := range []string{"2006-01-02", "2006-01"} {
		if t, err := time.Parse(layout, date); err == nil && len(date) == len(layout) {
			return t.Add(12 * time.Hour), nil
		}
	}
	return time.Time{}, fmt.Errorf("date %q is not YYYY-MM-DD or YYYY-MM", date)
}

var signature = object.Signature{Name: "regdiff", Email: "regdiff@localhost"}

// Report tells what [Store.Commit] did for one registry.
type Report struct {
	Registry string
	Added    []record.Version // the new versions, with their final names and commits
	Existing []Source         // candidates whose content was already stored
	// RebuiltFrom is the oldest version whose commit changed because a
	// version was inserted before newer ones; "" when versions were only
	// appended.
	RebuiltFrom string
	// Ties are the groups of same-date versions that this commit ordered
	// and whose content did not decide the order.
	Ties []Tie
	// decided are the dates of the groups this commit ordered by their
	// content, so that merging reports drops an earlier tie of that date.
	decided []string
}

// Commit adds prepared versions to their registries' histories, in date
// order, and moves every ref in one atomic step. The caller must hold the
// lock. A version whose raw file is already stored (same sha256) changes
// nothing but is listed in Existing.
func (s *Store) Commit(ps []Prepared) ([]Report, error) {
	reps, err := s.commit(ps, false, nil)
	if err == nil && s.pack == nil && importPacks {
		// Outside an import (a fetch): keep the store packed. A failure
		// leaves objects loose and the store valid; the next commit tries
		// again.
		s.autoPack()
	}
	return reps, err
}

// commit is Commit; with replace, each registry of ps is rebuilt from ps
// alone, as if none of its versions were stored (reindex). The files of
// metaFiles are set on refs/regdiff/meta in the same ref update.
func (s *Store) commit(ps []Prepared, replace bool, metaFiles map[string][]byte) ([]Report, error) {
	byReg := map[string][]Prepared{}
	for _, p := range ps {
		byReg[p.Version.Registry] = append(byReg[p.Version.Registry], p)
	}
	meta, err := s.readMeta()
	if err != nil {
		return nil, err
	}
	drop := []string{}
	set := map[string]plumbing.Hash{}
	var reports []Report
	regs := make([]string, 0, len(byReg))
	for r := range byReg {
		regs = append(regs, r)
	}
	sort.Strings(regs)
	for _, reg := range regs {
		rep, refs, err := s.commitRegistry(reg, byReg[reg], meta, s.objectWriter(), replace)
		if err != nil {
			return nil, err
		}
		reports = append(reports, rep)
		if refs != nil {
			drop = append(drop, "refs/tags/"+reg+"/")
			for n, h := range refs {
				set[n] = h
			}
		}
	}
	for name, data := range metaFiles {
		if !bytes.Equal(meta.file(name), data) {
			meta.set(name, data)
		}
	}
	mh, changed, err := s.writeMeta(meta)
	if err != nil {
		return nil, err
	}
	if changed {
		set[metaRef] = mh
	}
	if len(set) == 0 {
		return reports, nil
	}
	if err := s.writeRefs(drop, set); err != nil {
		return reports, err
	}
	if changed {
		s.committed(meta, mh)
	}
	// Bring the cached version lists up to date now, under the lock, so
	// that commands reading the store do not write to it.
	for _, reg := range regs {
		s.Versions(reg) // the commit stands whether or not the cache is kept
	}
	return reports, nil
}

// Rewrites returns the stored versions whose commits committing ps would
// change (because a version goes before them), oldest first, without
// changing the store.
func (s *Store) Rewrites(ps []Prepared) ([]record.Version, error) {
	byReg := map[string][]Prepared{}
	for _, p := range ps {
		byReg[p.Version.Registry] = append(byReg[p.Version.Registry], p)
	}
	meta, err := s.readMeta()
	if err != nil {
		return nil, err
	}
	var out []record.Version
	for reg, rps := range byReg {
		old, err := s.Versions(reg)
		if err != nil && !errors.Is(err, ErrEmpty) {
			return nil, err
		}
		_, refs, err := s.commitRegistry(reg, rps, meta, &objectWriter{dir: s.dir, dry: true}, false)
		if err != nil {
			return nil, err
		}
		for _, v := range old {
			if refs != nil && refs["refs/tags/"+reg+"/"+v.Name] != plumbing.Hash(v.Commit) {
				out = append(out, v)
			}
		}
	}
	return out, nil
}

type entry struct {
	v    record.Version
	seen time.Time
	old  bool // already on the branch
}

func (s *Store) commitRegistry(reg string, ps []Prepared, meta *metaState, w *objectWriter, replace bool) (Report, map[string]plumbing.Hash, error) {
	rep := Report{Registry: reg}
	old, err := s.Versions(reg)
	if err != nil && !errors.Is(err, ErrEmpty) {
		return rep, nil, err
	}
	if replace {
		old = nil
	}
	known := map[string]bool{}
	var list []entry
	for _, v := range old {
		known[v.SHA256] = true
		list = append(list, entry{v: v, seen: meta.firstSeen(reg, v.SHA256), old: true})
	}
	var added []string
	for _, p := range ps {
		meta.addSource(reg, p.Version.SHA256, p.Source)
		if known[p.Version.SHA256] {
			rep.Existing = append(rep.Existing, p.Source)
			continue
		}
		known[p.Version.SHA256] = true
		added = append(added, p.Version.SHA256)
		list = append(list, entry{v: p.Version})
	}
	if len(added) == 0 {
		return rep, nil, nil
	}
	for i := range list {
		list[i].seen = meta.firstSeen(reg, list[i].v.SHA256)
	}
	ties, err := s.orderList(list)
	if err != nil {
		return rep, nil, fmt.Errorf("registry %s: %w", reg, err)
	}
	refs := map[string]plumbing.Hash{}
	parent := plumbing.ZeroHash
	rebuilding := false
	seq := 0
	for i := range list {
		e := &list[i]
		if i > 0 && list[i-1].v.Date == e.v.Date {
			seq++
		} else {
			seq = 1
		}
		name := e.v.Date
		if seq > 1 {
			name = fmt.Sprintf("%s.%d", e.v.Date, seq)
		}
		// Versions before the first insertion keep their commits.
		if !rebuilding && e.old && i < len(old) && old[i].SHA256 == e.v.SHA256 {
			parent = plumbing.Hash(e.v.Commit)
			refs["refs/tags/"+reg+"/"+e.v.Name] = plumbing.Hash(e.v.Commit)
			continue
		}
		if !rebuilding && i < len(old) {
			rep.RebuiltFrom = old[i].Name
		}
		rebuilding = true
		e.v.Name = name
		when, _ := dateTime(e.v.Date)
		when = when.Add(time.Duration(seq-1) * time.Second)
		sig := signature
		sig.When = when
		c := &object.Commit{Author: sig, Committer: sig, Message: formatMessage(e.v), TreeHash: plumbing.Hash(e.v.Tree)}
		if !parent.IsZero() {
			c.ParentHashes = []plumbing.Hash{parent}
		}
		h, err := w.encoded(c)
		if err != nil {
			return rep, nil, fmt.Errorf("registry %s: write commit for %s: %w", reg, name, err)
		}
		e.v.Commit = record.Hash(h)
		parent = h
		refs["refs/tags/"+reg+"/"+name] = h
		if !e.old {
			rep.Added = append(rep.Added, e.v)
		}
	}
	refs["refs/heads/"+reg] = parent
	for _, t := range ties {
		if t.by == "" {
			rep.decided = append(rep.decided, list[t.from].v.Date)
			continue
		}
		tie := Tie{Date: list[t.from].v.Date, By: t.by}
		for _, e := range list[t.from:t.to] {
			tie.Versions = append(tie.Versions, e.v.Name)
		}
		rep.Ties = append(rep.Ties, tie)
	}
	return rep, refs, nil
}

type tieSpan struct {
	from, to int    // list[from:to] is the group
	by       string // "" when the content decided
}

// orderList sorts entries by date and orders each group of same-date
// versions by their content (see order.go). A group that holds no new
// version, and whose neighbours are not new either, keeps the order it has
// on the branch: its question was answered when it was stored. It returns
// the groups whose order the content did not decide.
func (s *Store) orderList(list []entry) ([]tieSpan, error) {
	slices.SortStableFunc(list, func(a, b entry) int { return cmp.Compare(a.v.Date, b.v.Date) })
	var ties []tieSpan
	for i := 0; i < len(list); {
		j := i + 1
		for j < len(list) && list[j].v.Date == list[i].v.Date {
			j++
		}
		k := j + 1
		for k < len(list) && j < len(list) && list[k].v.Date == list[j].v.Date {
			k++
		}
		k = min(k, len(list))
		if j-i > 1 {
			touched := false
			for _, e := range list[max(0, i-1):k] {
				touched = touched || !e.old
			}
			if touched {
				var prev *entry
				if i > 0 {
					prev = &list[i-1]
				}
				by, err := s.orderGroup(prev, list[i:j], list[j:k])
				if err != nil {
					return nil, err
				}
				ties = append(ties, tieSpan{i, j, by})
			}
		}
		i = j
	}
	return ties, nil
}
