package changelog

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/regdiff/regdiff/diff"
	"github.com/regdiff/regdiff/snapshots"
	"github.com/regdiff/regdiff/snapshots/record"
)

const testRegistry = "service-names-port-numbers"

// synth is a hand-built version for the small store: the store never parses
// raw bytes, so any content identifies a version.
type synth struct {
	date  string
	seen  time.Time
	extra string // changes the raw file without changing a record
	recs  []record.Record
}

func (v synth) raw() []byte {
	return fmt.Appendf(nil, "<registry id=%q><updated>%s</updated><!-- %d records %s --></registry>", testRegistry, v.date, len(v.recs), v.extra)
}

func (v synth) reg() *record.Registry {
	return &record.Registry{ID: testRegistry, Title: "Service Name and Transport Protocol Port Number Registry", Updated: v.date, Format: "xml", Records: v.recs}
}

var day = time.Date(2020, 6, 1, 0, 0, 0, 0, time.UTC)

// edit returns recs with the records for which f returns false left out
// and more added.
func edit(recs []record.Record, drop func(r record.Record) bool, more ...record.Record) []record.Record {
	var out []record.Record
	for _, r := range recs {
		if drop == nil || !drop(r) {
			out = append(out, r)
		}
	}
	return append(out, more...)
}

func named(name, proto, number string) func(record.Record) bool {
	return func(r record.Record) bool { return r.Name == name && r.Protocol == proto && r.Number == number }
}

// smallVersions is the story the small store tells, one step a version:
//
//	v0 2020-01-01  first version
//	v1 2020-02-01  1005/tcp assigned out of an Unassigned range, ssh's
//	               description changed, a description with markup added
//	v2 2020-03-01  demo 250/tcp removed from inside Reserved 249-255 (only
//	               the file of port 250 changes, not that of the ranges)
//	v3 2020-03-01  (seen later: 2020-03-01.2) the raw file changes, no record
//	v4 2020-04-01  old-svc renamed new-svc; gone 3000/tcp deprecated
func smallVersions() []synth {
	v0 := []record.Record{
		{Name: "ssh", Protocol: "tcp", Number: "22", Description: "SSH", Refs: []string{"rfc:rfc4251"}},
		{Name: "ssh", Protocol: "udp", Number: "22", Description: "SSH"},
		{Number: "249-255", Description: "Reserved", Contact: []string{"person:Jon_Postel"}},
		{Name: "demo", Protocol: "tcp", Number: "250", Description: "Demo inside a reserved range"},
		{Number: "1000-1010", Description: "Unassigned"},
		{Name: "old-svc", Protocol: "tcp", Number: "2000", Description: "A service"},
		{Name: "gone", Protocol: "tcp", Number: "3000", Description: "Gone soon"},
		{Name: "noport", Description: "A name without a port"},
	}
	v1 := edit(v0, func(r record.Record) bool {
		return r.Number == "1000-1010" || r.Name == "ssh" && r.Protocol == "tcp"
	},
		record.Record{Number: "1000-1004", Description: "Unassigned"},
		record.Record{Name: "newsvc", Protocol: "tcp", Number: "1005", Description: `New <script>alert("x")</script> & "quoted" service`},
		record.Record{Protocol: "udp", Number: "1005", Description: "Reserved"},
		record.Record{Number: "1006-1010", Description: "Unassigned"},
		record.Record{Name: "ssh", Protocol: "tcp", Number: "22", Description: "The Secure Shell (SSH) Protocol, for remote login and more", Refs: []string{"rfc:rfc4251"}},
	)
	v2 := edit(v1, named("demo", "tcp", "250"))
	v4 := edit(v2, func(r record.Record) bool { return r.Name == "old-svc" || r.Name == "gone" },
		record.Record{Name: "new-svc", Protocol: "tcp", Number: "2000", Description: "A service"},
		record.Record{Name: "gone", Protocol: "tcp", Number: "3000", Description: "Deprecated"},
	)
	return []synth{
		{date: "2020-01-01", seen: day, recs: v0},
		{date: "2020-02-01", seen: day.Add(time.Hour), recs: v1},
		{date: "2020-03-01", seen: day.Add(2 * time.Hour), recs: v2},
		{date: "2020-03-01", seen: day.Add(3 * time.Hour), recs: v2, extra: "people changed"},
		{date: "2020-04-01", seen: day.Add(4 * time.Hour), recs: v4},
	}
}

// newStore creates a store in a temporary folder and commits the versions,
// each batch in one commit.
func newStore(t testing.TB, batches ...[]synth) *snapshots.Store {
	t.Helper()
	s, err := snapshots.Create(filepath.Join(t.TempDir(), "store"))
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range batches {
		commit(t, s, b...)
	}
	return s
}

