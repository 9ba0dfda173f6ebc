// Package changelog tells the story of a registry version by version: one
// [Entry] per stored version, newest first, each the [diff.Result] of that
// version against the one before it, and a [Point] per version counting the
// status of every tcp port, for a chart.
//
// [Build] computes a [Changelog]; [WriteMarkdown], [WriteHTML], [WriteJSON]
// and [WriteAtom] write it for people, browsers, programs and feed readers,
// and [WriteFile] writes any of them to a file atomically.
//
// # Entries
//
// The entry of a version is [diff.Compare] of the version before it (in the
// store, even when that one is outside the range asked for) and the
// version itself. Like [snapshots.Store.RecordsDiffering], Build reads only
// the normalized files that differ between the two, plus the records that
// cover the ports of changed ones; unlike it, it decodes each file, and
// each line of a file, once for the whole walk, which makes a changelog of
// hundreds of versions take about a second. The oldest version on record
// has no previous one: its entry has no diff and says how many records the
// version holds. An entry whose diff is empty says that the file changed
// only outside its records (its date, its list of people).
//
// # Series
//
// Each point counts the tcp ports that are Assigned, Reserved, Unassigned and
// Deregistered in a version, by the status rule of package diff. The oldest
// version in range is counted in full with [diff.PortStatuses]; every later
// one by applying its entry's tcp status transitions, which is exact because
// a diff lists every port whose status changed. When the oldest version in
// range has no record with a protocol (protocol-numbers), there is no
// series.
//
// # Output
//
//   - Markdown: a heading per version, then diff's Markdown for its changes.
//   - HTML: one self-contained page (inline CSS and SVG, no script) with a
//     chart of the series, a table of contents and a section per version
//     whose id is the version's name.
//   - JSON: an array of diff objects, each exactly as [diff.WriteJSON]
//     writes it; the oldest version on record has an empty "from".
//   - Atom: an Atom 1.0 feed (RFC 4287) with an entry per version whose id
//     depends only on the registry and the sha256 of the version's raw file,
//     so it never changes, even when the store later renames or
//     re-commits the version.
package changelog

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/regdiff/regdiff/diff"
	"github.com/regdiff/regdiff/snapshots"
	"github.com/regdiff/regdiff/snapshots/record"
)

// Options choose the versions a changelog covers.
type Options struct {
	// Since and Until are indexes into the versions given to Build (oldest
	// first), both inclusive: Options{Since: 0, Until: len(vs) - 1} covers
	// every version. Since == Until+1 is an empty range (a window that
	// holds no version, as [snapshots.ResolveWindow] gives it with lo ==
	// hi): a changelog with no entries.
	Since, Until int
	// Progress, when set, is called after each version with the number of
	// versions done and the total.
	Progress func(done, total int)
}

// Changelog is the story of a registry over a range of versions, or of
// every registry ([Merge]).
type Changelog struct {
	Registry string // the registry's id: "service-names-port-numbers"; "" for every registry
	Title    string // the registry's title, from the newest version in range
	Entries  []Entry
	// Series has a point per version in range, oldest first; it is nil for
	// a registry without port records (see the package documentation).
	Series []Point
}

// Entry is one version and what changed in it.
type Entry struct {
	Version record.Version
	// Previous is the version compared with, or nil for the oldest version
	// on record.
	Previous *record.Version
	// Diff is the difference from Previous to Version, with Registry, From
	// and To set; nil when Previous is.
	Diff *diff.Result
}

// First reports whether the entry is the oldest version on record, which
// has nothing to be compared with.
func (e *Entry) First() bool { return e.Previous == nil }

// Unchanged reports whether the version holds what the previous one does,
// records, registry elements and people alike: the file changed only in
// its layout (or, in a version stored without its items, only outside its
// records).
func (e *Entry) Unchanged() bool { return e.Diff != nil && e.Diff.Empty() }

// Point counts a version's tcp ports by status.
type Point struct {
	Version                                      string // version name: "2024-03-18", "2024-03-18.2"
	Date                                         string // the registry's date: "2024-03-18"
	Assigned, Reserved, Unassigned, Deregistered int
}

// add moves n ports from one status to another.
func (p *Point) add(st diff.Status, n int) {
	switch st {
	case diff.Assigned:
		p.Assigned += n
	case diff.Reserved:
		p.Reserved += n
	case diff.Unassigned:
		p.Unassigned += n
	case diff.Deregistered:
		p.Deregistered += n
	}
}

