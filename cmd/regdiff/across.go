package main

import (
	"github.com/regdiff/regdiff/diff"
	"github.com/regdiff/regdiff/snapshots"
)

// acrossFor returns how to compare two versions of different source
// formats, or nil when they share one. Contacts and assignees are left out
// too: each format writes people its own way ("[JBP]", "Jon Postel
// <postel@isi.edu>", "person:Jon_Postel"), so across formats they differ
// by form, not by fact.
func acrossFor(a, b snapshots.Version) *diff.Across {
	if a.Format == b.Format {
		return nil
	}
	comparable := func(f string) bool {
		return f != "contact" && f != "assignee" && isKnownField(f) &&
			snapshots.Carries(a.Format, f) && snapshots.Carries(b.Format, f)
	}
	var ignored []string
	for _, f := range snapshots.Fields {
		if !comparable(f) {
			ignored = append(ignored, f)
		}
	}
	return &diff.Across{
		Carried:   comparable,
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