func commit(t testing.TB, s *snapshots.Store, vs ...synth) {
	t.Helper()
	var ps []snapshots.Prepared
	for _, v := range vs {
		p, err := s.Prepare(v.raw(), v.reg(), snapshots.Source{Kind: "file", Location: v.date + v.extra, Seen: v.seen})
		if err != nil {
			t.Fatal(err)
		}
		ps = append(ps, p)
	}
	if _, err := s.Commit(ps); err != nil {
		t.Fatal(err)
	}
}

func versions(t testing.TB, s *snapshots.Store) []record.Version {
	t.Helper()
	vs, err := s.Versions(testRegistry)
	if err != nil {
		t.Fatal(err)
	}
	return vs
}

func build(t testing.TB, s *snapshots.Store, since, until int) *Changelog {
	t.Helper()
	vs := versions(t, s)
	if until < 0 {
		until += len(vs)
	}
	c, err := Build(context.Background(), s, testRegistry, vs, Options{Since: since, Until: until})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// describe sums up an entry: "2020-02-01<2020-01-01 +4 -2 ~1 >0 t2",
// "2020-01-01 first", "2020-03-01.2<2020-03-01 unchanged".
func describe(e *Entry) string {
	switch {
	case e.First():
		return e.Version.Name + " first"
	case e.Unchanged():
		return e.Version.Name + "<" + e.Previous.Name + " unchanged"
	}
	d := e.Diff
	return fmt.Sprintf("%s<%s +%d -%d ~%d >%d t%d", e.Version.Name, e.Previous.Name, d.Added, d.Removed, d.Changed, d.Renamed, len(d.Transitions))
}

func TestBuild(t *testing.T) {
	s := newStore(t, smallVersions())
	tests := []struct {
		name         string
		since, until int // until < 0 counts from the end
		want         []string
	}{
		{"all versions, newest first", 0, -1, []string{
			"2020-04-01<2020-03-01.2 +0 -0 ~1 >1 t1",
			"2020-03-01.2<2020-03-01 unchanged",
			"2020-03-01<2020-02-01 +0 -1 ~0 >0 t1",
			"2020-02-01<2020-01-01 +4 -1 ~1 >0 t2",
			"2020-01-01 first",
		}},
		{"only the first version", 0, 0, []string{"2020-01-01 first"}},
		{"since compares with the version before the range", 2, 3, []string{
			"2020-03-01.2<2020-03-01 unchanged",
			"2020-03-01<2020-02-01 +0 -1 ~0 >0 t1",
		}},
		{"one unchanged version", 3, 3, []string{"2020-03-01.2<2020-03-01 unchanged"}},
		{"until the newest", 4, -1, []string{"2020-04-01<2020-03-01.2 +0 -0 ~1 >1 t1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := build(t, s, tt.since, tt.until)
			var got []string
			for i := range c.Entries {
				got = append(got, describe(&c.Entries[i]))
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("entries:\ngot  %q\nwant %q", got, tt.want)
			}
			if len(c.Series) != len(c.Entries) {
				t.Fatalf("%d points for %d entries", len(c.Series), len(c.Entries))
			}
			for i, p := range c.Series {
				e := c.Entries[len(c.Entries)-1-i]
				if p.Version != e.Version.Name || p.Date != e.Version.Date {
					t.Errorf("point %d is %s (%s), want %s (%s): series runs oldest first", i, p.Version, p.Date, e.Version.Name, e.Version.Date)
				}
			}
			if c.Registry != testRegistry || c.Title != "Service Name and Transport Protocol Port Number Registry" {
				t.Errorf("registry %q title %q", c.Registry, c.Title)
			}
		})
	}
}

// TestBuildDiffs checks what the entries hold beyond their counts: the
// diff's header fields, the transitions, and the first entry's lack of one.
func TestBuildDiffs(t *testing.T) {
	s := newStore(t, smallVersions())
	vs := versions(t, s)
	c := build(t, s, 0, -1)
	byName := map[string]*Entry{}
	for i := range c.Entries {
		byName[c.Entries[i].Version.Name] = &c.Entries[i]
	}
	transitions := func(name string) string {
		var out []string
		for _, tr := range byName[name].Diff.Transitions {
			out = append(out, fmt.Sprintf("%s %s %s→%s", tr.Protocol, tr.Ports, tr.From, tr.To))
		}
		return strings.Join(out, "; ")
	}
	tests := []struct {
		name, got, want string
	}{
		{"1005 assigned", transitions("2020-02-01"), "tcp 1005 Unassigned→Assigned; udp 1005 Unassigned→Reserved"},
		// Only the file of port 250 differs here; the range that covers
		// 250 is in the unchanged file of the ranges, and must be read
		// for the port to fall back to Reserved (not Unassigned).
		{"removal inside a reserved range", transitions("2020-03-01"), "tcp 250 Assigned→Reserved"},
		{"deprecated", transitions("2020-04-01"), "tcp 3000 Assigned→Deregistered"},
		{"diff from", byName["2020-02-01"].Diff.From.Name, "2020-01-01"},
		{"diff to", byName["2020-02-01"].Diff.To.Name, "2020-02-01"},
		{"diff to commit", byName["2020-02-01"].Diff.To.Commit, vs[1].Commit.String()},
		{"diff registry", byName["2020-02-01"].Diff.Registry, testRegistry},
		{"first has no diff", fmt.Sprint(byName["2020-01-01"].Diff == nil, byName["2020-01-01"].Previous == nil), "true true"},
		{"not reversed", fmt.Sprint(byName["2020-04-01"].Diff.Reversed), "false"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("got %q, want %q", tt.got, tt.want)
			}
		})
	}
}

