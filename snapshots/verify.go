package snapshots

import (
	"context"
	"crypto/sha1"
	"encoding/json"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"

	"github.com/regdiff/regdiff/snapshots/formats"
	"github.com/regdiff/regdiff/snapshots/record"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// Problem is one thing [Store.Verify] found wrong.
type Problem struct {
	Registry string
	Version  string // "" when the problem is not one version's
	Msg      string
}

func (p Problem) String() string {
	if p.Version == "" {
		return p.Registry + ": " + p.Msg
	}
	return p.Registry + " " + p.Version + ": " + p.Msg
}

// Verify checks a store end to end: every version's commit, trees and
// blobs can be read and hash to their ids; its raw file matches its
// recorded sha256 and record count; its normalized files are exactly what
// parsing the raw file again gives; versions are in date order; each
// version's tag points at it, and every tag at a version; every object of
// refs/regdiff/meta's history reads and hashes to its id, and its sources
// files parse; each cached version list agrees with its branch. A cache
// that is damaged or disagrees is a problem, and is removed (commands
// rebuild it). Versions are checked in parallel, by up to
// maxVerifyWorkers workers (one per CPU); problems are in version order
// all the same. progress, when set, is called after each version, never
// concurrently.
func (s *Store) Verify(ctx context.Context, progress func(done, total int)) ([]Problem, error) {
	s = s.strict()
	regs, err := s.Registries()
	if err != nil {
		return nil, err
	}
	refs, err := s.readRefs()
	if err != nil {
		return nil, err
	}
	var all [][]record.Version
	total := 0
	var problems []Problem
	for _, reg := range regs {
		vs, err := s.versions(reg, false)
		if err != nil {
			problems = append(problems, Problem{Registry: reg, Msg: err.Error()})
			all = append(all, nil)
			continue
		}
		all = append(all, vs)
		total += len(vs)
		if msg := s.checkVersionsCache(reg, vs); msg != "" {
			problems = append(problems, Problem{Registry: reg, Msg: msg})
		}
		names := map[string]bool{}
		for _, v := range vs {
			names[v.Name] = true
		}
		for ref := range refs {
			if name, ok := strings.CutPrefix(ref, "refs/tags/"+reg+"/"); ok && !names[name] {
				problems = append(problems, Problem{Registry: reg, Msg: fmt.Sprintf("tag %s/%s names no version", reg, name)})
			}
		}
	}
	for _, msg := range s.checkMeta(refs) {
		problems = append(problems, Problem{Registry: metaRef, Msg: msg})
	}
	for _, msg := range s.checkPacks() {
		problems = append(problems, Problem{Registry: "objects/pack", Msg: msg})
	}
	var jobs []verifyJob
	for i, reg := range regs {
		for j, v := range all[i] {
			job := verifyJob{reg: reg, v: v}
			if j > 0 {
				job.prev = &all[i][j-1]
			}
			jobs = append(jobs, job)
		}
	}
	var mu sync.Mutex
	done := 0
	var wg sync.WaitGroup
	parts := splitJobs(jobs, min(runtime.GOMAXPROCS(0), maxVerifyWorkers))
	for _, part := range parts {
		// Each worker reads through a view of its own (regdiff's pack
		// reader serves one reader at a time), and the views share
		// strict's pack cache between them. On the shared bundle's cloned
		// store, two workers of 64 MiB each took 7.3 s at 298 MB, one of
		// 128 MiB 15.4 s at 290 MB; two of 128 MiB went past main's soft
		// memory limit and collected without end (20 s).
		view := s.strict()
		view.packed.max = max(view.packed.max/len(parts), 32<<20)
		wg.Go(func() {
			w := &verifier{read: map[plumbing.Hash]bool{}}
			for k := range part {
				if ctx.Err() != nil {
					return
				}
				part[k].check(view, refs, w)
				if progress != nil {
					mu.Lock()
					done++
					progress(done, total)
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return problems, err
	}
	for _, job := range jobs {
		problems = append(problems, job.problems...)
	}
	return problems, nil
}

// maxVerifyWorkers bounds Verify's workers, whose pack caches share a
// fixed budget: past four, each would hold too little of a delta chain.
const maxVerifyWorkers = 4

// verifyJob is the check of one version, and what it found.
type verifyJob struct {
	reg      string
	v        record.Version
	prev     *record.Version // the registry's version before, if any
	problems []Problem
}

// verifier is what a worker of Verify keeps from one version to the next
// of its run: a run's versions follow one another, and most of each is as
// it was in the one before.
type verifier struct {
	read   map[plumbing.Hash]bool // normalized files read whole
	parser formats.Parser         // of the raw files
	last   *encoding              // the normalized files of the version before
}

// check checks job j's version.
func (j *verifyJob) check(s *Store, refs map[string]plumbing.Hash, w *verifier) {
	reg, v := j.reg, j.v
	bad := func(format string, args ...any) {
		j.problems = append(j.problems, Problem{Registry: reg, Version: v.Name, Msg: fmt.Sprintf(format, args...)})
	}
	if j.prev != nil && j.prev.Date > v.Date {
		bad("out of date order: comes after %s", j.prev.Name)
	}
	if h := refs["refs/tags/"+reg+"/"+v.Name]; h != plumbing.Hash(v.Commit) {
		bad("tag %s/%s points at %s, not at the version's commit %s", reg, v.Name, short(h), short(plumbing.Hash(v.Commit)))
	}
	s.verifyVersion(v, bad, w)
}

// splitJobs cuts jobs into at most n runs of about equal work, counted in
// records. Runs, not a shared queue: consecutive versions share delta
// bases, which a worker's pack cache then holds for the next one.
func splitJobs(jobs []verifyJob, n int) [][]verifyJob {
	total := 0
	for _, j := range jobs {
		total += j.v.Records + 1
	}
	var parts [][]verifyJob
	start, sum := 0, 0
	for k, j := range jobs {
		sum += j.v.Records + 1
		if len(parts) < n-1 && sum*n >= total*(len(parts)+1) {
			parts = append(parts, jobs[start:k+1])
			start = k + 1
		}
	}
	if start < len(jobs) {
		parts = append(parts, jobs[start:])
	}
	return parts
}

// checkVersionsCache compares the cached version list with the walked one
// and removes a cache that lies; commands then walk and rebuild it. A cache
// may end at a tip the branch no longer has (an older version was put in
// its place since): only the versions it shares with the branch must agree.
func (s *Store) checkVersionsCache(reg string, walked []record.Version) string {
	at := make(map[plumbing.Hash]int, len(walked))
	for i, w := range walked {
		at[plumbing.Hash(w.Commit)] = i
	}
	cached, err := s.readVersionsCacheErr(reg)
	if err != nil {
		os.Remove(s.versionsCachePath(reg))
		return fmt.Sprintf("cache/versions/%s %v; removed (commands rebuild it)", reg, err)
	}
	for i, c := range cached {
		j, ok := at[plumbing.Hash(c.Commit)]
		if !ok {
			continue // from a branch since rewritten
		}
		if j != i || c != walked[j] {
			os.Remove(s.versionsCachePath(reg))
			return fmt.Sprintf("cache/versions/%s disagreed with the branch at %s; removed (commands rebuild it)", reg, c.Name)
		}
	}
	return ""
}

func short(h plumbing.Hash) string {
	if h.IsZero() {
		return "nothing"
	}
	return h.String()[:12]
}

// verifyVersion checks v's files, reading each of its normalized files
// unless w has read it whole before (most are the same from one version to
// the next).
func (s *Store) verifyVersion(v record.Version, bad func(string, ...any), w *verifier) {
	raw, err := s.Raw(v)
	if err != nil {
		bad("raw file unreadable: %v", err)
		return
	}
	// Raw has checked the file against its recorded sha256.
	reg, err := w.parser.Parse(raw)
	if err != nil {
		bad("raw file no longer parses: %v", err)
		return
	}
	if len(reg.Records) != v.Records {
		bad("raw file has %d records, recorded %d", len(reg.Records), v.Records)
	}
	// A version written by normalizer 1 has its records only, encoded as
	// now: check those (ReindexDue tells that the rest is missing).
	files, err := s.normalized(v)
	if v.Normalizer < 2 {
		reg = &record.Registry{Records: reg.Records}
		files, err = s.Files(v)
	}
	want := encodeFiles(reg, w.last)
	w.last = want
	if err != nil {
		bad("normalized files unreadable: %v", err)
		return
	}
	have := map[string]plumbing.Hash{}
	for _, f := range files {
		h := plumbing.Hash(f.Hash)
		have[f.Path] = h
		if w.read[h] {
			continue
		}
		if _, err := s.blob(h); err != nil {
			bad("%s unreadable: %v", f.Path, err)
		} else {
			w.read[h] = true
		}
	}
	var names []string
	for name := range want.files {
		names = append(names, name)
	}
	for name := range have {
		if _, ok := want.files[name]; !ok {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	for _, name := range names {
		f, ok := want.files[name]
		switch {
		case !ok:
			bad("%s is not what parsing the raw file gives (extra file)", name)
		case have[name].IsZero():
			bad("%s is missing", name)
		case f.hashOf() != have[name]:
			bad("%s differs from a new parse of the raw file", name)
		}
	}
}

// ReindexDue counts, per registry, the versions whose normalized form was
// written by an older normalizer than this code's ([Normalizer]):
// `regdiff reindex` rewrites them.
func (s *Store) ReindexDue() (map[string]int, error) {
	regs, err := s.Registries()
	if err != nil {
		return nil, err
	}
	due := map[string]int{}
	for _, reg := range regs {
		vs, err := s.Versions(reg)
		if err != nil {
			return nil, err
		}
		for _, v := range vs {
			if v.Normalizer < Normalizer {
				due[reg]++
			}
		}
	}
	return due, nil
}

// normalized lists every file of a version's tree but its raw file.
func (s *Store) normalized(v record.Version) ([]File, error) {
	var out []File
	err := s.walkFiles(plumbing.Hash(v.Tree), func(name string, e object.TreeEntry) {
		if name != v.RawFile {
			out = append(out, File{Path: name, Hash: record.Hash(e.Hash)})
		}
	})
	if err != nil {
		return nil, fmt.Errorf("version %s: %w", v.Name, err)
	}
	return out, nil
}

// checkMeta reads every commit of refs/regdiff/meta's history, with its
// trees and blobs (each once), and parses the newest tree's sources files.
func (s *Store) checkMeta(refs map[string]plumbing.Hash) []string {
	tip, ok := refs[metaRef]
	if !ok {
		return nil
	}
	var msgs []string
	seen := map[plumbing.Hash]bool{}
	for h, first := tip, true; !h.IsZero(); first = false {
		c, err := s.readCommit(h)
		if err != nil {
			return append(msgs, err.Error())
		}
		h = plumbing.ZeroHash
		if len(c.Parents) > 0 {
			h = c.Parents[0]
		}
		if seen[c.Tree] {
			continue
		}
		files := map[string]plumbing.Hash{}
		err = s.walkSeen(c.Tree, "", seen, func(p string, e object.TreeEntry) { files[p] = e.Hash })
		if err != nil {
			msgs = append(msgs, err.Error())
			continue
		}
		for p, fh := range files {
			if seen[fh] {
				continue
			}
			seen[fh] = true
			data, err := s.blob(fh)
			if err != nil {
				msgs = append(msgs, fmt.Sprintf("%s: %v", p, err))
				continue
			}
			var list []Source
			if first && strings.HasPrefix(p, "sources/") && json.Unmarshal(data, &list) != nil {
				msgs = append(msgs, fmt.Sprintf("%s does not parse as a list of sources", p))
			}
		}
	}
	return msgs
}

// walkSeen is walkFiles, passing over the subtrees in seen and adding
// those it reads.
func (s *Store) walkSeen(h plumbing.Hash, dir string, seen map[plumbing.Hash]bool, fn func(string, object.TreeEntry)) error {
	seen[h] = true
	entries, err := s.readTree(h)
	if err != nil {
		return err
	}
	for _, e := range entries {
		p := path.Join(dir, e.Name)
		switch {
		case e.Mode == filemode.Dir && !seen[e.Hash]:
			if err := s.walkSeen(e.Hash, p, seen, fn); err != nil {
				return fmt.Errorf("%s: %w", p, err)
			}
		case e.Mode.IsFile():
			fn(p, e)
		}
	}
	return nil
}

// checkPacks checks each packfile and pack index against the SHA-1 each
// ends with, as git verify-pack does: go-git reads a pack's objects by
// their offsets and never reads the pack's header or checksum, and an
// object is checked only when read.
func (s *Store) checkPacks() []string {
	var msgs []string
	files, _ := filepath.Glob(filepath.Join(s.dir, "objects", "pack", "pack-*.*"))
	for _, f := range files {
		if ext := filepath.Ext(f); ext != ".pack" && ext != ".idx" {
			continue
		}
		rel, _ := filepath.Rel(s.dir, f)
		data, err := os.ReadFile(f)
		if err != nil {
			msgs = append(msgs, fmt.Sprintf("%s: %v", rel, err))
			continue
		}
		n := len(data) - sha1.Size
		if n < 0 || sha1.Sum(data[:n]) != [sha1.Size]byte(data[n:]) {
			msgs = append(msgs, fmt.Sprintf("%s does not match its checksum (once regdiff import has restored the objects it holds, git gc writes a new pack)", rel))
		}
	}
	return msgs
}
