package snapshots

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/regdiff/regdiff/snapshots/formats"
	"github.com/regdiff/regdiff/snapshots/record"

	"github.com/go-git/go-git/v5/plumbing"
)

// Input is one file offered for import.
type Input struct {
	Source Source
	// Read returns the content; Import calls it from one goroutine at a time
	// (go-git's object readers are not safe for concurrent use).
	Read func() ([]byte, error)
	// Date, when set, overrides the date the file gives itself.
	Date string
	// Found is set for an input found by searching (a folder's files, a
	// git history's *.xml) rather than named: one that is no registry is
	// skipped and counted, not refused.
	Found bool
}

// Refusal is an input that could not be imported, and why.
type Refusal struct {
	Location string
	Err      error
}

// Summary tells what an import did.
type Summary struct {
	Reports []Report
	Refused []Refusal
	Skipped []string // locations of found inputs that are no registry
}

// Counts returns how many versions were new and how many already stored.
func (s *Summary) Counts() (added, existing int) {
	for _, r := range s.Reports {
		added += len(r.Added)
		existing += len(r.Existing)
	}
	return added, existing
}

// ImportOptions tune [Store.Import].
type ImportOptions struct {
	// Progress, when set, is called after each input with the number done.
	Progress func(done, total int)
	// Check, when set, may refuse a parsed version before anything is
	// written (fetch uses it for its record-count sanity check). Content
	// already stored is not parsed again, so Check does not see it.
	Check func(reg *record.Registry) error
	// Registry, when set, is the only registry accepted.
	Registry string
	// Rewrites, when set, is asked before refs move whether the stored
	// versions whose commits would change (a new version goes before them)
	// may be rewritten. An error refuses the new versions of that
	// checkpoint: their objects are taken out again and Import stops with
	// that error.
	Rewrites func(rewritten []record.Version, added []record.Version) error
	// Meta holds files to set on refs/regdiff/meta in the same ref update
	// as the versions (fetch keeps its HTTP validators there), so that a
	// kill leaves both or neither. Names as for [Store.SetMetaFile].
	Meta map[string][]byte
}

// checkpoint bounds the work a kill can lose: refs move after this many
// new versions or this much time, each time atomically.
const (
	checkpoint      = 64
	checkpointEvery = 2 * time.Second
)

// importPacks is false only in tests that build a store of loose objects:
// then neither Import nor Commit packs.
var importPacks = true

func newImportPack(gitDir string) (*packBuilder, error) {
	if !importPacks {
		return nil, errors.New("packing turned off")
	}
	return newPackBuilder(gitDir)
}

