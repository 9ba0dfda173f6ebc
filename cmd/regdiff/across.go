package main

import (
	"github.com/regdiff/regdiff/diff"
	"github.com/regdiff/regdiff/snapshots"
)

// acrossFor returns how to compare two versions of different source
// formats, or nil when they share one.
func acrossFor(a, b snapshots.Version) *diff.Across {
	if a.Format == b.Format {
		return nil
	}
	var ignored []string
	for _, f := range snapshots.Fields {
		if !snapshots.Carries(a.Format, f) || !snapshots.Carries(b.Format, f) {
			ignored = append(ignored, f)
		}
	}
	return &diff.Across{
		Carried: func(f string) bool {
			return snapshots.Carries(a.Format, f) && snapshots.Carries(b.Format, f) &&
				(a.Format == "xml" && b.Format == "xml" || isKnownField(f))
		},
		FoldNames: snapshots.FoldsNames(a.Format) || snapshots.FoldsNames(b.Format),
		Ignored:   ignored,
	}
}

// isKnownField: a child element other than the known fields ("ipv6", …)
// is carried by XML only.
func isKnownField(f string) bool {
	for _, k := range snapshots.Fields {
		if k == f {
			return true
		}
	}
	return false
}
