package diff

import (
	"maps"
	"slices"
	"strings"

	"github.com/regdiff/regdiff/snapshots/record"
)

// Code point statuses, for every registry other than the port registry
// (whose rule is [RecordStatus]). In precedence order: when several records
// cover a code point, the first of these any of them has wins.
const (
	CodeAssigned     = "Assigned"
	CodeDeprecated   = "Deprecated"
	CodeObsolete     = "Obsolete"
	CodeExperimental = "Experimental"
	CodePrivateUse   = "Private Use"
	CodeReserved     = "Reserved"
	CodeUnassigned   = "Unassigned"
	// CodeUnlisted is the status of a value no record of a sub-registry
	// covers: IANA lists its unassigned ranges, so a value it does not
	// list is not said to be free.
	CodeUnlisted = "Unlisted"
)

// CodeStatuses are the code point statuses in precedence order.
var CodeStatuses = []string{CodeAssigned, CodeDeprecated, CodeObsolete, CodeExperimental, CodePrivateUse, CodeReserved, CodeUnassigned, CodeUnlisted}

// codePrefixes are the words a status field starts with, tried in order
// (the longer phrase first).
var codePrefixes = []struct{ prefix, status string }{
	{"unassigned", CodeUnassigned},
	{"not assigned", CodeUnassigned},
	{"unallocated", CodeUnassigned},
	{"not allocated", CodeUnassigned},
	{"reserved for private use", CodePrivateUse},
	{"private use", CodePrivateUse},
	{"reserved for experimental use", CodeExperimental},
	{"experimental", CodeExperimental},
	{"reserved", CodeReserved},
	{"deprecated", CodeDeprecated},
	{"obsolete", CodeObsolete}, // and "obsoleted"
	{"historic", CodeObsolete}, // and "historical"
}

// CodeStatus is the status a record gives the code points it covers, by one
// rule for every registry other than ports. The record's status fields are,
// in order, its <status> element, its name, its description, then its
// other elements by name. The first of them that starts, ignoring case,
// with a status word decides:
//
//   - "Unassigned", "Not assigned", "Unallocated", "Not allocated": Unassigned
//   - "Reserved for Private Use", "Private Use": Private Use
//   - "Reserved for Experimental Use", "Experimental": Experimental
//   - "Reserved": Reserved
//   - "Deprecated": Deprecated; "Obsolete" (and "Obsoleted", "Obsoletes
//     …"), "Historic" (and "Historical"): Obsolete
//
// Failing that, a record whose status, name or description holds the word
// "deprecated" or "obsolete" (or "obsoleted") anywhere, as IANA marks
// retired entries ("DEC Alpha (DEPRECATED)", "UTF8=ALL (OBSOLETE)"), is
// Deprecated or Obsolete; every other record is Assigned.
func CodeStatus(r *record.Record) string {
	fields := make([]string, 0, 3+len(r.Other))
	fields = append(fields, r.Other["status"], r.Name, r.Description)
	for _, k := range slices.Sorted(maps.Keys(r.Other)) {
		if k != "status" {
			fields = append(fields, r.Other[k])
		}
	}
	for _, f := range fields {
		for _, p := range codePrefixes {
			if hasPrefixFold(f, p.prefix) {
				return p.status
			}
		}
	}
	for _, f := range fields[:3] {
		switch {
		case hasWordFold(f, "deprecated"):
			return CodeDeprecated
		case hasWordFold(f, "obsolete"), hasWordFold(f, "obsoleted"):
			return CodeObsolete
		}
	}
	return CodeAssigned
}

// CodeRank is a status's place in precedence order, len(CodeStatuses) for
// an unknown one.
func CodeRank(status string) int {
	if i := slices.Index(CodeStatuses, status); i >= 0 {
		return i
	}
	return len(CodeStatuses)
}

// hasWordFold reports whether s holds word, ignoring ASCII case, with no
// letter on either side.
func hasWordFold(s, word string) bool {
	lower := strings.ToLower(s)
	for i := 0; ; {
		j := strings.Index(lower[i:], word)
		if j < 0 {
			return false
		}
		at, end := i+j, i+j+len(word)
		if (at == 0 || !isLetter(lower[at-1])) && (end == len(lower) || !isLetter(lower[end])) {
			return true
		}
		i = at + 1
	}
}

func isLetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
