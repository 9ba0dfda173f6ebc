package fetch

import (
	"cmp"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/regdiff/regdiff/snapshots"
)

// URLFor is where IANA publishes registry id: its own folder and file
// under IANABase, or under base (a mirror laid out the same way) when
// base is not "".
func URLFor(id, base string) string {
	if base == "" {
		base = snapshots.IANABase
	}
	return strings.TrimSuffix(base, "/") + "/" + id + "/" + id + ".xml"
}

// TargetFor is the target of a registry named by id, refused when id is not
// a registry id regdiff can store.
func TargetFor(id, base string) (Target, error) {
	if !snapshots.ValidID(id) {
		return Target{}, fmt.Errorf("%q is not a registry id (lowercase words joined by '-', as in the registry's URL)", id)
	}
	return Target{Registry: id, URL: URLFor(id, base)}, nil
}

// Tracked lists what a plain `regdiff fetch` fetches: every registry the
// store holds versions of, and the known ones, sorted by id. Each is
// fetched from the URL its latest fetched version came from, so that a
// registry first fetched by URL is fetched there again, or else from its
// place at IANA (under base, when given: a mirror of IANA's layout also
// replaces IANA's own URLs).
func Tracked(s *snapshots.Store, base string) ([]Target, error) {
	var ids []string
	if s != nil {
		var err error
		if ids, err = s.Registries(); err != nil {
			return nil, err
		}
	}
	for _, k := range snapshots.Known {
		if !slices.Contains(ids, k.ID) {
			ids = append(ids, k.ID)
		}
	}
	out := make([]Target, 0, len(ids))
	for _, id := range ids {
		t, err := TargetFor(id, base)
		if err != nil {
			continue // stored under an id no registry at IANA can have
		}
		var url, dir string
		if s != nil {
			if url, dir, err = lastFetched(s, id); err != nil {
				return nil, err
			}
		}
		switch {
		case url != "" && (base == "" || url != URLFor(id, "")):
			t.URL = url
		case url == "" && dir != "":
			// Imported from IANA's layout under a folder other than its
			// id (uuid/uuid.xml holds "UUID"): that folder is its place.
			t.URL = strings.TrimSuffix(cmp.Or(base, snapshots.IANABase), "/") + "/" + dir + "/" + dir + ".xml"
		}
		out = append(out, t)
	}
	slices.SortFunc(out, func(a, b Target) int { return strings.Compare(a.Registry, b.Registry) })
	return out, nil
}

// lastFetched is the URL of the registry's most recently seen fetched
// source, or "" when none of its versions was fetched; and dir, the folder
// of a file or git source laid out as IANA's (DIR/DIR.xml) where DIR is
// not the registry's id, or "".
func lastFetched(s *snapshots.Store, id string) (url, dir string, err error) {
	all, err := s.AllSources(id)
	if err != nil {
		return "", "", fmt.Errorf("registry %s: %w", id, err)
	}
	var seen int64
	for _, srcs := range all {
		for _, src := range srcs {
			if src.Kind == "fetch" && (url == "" || src.Seen.UnixNano() > seen) {
				url, seen = src.Location, src.Seen.UnixNano()
			}
			if d := layoutDir(src); d != "" && d != id && (dir == "" || d < dir) {
				dir = d
			}
		}
	}
	return url, dir, nil
}

// layoutDir is DIR when src is a file at .../DIR/DIR.xml, as IANA and its
// mirrors lay registries out, or "".
func layoutDir(src snapshots.Source) string {
	p := src.Location
	switch src.Kind {
	case "git":
		p = p[strings.LastIndexByte(p, ':')+1:]
	case "file":
	default:
		return ""
	}
	parts := strings.Split(filepath.ToSlash(p), "/")
	if len(parts) < 2 {
		return ""
	}
	dir := parts[len(parts)-2]
	if parts[len(parts)-1] != dir+".xml" || !snapshots.ValidID(dir) {
		return ""
	}
	return dir
}

// Merge is tracked followed by the targets of listed that tracked does not
// hold already: a registry by its id (the store's URL for it wins), one of
// unknown id by its URL.
func Merge(tracked, listed []Target) []Target {
	ids, urls := map[string]bool{}, map[string]bool{}
	for _, t := range tracked {
		ids[t.Registry], urls[t.URL] = true, true
	}
	out := slices.Clone(tracked)
	for _, t := range listed {
		if (t.Registry != "" && ids[t.Registry]) || urls[t.URL] {
			continue
		}
		ids[t.Registry], urls[t.URL] = true, true
		out = append(out, t)
	}
	return out
}
