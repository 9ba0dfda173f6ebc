package fetch

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/regdiff/regdiff/snapshots"
	"github.com/regdiff/regdiff/snapshots/record"
)

// Target is what to fetch: a URL, and the registry its content must be
// ("" to accept whatever registry the URL serves).
type Target struct {
	Registry string
	URL      string
	// Listed is set for a target found on an index rather than named: a
	// page there that is no registry (IANA serves a few <redirect>
	// documents) is skipped, not refused.
	Listed bool
}

// ArchiveOptions tune [Archive].
type ArchiveOptions struct {
	Get Options
	// Lock, when set, opens the store under its write lock (creating it
	// if need be) for each version ArchiveAll saves, and returns it with
	// the lock's release (see there).
	Lock func(ctx context.Context) (s *snapshots.Store, unlock func(), err error)
	// Force stores a version even when it looks suspicious: dated in the
	// future or before 1970 (snapshots.CheckDate), far fewer
	// records than the latest, or a place before stored versions.
	Force bool
	// MinRatio is the share of the latest stored version's record count a
	// new version must have; default 0.9.
	MinRatio float64
}

// Outcome is what [Archive] did.
type Outcome struct {
	Target   Target
	Registry string          // the registry the content belongs to
	Status   string          // "archived", "unchanged", "not-modified", "skipped" (a listed page that is no registry)
	Version  *record.Version // archived, or the stored version the content matched
	Result   *Result         // the download
	Rebuilt  string          // set when the new version went before stored ones
}

// ErrSuspicious marks a download refused by the sanity checks.
var ErrSuspicious = errors.New("suspicious download refused")

// ErrRewrite marks a download refused because archiving it would rewrite
// stored versions: it goes before some of them.
var ErrRewrite = errors.New("refused a version that would rewrite history")

// RewriteError is the error of a download that would go before stored
// versions; it wraps [ErrRewrite].
type RewriteError struct {
	URL      string
	Version  record.Version   // the download, dated but not named
	Latest   record.Version   // the newest stored version
	Rewrites []record.Version // the stored versions whose commits would change, oldest first
}

func (e *RewriteError) Error() string {
	what := fmt.Sprintf("is dated %s, before the latest stored version %s", e.Version.Date, e.Latest.Name)
	if e.Version.Date == e.Latest.Date {
		what = fmt.Sprintf("has the date of the latest stored version %s but its content puts it before", e.Latest.Name)
	}
	first, last := e.Rewrites[0].Name, e.Rewrites[len(e.Rewrites)-1].Name
	span := first
	if len(e.Rewrites) > 1 {
		span += " … " + last
	}
	return fmt.Sprintf("%v: %s %s: archiving it would rewrite %d stored version(s), %s (their commits and names change); "+
		"a version older than the latest is more often a stale mirror than a late publication; use --force to archive it",
		ErrRewrite, e.URL, what, len(e.Rewrites), span)
}

func (e *RewriteError) Unwrap() error { return ErrRewrite }

// ErrInvalid marks a download that is not a valid registry.
var ErrInvalid = errors.New("downloaded file is not a valid registry")

// state is what Archive keeps between runs for one URL.
type state struct {
	URL          string `json:"url"`
	ETag         string `json:"etag,omitempty"`
	LastModified string `json:"last_modified,omitempty"`
	SHA256       string `json:"sha256,omitempty"`
}

func stateFile(url string) string {
	sum := sha256.Sum256([]byte(url))
	return "fetch/" + hex.EncodeToString(sum[:8]) + ".json"
}

// Archive downloads a registry and, when its content is new and valid,
// stores it as a new version. The caller must hold the store's lock.
// Nothing is written unless the download is complete, parses as the
// expected registry and passes the record-count check. The version goes
// in through [snapshots.Store.Import], the path files and git histories
// take, with the URL's validators in the same ref update.
func Archive(ctx context.Context, s *snapshots.Store, t Target, opts ArchiveOptions) (*Outcome, error) {
	v, err := StoredValidators(s, t)
	if err != nil {
		return &Outcome{Target: t, Registry: t.Registry}, err
	}
	res, err := Get(ctx, t.URL, v, opts.Get)
	if err != nil {
		return &Outcome{Target: t, Registry: t.Registry}, err
	}
	return Save(ctx, s, t, res, opts)
}

