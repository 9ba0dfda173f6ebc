package snapshots

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/regdiff/regdiff/snapshots/record"

	"github.com/go-git/go-git/v5/plumbing"
)

// synth is a version made up for store tests: the store never parses raw
// bytes, so any content identifies a version.
type synth struct {
	date string
	seen time.Time
	recs []record.Record
}

func (v synth) raw() []byte {
	return fmt.Appendf(nil, "<registry id=\"r\"><updated>%s</updated><!-- %d records, seen %s --></registry>", v.date, len(v.recs), v.seen)
}

func (v synth) reg() *record.Registry {
	return &record.Registry{ID: "r", Title: "Test", Updated: v.date, Format: "xml", Records: v.recs}
}

func recs(n int, desc string) []record.Record {
	var out []record.Record
	for i := 0; i < n; i++ {
		out = append(out, record.Record{Name: fmt.Sprintf("svc%d", i), Protocol: "tcp", Number: fmt.Sprint(1000 + i*7), Description: desc})
	}
	out = append(out, record.Record{Protocol: "tcp", Number: "249-255", Description: "Reserved"}, record.Record{Name: "noport", Description: "x"})
	return out
}

func newStore(t *testing.T) *Store {
	t.Helper()
	s, err := Create(filepath.Join(t.TempDir(), "store"))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func add(t *testing.T, s *Store, vs ...synth) []Report {
	t.Helper()
	var ps []Prepared
	for _, v := range vs {
		p, err := s.Prepare(v.raw(), v.reg(), Source{Kind: "file", Location: v.date, Seen: v.seen})
		if err != nil {
			t.Fatal(err)
		}
		ps = append(ps, p)
	}
	reps, err := s.Commit(ps)
	if err != nil {
		t.Fatal(err)
	}
	return reps
}

func names(t *testing.T, s *Store) (out []string, tip plumbing.Hash) {
	t.Helper()
	vs, err := s.Versions("r")
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range vs {
		out = append(out, v.Name+"@"+v.Commit.String()[:7])
	}
	return out, plumbing.Hash(vs[len(vs)-1].Commit)
}

var day = time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)

var versions = []synth{
	{date: "2019-05-01", seen: day, recs: recs(3, "a")},
	{date: "2019-06-01", seen: day.Add(time.Hour), recs: recs(4, "a")},
	{date: "2019-06-01", seen: day.Add(2 * time.Hour), recs: recs(4, "b")}, // same date, seen later
	{date: "1990-03", recs: recs(2, "old")},
	{date: "2020-01-02", seen: day.Add(3 * time.Hour), recs: recs(2, "c")},
}

func TestCommitIsIndependentOfImportOrder(t *testing.T) {
	orders := map[string][]int{
		"forward":     {0, 1, 2, 3, 4},
		"reverse":     {4, 3, 2, 1, 0},
		"one by one":  {2, 0, 4, 1, 3},
		"all at once": nil,
	}
	var want []string
	var wantTip plumbing.Hash
	for name, order := range orders {
		t.Run(name, func(t *testing.T) {
			s := newStore(t)
			if order == nil {
				add(t, s, versions...)
			} else {
				for _, i := range order {
					add(t, s, versions[i])
				}
			}
			got, tip := names(t, s)
			if want == nil {
				want, wantTip = got, tip
				// The order itself must be the date order, same-date versions by first sight.
				wantNames := []string{"1990-03", "2019-05-01", "2019-06-01", "2019-06-01.2", "2020-01-02"}
				for i, n := range wantNames {
					if !strings.HasPrefix(got[i], n+"@") {
						t.Fatalf("versions = %v, want names %v", got, wantNames)
					}
				}
				return
			}
			if tip != wantTip || strings.Join(got, " ") != strings.Join(want, " ") {
				t.Errorf("got %v\nwant %v", got, want)
			}
		})
	}
}

func TestCommitReportsInsertAndExisting(t *testing.T) {
	s := newStore(t)
	add(t, s, versions[0], versions[4])
	before, _ := os.ReadFile(filepath.Join(s.Dir(), "packed-refs"))
	reps := add(t, s, versions[0])
	if len(reps) != 1 || len(reps[0].Existing) != 1 || len(reps[0].Added) != 0 {
		t.Fatalf("re-adding a stored version: got %+v, want one existing", reps)
	}
	after, _ := os.ReadFile(filepath.Join(s.Dir(), "packed-refs"))
	// Only the metadata may change (the file's second source is the same, so nothing at all).
	if string(before) != string(after) {
		t.Errorf("re-adding changed refs:\n%s\n->\n%s", before, after)
	}
	reps = add(t, s, versions[1])
	if got := reps[0].RebuiltFrom; got != "2020-01-02" {
		t.Errorf("inserting 2019-06-01 before 2020-01-02: RebuiltFrom = %q, want 2020-01-02", got)
	}
	if len(reps[0].Added) != 1 || reps[0].Added[0].Name != "2019-06-01" {
		t.Errorf("Added = %+v, want 2019-06-01", reps[0].Added)
	}
}

