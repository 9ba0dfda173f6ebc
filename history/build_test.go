package history

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/regdiff/regdiff/diff"
	"github.com/regdiff/regdiff/snapshots"
	"github.com/regdiff/regdiff/snapshots/record"
)

// version is a hand-made registry version for a test store.
type version struct {
	date string
	recs []record.Record
}

var jon = []string{"person:Jon_Postel"}

// base is the first version of the test registry; the others are edits of it.
func base() []record.Record {
	return []record.Record{
		{Number: "249-255", Description: "Reserved", Contact: jon},
		{Name: "ssh", Protocol: "tcp", Number: "22", Description: "SSH", Refs: []string{"rfc:rfc4251"}},
		{Name: "ssh", Protocol: "udp", Number: "22", Description: "SSH", Refs: []string{"rfc:rfc4251"}},
		{Name: "old", Protocol: "tcp", Number: "1000", Description: "Old service"},
		{Name: "gone", Protocol: "tcp", Number: "2000", Description: "Gone service"},
		{Name: "nameonly", Description: "A name without a port"},
	}
}

// edit returns recs with f applied to the records for which match is true,
// dropping those for which f returns false.
func edit(recs []record.Record, match func(r *record.Record) bool, f func(r *record.Record) bool) []record.Record {
	var out []record.Record
	for _, r := range recs {
		r := r
		if match(&r) && !f(&r) {
			continue
		}
		out = append(out, r)
	}
	return out
}

func number(n string) func(r *record.Record) bool {
	return func(r *record.Record) bool { return r.Number == n }
}

// testVersions is the story the unit tests tell:
//
//	2020-01-01    the base registry
//	2020-02-01    249-255 changes contact; old 1000/tcp is renamed new
//	2020-03-01    foo takes 250/tcp (inside 249-255); gone 2000/tcp is De-registered
//	2020-03-01.2  the same records again (a new raw file)
//	2020-04-01    foo is removed; 2000/tcp is removed; new moves to 1002/tcp
func testVersions() []version {
	v1 := base()
	v2 := edit(v1, number("249-255"), func(r *record.Record) bool { r.Contact = []string{"person:IANA"}; return true })
	v2 = edit(v2, number("1000"), func(r *record.Record) bool { r.Name = "new"; return true })
	v3 := append(slices.Clone(v2), record.Record{Name: "foo", Protocol: "tcp", Number: "250", Description: "Foo", Registered: "2020-03-01"})
	v3 = edit(v3, number("2000"), func(r *record.Record) bool { r.Description = "De-registered"; return true })
	v5 := edit(v3, number("250"), func(*record.Record) bool { return false })
	v5 = edit(v5, number("2000"), func(*record.Record) bool { return false })
	v5 = edit(v5, number("1000"), func(r *record.Record) bool { r.Number = "1002"; return true })
	return []version{{"2020-01-01", v1}, {"2020-02-01", v2}, {"2020-03-01", v3}, {"2020-03-01", slices.Clone(v3)}, {"2020-04-01", v5}}
}

