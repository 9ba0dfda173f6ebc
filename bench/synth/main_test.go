package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/regdiff/regdiff/internal/shareddata"
	"github.com/regdiff/regdiff/snapshots/formats"
	"github.com/regdiff/regdiff/snapshots/record"
)

// TestMain removes the shared clone and stores the tests made.
func TestMain(m *testing.M) { os.Exit(shareddata.Main(m)) }

// The checks parse every output with the project's own parser and compare
// it with the version before, so they hold the generator to what a reader
// of the files sees, not to its own bookkeeping.

func TestVersionsFromFixture(t *testing.T) {
	base, err := os.ReadFile(filepath.Join("testdata", "registry.xml"))
	if err != nil {
		t.Fatal(err)
	}
	kinds := checkVersions(t, base, 40)
	// Forty versions reach every kind; if one never happens, the test above
	// proved nothing about it.
	for _, k := range []string{"assign", "describe", "xref", "deregister", "remove"} {
		if kinds[k] == 0 {
			t.Errorf("no %s edit in 40 versions; got %v", k, kinds)
		}
	}
}

func TestVersionsFromRealBase(t *testing.T) {
	if testing.Short() {
		t.Skip("parses 30 real-size versions")
	}
	vs := shareddata.Versions(t, "service-names-port-numbers")
	checkVersions(t, shareddata.Read(t, vs[len(vs)-1]), 30)
}