// Import parses inputs, writes the new versions and moves the refs. The
// caller must hold the store's lock. An input that fails to read or parse is
// refused and reported; the others still go in. Parsing and object writing
// run on every core; the store's refs move every few dozen versions, so a
// kill loses at most that much work and never leaves a half version.
func (s *Store) Import(ctx context.Context, inputs []Input, opts ImportOptions) (*Summary, error) {
	known, parents, err := s.knownContent()
	if err != nil {
		return nil, err
	}
	// The objects this import creates go into checkpoint packs, installed
	// as refs move, and into the import's pack, which replaces them at the
	// end (see pack.go). Objects that were loose before stay so until that
	// pack holds them; should they not be listed, the import writes loose
	// objects instead of checkpoint packs, all removed once packed.
	var loose map[plumbing.Hash]bool
	if pb, err := newImportPack(s.dir); err == nil {
		s.pack = pb
		if hs, err := s.looseObjects(); err == nil {
			loose = make(map[plumbing.Hash]bool, len(hs))
			for _, h := range hs {
				loose[h] = true
			}
			pb.withCheckpoints(s)
		}
		defer func() {
			s.pack = nil
			pb.abort() // a no-op once installed, but for the checkpoint pack being written
		}()
	}
	type job struct {
		in   Input
		data []byte
	}
	jobs := make(chan job, 2)
	results := make(chan importResult, 2)
	workers := max(1, runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				results <- s.importOne(j.in, j.data, known, parents, opts)
			}
		}()
	}
	readErr := make(chan error, 1)
	go func() {
		defer close(jobs)
		for _, in := range inputs {
			if ctx.Err() != nil {
				readErr <- ctx.Err()
				return
			}
			data, err := in.Read()
			if err != nil {
				results <- importResult{refusal: &Refusal{Location: in.Source.Location, Err: err}}
				continue
			}
			jobs <- job{in: in, data: data}
		}
		readErr <- nil
	}()
	go func() { wg.Wait(); <-readErr; close(results) }()

	for name := range opts.Meta {
		if err := checkMetaName(name); err != nil {
			return nil, err
		}
	}
	sum := &Summary{}
	// The meta files go with the last checkpoint, and only when no input
	// was refused: a fetch's validators must not say that content is
	// stored when it was refused.
	var meta map[string][]byte
	var pending []Prepared
	var existing []Prepared
	flush := func() error {
		if len(pending) == 0 && len(existing) == 0 && meta == nil {
			return nil
		}
		if opts.Rewrites != nil && len(pending) > 0 {
			rw, err := s.Rewrites(pending)
			if err == nil && len(rw) > 0 {
				added := make([]record.Version, len(pending))
				for i, p := range pending {
					added[i] = p.Version
				}
				err = opts.Rewrites(rw, added)
			}
			if err != nil {
				for _, p := range pending {
					s.Discard(p)
				}
				pending, existing = nil, nil
				return err
			}
		}
		reps, err := s.commit(append(pending, existing...), false, meta)
		if err != nil {
			return err
		}
		sum.Reports = mergeReports(sum.Reports, reps)
		pending, existing = nil, nil
		return nil
	}
	done := 0
	lastFlush := time.Now()
	var firstErr error
	for r := range results {
		done++
		if opts.Progress != nil {
			opts.Progress(done, len(inputs))
		}
		switch {
		case r.refusal != nil:
			sum.Refused = append(sum.Refused, *r.refusal)
		case r.skipped != "":
			sum.Skipped = append(sum.Skipped, r.skipped)
		case r.prepared != nil && r.existing != nil:
			existing = append(existing, *r.prepared)
		case r.prepared != nil:
			pending = append(pending, *r.prepared)
		}
		if firstErr == nil && (len(pending) >= checkpoint || len(pending) > 0 && time.Since(lastFlush) > checkpointEvery) {
			firstErr = flush()
			lastFlush = time.Now()
		}
	}
	if firstErr == nil {
		if len(sum.Refused) == 0 && ctx.Err() == nil {
			meta = opts.Meta
		}
		firstErr = flush()
	}
	if err := ctx.Err(); err != nil && firstErr == nil {
		firstErr = err
	}
	if pb := s.pack; pb != nil && firstErr == nil {
		if hashes, err := pb.finish(); err == nil {
			s.pack = nil
			pb.dropSealed()
			s.reloadPacks()
			if loose != nil {
				hashes = slices.DeleteFunc(hashes, func(h plumbing.Hash) bool { return !loose[h] })
			}
			s.removeLoose(hashes)
			if packs, err := s.packs(); err == nil && len(packs) > maxPacks {
				s.Pack(true)
			}
		}
	}
	slices.Sort(sum.Skipped)
	// Later checkpoints may have renamed or re-committed versions added by
	// earlier ones, and workers finish out of order: report versions as
	// they stand now, and a rewrite only where a version that was stored
	// before this import got a new commit.
	for i := range sum.Reports {
		rep := &sum.Reports[i]
		rep.RebuiltFrom = ""
		vs, err := s.Versions(rep.Registry)
		if err != nil {
			continue
		}
		bySHA := map[string]record.Version{}
		for _, v := range vs {
			bySHA[v.SHA256] = v
			if old, ok := known[v.SHA256]; ok && old.Commit != v.Commit && rep.RebuiltFrom == "" {
				rep.RebuiltFrom = old.Name
			}
		}
		for j, a := range rep.Added {
			if v, ok := bySHA[a.SHA256]; ok {
				rep.Added[j] = v
			}
		}
	}
	return sum, firstErr
}

// knownContent maps the sha256 of every stored raw file to its version,
// and each version's commit to its parent's.
func (s *Store) knownContent() (map[string]record.Version, map[plumbing.Hash]plumbing.Hash, error) {
	regs, err := s.Registries()
	if err != nil {
		return nil, nil, err
	}
	known := map[string]record.Version{}
	parents := map[plumbing.Hash]plumbing.Hash{}
	for _, reg := range regs {
		vs, err := s.Versions(reg)
		if err != nil {
			return nil, nil, err
		}
		for i, v := range vs {
			known[v.SHA256] = v
			if i > 0 {
				parents[plumbing.Hash(v.Commit)] = plumbing.Hash(vs[i-1].Commit)
			}
		}
	}
	return known, parents, nil
}

// WrongRegistryError is the refusal of an input that is not the registry
// [ImportOptions.Registry] asks for.
type WrongRegistryError struct{ Is, Want string }