func TestRecordsRoundTrip(t *testing.T) {
	s := newStore(t)
	v := synth{date: "2021-02-03", recs: []record.Record{
		{Name: "b", Protocol: "udp", Number: "53", Description: "x", Refs: []string{"rfc:rfc1035"}, Other: map[string]string{"k": "v"}},
		{Name: "a", Protocol: "tcp", Number: "53"},
		{Table: "nested-1", Name: "HOPOPT", Number: "0"},
		{Protocol: "tcp", Number: "1000-1999", Description: "Reserved"},
		{Name: "only-name"},
	}}
	add(t, s, v)
	vs, _ := s.Versions("r")
	got, err := s.Records(vs[0])
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(v.recs) {
		t.Fatalf("got %d records, want %d", len(got), len(v.recs))
	}
	for _, want := range v.recs {
		found := false
		for _, g := range got {
			if fmt.Sprint(g) == fmt.Sprint(want) {
				found = true
			}
		}
		if !found {
			t.Errorf("record %+v not read back; got %+v", want, got)
		}
	}
	raw, err := s.Raw(vs[0])
	if err != nil || string(raw) != string(v.raw()) {
		t.Errorf("Raw = %q, %v; want %q", raw, err, v.raw())
	}
	files, _ := s.Files(vs[0])
	var paths []string
	for _, f := range files {
		paths = append(paths, f.Path)
	}
	want := "records/00000-00999.jsonl records/nested-1/00000-00999.jsonl records/ranges.jsonl records/unnumbered.jsonl"
	if strings.Join(paths, " ") != want {
		t.Errorf("normalized files = %v, want %s", paths, want)
	}
}

