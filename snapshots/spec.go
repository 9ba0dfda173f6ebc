package snapshots

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

var (
	periodSpec = regexp.MustCompile(`^\d{4}(-\d{2}(-\d{2})?)?$`)
	hexSpec    = regexp.MustCompile(`^[0-9a-f]{7,40}$`)
)

// Resolve finds the version a spec names in vs (oldest first) and returns
// its index. Specs:
//
//	2019, 2019-06, 2019-06-30   the latest version on or before the end of that period
//	latest, first               the newest and the oldest version
//	2024-03-18.2                a version by name (second version of that date)
//	ID/2024-03-18               a version by tag
//	1a2b3c4                     a commit, by hash or prefix of 7 or more digits
//	SPEC~N                      N versions before SPEC
func Resolve(vs []Version, spec string) (int, error) {
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

func resolveBase(vs []Version, spec string) (int, error) {
	switch spec {
	case "latest", "HEAD":
		return len(vs) - 1, nil
	case "first", "oldest":
		return 0, nil
	case "":
		return 0, fmt.Errorf("empty version spec")
	}
	if periodSpec.MatchString(spec) {
		for i := len(vs) - 1; i >= 0; i-- {
			d := vs[i].Date
			n := min(len(d), len(spec))
			if d[:n] <= spec[:n] {
				return i, nil
			}
		}
		return 0, fmt.Errorf("version spec %q is before the oldest version stored, %s", spec, vs[0].Name)
	}
	for i := len(vs) - 1; i >= 0; i-- {
		v := vs[i]
		if spec == v.Name || spec == v.Registry+"/"+v.Name {
			return i, nil
		}
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
	return 0, fmt.Errorf("unknown version spec %q: use YYYY, YYYY-MM, YYYY-MM-DD, latest, first, a version name, tag or commit, or SPEC~N", spec)
}