// newStore builds a store in a temporary folder holding vs.
func newStore(t testing.TB, vs []version) *snapshots.Store {
	t.Helper()
	s, err := snapshots.Create(filepath.Join(t.TempDir(), "store"))
	if err != nil {
		t.Fatal(err)
	}
	seen := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	var ps []snapshots.Prepared
	for i, v := range vs {
		raw := fmt.Appendf(nil, "<registry id=%q><updated>%s</updated><!-- %d --></registry>", ports, v.date, i)
		reg := &record.Registry{ID: ports, Title: "Test ports", Updated: v.date, Format: "xml", Records: v.recs}
		p, err := s.Prepare(raw, reg, snapshots.Source{Kind: "file", Location: v.date, Seen: seen.Add(time.Duration(i) * time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		ps = append(ps, p)
	}
	if _, err := s.Commit(ps); err != nil {
		t.Fatal(err)
	}
	return s
}

func build(t *testing.T, src Source, query string) *History {
	t.Helper()
	q, err := ParseQuery(query)
	if err != nil {
		t.Fatal(err)
	}
	h, err := Build(context.Background(), src, ports, q)
	if err != nil {
		t.Fatalf("Build(%s): %v", query, err)
	}
	return h
}

// periodsText shows periods compactly: "tcp Reserved 2020-01-01..2020-02-01 (2) [249-255]".
func periodsText(h *History) []string {
	var out []string
	for _, p := range h.Periods {
		var keys []string
		for _, r := range p.Records {
			keys = append(keys, keyText(r.Key()))
		}
		where := p.Protocol
		if p.Number != "" {
			where = p.Number + "/" + p.Protocol
		}
		out = append(out, fmt.Sprintf("%s %s %s..%s (%d) [%s]", where, statusText(&p), p.From, p.To, p.Versions, strings.Join(keys, "; ")))
	}
	return out
}

// eventsText shows events compactly: "2020-02-01 changed 249-255 contact=person:Jon_Postel>person:IANA".
func eventsText(h *History) []string {
	var out []string
	for _, e := range h.Events {
		s := e.Version + " " + e.Kind + " " + keyText(e.Key)
		if e.Kind == diff.Renamed {
			s += " from " + e.OldKey.Name
		}
		if e.Kind == diff.Changed || e.Kind == diff.Renamed {
			for _, n := range e.FieldNames() {
				s += fmt.Sprintf(" %s=%s>%s", n, e.Fields[n].From, e.Fields[n].To)
			}
		}
		out = append(out, s)
	}
	return out
}

func TestBuildPorts(t *testing.T) {
	s := newStore(t, testVersions())
	tests := []struct {
		query    string
		periods  []string
		events   []string
		verdicts []string
	}{{
		query: "253/tcp",
		periods: []string{
			"tcp Reserved 2020-01-01..2020-04-01 (5) [249-255]",
		},
		events: []string{
			"2020-02-01 changed 249-255 contact=person:Jon_Postel>person:IANA",
		},
		verdicts: []string{
			"253/tcp: Reserved since 2020-01-01 (oldest version on record) — in range 249-255, 5 versions",
		},
	}, {
		query: "250/tcp",
		periods: []string{
			"tcp Reserved 2020-01-01..2020-02-01 (2) [249-255]",
			"tcp Assigned 2020-03-01..2020-03-01.2 (2) [249-255; foo 250/tcp]",
			"tcp Reserved 2020-04-01..2020-04-01 (1) [249-255]",
		},
		events: []string{
			"2020-02-01 changed 249-255 contact=person:Jon_Postel>person:IANA",
			"2020-03-01 added foo 250/tcp",
			"2020-04-01 removed foo 250/tcp",
		},
		verdicts: []string{
			"250/tcp: Reserved since 2020-04-01 — in range 249-255, 1 version",
		},
	}, {
		query: "250",
		periods: []string{
			"tcp Reserved 2020-01-01..2020-02-01 (2) [249-255]",
			"tcp Assigned 2020-03-01..2020-03-01.2 (2) [249-255; foo 250/tcp]",
			"tcp Reserved 2020-04-01..2020-04-01 (1) [249-255]",
			"udp Reserved 2020-01-01..2020-04-01 (5) [249-255]",
			"sctp Reserved 2020-01-01..2020-04-01 (5) [249-255]",
			"dccp Reserved 2020-01-01..2020-04-01 (5) [249-255]",
		},
		events: []string{
			"2020-02-01 changed 249-255 contact=person:Jon_Postel>person:IANA",
			"2020-03-01 added foo 250/tcp",
			"2020-04-01 removed foo 250/tcp",
		},
		verdicts: []string{
			"250/tcp: Reserved since 2020-04-01 — in range 249-255, 1 version",
			"250/udp: Reserved since 2020-01-01 (oldest version on record) — in range 249-255, 5 versions",
			"250/sctp: Reserved since 2020-01-01 (oldest version on record) — in range 249-255, 5 versions",
			"250/dccp: Reserved since 2020-01-01 (oldest version on record) — in range 249-255, 5 versions",
		},
	}, {
		query: "249-255/tcp",
		periods: []string{
			"tcp Reserved 2020-01-01..2020-02-01 (2) [249-255]",
			"tcp mixed (249 Reserved, 250 Assigned, 251-255 Reserved) 2020-03-01..2020-03-01.2 (2) [249-255; foo 250/tcp]",
			"tcp Reserved 2020-04-01..2020-04-01 (1) [249-255]",
		},
		events: []string{
			"2020-02-01 changed 249-255 contact=person:Jon_Postel>person:IANA",
			"2020-03-01 added foo 250/tcp",
			"2020-04-01 removed foo 250/tcp",
		},
		verdicts: []string{
			"249-255/tcp: Reserved since 2020-04-01 — 1 version",
		},
	}, {
		query: "2000/tcp",
		periods: []string{
			"tcp Assigned 2020-01-01..2020-02-01 (2) [gone 2000/tcp]",
			"tcp Deregistered 2020-03-01..2020-03-01.2 (2) [gone 2000/tcp]",
			"tcp Unassigned 2020-04-01..2020-04-01 (1) []",
		},
		events: []string{
			"2020-03-01 changed gone 2000/tcp description=Gone service>De-registered",
			"2020-04-01 removed gone 2000/tcp",
		},
		verdicts: []string{
			"2000/tcp: Unassigned since 2020-04-01 — no record assigns it, 1 version",
		},
	}, {
		query: "1000-1002/tcp",
		periods: []string{
			"tcp mixed (1000 Assigned, 1001-1002 Unassigned) 2020-01-01..2020-03-01.2 (4) [new 1000/tcp]",
			"tcp mixed (1000-1001 Unassigned, 1002 Assigned) 2020-04-01..2020-04-01 (1) [new 1002/tcp]",
		},
		events: []string{
			"2020-02-01 renamed new 1000/tcp from old",
			"2020-04-01 removed new 1000/tcp",
			"2020-04-01 added new 1002/tcp",
		},
		verdicts: []string{
			"1000-1002/tcp: mixed (1000-1001 Unassigned, 1002 Assigned) since 2020-04-01 — new at 1002, 1 version",
		},
	}, {
		query: "65535/dccp",
		periods: []string{
			"dccp Unassigned 2020-01-01..2020-04-01 (5) []",
		},
		verdicts: []string{
			"65535/dccp: Unassigned since 2020-01-01 (oldest version on record) — no record assigns it, 5 versions",
		},
	}}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			h := build(t, s, tt.query)
			if got := periodsText(h); !slices.Equal(got, tt.periods) {
				t.Errorf("periods:\ngot  %q\nwant %q", got, tt.periods)
			}
			if got := eventsText(h); !slices.Equal(got, tt.events) {
				t.Errorf("events:\ngot  %q\nwant %q", got, tt.events)
			}
			if got := h.Verdicts(); !slices.Equal(got, tt.verdicts) {
				t.Errorf("verdicts:\ngot  %q\nwant %q", got, tt.verdicts)
			}
			if h.Versions != 5 || h.First != "2020-01-01" || h.Last != "2020-04-01" {
				t.Errorf("got %d versions %s … %s, want 5 versions 2020-01-01 … 2020-04-01", h.Versions, h.First, h.Last)
			}
		})
	}
}