// TestSeries checks the incrementally counted series against a full count
// of every version's records.
func TestSeries(t *testing.T) {
	s := newStore(t, smallVersions())
	vs := versions(t, s)
	for _, since := range []int{0, 1, 2, 4} {
		t.Run(fmt.Sprintf("since %d", since), func(t *testing.T) {
			c := build(t, s, since, -1)
			for i, p := range c.Series {
				recs, err := s.Records(vs[since+i])
				if err != nil {
					t.Fatal(err)
				}
				want := CountPorts(recs)
				want.Version, want.Date = vs[since+i].Name, vs[since+i].Date
				if p != want {
					t.Errorf("%s: got %+v, want %+v", p.Version, p, want)
				}
			}
		})
	}
	c := build(t, s, 0, -1)
	first, last := c.Series[0], c.Series[len(c.Series)-1]
	if first.Assigned+first.Reserved+first.Unassigned+first.Deregistered != diff.MaxPort+1 {
		t.Errorf("first point %+v does not add up to %d ports", first, diff.MaxPort+1)
	}
	if got := fmt.Sprint(last.Assigned-first.Assigned, last.Reserved-first.Reserved, last.Deregistered-first.Deregistered); got != "-1 1 1" {
		t.Errorf("changes in Assigned, Reserved, Deregistered from first to last: got %s, want -1 1 1", got)
	}
}

func TestBuildErrors(t *testing.T) {
	s := newStore(t, smallVersions())
	vs := versions(t, s)
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name         string
		ctx          context.Context
		vs           []record.Version
		since, until int
		want         error
	}{
		{"no versions", context.Background(), nil, 0, 0, snapshots.ErrEmpty},
		{"since after until", context.Background(), vs, 3, 1, ErrRange},
		{"until past the newest", context.Background(), vs, 0, len(vs), ErrRange},
		{"negative since", context.Background(), vs, -1, 2, ErrRange},
		{"canceled", canceled, vs, 0, len(vs) - 1, context.Canceled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Build(tt.ctx, s, testRegistry, tt.vs, Options{Since: tt.since, Until: tt.until})
			if !errors.Is(err, tt.want) || c != nil {
				t.Errorf("got %v, %v; want nil, %v", c, err, tt.want)
			}
		})
	}
}

func TestProgress(t *testing.T) {
	s := newStore(t, smallVersions())
	vs := versions(t, s)
	var calls []string
	_, err := Build(context.Background(), s, testRegistry, vs, Options{Since: 1, Until: 3, Progress: func(done, total int) {
		calls = append(calls, fmt.Sprintf("%d/%d", done, total))
	}})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"1/3", "2/3", "3/3"}; !slices.Equal(calls, want) {
		t.Errorf("progress calls %v, want %v", calls, want)
	}
}

// TestReaderMatchesStore checks the reader's own decoding and selection
// against the store's: every version read in full, and every pair's diff
// against diff.Compare on full records.
func TestReaderMatchesStore(t *testing.T) {
	s := newStore(t, smallVersions())
	vs := versions(t, s)
	rd := newReader(s)
	for i, v := range vs {
		got, err := rd.all(v)
		if err != nil {
			t.Fatal(err)
		}
		want, err := s.Records(v)
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s: reader gives %d records, the store %d, or they differ", v.Name, len(got), len(want))
		}
		if i == 0 {
			continue
		}
		old, new, err := rd.differing(vs[i-1], v)
		if err != nil {
			t.Fatal(err)
		}
		fullOld, err := s.Records(vs[i-1])
		if err != nil {
			t.Fatal(err)
		}
		got1, want1 := diff.Compare(old, new), diff.Compare(fullOld, want)
		if a, b := resultText(got1), resultText(want1); a != b {
			t.Errorf("%s: diff of the records read:\n%s\nwant the diff of full versions:\n%s", v.Name, a, b)
		}
	}
}