// StoredValidators are the ETag and Last-Modified of the target URL's last
// fetch, for a conditional GET.
func StoredValidators(s *snapshots.Store, t Target) (Validators, error) {
	if s == nil {
		return Validators{}, nil // no store yet: nothing fetched before
	}
	var prev state
	if b, err := s.MetaFile(stateFile(t.URL)); err != nil {
		return Validators{}, err
	} else if b != nil {
		json.Unmarshal(b, &prev)
	}
	return Validators{ETag: prev.ETag, LastModified: prev.LastModified}, nil
}

// Save is the second half of [Archive], for a caller that made the
// download itself (with [StoredValidators] and [Get], several at a time):
// it stores res, the answer for t, when it is new and valid. The caller
// must hold the store's lock, and Save calls on one store must not overlap.
func Save(ctx context.Context, s *snapshots.Store, t Target, res *Result, opts ArchiveOptions) (*Outcome, error) {
	out := &Outcome{Target: t, Registry: t.Registry, Result: res}
	if res.NotModified {
		out.Status = "not-modified"
		return out, nil
	}
	sum := sha256.Sum256(res.Body)
	sha := hex.EncodeToString(sum[:])
	st, _ := json.MarshalIndent(state{URL: t.URL, ETag: res.Validators.ETag, LastModified: res.Validators.LastModified, SHA256: sha}, "", "  ")

	var checkErr error        // a refusal of ours, not a parse error
	var latest record.Version // the newest stored version, found by the check
	iopts := snapshots.ImportOptions{
		Registry: t.Registry,
		Meta:     map[string][]byte{stateFile(t.URL): append(st, '\n')},
		Check: func(reg *record.Registry) error {
			out.Registry = reg.ID
			if err := snapshots.CheckDate(reg.Updated, time.Now()); err != nil && !opts.Force {
				checkErr = fmt.Errorf("%w: %s: %w; use --force to store it anyway", ErrSuspicious, t.URL, err)
				return checkErr
			}
			latest, checkErr = checkCount(s, t.URL, reg, opts)
			return checkErr
		},
	}
	if !opts.Force {
		iopts.Rewrites = func(rw, added []record.Version) error {
			return &RewriteError{URL: t.URL, Version: added[0], Latest: latest, Rewrites: rw}
		}
	}
	sumry, err := s.Import(ctx, []snapshots.Input{{
		Source: snapshots.Source{
			Kind: "fetch", Location: t.URL, Seen: res.FetchedAt,
			ETag: res.Validators.ETag, Modified: res.Validators.LastModified,
		},
		Read:  func() ([]byte, error) { return res.Body, nil },
		Found: t.Listed,
	}}, iopts)
	if err != nil {
		return out, err
	}
	if len(sumry.Skipped) > 0 {
		out.Status = "skipped"
		return out, nil
	}
	if len(sumry.Refused) > 0 {
		err := sumry.Refused[0].Err
		if checkErr != nil {
			return out, err
		}
		if _, ok := errors.AsType[*snapshots.WrongRegistryError](err); ok {
			return out, fmt.Errorf("%w: %s serves %v", ErrInvalid, t.URL, err)
		}
		return out, fmt.Errorf("%w: %s: %v", ErrInvalid, t.URL, err)
	}
	for _, r := range sumry.Reports {
		out.Registry = r.Registry
		if len(r.Added) > 0 {
			v := r.Added[0]
			out.Status, out.Version, out.Rebuilt = "archived", &v, r.RebuiltFrom
			return out, nil
		}
		vs, err := s.Versions(r.Registry)
		if err != nil {
			return out, err
		}
		for i := range vs {
			if vs[i].SHA256 == sha {
				out.Status, out.Version = "unchanged", &vs[i]
			}
		}
	}
	if out.Status == "" {
		return out, fmt.Errorf("fetch %s: the import stored nothing and found no stored version of it", t.URL)
	}
	return out, nil
}

// checkCount refuses a version with far fewer records than the latest
// stored one, and returns that latest version for the rewrite check.
func checkCount(s *snapshots.Store, url string, reg *record.Registry, opts ArchiveOptions) (record.Version, error) {
	vs, err := s.Versions(reg.ID)
	if errors.Is(err, snapshots.ErrEmpty) {
		return record.Version{}, nil
	}
	if err != nil {
		return record.Version{}, err
	}
	l := vs[len(vs)-1]
	ratio := opts.MinRatio
	if ratio == 0 {
		ratio = 0.9
	}
	if !opts.Force && float64(len(reg.Records)) < ratio*float64(l.Records) {
		return l, fmt.Errorf("%w: %s has %d records, under %.0f%% of the %d in the latest stored version %s; use --force to store it anyway",
			ErrSuspicious, url, len(reg.Records), ratio*100, l.Records, l.Name)
	}
	return l, nil
}