// TestReplay checks what bench/scale relies on: versions made in a later
// chunk are byte for byte those of one run from the start.
func TestReplay(t *testing.T) {
	base, err := os.ReadFile(filepath.Join("testdata", "registry.xml"))
	if err != nil {
		t.Fatal(err)
	}
	all := render(t, base, 0, 30)
	dir := t.TempDir()
	if err := run(filepath.Join("testdata", "registry.xml"), dir, 20, 30); err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob(filepath.Join(dir, "*"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 10 {
		t.Fatalf("got %d files, want 10 (versions 20 to 29): %v", len(files), files)
	}
	for v := 20; v < 30; v++ {
		got, err := os.ReadFile(filepath.Join(dir, fmt.Sprintf("v%05d.xml", v)))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, all[v]) {
			t.Errorf("version %d written from a replay differs from the same version of a full run", v)
		}
	}
}

func render(t *testing.T, base []byte, from, to int) map[int][]byte {
	t.Helper()
	out := map[int][]byte{}
	err := generate(base, from, to, func(v int, g *generator, _ []edit) error {
		var b bytes.Buffer
		g.write(&b)
		out[v] = b.Bytes()
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// checkVersions makes n versions from base, checks each against the one
// before, and counts the edits by kind.
func checkVersions(t *testing.T, base []byte, n int) map[string]int {
	t.Helper()
	prev, err := formats.ParseXML(base)
	if err != nil {
		t.Fatalf("base: %v", err)
	}
	kinds := map[string]int{}
	err = generate(base, 0, n, func(v int, g *generator, edits []edit) error {
		var b bytes.Buffer
		g.write(&b)
		cur, err := formats.ParseXML(b.Bytes())
		if err != nil {
			t.Fatalf("version %d does not parse: %v", v, err)
		}
		checkVersion(t, v, prev, cur, edits)
		for _, e := range edits {
			kinds[e.Kind]++
		}
		prev = cur
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return kinds
}

func checkVersion(t *testing.T, v int, prev, cur *record.Registry, edits []edit) {
	t.Helper()
	if _, err := time.Parse(time.DateOnly, cur.Updated); err != nil || cur.Updated <= prev.Updated {
		t.Errorf("version %d: updated %q, want a date after %q", v, cur.Updated, prev.Updated)
	}
	if len(edits) < 1 || len(edits) > 3 {
		t.Errorf("version %d: %d edits, want 1 to 3", v, len(edits))
	}
	if reflect.DeepEqual(prev.Records, cur.Records) {
		t.Fatalf("version %d: same records as the version before", v)
	}
	before, after := byKey(prev), byKey(cur)
	delta := 0
	touched := map[record.Key]bool{}
	for _, e := range edits {
		k := record.Key{Name: e.Name, Protocol: e.Protocol, Number: e.Number}
		unnamed := record.Key{Protocol: e.Protocol, Number: e.Number}
		touched[k], touched[unnamed] = true, true
		old, now := before[k], after[k]
		switch e.Kind {
		case "assign":
			delta++
			if len(old) != 0 || len(now) != 1 {
				t.Errorf("version %d: assign %v: %d records before and %d after, want 0 and 1", v, k, len(old), len(now))
				continue
			}
			r := now[0]
			if r.Description != e.Description || r.Registered != cur.Updated || len(r.Assignee) != 1 || len(r.Contact) != 1 {
				t.Errorf("version %d: assigned record %+v, want description %q, registered %s, one assignee and one contact", v, r, e.Description, cur.Updated)
			}
		case "describe", "xref":
			if len(old) != 1 || len(now) != 1 {
				t.Errorf("version %d: %s %v: %d records before and %d after, want 1 and 1", v, e.Kind, k, len(old), len(now))
				continue
			}
			a, b := old[0], now[0]
			if b.Modified != cur.Updated {
				t.Errorf("version %d: %s %v: modified %q, want %q", v, e.Kind, k, b.Modified, cur.Updated)
			}
			want := a
			want.Modified = b.Modified
			if e.Kind == "describe" {
				// A rewording adds or drops a qualifier at the end.
				short, long := a.Description, b.Description
				if len(short) > len(long) {
					short, long = long, short
				}
				if short == long || !strings.HasPrefix(long, short) {
					t.Errorf("version %d: description %q became %q, want one to extend the other", v, a.Description, b.Description)
				}
				want.Description = b.Description
			} else {
				if slices.Contains(a.Refs, e.Ref) {
					t.Errorf("version %d: xref %v: %s was already there", v, k, e.Ref)
				}
				want.Refs = append(slices.Clone(a.Refs), e.Ref)
			}
			if !reflect.DeepEqual(b, want) {
				t.Errorf("version %d: %s %v:\n got %+v\nwant %+v", v, e.Kind, k, b, want)
			}
		case "deregister":
			gone, dereg := after[unnamed], before[unnamed]
			if len(old) != 1 || len(now) != 0 || len(dereg) != 0 || len(gone) != 1 {
				t.Errorf("version %d: deregister %v: want the named record replaced by an unnamed one", v, k)
				continue
			}
			if r := gone[0]; r.Description != "De-registered" || r.Modified != cur.Updated {
				t.Errorf("version %d: de-registered record %+v, want description De-registered, modified %s", v, r, cur.Updated)
			}
		case "remove":
			delta--
			if old, now := before[unnamed], after[unnamed]; len(old) != 1 || len(now) != 0 || old[0].Description != "De-registered" {
				t.Errorf("version %d: remove %v: %d records before and %d after, want a de-registered one removed", v, unnamed, len(old), len(now))
			}
		default:
			t.Errorf("version %d: unknown edit kind %q", v, e.Kind)
		}
	}
	if got, want := len(cur.Records), len(prev.Records)+delta; got != want {
		t.Errorf("version %d: %d records, want %d (%d before, edits %+v)", v, got, want, len(prev.Records), edits)
	}
	for k, old := range before {
		if !touched[k] && !reflect.DeepEqual(old, after[k]) {
			t.Errorf("version %d: record %v changed though no edit names it:\n got %+v\nwant %+v", v, k, after[k], old)
		}
	}
	for k := range after {
		if !touched[k] && before[k] == nil {
			t.Errorf("version %d: record %v appeared though no edit names it", v, k)
		}
	}
}

func byKey(reg *record.Registry) map[record.Key][]record.Record {
	m := map[record.Key][]record.Record{}
	for _, r := range reg.Records {
		m[r.Key()] = append(m[r.Key()], r)
	}
	return m
}