func TestStoreIsPlainGit(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	s := newStore(t)
	add(t, s, versions...)
	for _, args := range [][]string{
		{"fsck", "--strict", "--no-progress"},
		{"log", "--format=%H %ad %s", "--date=iso-strict", "r"},
		{"log", "-p", "--format=%s", "r", "--", "records"},
	} {
		out, err := exec.Command("git", append([]string{"-C", s.Dir()}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
		text := string(out)
		switch args[0] {
		case "fsck":
			var problems []string
			for _, l := range strings.Split(strings.TrimSpace(text), "\n") {
				if l != "" && !strings.HasPrefix(l, "notice: HEAD points to an unborn branch") {
					problems = append(problems, l)
				}
			}
			if len(problems) > 0 {
				t.Errorf("git fsck reports:\n%s", text)
			}
		case "log":
			if args[1] == "-p" {
				if !strings.Contains(text, `+{"name":"svc3","protocol":"tcp","number":"1021","description":"a"}`) {
					t.Errorf("git log -p does not show record lines:\n%s", text)
				}
				continue
			}
			lines := strings.Split(strings.TrimSpace(text), "\n")
			if len(lines) != len(versions) {
				t.Fatalf("git log: %d commits, want %d", len(lines), len(versions))
			}
			// Newest first, dated by the registry: noon UTC, +1s for a second version that day.
			for i, want := range []string{"2020-01-02T12:00:00+00:00 r 2020-01-02", "2019-06-01T12:00:01+00:00 r 2019-06-01.2", "2019-06-01T12:00:00+00:00 r 2019-06-01", "2019-05-01T12:00:00+00:00", "1990-03-01T12:00:00+00:00 r 1990-03"} {
				if !strings.Contains(lines[i], want) {
					t.Errorf("git log line %d = %q, want it to contain %q", i, lines[i], want)
				}
			}
		}
	}
	tags, _ := exec.Command("git", "-C", s.Dir(), "tag", "-l").Output()
	if got := strings.Count(string(tags), "\n"); got != len(versions) {
		t.Errorf("git tag -l: %d tags, want %d:\n%s", got, len(versions), tags)
	}
}

func TestCreateRefusesForeignFolder(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("mine"), 0o644)
	if _, err := Create(dir); !errors.Is(err, ErrNotStore) {
		t.Errorf("Create on a non-empty folder: got %v, want ErrNotStore", err)
	}
	if _, err := Open(dir); !errors.Is(err, ErrNotStore) {
		t.Errorf("Open on a non-store folder: got %v, want ErrNotStore", err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "notes.txt")); string(b) != "mine" {
		t.Errorf("folder was changed")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("Create wrote into a foreign folder: %v", entries)
	}
}

func TestCreateInEmptyFolder(t *testing.T) {
	dir := t.TempDir() // exists and is empty, like --store $(mktemp -d)
	s, err := Create(dir)
	if err != nil {
		t.Fatalf("Create on an empty folder: %v", err)
	}
	if _, err := Open(s.Dir()); err != nil {
		t.Errorf("Open after Create: %v", err)
	}
}

func TestLock(t *testing.T) {
	s := newStore(t)
	unlock, err := s.Lock(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	s2, _ := Open(s.Dir())
	if _, err := s2.Lock(context.Background(), 100*time.Millisecond); !errors.Is(err, ErrLocked) {
		t.Fatalf("second Lock: got %v, want ErrLocked", err)
	}
	unlock()
	unlock2, err := s2.Lock(context.Background(), 0)
	if err != nil {
		t.Fatalf("Lock after unlock: %v", err)
	}
	unlock2()
}

func TestPrepareRefusesUnsafeIDs(t *testing.T) {
	s := newStore(t)
	for _, id := range []string{"../../etc", "a/b", "", ".hidden", "x.lock", "a b", "é"} {
		_, err := s.Prepare([]byte("x"), &record.Registry{ID: id, Updated: "2020-01-01"}, Source{})
		if err == nil {
			t.Errorf("Prepare accepted registry id %q", id)
		}
	}
	if _, err := s.Prepare([]byte("x"), &record.Registry{ID: "ok", Updated: "2020-13"}, Source{}); err == nil {
		t.Errorf("Prepare accepted date 2020-13")
	}
}

// TestRecordsDifferingKeepsRanges: a single port removed inside an
// unchanged range falls back to the range's status, so the range must be
// read although its file did not change.
func TestRecordsDifferingKeepsRanges(t *testing.T) {
	s := newStore(t)
	rng := record.Record{Number: "240-255", Description: "Reserved"}
	a := synth{date: "2020-01-01", recs: []record.Record{rng, {Name: "x", Protocol: "tcp", Number: "250", Description: "X"}, {Name: "y", Protocol: "tcp", Number: "5000"}}}
	b := synth{date: "2021-01-01", recs: []record.Record{rng, {Name: "y", Protocol: "tcp", Number: "5000"}}}
	add(t, s, a, b)
	vs, _ := s.Versions("r")
	old, new, err := s.RecordsDiffering(vs[0], vs[1])
	if err != nil {
		t.Fatal(err)
	}
	has := func(recs []record.Record, number string) bool {
		for _, r := range recs {
			if r.Number == number {
				return true
			}
		}
		return false
	}
	if !has(old, "240-255") || !has(new, "240-255") {
		t.Errorf("ranges not read on both sides: old %v, new %v", old, new)
	}
	if has(old, "5000") || has(new, "5000") {
		t.Errorf("unchanged file read: old %v, new %v", old, new)
	}
}

// TestVersionsCache checks the cached version list against a walk of the
// branch through imports that extend it, rewrite it (an older version put
// in its place) and leave it alone, and with a cache that is garbage, lies
// or cannot be written.
func TestVersionsCache(t *testing.T) {
	s := newStore(t)
	same := func(when string) {
		t.Helper()
		got, err := s.Versions("r")
		if err != nil {
			t.Fatal(err)
		}
		want, err := s.versions("r", false)
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s: cached list\n%v\nwalked\n%v", when, got, want)
		}
	}
	path := s.versionsCachePath("r")
	add(t, s, versions[0], versions[1])
	same("first import")
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("no cache after a read: %v", err)
	}
	add(t, s, versions[4])
	same("newer version added")
	add(t, s, versions[3]) // 1990-03: rewrites every commit
	same("older version put in its place")
	add(t, s, versions[2]) // same date as versions[1], seen later
	same("same-date version")

	os.WriteFile(path, []byte("regdiff versions 1\nnot\ta\tversion\n"), 0o644)
	same("garbage cache")

	// A cache in the right form that lies: verify finds it and removes it.
	vs, _ := s.versions("r", false)
	s.writeVersionsCache("r", vs)
	data, _ := os.ReadFile(path)
	_, body, _ := strings.Cut(strings.Replace(string(data), "\t2019-06-01\t", "\t2019-06-02\t", 1), "\n")
	os.WriteFile(path, []byte(versionsCacheHeader+crcText(body)+"\n"+body), 0o644)
	problems, err := s.Verify(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	// The synthetic raw files give other problems (they hold no records).
	var storeWide []Problem
	for _, p := range problems {
		if p.Version == "" {
			storeWide = append(storeWide, p)
		}
	}
	if len(storeWide) != 1 || storeWide[0].String() != "r: cache/versions/r disagreed with the branch at 2019-06-02; removed (commands rebuild it)" {
		t.Errorf("verify of a lying cache: %v", storeWide)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("lying cache kept: %v", err)
	}
	same("after verify")

	// A store the user cannot write to still answers.
	os.RemoveAll(filepath.Dir(path))
	os.WriteFile(filepath.Dir(path), nil, 0o644) // a file where the folder goes
	same("cache cannot be written")
}