// Merge is one changelog of the registries of cs: every entry, newest
// first by date (entries of one date by registry id, and within a registry
// as they stand), with no series. Its Registry is "", and its entries are
// named and linked by registry and version ("tls-parameters 2024-03-18",
// #tls-parameters/2024-03-18).
func Merge(cs []*Changelog) *Changelog {
	all := &Changelog{Title: "IANA registries"}
	cs = slices.Clone(cs)
	slices.SortStableFunc(cs, func(a, b *Changelog) int { return strings.Compare(a.Registry, b.Registry) })
	for _, c := range cs {
		all.Entries = append(all.Entries, c.Entries...)
	}
	slices.SortStableFunc(all.Entries, func(a, b Entry) int { return strings.Compare(b.Version.Date, a.Version.Date) })
	return all
}

// anchor is the id of v's entry in a page: its name, qualified by its
// registry in a changelog of every registry.
func (c *Changelog) anchor(v record.Version) string {
	if c.Registry == "" {
		return v.Registry + "/" + v.Name
	}
	return v.Name
}

// label is how an entry is headed: its version's name, after its registry
// in a changelog of every registry.
func (c *Changelog) label(v record.Version) string {
	if c.Registry == "" {
		return v.Registry + " " + v.Name
	}
	return v.Name
}

// ErrRange is returned (wrapped) when Options name no valid range.
var ErrRange = errors.New("invalid version range")

// Build computes the changelog of registry over vs[opts.Since..opts.Until],
// where vs are the registry's versions in s, oldest first
// ([snapshots.Store.Versions]). Entries are newest first. The entry of the
// oldest version in range is its diff against the version before it, even
// when that one is outside the range. Title is that of the newest version
// in range (for an empty range, of the version before it, or the oldest).
func Build(ctx context.Context, s *snapshots.Store, registry string, vs []record.Version, opts Options) (*Changelog, error) {
	if len(vs) == 0 {
		return nil, fmt.Errorf("registry %s: %w", registry, snapshots.ErrEmpty)
	}
	since, until := opts.Since, opts.Until
	empty := since == until+1 && since >= 0 && since <= len(vs)
	switch {
	case empty:
	case since < 0 || since >= len(vs) || until < 0 || until >= len(vs):
		return nil, fmt.Errorf("%w: versions %d to %d of %d", ErrRange, since, until, len(vs))
	case since > until:
		return nil, fmt.Errorf("%w: since (%s) is newer than until (%s)", ErrRange, vs[since].Name, vs[until].Name)
	}
	c := &Changelog{Registry: registry, Title: vs[max(until, 0)].Title}
	if c.Title == "" {
		c.Title = registry
	}
	if empty {
		return c, nil
	}
	rd := newReader(s)
	count, ports, err := startCount(rd, vs[since])
	if err != nil {
		return nil, err
	}
	total := until - since + 1
	c.Entries = make([]Entry, total)
	for i := since; i <= until; i++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		e := Entry{Version: vs[i]}
		if i > 0 {
			prev := vs[i-1]
			r, err := diff.Between(cached{rd, s}, prev, vs[i], diff.Filter{})
			if err != nil {
				return nil, err
			}
			detach(r)
			e.Previous, e.Diff = &prev, r
		}
		c.Entries[until-i] = e
		if opts.Progress != nil {
			opts.Progress(i-since+1, total)
		}
	}
	if ports {
		c.Series = buildSeries(count, c.Entries)
	}
	return c, nil
}

// cached reads records through the reader's caches, and the rest from
// the store.
type cached struct {
	rd *reader
	*snapshots.Store
}

func (c cached) RecordsDiffering(a, b record.Version) (old, new []record.Record, err error) {
	return c.rd.differing(a, b)
}

// startCount counts the tcp ports of the version the series starts from,
// and reports whether it has port records at all.
func startCount(rd *reader, v record.Version) (Point, bool, error) {
	recs, err := rd.all(v)
	if err != nil || !hasPorts(recs) {
		return Point{}, false, err
	}
	return CountPorts(recs), true, nil
}

// buildSeries applies each entry's tcp transitions to the count of the
// oldest entry. entries are newest first.
func buildSeries(p Point, entries []Entry) []Point {
	series := make([]Point, 0, len(entries))
	for i := len(entries) - 1; i >= 0; i-- {
		e := &entries[i]
		if i < len(entries)-1 {
			for _, t := range e.Diff.Transitions {
				if t.Protocol == "tcp" {
					p.add(t.From, -t.Count())
					p.add(t.To, t.Count())
				}
			}
		}
		p.Version, p.Date = e.Version.Name, e.Version.Date
		series = append(series, p)
	}
	return series
}

// CountPorts counts the tcp ports of one version's records by status: the
// full count that the series of a changelog starts from. Version and Date
// are left empty.
func CountPorts(recs []record.Record) Point {
	var p Point
	for _, sg := range diff.PortStatuses(recs).Segments("tcp") {
		p.add(sg.Status, sg.Hi-sg.Lo+1)
	}
	return p
}

func hasPorts(recs []record.Record) bool {
	for i := range recs {
		if recs[i].Protocol != "" {
			return true
		}
	}
	return false
}
