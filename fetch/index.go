package fetch

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/regdiff/regdiff/snapshots"
)

// IANAIndex is IANA's page of every protocol registry, each linked at
// /assignments/ID/ID.xhtml: the list `fetch --all` fetches.
const IANAIndex = "https://www.iana.org/protocols"

// Index downloads the index page at indexURL and returns a target for
// every registry it links to (see [ParseIndex]).
func Index(ctx context.Context, indexURL, base string, opts Options) ([]Target, error) {
	res, err := Get(ctx, indexURL, Validators{}, opts)
	if err != nil {
		return nil, fmt.Errorf("registry index: %w", err)
	}
	ts := ParseIndex(res.Body, base)
	if len(ts) == 0 {
		return nil, fmt.Errorf("%w: registry index %s links to no registry (no href to …/assignments/ID/ID.xhtml); is it IANA's protocols page?", ErrInvalid, indexURL)
	}
	return ts, nil
}

// hrefs finds the links of an HTML page: the index is read for its links
// alone, whatever its markup around them.
var hrefs = regexp.MustCompile(`(?i)href\s*=\s*(?:"([^"]*)"|'([^']*)')`)

// ParseIndex returns, sorted by URL and each once, a target for every link
// of page to a registry: a path .../assignments/DIR/ or
// .../assignments/DIR/FILE.xhtml (or .xml, .html), fragment and query
// aside. Each is fetched from IANA's layout under base (IANABase when
// ""), never from the link's own host, as DIR/FILE.xml (FILE is DIR when
// absent), and stored under the id its content gives. Links whose parts
// are not registry ids are passed over.
func ParseIndex(page []byte, base string) []Target {
	if base == "" {
		base = snapshots.IANABase
	}
	base = strings.TrimSuffix(base, "/")
	seen := map[string]bool{}
	var out []Target
	for _, m := range hrefs.FindAllSubmatch(page, -1) {
		href := string(m[1]) + string(m[2])
		u, err := url.Parse(strings.TrimSpace(href))
		if err != nil {
			continue
		}
		_, rest, ok := strings.Cut(u.Path, "/assignments/")
		if !ok {
			continue
		}
		dir, file, _ := strings.Cut(rest, "/")
		if file != "" {
			ext := strings.ToLower(file[strings.LastIndexByte(file, '.')+1:])
			if !strings.Contains(file, ".") || (ext != "xhtml" && ext != "xml" && ext != "html") {
				continue
			}
			file = file[:strings.LastIndexByte(file, '.')]
		}
		if file == "" {
			file = dir
		}
		if !snapshots.ValidID(dir) || !snapshots.ValidID(file) {
			continue
		}
		// The registry's id is taken from its content: some differ from
		// their folder's name (uuid holds "UUID").
		t := Target{URL: base + "/" + dir + "/" + file + ".xml", Listed: true}
		if !seen[t.URL] {
			seen[t.URL] = true
			out = append(out, t)
		}
	}
	slices.SortFunc(out, func(a, b Target) int { return strings.Compare(a.URL, b.URL) })
	return out
}
