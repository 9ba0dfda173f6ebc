package snapshots_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/regdiff/regdiff/internal/shareddata"
	"github.com/regdiff/regdiff/snapshots"
)

// naiveRoot is a deliberately simple reading of a file's root element (its
// first start tag, whatever stray text comes before it): its name, its id
// attribute, and whether the file holds any <updated> at all.
var (
	naiveSkip  = regexp.MustCompile(`^(?s)([^<]|<\?.*?\?>|<!--.*?-->)*`)
	naiveStart = regexp.MustCompile(`^<([A-Za-z_][-\w.:]*)([^>]*)>`)
	naiveID    = regexp.MustCompile(`\sid\s*=\s*["']([^"']*)["']`)
)

func naiveRoot(data []byte) (name, id string, dated bool) {
	rest := data[len(naiveSkip.Find(data)):]
	m := naiveStart.FindSubmatch(rest)
	if m == nil {
		return "", "", false
	}
	if i := naiveID.FindSubmatch(m[2]); i != nil {
		id = string(i[1])
	}
	return string(m[1]), id, bytes.Contains(data, []byte("<updated>"))
}

// TestImportEveryRegistry imports the hourly mirror of every registry from
// its git history, as `regdiff import REPO` does, and checks it against the
// mirror read by the git command line and the naive reading above: every
// distinct *.xml content is stored under the id its root names, refused,
// or (when its root is no <registry>) skipped; nothing else is stored; and
// a registry with no <updated> anywhere is dated by the day of the first
// mirror commit that holds each version.
func TestImportEveryRegistry(t *testing.T) {
	all := shareddata.MirrorVersions(t)
	type want struct {
		id, path, firstSeen string
		registry, dated     bool
	}
	wants := map[string]want{} // by sha256
	var blobs []string
	meta := map[string]shareddata.MirrorVersion{}
	for p, vs := range all {
		if !strings.HasSuffix(strings.ToLower(p), ".xml") {
			continue
		}
		for _, v := range vs {
			if _, ok := meta[v.Blob]; !ok || v.Seen < meta[v.Blob].Seen {
				meta[v.Blob] = v
			}
		}
	}
	for b := range meta {
		blobs = append(blobs, b)
	}
	shareddata.ReadBlobs(t, blobs, func(blob string, data []byte) {
		sum := sha256.Sum256(data)
		name, id, dated := naiveRoot(data)
		v := meta[blob]
		seen, err := time.Parse(time.RFC3339, v.Seen)
		if err != nil {
			t.Fatal(err)
		}
		wants[hex.EncodeToString(sum[:])] = want{id: id, path: v.Path, firstSeen: seen.UTC().Format(time.DateOnly), registry: name == "registry", dated: dated}
	})

	s, err := snapshots.Create(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	inputs, refused, done, err := snapshots.Collect(ctx, []string{shareddata.MirrorClone(t)}, snapshots.CollectOptions{Ref: "main"})
	defer done()
	if err != nil || len(refused) > 0 {
		t.Fatalf("collect: %v %v", err, refused)
	}
	if len(inputs) != len(wants) {
		t.Errorf("%d inputs, want the mirror's %d distinct *.xml contents", len(inputs), len(wants))
	}
	sum, err := s.Import(ctx, inputs, snapshots.ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}

	registries, nonRegistries := 0, map[string]int{}
	for _, w := range wants {
		if w.registry {
			registries++
		} else {
			nonRegistries[w.path]++
		}
	}
	skipped := map[string]int{}
	for _, loc := range sum.Skipped {
		_, p, _ := strings.Cut(loc, ":")
		skipped[p]++
	}
	if len(skipped) != len(nonRegistries) {
		t.Errorf("skipped %v, want %v", skipped, nonRegistries)
	}
	for p, n := range nonRegistries {
		if skipped[p] != n {
			t.Errorf("%s: %d skipped, want %d", p, skipped[p], n)
		}
	}
	for _, r := range sum.Refused {
		if !strings.Contains(r.Location, ".xml") || r.Err == nil {
			t.Errorf("refusal without its file or reason: %+v", r)
		}
	}

	stored := 0
	regs, err := s.Registries()
	if err != nil {
		t.Fatal(err)
	}
	for _, reg := range regs {
		vs, err := s.Versions(reg)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range vs {
			stored++
			w, ok := wants[v.SHA256]
			switch {
			case !ok:
				t.Errorf("%s %s: stored content the mirror does not hold", reg, v.Name)
			case !w.registry || w.id != reg:
				t.Errorf("%s %s: stored from %s, whose root is id %q (a registry: %v)", reg, v.Name, w.path, w.id, w.registry)
			case !w.dated && v.Date != w.firstSeen:
				t.Errorf("%s %s: no <updated>, dated %s, want %s (first seen)", reg, v.Name, v.Date, w.firstSeen)
			}
		}
	}
	if stored+len(sum.Refused) != registries {
		t.Errorf("%d stored + %d refused, want the mirror's %d registry contents", stored, len(sum.Refused), registries)
	}
	t.Logf("%d registries, %d versions stored, %d refused, %d skipped", len(regs), stored, len(sum.Refused), len(sum.Skipped))
}
