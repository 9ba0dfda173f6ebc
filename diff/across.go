package diff

import (
	"slices"
	"strings"

	"github.com/regdiff/regdiff/snapshots/formats"
	"github.com/regdiff/regdiff/snapshots/record"
)

// Across says how to compare versions that come from different source
// formats (an RFC's port table and IANA's XML, say), so that what only the
// formats explain is not reported as a change.
type Across struct {
	// Carried reports whether both formats can carry a field; changes to
	// other fields are dropped, since one side lacks them by nature.
	Carried func(field string) bool
	// FoldNames compares service names ignoring case: the Assigned Numbers
	// RFCs wrote keywords in upper case.
	FoldNames bool
	// Ignored lists, for the header, the fields left out.
	Ignored []string
}

// AcrossFor is the rule for comparing two versions of different source
// formats, or nil when they share one. A field is compared only when both
// formats carry it (see [formats.Carries]); a child element other than
// [record.Fields] ("ipv6", …) is carried by XML only. Contacts and
// assignees are left out too: each format writes people its own way
// ("[JBP]", "Jon Postel <postel@isi.edu>", "person:Jon_Postel"), so across
// formats they differ by form, not by fact. Names are folded when either
// format folds them (see [formats.FoldsNames]).
func AcrossFor(a, b record.Version) *Across {
	if a.Format == b.Format {
		return nil
	}
	comparable := func(f string) bool {
		return f != FieldContact && f != FieldAssignee && slices.Contains(record.Fields, f) &&
			formats.Carries(a.Format, f) && formats.Carries(b.Format, f)
	}
	var ignored []string
	for _, f := range record.Fields {
		if !comparable(f) {
			ignored = append(ignored, f)
		}
	}
	return &Across{
		Carried:   comparable,
		FoldNames: formats.FoldsNames(a.Format) || formats.FoldsNames(b.Format),
		Ignored:   ignored,
	}
}

// CompareAcross is [Compare] for versions of different formats.
func CompareAcross(old, new []record.Record, a Across) *Result {
	if a.FoldNames {
		old, new = foldNames(old), foldNames(new)
	}
	r := Compare(old, new)
	r.Ignored = a.Ignored
	if a.Carried == nil {
		return r
	}
	kept := r.Changes[:0]
	for _, c := range r.Changes {
		for f := range c.Fields {
			if !a.Carried(f) {
				delete(c.Fields, f)
			}
		}
		if c.Kind == Changed && len(c.Fields) == 0 {
			continue
		}
		kept = append(kept, c)
	}
	r.Changes = kept
	sum := summarize(kept)
	sum.Items, sum.People = r.Summary.Items, r.Summary.People
	r.Summary = sum
	return r
}

func foldNames(recs []record.Record) []record.Record {
	out := make([]record.Record, len(recs))
	copy(out, recs)
	for i := range out {
		out[i].Name = strings.ToLower(out[i].Name)
	}
	return out
}
