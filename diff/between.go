package diff

import (
	"github.com/regdiff/regdiff/snapshots/record"
)

// Source reads two stored versions where they differ: the records, items
// and people that are not on both sides. *snapshots.Store is one.
type Source interface {
	RecordsDiffering(a, b record.Version) (old, new []record.Record, err error)
	ItemSource
}

// Between compares two stored versions of one registry, as the diff
// command and each changelog entry do: their records ([Compare], or
// [CompareAcross] by the rule of [AcrossFor] when their formats differ),
// then their items and people ([Result.CompareItemsOf]), and keeps what f
// keeps (the zero Filter keeps everything). It fills in Registry, From and
// To; Reversed is the caller's, who knows the order of the versions. When
// src is a [TitleSource] too and some change is in a nested registry, it
// sets Titles.
func Between(src Source, a, b record.Version, f Filter) (*Result, error) {
	old, new, err := src.RecordsDiffering(a, b)
	if err != nil {
		return nil, err
	}
	var r *Result
	if ac := AcrossFor(a, b); ac != nil {
		r = CompareAcross(old, new, *ac)
	} else {
		r = Compare(old, new)
	}
	r.Registry = a.Registry
	r.From, r.To = VersionOf(a), VersionOf(b)
	if err := r.CompareItemsOf(src, a, b); err != nil {
		return nil, err
	}
	if ts, ok := src.(TitleSource); ok && nested(r.Changes) {
		oi, _, err := ts.Items(a)
		if err != nil {
			return nil, err
		}
		ni, _, err := ts.Items(b)
		if err != nil {
			return nil, err
		}
		r.SetTitles(oi, ni)
	}
	if !f.IsZero() {
		r = r.Filter(f)
	}
	return r, nil
}

// VersionOf names a stored version for headers and JSON.
func VersionOf(v record.Version) Version {
	return Version{Name: v.Name, Commit: v.Commit.String(), Format: v.Format}
}

// nested reports whether some change is in a nested registry, whose title
// the output shows.
func nested(cs []Change) bool {
	for i := range cs {
		if cs[i].Key.Table != "" || cs[i].OldKey.Table != "" {
			return true
		}
	}
	return false
}