func (e *WrongRegistryError) Error() string {
	return fmt.Sprintf("registry %q, expected %q", e.Is, e.Want)
}

func wrongRegistry(is, want string) error { return &WrongRegistryError{Is: is, Want: want} }

type importResult struct {
	prepared *Prepared
	existing *Source
	refusal  *Refusal
	skipped  string // the location of an input found that is no registry
}

func (s *Store) importOne(in Input, data []byte, known map[string]record.Version, parents map[plumbing.Hash]plumbing.Hash, opts ImportOptions) (r importResult) {
	refuse := func(err error) {
		r.refusal = &Refusal{Location: in.Source.Location, Err: err}
	}
	sum := sha256.Sum256(data)
	if v, ok := known[hex.EncodeToString(sum[:])]; ok {
		if opts.Registry != "" && v.Registry != opts.Registry {
			refuse(wrongRegistry(v.Registry, opts.Registry))
			return r
		}
		// Already stored: record the source only, without parsing again,
		// unless the version's objects are damaged: then they are written
		// again from this file.
		sv := s.strict()
		if err := sv.checkVersion(v); err != nil {
			reg, perr := formats.Parse(data)
			if perr == nil {
				reg.Updated = v.Date
				err = sv.restore(v, parents[plumbing.Hash(v.Commit)], data, reg, in.Source)
			}
			if err != nil {
				refuse(fmt.Errorf("version %s is stored but damaged, and this file does not restore it: %w", v.Name, err))
				return r
			}
		}
		src := in.Source
		src.Format = v.Format
		r.prepared = &Prepared{Version: v, Source: src}
		r.existing = &src
		return r
	}
	reg, err := formats.Parse(data)
	if err != nil && in.Found && noRegistry(err, in.Source) {
		r.skipped = in.Source.Location
		return r
	}
	if err != nil {
		refuse(err)
		return r
	}
	if in.Date != "" {
		reg.Updated = in.Date
	}
	if reg.Updated == "" && reg.Format == "xml" && !in.Source.Seen.IsZero() {
		// A registry without <updated> is dated by when this source first
		// saw it (a mirror's commit, a fetch): the only date there is, at
		// the price that another source's copy may get another date.
		reg.Updated = in.Source.Seen.UTC().Format(time.DateOnly)
	}
	if reg.Updated == "" {
		what := fmt.Sprintf("a %s copy has no updated field, and this one has no date to go by", reg.Format)
		if reg.Format == "xml" {
			what = "the registry has no <updated> element, and a file has no date of its own"
		}
		refuse(fmt.Errorf("no date to file this version under (%s); name it with --date YYYY-MM-DD or --date YYYY-MM", what))
		return r
	}
	if opts.Registry != "" && reg.ID != opts.Registry {
		refuse(wrongRegistry(reg.ID, opts.Registry))
		return r
	}
	if opts.Check != nil {
		if err := opts.Check(reg); err != nil {
			refuse(err)
			return r
		}
	}
	p, err := s.Prepare(data, reg, in.Source)
	if err != nil {
		refuse(err)
		return r
	}
	r.prepared = &p
	return r
}

// noRegistry reports whether err says that a found input is some other
// kind of file, to be skipped: XML that is no registry, text in no format,
// and, except in a download (where they mean the server failed), an empty
// file or an HTML page.
func noRegistry(err error, src Source) bool {
	switch {
	case errors.Is(err, formats.ErrNotRegistry), errors.Is(err, formats.ErrUnknownFormat):
		return true
	case errors.Is(err, formats.ErrEmpty), errors.Is(err, formats.ErrHTML):
		return src.Kind != "fetch"
	}
	return false
}

func mergeReports(all, more []Report) []Report {
	for _, m := range more {
		found := false
		for i := range all {
			if all[i].Registry == m.Registry {
				all[i].Added = append(all[i].Added, m.Added...)
				all[i].Existing = append(all[i].Existing, m.Existing...)
				// A later commit's answer for a date replaces an earlier one.
				all[i].Ties = slices.DeleteFunc(all[i].Ties, func(t Tie) bool {
					return slices.Contains(m.decided, t.Date) || slices.ContainsFunc(m.Ties, func(u Tie) bool { return u.Date == t.Date })
				})
				all[i].Ties = append(all[i].Ties, m.Ties...)
				if all[i].RebuiltFrom == "" {
					all[i].RebuiltFrom = m.RebuiltFrom
				}
				found = true
			}
		}
		if !found {
			all = append(all, m)
		}
	}
	return all
}
