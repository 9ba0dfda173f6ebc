package snapshots

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/regdiff/regdiff/snapshots/record"
)

var (
	periodSpec = regexp.MustCompile(`^\d{4}(-\d{2}(-\d{2})?)?$`)
	hexSpec    = regexp.MustCompile(`^[0-9a-f]{7,40}$`)
)

// Resolve finds the version a spec names in vs (oldest first) and returns
// its index. Specs:
//
//	latest, first               the newest and the oldest version
//	2024-03-18, 2024-03-18.2    a version by name: the first, and the second, version of that date
//	2019, 2019-06, 2019-06-30   the latest version on or before the end of that period
//	ID/2024-03-18               a version by tag
//	1a2b3c4                     a commit, by hash or prefix of 7 or more digits
//	SPEC~N                      N versions before SPEC
//
// An exact version name means that version: when two versions were
// published with one date, 2023-12-27 names the first of them, not the
// latest of that day. A date that is no version's name keeps the period
// meaning. A date that does not exist (2019-13, 2019-02-30) is an error.
func Resolve(vs []record.Version, spec string) (int, error) {
	if len(vs) == 0 {
		return 0, ErrEmpty
	}
	base, back := spec, 0
	if i := strings.LastIndexByte(spec, '~'); i >= 0 {
		n, err := strconv.Atoi(spec[i+1:])
		if spec[i+1:] == "" {
			n, err = 1, nil
		}
		if err != nil || n < 0 {
			return 0, fmt.Errorf("version spec %q: after ~ comes a count of versions, e.g. latest~2", spec)
		}
		base, back = spec[:i], n
	}
	i, err := resolveBase(vs, base)
	if err != nil {
		return 0, err
	}
	if i-back < 0 {
		return 0, fmt.Errorf("version spec %q: only %d versions before %s; the oldest stored is %s", spec, i, vs[i].Name, vs[0].Name)
	}
	return i - back, nil
}

func resolveBase(vs []record.Version, spec string) (int, error) {
	switch spec {
	case "latest", "HEAD":
		return len(vs) - 1, nil
	case "first", "oldest":
		return 0, nil
	case "":
		return 0, fmt.Errorf("empty version spec")
	}
	for i := len(vs) - 1; i >= 0; i-- {
		v := vs[i]
		if spec == v.Name || spec == v.Registry+"/"+v.Name {
			return i, nil
		}
	}
	p, ok, err := parsePeriod(spec)
	if err != nil {
		return 0, fmt.Errorf("version spec %q: %w", spec, err)
	}
	if ok {
		for i := len(vs) - 1; i >= 0; i-- {
			if dayOf(vs[i].Date) <= p.last {
				return i, nil
			}
		}
		return 0, fmt.Errorf("version spec %q is before the oldest version stored, %s", spec, vs[0].Name)
	}
	if hexSpec.MatchString(strings.ToLower(spec)) {
		spec = strings.ToLower(spec)
		found := -1
		for i, v := range vs {
			if strings.HasPrefix(v.Commit.String(), spec) {
				if found >= 0 {
					return 0, fmt.Errorf("version spec %q: ambiguous commit prefix; give more digits", spec)
				}
				found = i
			}
		}
		if found >= 0 {
			return found, nil
		}
		return 0, fmt.Errorf("version spec %q: no stored version has that commit", spec)
	}
	return 0, &UnknownSpecError{Spec: spec}
}

// UnknownSpecError is a version spec of no known form: not a date, a
// version name, latest or first, a tag, a commit, or SPEC~N.
type UnknownSpecError struct{ Spec string }

func (e *UnknownSpecError) Error() string {
	return fmt.Sprintf("unknown version spec %q: use YYYY, YYYY-MM, YYYY-MM-DD, latest, first, a version name, tag or commit, or SPEC~N", e.Spec)
}

// period is the span of days a YYYY, YYYY-MM or YYYY-MM-DD spec names,
// both ends as YYYY-MM-DD.
type period struct{ first, last string }

var monthNames = [...]string{"January", "February", "March", "April", "May", "June", "July",
	"August", "September", "October", "November", "December"}

