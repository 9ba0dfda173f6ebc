package snapshots

import (
	"context"
	"fmt"
	"runtime"
	"sync"

	"github.com/regdiff/regdiff/snapshots/formats"
	"github.com/regdiff/regdiff/snapshots/record"
)

// Reindexed tells what [Store.Reindex] did to one registry.
type Reindexed struct {
	Registry string
	Versions int // versions rebuilt
	Changed  int // versions whose commit changed
	// Renamed maps old version names to new ones, where the order of
	// same-date versions changed (a store whose same-date versions were
	// ordered by an older rule).
	Renamed map[string]string
	Ties    []Tie
}

// Reindex rebuilds the normalized form of every version of the registries
// from its raw file, with this code's parser and normalizer, and commits
// each registry's versions again: the raw files and dates stay as they are,
// same-date versions are ordered by the current rule, and a commit changes
// only where what it holds changed. A raw file that no longer parses, or
// parses as another registry, stops the reindex before anything moves:
// refs move once, for every registry at the same time. The caller must
// hold the lock.
func (s *Store) Reindex(ctx context.Context, registries []string, progress func(done, total int)) ([]Reindexed, error) {
	type job struct {
		v   record.Version
		raw []byte
	}
	var all []record.Version
	before := map[string][]record.Version{}
	for _, reg := range registries {
		vs, err := s.Versions(reg)
		if err != nil {
			return nil, err
		}
		before[reg] = vs
		all = append(all, vs...)
	}
	jobs := make(chan job, 2)
	results := make(chan rebuilt, 2)
	var wg sync.WaitGroup
	for range max(1, runtime.GOMAXPROCS(0)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				results <- s.rebuild(j.v, j.raw)
			}
		}()
	}
	go func() {
		defer close(jobs)
		for _, v := range all {
			if ctx.Err() != nil {
				return
			}
			raw, err := s.Raw(v)
			if err != nil {
				results <- rebuilt{err: fmt.Errorf("registry %s version %s: %w", v.Registry, v.Name, err)}
				continue
			}
			jobs <- job{v, raw}
		}
	}()
	go func() { wg.Wait(); close(results) }()
	var ps []Prepared
	var firstErr error
	done := 0
	for r := range results {
		done++
		if progress != nil {
			progress(done, len(all))
		}
		if r.err != nil && firstErr == nil {
			firstErr = r.err
		}
		ps = append(ps, r.p)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if firstErr != nil {
		for _, p := range ps {
			s.Discard(p)
		}
		return nil, fmt.Errorf("reindex stopped, the store is as it was: %w", firstErr)
	}
	reps, err := s.commit(ps, true, nil)
	if err != nil {
		return nil, err
	}
	var out []Reindexed
	for _, rep := range reps {
		r := Reindexed{Registry: rep.Registry, Renamed: map[string]string{}, Ties: rep.Ties}
		after, err := s.Versions(rep.Registry)
		if err != nil {
			return nil, err
		}
		old := map[string]record.Version{}
		for _, v := range before[rep.Registry] {
			old[v.SHA256] = v
		}
		for _, v := range after {
			r.Versions++
			o := old[v.SHA256]
			if o.Commit != v.Commit {
				r.Changed++
			}
			if o.Name != v.Name {
				r.Renamed[o.Name] = v.Name
			}
		}
		out = append(out, r)
	}
	return out, nil
}

type rebuilt struct {
	p   Prepared
	err error
}

// rebuild parses a stored version's raw file again and writes its objects.
func (s *Store) rebuild(v record.Version, raw []byte) (r rebuilt) {
	reg, err := formats.Parse(raw)
	if err != nil {
		r.err = fmt.Errorf("registry %s version %s: the raw file no longer parses: %w", v.Registry, v.Name, err)
		return r
	}
	if reg.ID != v.Registry {
		r.err = fmt.Errorf("registry %s version %s: the raw file now parses as registry %q", v.Registry, v.Name, reg.ID)
		return r
	}
	reg.Updated = v.Date // a CSV or RFC was dated when imported
	r.p, r.err = s.Prepare(raw, reg, Source{})
	if r.err != nil {
		r.err = fmt.Errorf("registry %s version %s: %w", v.Registry, v.Name, r.err)
	}
	return r
}
