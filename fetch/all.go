package fetch

import (
	"context"
	"sync"
	"time"

	"github.com/regdiff/regdiff/snapshots"
)

// Pace is how [ArchiveAll] spares the server: at most Jobs downloads at a
// time (default 4, at most 8), and Delay between the starts of two.
type Pace struct {
	Jobs  int
	Delay time.Duration
}

// ArchiveAll archives every target, as [Archive] does each one: the
// downloads run a few at a time, at the pace given, and are stored one at
// a time in the order of targets, each result passed to each as it is
// stored. At most Jobs downloaded bodies wait in memory. It stops early
// when ctx is done or each returns false. The caller must hold the
// store's lock, unless opts.Lock is set: then s may be nil (no store yet)
// and is read only for the validators; each Save opens the store afresh
// under its lock, held for that Save only, never while a server is slow to
// answer, and seeing what other writers did meanwhile.
func ArchiveAll(ctx context.Context, s *snapshots.Store, targets []Target, opts ArchiveOptions, pace Pace, each func(*Outcome, error) bool) {
	jobs := pace.Jobs
	if jobs <= 0 {
		jobs = 4
	}
	jobs = min(jobs, 8)
	// Validators are read before any download starts: s is not read
	// while Save writes it. (Another process may change them meanwhile;
	// a stale validator only costs a full download.)
	type pending struct {
		t    Target
		v    Validators
		err  error
		res  *Result
		done chan struct{}
	}
	ps := make([]*pending, len(targets))
	for i, t := range targets {
		v, err := StoredValidators(s, t)
		ps[i] = &pending{t: t, v: v, err: err, done: make(chan struct{})}
	}
	ctx, cancel := context.WithCancel(ctx)
	slots := make(chan struct{}, jobs) // taken by a download, given back once stored
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		var last time.Time
		for _, p := range ps {
			select {
			case slots <- struct{}{}:
			case <-ctx.Done():
				return
			}
			if p.err != nil {
				close(p.done)
				continue
			}
			if wait := pace.Delay - time.Since(last); !last.IsZero() && wait > 0 {
				select {
				case <-time.After(wait):
				case <-ctx.Done():
					return
				}
			}
			last = time.Now()
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer close(p.done)
				p.res, p.err = Get(ctx, p.t.URL, p.v, opts.Get)
			}()
		}
	}()
	// Cancel first: a stop (each said no, ctx is done) leaves the
	// dispatcher waiting for a slot, and downloads in flight.
	defer func() { cancel(); wg.Wait() }()
	for _, p := range ps {
		select {
		case <-p.done:
		case <-ctx.Done():
			return
		}
		var more bool
		if p.err != nil {
			more = each(&Outcome{Target: p.t, Registry: p.t.Registry}, p.err)
		} else {
			more = each(lockedSave(ctx, s, p.t, p.res, opts))
		}
		p.res = nil
		<-slots
		if !more {
			return
		}
	}
}

// lockedSave is Save under opts.Lock, when set.
func lockedSave(ctx context.Context, s *snapshots.Store, t Target, res *Result, opts ArchiveOptions) (*Outcome, error) {
	if opts.Lock != nil {
		locked, unlock, err := opts.Lock(ctx)
		if err != nil {
			return &Outcome{Target: t, Registry: t.Registry}, err
		}
		defer unlock()
		s = locked
	}
	return Save(ctx, s, t, res, opts)
}