// parsePeriod reads a date of the form YYYY, YYYY-MM or YYYY-MM-DD. ok is
// false when spec has another form; err is set when it has the form of a
// date that does not exist (month 13, February 30th).
func parsePeriod(spec string) (p period, ok bool, err error) {
	if !periodSpec.MatchString(spec) {
		return period{}, false, nil
	}
	year, _ := strconv.Atoi(spec[:4])
	if len(spec) == 4 {
		return period{spec + "-01-01", spec + "-12-31"}, true, nil
	}
	month, _ := strconv.Atoi(spec[5:7])
	if month < 1 || month > 12 {
		return period{}, false, fmt.Errorf("there is no month %s; months are 01 to 12", spec[5:7])
	}
	days := daysIn(year, month)
	if len(spec) == 7 {
		return period{spec + "-01", fmt.Sprintf("%s-%02d", spec, days)}, true, nil
	}
	day, _ := strconv.Atoi(spec[8:])
	if day < 1 || day > days {
		return period{}, false, fmt.Errorf("there is no day %s in %s %d, which has %d days", spec[8:], monthNames[month-1], year, days)
	}
	return period{spec, spec}, true, nil
}

// daysIn is the number of days of a month in the Gregorian calendar.
func daysIn(year, month int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// dayOf is the day a version's date stands for, as YYYY-MM-DD: a date with
// only a month (1990-03, from an old RFC) counts as the first of it.
func dayOf(date string) string {
	switch len(date) {
	case 4:
		return date + "-01-01"
	case 7:
		return date + "-01"
	}
	return date
}

// ErrWindowOrder is what a [*WindowError] wraps when since is later than
// until.
var ErrWindowOrder = errors.New("since is later than until")

// WindowError is the error of [ResolveWindow]: a bound that names no date
// or version, or a since bound later than the until bound. Its message
// names the bound and its spec, on one line.
type WindowError struct {
	Bound string // "since" or "until"
	Spec  string // as given
	// Until is the until bound's spec when Err is ErrWindowOrder.
	Until string
	Err   error
}

func (e *WindowError) Error() string {
	if errors.Is(e.Err, ErrWindowOrder) {
		return fmt.Sprintf("since %s is later than until %s", e.Spec, e.Until)
	}
	return fmt.Sprintf("%s %s: %v", e.Bound, e.Spec, e.Err)
}

func (e *WindowError) Unwrap() error { return e.Err }

// ResolveWindow returns the versions of vs (oldest first, by date) that a
// since and an until bound keep, as vs[lo:hi], as git's --since and
// --until: published on or after since, and on or before until. An empty
// bound is no bound. A bound is either
//
//   - a date, YYYY, YYYY-MM or YYYY-MM-DD, which is a calendar window:
//     since keeps the versions dated on or after the first day of it, until
//     those dated on or before the last day of it (a version whose date has
//     only a month, 1990-03, counts as the first of that month); a date is
//     a window even when a version has it for a name, so that since
//     2023-12-27 keeps both versions of that day; or
//   - any other version spec ([Resolve]: first, latest~3, 2024-03-18.2, a
//     tag or a commit), which keeps the versions from, or up to, that
//     version, inclusive.
//
// A window that holds no version (a since date after the newest version)
// is not an error: lo == hi. A bound that does not resolve, a date that
// does not exist, or a since bound later than until is a [*WindowError].
func ResolveWindow(vs []record.Version, since, until string) (lo, hi int, err error) {
	if len(vs) == 0 {
		return 0, 0, ErrEmpty
	}
	lo, hi = 0, len(vs)
	var sinceDay, untilDay string
	sinceAt, untilAt := -1, -1 // the version a version-spec bound names
	if since != "" {
		p, ok, err := parsePeriod(since)
		switch {
		case err != nil:
			return 0, 0, &WindowError{Bound: "since", Spec: since, Err: err}
		case ok:
			sinceDay = p.first
			for lo < len(vs) && dayOf(vs[lo].Date) < p.first {
				lo++
			}
		default:
			if sinceAt, err = Resolve(vs, since); err != nil {
				return 0, 0, &WindowError{Bound: "since", Spec: since, Err: err}
			}
			lo, sinceDay = sinceAt, dayOf(vs[sinceAt].Date)
		}
	}
	if until != "" {
		p, ok, err := parsePeriod(until)
		switch {
		case err != nil:
			return 0, 0, &WindowError{Bound: "until", Spec: until, Err: err}
		case ok:
			untilDay = p.last
			for hi > 0 && dayOf(vs[hi-1].Date) > p.last {
				hi--
			}
		default:
			if untilAt, err = Resolve(vs, until); err != nil {
				return 0, 0, &WindowError{Bound: "until", Spec: until, Err: err}
			}
			hi, untilDay = untilAt+1, dayOf(vs[untilAt].Date)
		}
	}
	if since != "" && until != "" && (sinceDay > untilDay || sinceAt >= 0 && untilAt >= 0 && sinceAt > untilAt) {
		return 0, 0, &WindowError{Bound: "since", Spec: since, Until: until, Err: ErrWindowOrder}
	}
	return lo, max(lo, hi), nil
}