// resultText renders a result for comparison.
func resultText(r *diff.Result) string {
	var b strings.Builder
	diff.WriteText(&b, r, false)
	return b.String()
}

func TestNiceTicks(t *testing.T) {
	tests := []struct {
		lo, hi int
		want   string
	}{
		{5851, 6136, "[5800 5900 6000 6100 6200]"},
		{149, 239, "[100 150 200 250]"},
		{59154, 59529, "[59000 59200 59400 59600]"},
		{7, 7, "[6 7 8]"},
		{0, 1, "[-1 0 1 2]"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.lo, "-", tt.hi), func(t *testing.T) {
			ticks, a, b := niceTicks(tt.lo, tt.hi)
			if got := fmt.Sprint(ticks); got != tt.want || a > tt.lo || b < tt.hi {
				t.Errorf("got %s over %d..%d, want %s covering %d..%d", got, a, b, tt.want, tt.lo, tt.hi)
			}
		})
	}
}

func TestThousands(t *testing.T) {
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 14444: "14,444", 65536: "65,536", 1234567: "1,234,567", -4321: "-4,321"} {
		if got := thousands(n); got != want {
			t.Errorf("thousands(%d) = %q, want %q", n, got, want)
		}
	}
}

// TestAcross checks that versions of different source formats are compared
// with diff.CompareAcross when Options.Across says how, and only they.
// TestAcross: an entry between versions of two formats follows
// diff.AcrossFor, as the diff command does: what one format cannot carry
// (an RFC table has no notes, and writes people its own way) and the case
// of names are not changes.
func TestAcross(t *testing.T) {
	xml := []record.Record{
		{Name: "ssh", Protocol: "tcp", Number: "22", Description: "SSH", Note: "see RFC 4251", Contact: []string{"person:Tatu_Ylonen"}},
		{Name: "http", Protocol: "tcp", Number: "80", Description: "HTTP"},
	}
	rfc := []record.Record{
		{Name: "SSH", Protocol: "tcp", Number: "22", Description: "SSH", Contact: []string{"[TY]"}},
		{Name: "HTTP", Protocol: "tcp", Number: "80", Description: "World Wide Web HTTP"},
	}
	s, err := snapshots.Create(filepath.Join(t.TempDir(), "store"))
	if err != nil {
		t.Fatal(err)
	}
	var ps []snapshots.Prepared
	for _, v := range []struct {
		date, format string
		recs         []record.Record
	}{{"2020-01-01", "xml", xml}, {"2020-02-01", "rfc", rfc}, {"2020-03-01", "rfc", rfc}} {
		reg := &record.Registry{ID: testRegistry, Updated: v.date, Format: v.format, Records: v.recs}
		p, err := s.Prepare([]byte(v.date), reg, snapshots.Source{Kind: "file"})
		if err != nil {
			t.Fatal(err)
		}
		ps = append(ps, p)
	}
	if _, err := s.Commit(ps); err != nil {
		t.Fatal(err)
	}
	vs := versions(t, s)
	c, err := Build(context.Background(), s, testRegistry, vs, Options{Until: len(vs) - 1})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, ch := range c.Entries[1].Diff.Changes {
		got = append(got, ch.Kind+" "+portText(ch.Key)+":"+strings.Join(ch.FieldNames(), ","))
	}
	if want := "changed 80/tcp:description"; strings.Join(got, " ") != want {
		t.Errorf("xml → rfc: got changes %q, want %q", got, want)
	}
	// An RFC carries description, refs and contact; contacts are never
	// compared across formats.
	wantIgnored := []string{"assignee", "contact", "registered", "modified", "note", "unauthorized", "service_code"}
	if !slices.Equal(c.Entries[1].Diff.Ignored, wantIgnored) {
		t.Errorf("Ignored = %q, want %q", c.Entries[1].Diff.Ignored, wantIgnored)
	}
	if n := len(c.Entries[0].Diff.Changes); n != 0 || c.Entries[0].Diff.Ignored != nil {
		t.Errorf("rfc → rfc: %d changes, Ignored %q; want none", n, c.Entries[0].Diff.Ignored)
	}
}