func TestBuildNames(t *testing.T) {
	s := newStore(t, testVersions())
	tests := []struct {
		query    string
		periods  []string
		events   []string
		verdicts []string
	}{{
		query: "new",
		periods: []string{
			"1000/tcp Assigned 2020-02-01..2020-03-01.2 (3) [new 1000/tcp]",
			"1002/tcp Assigned 2020-04-01..2020-04-01 (1) [new 1002/tcp]",
		},
		events: []string{
			"2020-02-01 renamed new 1000/tcp from old",
			"2020-04-01 removed new 1000/tcp",
			"2020-04-01 added new 1002/tcp",
		},
		verdicts: []string{"new 1002/tcp: Assigned since 2020-04-01, 1 version"},
	}, {
		query:    "OLD",
		periods:  []string{"1000/tcp Assigned 2020-01-01..2020-01-01 (1) [old 1000/tcp]"},
		events:   []string{"2020-02-01 renamed new 1000/tcp from old"},
		verdicts: []string{"old: in no record of the newest version (2020-04-01); last held 1000/tcp (Assigned) in 2020-01-01"},
	}, {
		query: "gone",
		periods: []string{
			"2000/tcp Assigned 2020-01-01..2020-02-01 (2) [gone 2000/tcp]",
			"2000/tcp Deregistered 2020-03-01..2020-03-01.2 (2) [gone 2000/tcp]",
		},
		events: []string{
			"2020-03-01 changed gone 2000/tcp description=Gone service>De-registered",
			"2020-04-01 removed gone 2000/tcp",
		},
		verdicts: []string{"gone: in no record of the newest version (2020-04-01); last held 2000/tcp (Deregistered) in 2020-03-01.2"},
	}, {
		query:    "ssh/udp",
		periods:  []string{"22/udp Assigned 2020-01-01..2020-04-01 (5) [ssh 22/udp]"},
		verdicts: []string{"ssh 22/udp: Assigned since 2020-01-01 (oldest version on record), 5 versions"},
	}, {
		query: "ssh",
		periods: []string{
			"22/tcp Assigned 2020-01-01..2020-04-01 (5) [ssh 22/tcp]",
			"22/udp Assigned 2020-01-01..2020-04-01 (5) [ssh 22/udp]",
		},
		verdicts: []string{
			"ssh 22/tcp: Assigned since 2020-01-01 (oldest version on record), 5 versions",
			"ssh 22/udp: Assigned since 2020-01-01 (oldest version on record), 5 versions",
		},
	}, {
		query:    "NameOnly",
		periods:  []string{" Assigned 2020-01-01..2020-04-01 (5) [nameonly]"},
		verdicts: []string{"nameonly no number: Assigned since 2020-01-01 (oldest version on record), 5 versions"},
	}}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			h := build(t, s, tt.query)
			if got := periodsText(h); !slices.Equal(got, tt.periods) {
				t.Errorf("periods:\ngot  %q\nwant %q", got, tt.periods)
			}
			if got := eventsText(h); !slices.Equal(got, tt.events) {
				t.Errorf("events:\ngot  %q\nwant %q", got, tt.events)
			}
			if got := h.Verdicts(); !slices.Equal(got, tt.verdicts) {
				t.Errorf("verdicts:\ngot  %q\nwant %q", got, tt.verdicts)
			}
		})
	}
}

