package changelog

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"reflect"
	"slices"
	"testing"

	"github.com/regdiff/regdiff/diff"
	"github.com/regdiff/regdiff/internal/realstore"
	"github.com/regdiff/regdiff/internal/shareddata"
	"github.com/regdiff/regdiff/snapshots"
	"github.com/regdiff/regdiff/snapshots/record"
)

const protocols = "protocol-numbers"

func TestMain(m *testing.M) { os.Exit(shareddata.Main(m)) }

// realStore returns the store built once per test binary from
// ../shared/data/iana-history.bundle (package realstore): every version of
// both registries, or under -short a sample of them.
func realStore(tb testing.TB) *snapshots.Store {
	tb.Helper()
	dir, _ := realstore.Store(tb)
	s, err := snapshots.Open(dir)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// TestRealData checks a changelog of the real versions against an
// independent computation: each entry against diff.Compare of the two
// versions' full records (not the files that differ), and each point of
// the series against a full count of the version's ports.
func TestRealData(t *testing.T) {
	s := realStore(t)
	for _, reg := range []string{testRegistry, protocols} {
		t.Run(reg, func(t *testing.T) {
			vs, err := s.Versions(reg)
			if err != nil {
				t.Fatal(err)
			}
			c, err := Build(context.Background(), s, reg, vs, Options{Until: len(vs) - 1})
			if err != nil {
				t.Fatal(err)
			}
			if len(c.Entries) != len(vs) {
				t.Fatalf("%d entries for %d versions", len(c.Entries), len(vs))
			}
			if reg == protocols && c.Series != nil {
				t.Errorf("protocol-numbers has a port series: %v", c.Series[:1])
			}
			if reg == testRegistry && len(c.Series) != len(vs) {
				t.Fatalf("%d points for %d versions", len(c.Series), len(vs))
			}
			var prev []record.Record
			unchanged := 0
			for i, v := range vs {
				e := &c.Entries[len(vs)-1-i]
				full, err := s.Records(v)
				if err != nil {
					t.Fatal(err)
				}
				if e.Version.Name != v.Name {
					t.Fatalf("entry %d is %s, want %s", len(vs)-1-i, e.Version.Name, v.Name)
				}
				if i == 0 {
					if !e.First() {
						t.Errorf("%s: the oldest version has a diff", v.Name)
					}
				} else {
					want := diff.Compare(prev, full)
					want.Registry, want.From, want.To = reg, diff.VersionOf(vs[i-1]), diff.VersionOf(v)
					// Items and people: read as the diff command reads them
					// (checked against the raw XML in cmd/regdiff).
					if err := want.CompareItemsOf(s, vs[i-1], v); err != nil {
						t.Fatal(err)
					}
					// Sub-registry titles, as the diff command shows them
					// for changes in a nested registry.
					if slices.ContainsFunc(want.Changes, func(c diff.Change) bool { return c.Key.Table != "" }) {
						oi, _, err := s.Items(vs[i-1])
						if err != nil {
							t.Fatal(err)
						}
						ni, _, err := s.Items(v)
						if err != nil {
							t.Fatal(err)
						}
						want.SetTitles(oi, ni)
					}
					if got, want := resultText(e.Diff), resultText(want); got != want {
						t.Errorf("%s: entry differs from the diff of full versions:\n%s\nwant:\n%s", v.Name, clip(got), clip(want))
					}
					if e.Diff.RecordsEmpty() {
						unchanged++
					}
				}
				if reg == testRegistry {
					want := CountPorts(full)
					want.Version, want.Date = v.Name, v.Date
					if got := c.Series[i]; got != want {
						t.Errorf("%s: series point %+v, full count %+v", v.Name, got, want)
					}
				}
				prev = full
			}
			// The shared data has 27 versions of the port registry whose
			// records are those of the version before.
			if reg == testRegistry && len(vs) == 359 && unchanged != 27 {
				t.Errorf("%d entries without record changes, want 27", unchanged)
			}
			t.Logf("%s: %d versions, %d without record changes", reg, len(vs), unchanged)
		})
	}
}

// TestRealDataRange checks that a range gives the same entries and points
// as the same versions in a changelog of everything.
func TestRealDataRange(t *testing.T) {
	s := realStore(t)
	vs, err := s.Versions(testRegistry)
	if err != nil {
		t.Fatal(err)
	}
	all, err := Build(context.Background(), s, testRegistry, vs, Options{Until: len(vs) - 1})
	if err != nil {
		t.Fatal(err)
	}
	since, until := len(vs)/3, len(vs)-5
	part, err := Build(context.Background(), s, testRegistry, vs, Options{Since: since, Until: until})
	if err != nil {
		t.Fatal(err)
	}
	for i := range part.Entries {
		got, want := &part.Entries[i], &all.Entries[len(vs)-1-until+i]
		if a, b := describe(got), describe(want); a != b || resultText(got.Diff) != resultText(want.Diff) {
			t.Errorf("entry %d: %s, want %s", i, a, b)
		}
	}
	if !reflect.DeepEqual(part.Series, all.Series[since:until+1]) {
		t.Errorf("series of the range differs from the same points of the whole")
	}
}

// TestRealReader checks the reader's decoding against the store's on a
// spread of real versions.
func TestRealReader(t *testing.T) {
	s := realStore(t)
	vs, err := s.Versions(testRegistry)
	if err != nil {
		t.Fatal(err)
	}
	rd := newReader(s)
	for _, i := range []int{0, len(vs) / 3, len(vs) / 2, len(vs) - 1} {
		got, err := rd.all(vs[i])
		if err != nil {
			t.Fatal(err)
		}
		want, err := s.Records(vs[i])
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: the reader's records differ from the store's", vs[i].Name)
		}
	}
}

func clip(s string) string {
	if len(s) > 2000 {
		return s[:2000] + "…"
	}
	return s
}

// BenchmarkChangelog times a changelog of every real version of the port
// registry: building it (which is most of `regdiff changelog`), and
// writing each format.
func BenchmarkChangelog(b *testing.B) {
	s := realStore(b)
	vs, err := s.Versions(testRegistry)
	if err != nil {
		b.Fatal(err)
	}
	opts := Options{Until: len(vs) - 1}
	b.Run(fmt.Sprintf("build-%d-versions", len(vs)), func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := Build(context.Background(), s, testRegistry, vs, opts); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("build+md", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			c, err := Build(context.Background(), s, testRegistry, vs, opts)
			if err != nil {
				b.Fatal(err)
			}
			if err := WriteMarkdown(io.Discard, c); err != nil {
				b.Fatal(err)
			}
		}
	})
	c, err := Build(context.Background(), s, testRegistry, vs, opts)
	if err != nil {
		b.Fatal(err)
	}
	for _, w := range writers() {
		b.Run("write-"+w.name, func(b *testing.B) {
			b.ReportAllocs()
			var buf bytes.Buffer
			for b.Loop() {
				buf.Reset()
				if err := w.write(&buf, c); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(buf.Len())/1e6, "MB-out")
		})
	}
}

// BenchmarkRecordsDiffering is the naive way to the same entries, for
// comparison: Store.RecordsDiffering for each pair, then diff.Compare.
func BenchmarkRecordsDiffering(b *testing.B) {
	s := realStore(b)
	vs, err := s.Versions(testRegistry)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		for i := 1; i < len(vs); i++ {
			old, new, err := s.RecordsDiffering(vs[i-1], vs[i])
			if err != nil {
				b.Fatal(err)
			}
			diff.Compare(old, new)
		}
	}
}