func TestBuildErrors(t *testing.T) {
	s := newStore(t, testVersions())
	tests := []struct {
		name     string
		registry string
		query    Query
		is       error
		want     string // substring of the message
	}{
		{"never existed", ports, Query{Name: "nosuch"}, ErrNoSuchName, `"nosuch" is in no version of service-names-port-numbers (2020-01-01 … 2020-04-01)`},
		{"suggests close names", ports, Query{Name: "sssh"}, ErrNoSuchName, "did you mean ssh?"},
		{"suggests by prefix", ports, Query{Name: "name"}, ErrNoSuchName, "did you mean nameonly?"},
		{"no transport for a name without port", ports, Query{Name: "nameonly", Protocol: "tcp"}, ErrNoSuchName, "nameonly has no tcp record in any version of service-names-port-numbers"},
		{"wrong transport", ports, Query{Name: "ssh", Protocol: "dccp"}, ErrNoSuchName, "ssh has no dccp record in any version of service-names-port-numbers; it has tcp, udp records: query ssh without /dccp"},
		{"empty store", "protocol-numbers", Query{Lo: 1, Hi: 1}, snapshots.ErrEmpty, "no versions stored"},
		{"port out of range", ports, Query{Lo: 1, Hi: 70000}, nil, "not a range within 0-65535"},
		{"bad transport", ports, Query{Lo: 1, Hi: 1, Protocol: "icmp"}, nil, `unknown transport "icmp"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Build(context.Background(), s, tt.registry, tt.query)
			if err == nil {
				t.Fatalf("got no error, want one containing %q", tt.want)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("got %v, want errors.Is %v", err, tt.is)
			}
			var ne *NameError
			if errors.Is(err, ErrNoSuchName) && (!errors.As(err, &ne) || ne.Name != tt.query.Name) {
				t.Errorf("got %#v, want a *NameError for %q", err, tt.query.Name)
			}
			if !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "\n") || strings.HasSuffix(err.Error(), "; ") {
				t.Errorf("got %q, want one line containing %q", err, tt.want)
			}
		})
	}
}

func TestBuildCancelled(t *testing.T) {
	s := newStore(t, testVersions())
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, q := range []Query{{Lo: 22, Hi: 22}, {Name: "ssh"}} {
		if _, err := Build(ctx, s, ports, q); !errors.Is(err, context.Canceled) {
			t.Errorf("Build(%s) with a cancelled context: got %v, want context.Canceled", q, err)
		}
	}
}

// jsonOf renders h as JSON, for comparing whole histories.
func jsonOf(t *testing.T, h *History) string {
	t.Helper()
	var b bytes.Buffer
	if err := WriteJSON(&b, h); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

var indexQueries = []string{"253", "250/tcp", "249-255", "0-3000", "2000", "new", "old", "ssh/tcp", "nameonly"}

// TestIndexNeverChangesResults builds every query without an index, with a
// cold index, with the saved (warm) index, with a corrupt one, and with an
// index saved before the store changed under it: all must agree.
func TestIndexNeverChangesResults(t *testing.T) {
	vs := testVersions()
	s := newStore(t, vs)
	want := map[string]string{}
	for _, q := range indexQueries {
		want[q] = jsonOf(t, build(t, s, q))
	}
	check := func(t *testing.T, src Source, want map[string]string) {
		t.Helper()
		for _, q := range indexQueries {
			if got := jsonOf(t, build(t, src, q)); got != want[q] {
				t.Errorf("%s: got\n%s\nwant\n%s", q, got, want[q])
			}
		}
	}
	path := filepath.Join(t.TempDir(), "cache", "history.idx")
	t.Run("cold", func(t *testing.T) {
		ix, err := OpenIndex(s, path)
		if err != nil {
			t.Fatalf("OpenIndex on a missing file: %v", err)
		}
		check(t, ix, want)
		if err := ix.Save(); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("warm", func(t *testing.T) {
		ix, err := OpenIndex(s, path)
		if err != nil {
			t.Fatal(err)
		}
		if rows := len(ix.rows) / record.HashSize; len(ix.lines) == 0 || rows != len(vs) {
			t.Fatalf("got an index of %d lines and %d trees, want lines and %d trees", len(ix.lines), rows, len(vs))
		}
		// A warm index must not read any blob.
		check(t, offline(ix, s), want)
	})
	good, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{
		"flipped byte": func() []byte { b := bytes.Clone(good); b[len(b)/2] ^= 0x40; return b }(),
		"truncated":    good[:len(good)/2],
		"empty":        {},
		"foreign":      []byte("not an index at all\n"),
	} {
		t.Run(name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "history.idx")
			os.WriteFile(p, data, 0o644)
			ix, err := OpenIndex(s, p)
			if err == nil {
				t.Errorf("OpenIndex on a %s file: got no error, want one", name)
			}
			if len(ix.lines) != 0 || len(ix.trees) != 0 {
				t.Errorf("OpenIndex on a %s file kept %d lines and %d trees, want an empty index", name, len(ix.lines), len(ix.trees))
			}
			check(t, ix, want)
		})
	}
	t.Run("store changed", func(t *testing.T) {
		// Insert a version in the middle: every later commit is rewritten,
		// and the saved index knows none of the new trees.
		mid := version{"2020-02-15", edit(vs[1].recs, number("22"), func(r *record.Record) bool { r.Description = "Secure Shell"; return true })}
		s2 := newStore(t, append(slices.Clone(vs), mid))
		want2 := map[string]string{}
		for _, q := range indexQueries {
			want2[q] = jsonOf(t, build(t, s2, q))
		}
		if want2["ssh/tcp"] == want["ssh/tcp"] {
			t.Fatal("the inserted version changed nothing; the test is void")
		}
		ix, err := OpenIndex(s2, path)
		if err != nil {
			t.Fatal(err)
		}
		// A port query leaves the trees read from the file encoded and
		// learns the new ones; saved, the index must hold both, so that
		// nothing is read from the store after.
		build(t, ix, "253")
		if err := ix.Save(); err != nil {
			t.Fatal(err)
		}
		ix, err = OpenIndex(s2, path)
		if err != nil {
			t.Fatal(err)
		}
		check(t, offline(ix, s2), want2)
	})
}

// offline returns ix over a source that fails on every tree and blob read.
func offline(ix *Index, s *snapshots.Store) *Index {
	c := *ix
	c.src = noBlobs{s}
	return &c
}

// noBlobs is a source that fails on every tree and blob read.
type noBlobs struct{ *snapshots.Store }

func (noBlobs) Blob(h record.Hash) ([]byte, error) {
	return nil, fmt.Errorf("blob %s read through a warm index", h)
}

func (noBlobs) Files(v record.Version) ([]snapshots.File, error) {
	return nil, fmt.Errorf("tree of %s read through a warm index", v.Name)
}
