package main

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/regdiff/regdiff/internal/realstore"
	"github.com/regdiff/regdiff/internal/shareddata"
)

// Tests of version names, impossible dates and --since/--until windows on
// the store built once from the shared bundle (package realstore). What
// each command should answer is worked out here from the bundle as the git
// command line reads it (package shareddata): its dates, its order (which
// is publication order) and its bytes.

const portsRegistry = "service-names-port-numbers"

// realCLI runs regdiff on the shared real store, which it must not write
// to; copy gives a private copy instead, for commands that write (history
// saves its cache into the store). It returns, per registry, the bundle
// versions the store holds, oldest first.
func realCLI(t *testing.T, copy bool) (*cli, map[string][]shareddata.Version) {
	t.Helper()
	dir, versions := realstore.Store(t)
	if copy {
		dir = realstore.Copy(t)
	}
	return &cli{t: t, store: dir}, versions
}

// bundleNames names the bundle's versions as the store should: by date,
// with ".2", ".3", … for further versions of the same date, in bundle
// order.
func bundleNames(vs []shareddata.Version) []string {
	names := make([]string, len(vs))
	for i, v := range vs {
		n := 1
		for j := i - 1; j >= 0 && vs[j].Date == v.Date; j-- {
			n++
		}
		names[i] = v.Date
		if n > 1 {
			names[i] += "." + strconv.Itoa(n)
		}
	}
	return names
}

func TestExactVersionNameOnRealData(t *testing.T) {
	c, versions := realCLI(t, false)
	groups := 0
	for _, reg := range realstore.Registries {
		vs := versions[reg]
		for _, g := range realstore.SameDate(vs) {
			groups++
			names := make([]string, len(g))
			for k := range g {
				names[k] = g[0].Date
				if k > 0 {
					names[k] += "." + strconv.Itoa(k+1)
				}
			}
			for k, v := range g {
				t.Run(reg+"/show "+names[k], func(t *testing.T) {
					got := c.mustRun("--registry", reg, "show", names[k], "--raw")
					if want := shareddata.Read(t, v); got != string(want) {
						t.Errorf("show %s --raw: got %d bytes that differ from the bundle's version %d of %s (commit %s, %d bytes)",
							names[k], len(got), k+1, g[0].Date, v.Commit[:12], len(want))
					}
				})
			}
			t.Run(reg+"/diff "+names[0]+" "+names[1], func(t *testing.T) {
				var res struct {
					From, To struct{ Version, Commit string }
				}
				out := c.mustRun("--registry", reg, "diff", names[0], names[1], "--json")
				if err := json.Unmarshal([]byte(out), &res); err != nil {
					t.Fatal(err)
				}
				if res.From.Version != names[0] || res.To.Version != names[1] || res.From.Commit == res.To.Commit {
					t.Errorf("diff %s %s: got from %s (%.12s) to %s (%.12s), want from %s to %s, two different versions",
						names[0], names[1], res.From.Version, res.From.Commit, res.To.Version, res.To.Commit, names[0], names[1])
				}
			})
		}
	}
	if groups == 0 {
		t.Fatal("the bundle has no two versions of one date: this test checks nothing")
	}
}

// TestDateSpecOnRealData: a date that is no version's name means the
// latest version on or before the end of that period.
func TestDateSpecOnRealData(t *testing.T) {
	c, versions := realCLI(t, false)
	vs := versions[portsRegistry]
	names := bundleNames(vs)
	isName := map[string]bool{}
	for _, n := range names {
		isName[n] = true
	}
	// Each year of the data, a month of each year, and the day after some
	// versions when no version has that date.
	var specs []string
	for i, v := range vs {
		day, _ := time.Parse("2006-01-02", v.Date)
		next := day.AddDate(0, 0, 1).Format("2006-01-02")
		for _, sp := range []string{v.Date[:4], v.Date[:7], next} {
			if !isName[sp] && !slices.Contains(specs, sp) && (len(sp) == 4 || i%10 == 0) {
				specs = append(specs, sp)
			}
		}
	}
	for _, sp := range specs {
		want := ""
		for i, v := range vs {
			if v.Date <= lastDay(t, sp) {
				want = names[i]
			}
		}
		var got struct{ From, To struct{ Version string } }
		if err := json.Unmarshal([]byte(c.mustRun("diff", sp, sp, "--json")), &got); err != nil {
			t.Fatal(err)
		}
		if got.From.Version != want || got.To.Version != want {
			t.Errorf("diff %s %s: got versions %s and %s, want %s, the latest on or before %s", sp, sp, got.From.Version, got.To.Version, want, lastDay(t, sp))
		}
	}
}

func TestImpossibleDatesOnRealData(t *testing.T) {
	c, _ := realCLI(t, false)
	tests := []struct {
		args []string
		spec string // what the message must name
	}{
		{[]string{"show", "2019-13"}, "2019-13"},
		{[]string{"show", "2019-00"}, "2019-00"},
		{[]string{"show", "2019-02-30"}, "2019-02-30"},
		{[]string{"show", "2024-04-31"}, "2024-04-31"},
		{[]string{"show", "2023-02-29"}, "2023-02-29"},
		{[]string{"show", "2019-06-00"}, "2019-06-00"},
		{[]string{"diff", "2019-02-30", "latest"}, "2019-02-30"},
		{[]string{"2019", "2024-04-31"}, "2024-04-31"},
		{[]string{"show", "2019-13~1"}, "2019-13"},
		{[]string{"log", "--since", "2019-13"}, "--since 2019-13"},
		{[]string{"log", "--until", "2019-00"}, "--until 2019-00"},
		{[]string{"changelog", "--since", "2019-02-30"}, "--since 2019-02-30"},
		{[]string{"changelog", "--until", "2023-02-29"}, "--until 2023-02-29"},
		{[]string{"log", "--since", "2024-04-31"}, "--since 2024-04-31"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, out, errs := c.run(tt.args...)
			lines := strings.Split(strings.TrimSpace(errs), "\n")
			if code != exitError || out != "" || !strings.HasPrefix(lines[0], "regdiff: ") || !strings.Contains(lines[0], tt.spec) {
				t.Errorf("got exit %d, stdout %d bytes, stderr %q; want exit %d, no output and a line naming %s",
					code, len(out), errs, exitError, tt.spec)
			}
			for _, l := range lines[1:] {
				if !strings.HasPrefix(l, "hint: ") {
					t.Errorf("the error takes more than one line: %q", errs)
				}
			}
		})
	}
	// Leap days that exist.
	for _, args := range [][]string{{"show", "2024-02-29", "--json"}, {"show", "2020-02-29", "--json"}, {"log", "--since", "2024-02-29"}} {
		if code, _, errs := c.run(args...); code != exitOK {
			t.Errorf("%s: got exit %d, stderr %q; want 0", strings.Join(args, " "), code, errs)
		}
	}
}

// lastDay is the last day of a YYYY, YYYY-MM or YYYY-MM-DD period.
func lastDay(t *testing.T, d string) string {
	t.Helper()
	switch len(d) {
	case 4:
		return d + "-12-31"
	case 7:
		m, err := time.Parse("2006-01", d)
		if err != nil {
			t.Fatal(err)
		}
		return m.AddDate(0, 1, -1).Format("2006-01-02")
	}
	return d
}

// firstDay is the first day of a YYYY, YYYY-MM or YYYY-MM-DD period.
func firstDay(d string) string {
	return d + "-01-01"[len(d)-4:]
}

type realWindow struct {
	args         []string
	since, until string // dates; "" for no bound
}

var realWindows = []realWindow{
	{[]string{"--since", "2023"}, "2023", ""},
	{[]string{"--since", "2021-06"}, "2021-06", ""},
	{[]string{"--since", "2021-04-07"}, "2021-04-07", ""},
	{[]string{"--until", "2020"}, "", "2020"},
	{[]string{"--since", "2019", "--until", "2020-06"}, "2019", "2020-06"},
}

// windowIndexes returns the bundle versions the window keeps, as lo, hi
// (vs[lo:hi]), from the bundle's dates.
func windowIndexes(t *testing.T, vs []shareddata.Version, w realWindow) (lo, hi int) {
	t.Helper()
	lo, hi = -1, -1
	for i, v := range vs {
		if (w.since == "" || v.Date >= firstDay(w.since)) && (w.until == "" || v.Date <= lastDay(t, w.until)) {
			if lo < 0 {
				lo = i
			}
			if hi >= 0 && hi != i {
				t.Fatalf("window %v keeps versions that are not consecutive", w.args)
			}
			hi = i + 1
		}
	}
	if lo < 0 || hi-lo < 2 {
		t.Fatalf("window %v keeps %d versions of the real data: pick one with more", w.args, max(0, hi-lo))
	}
	return lo, hi
}

func newestFirst(s []string) []string {
	s = slices.Clone(s)
	slices.Reverse(s)
	return s
}

func TestWindowLogOnRealData(t *testing.T) {
	c, versions := realCLI(t, false)
	vs := versions[portsRegistry]
	names := bundleNames(vs)
	for _, w := range realWindows {
		t.Run(strings.Join(w.args, " "), func(t *testing.T) {
			lo, hi := windowIndexes(t, vs, w)
			want := newestFirst(names[lo:hi])
			var got []versionJSON
			if err := json.Unmarshal([]byte(c.mustRun(append([]string{"log", "--json"}, w.args...)...)), &got); err != nil {
				t.Fatal(err)
			}
			if g := logNames(got); !slices.Equal(g, want) {
				t.Errorf("log --json %s: got %d versions %v\nwant %d versions %v", strings.Join(w.args, " "), len(g), g, len(want), want)
			}
			text := c.mustRun(append([]string{"log"}, w.args...)...)
			if n := strings.Count(text, "\n"); n != len(want) || !strings.HasPrefix(text, want[0]+"\t") {
				t.Errorf("log %s: got %d lines starting %.30q, want %d starting %s", strings.Join(w.args, " "), n, text, len(want), want[0])
			}
			var top []versionJSON
			if err := json.Unmarshal([]byte(c.mustRun(append([]string{"log", "--json", "-n", "2"}, w.args...)...)), &top); err != nil {
				t.Fatal(err)
			}
			if g := logNames(top); !slices.Equal(g, want[:2]) {
				t.Errorf("log -n 2 %s: got %v, want the 2 newest of the window %v", strings.Join(w.args, " "), g, want[:2])
			}
		})
	}
}

func logNames(vs []versionJSON) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = v.Version
	}
	return out
}

func TestWindowChangelogOnRealData(t *testing.T) {
	c, versions := realCLI(t, false)
	vs := versions[portsRegistry]
	names := bundleNames(vs)
	for _, w := range realWindows {
		t.Run(strings.Join(w.args, " "), func(t *testing.T) {
			lo, hi := windowIndexes(t, vs, w)
			want := newestFirst(names[lo:hi])
			var entries []struct {
				From, To struct{ Version string }
			}
			out := c.mustRun(append([]string{"changelog", "--format", "json"}, w.args...)...)
			if err := json.Unmarshal([]byte(out), &entries); err != nil {
				t.Fatal(err)
			}
			got := make([]string, len(entries))
			for i, e := range entries {
				got[i] = e.To.Version
			}
			if !slices.Equal(got, want) {
				t.Fatalf("changelog %s: got %d entries %v\nwant %d: %v", strings.Join(w.args, " "), len(got), got, len(want), want)
			}
			wantFrom := ""
			if lo > 0 {
				wantFrom = names[lo-1]
			}
			if from := entries[len(entries)-1].From.Version; from != wantFrom {
				t.Errorf("changelog %s: the entry of %s is from %q, want from %q, the version just before the window",
					strings.Join(w.args, " "), want[len(want)-1], from, wantFrom)
			}
		})
	}
}

type historyJSON struct {
	Versions int `json:"versions"`
	Periods  []struct {
		Protocol, Status, From, To string
		Versions                   int
	} `json:"periods"`
	Events []json.RawMessage `json:"events"`
}

func TestWindowHistoryOnRealData(t *testing.T) {
	c, versions := realCLI(t, true)
	vs := versions[portsRegistry]
	names := bundleNames(vs)
	index := map[string]int{}
	for i, n := range names {
		index[n] = i
	}
	var all historyJSON
	if err := json.Unmarshal([]byte(c.mustRun("history", "22", "--json")), &all); err != nil {
		t.Fatal(err)
	}
	for _, w := range realWindows {
		t.Run(strings.Join(w.args, " "), func(t *testing.T) {
			lo, hi := windowIndexes(t, vs, w)
			var got historyJSON
			if err := json.Unmarshal([]byte(c.mustRun(append([]string{"history", "22", "--json"}, w.args...)...)), &got); err != nil {
				t.Fatal(err)
			}
			if got.Versions != hi-lo {
				t.Errorf("versions: got %d, want %d in the window", got.Versions, hi-lo)
			}
			var wantEvents []string
			for _, e := range all.Events {
				var ev struct{ Version string }
				json.Unmarshal(e, &ev)
				if i, ok := index[ev.Version]; !ok {
					t.Fatalf("event of version %s, which the bundle does not have", ev.Version)
				} else if i >= lo && i < hi {
					wantEvents = append(wantEvents, string(e))
				}
			}
			var gotEvents []string
			for _, e := range got.Events {
				gotEvents = append(gotEvents, string(e))
			}
			if !slices.Equal(gotEvents, wantEvents) {
				t.Errorf("events: got %d, want the %d of versions %s … %s:\ngot  %s\nwant %s",
					len(gotEvents), len(wantEvents), names[lo], names[hi-1], gotEvents, wantEvents)
			}
			var wantPeriods []string
			for _, p := range all.Periods {
				if index[p.From] < hi && index[p.To] >= lo {
					wantPeriods = append(wantPeriods, fmt.Sprint(p))
				}
			}
			var gotPeriods []string
			for _, p := range got.Periods {
				gotPeriods = append(gotPeriods, fmt.Sprint(p))
			}
			if !slices.Equal(gotPeriods, wantPeriods) {
				t.Errorf("periods: got %v\nwant the whole periods that overlap %s … %s: %v", gotPeriods, names[lo], names[hi-1], wantPeriods)
			}
		})
	}
	// The verdict is about the newest period in the window, shown whole.
	for _, args := range [][]string{{"--since", "2019", "--until", "2020-06"}, {"--since", "2023"}} {
		text := c.mustRun(append([]string{"history", "253/tcp"}, args...)...)
		if want := "253/tcp: Reserved since " + names[0] + " (oldest version on record)"; !strings.Contains(text, want) {
			t.Errorf("history 253/tcp %s: got\n%s\nwant a verdict %q", strings.Join(args, " "), text, want)
		}
	}
}

func TestEmptyWindowOnRealData(t *testing.T) {
	c, versions := realCLI(t, false)
	newest := bundleNames(versions[portsRegistry])
	// The newest date, plus one day: no version is that recent.
	last, _ := time.Parse("2006-01-02", versions[portsRegistry][len(newest)-1].Date)
	after := last.AddDate(0, 0, 1).Format("2006-01-02")

	for _, args := range [][]string{{"log", "--since", after}, {"log", "--until", "2012"}, {"log", "--json", "--since", after}} {
		code, out, errs := c.run(args...)
		if code != exitOK || errs != "" || (out != "" && strings.TrimSpace(out) != "[]") {
			t.Errorf("%s: got exit %d, stdout %q, stderr %q; want exit 0 and nothing (or [] for --json)", strings.Join(args, " "), code, out, errs)
		}
	}
	for _, format := range []string{"md", "html", "json", "atom"} {
		t.Run("changelog "+format, func(t *testing.T) {
			code, out, errs := c.run("changelog", "--format", format, "--since", after)
			if code != exitOK || !strings.Contains(errs, "no version") {
				t.Fatalf("changelog --since %s: got exit %d, stderr %q; want 0 and a line that says there is no version", after, code, errs)
			}
			switch format {
			case "json":
				var entries []any
				if err := json.Unmarshal([]byte(out), &entries); err != nil || entries == nil || len(entries) != 0 {
					t.Errorf("json: got %q (%v), want an empty array", out, err)
				}
			case "atom":
				var feed struct {
					XMLName xml.Name
					Updated string `xml:"updated"`
					Entries []any  `xml:"entry"`
				}
				if err := xml.Unmarshal([]byte(out), &feed); err != nil || feed.XMLName.Local != "feed" || len(feed.Entries) != 0 {
					t.Errorf("atom: got %v %+v, want a feed with no entries", err, feed)
				}
				if _, err := time.Parse(time.RFC3339, feed.Updated); err != nil {
					t.Errorf("atom: updated %q is no RFC 3339 date: %v", feed.Updated, err)
				}
			case "html":
				if !strings.Contains(out, "</html>") || strings.Contains(out, "no port records") || !strings.Contains(out, "no versions") {
					t.Errorf("html: got a page that does not say there are no versions in range, or claims the registry has no port records:\n%.600s", out)
				}
			case "md":
				if !strings.HasPrefix(out, "# ") || !strings.Contains(out, "no versions") {
					t.Errorf("md: got %q, want a title and a line saying there are no versions", out)
				}
			}
		})
	}
	hc, _ := realCLI(t, true)
	for _, args := range [][]string{{"history", "22", "--since", after}, {"history", "22", "--until", "2012", "--json"}} {
		code, out, errs := hc.run(args...)
		if code != exitOK || !strings.Contains(out+errs, "no version") {
			t.Errorf("%s: got exit %d, stdout %q, stderr %q; want 0 and a line that says there is no version", strings.Join(args, " "), code, out, errs)
		}
		if slices.Contains(args, "--json") {
			var h historyJSON
			if err := json.Unmarshal([]byte(out), &h); err != nil || h.Versions != 0 || len(h.Periods)+len(h.Events) != 0 {
				t.Errorf("%s: got %v %+v, want a history of no versions", strings.Join(args, " "), err, h)
			}
		}
	}
}

func TestWindowErrorsOnRealData(t *testing.T) {
	c, _ := realCLI(t, false)
	tests := []struct {
		args []string
		want []string // what the one line must name
	}{
		{[]string{"--since", "2024", "--until", "2019"}, []string{"--since 2024", "--until 2019"}},
		{[]string{"--since", "2021-06-20", "--until", "2021-06-15"}, []string{"--since 2021-06-20", "--until 2021-06-15"}},
		{[]string{"--since", "latest", "--until", "latest~1"}, []string{"--since latest", "--until latest~1"}},
		{[]string{"--since", "latest", "--until", "2020"}, []string{"--since latest", "--until 2020"}},
		{[]string{"--since", "yesterday"}, []string{"--since yesterday"}},
		{[]string{"--until", "latest~9999"}, []string{"--until latest~9999"}},
		{[]string{"--since", "2019-13"}, []string{"--since 2019-13"}},
	}
	for _, cmd := range [][]string{{"log"}, {"changelog", "--format", "json"}, {"history", "22"}} {
		for _, tt := range tests {
			args := append(slices.Clone(cmd), tt.args...)
			t.Run(strings.Join(args, " "), func(t *testing.T) {
				code, out, errs := c.run(args...)
				first, _, _ := strings.Cut(errs, "\n")
				ok := code == exitError && out == "" && strings.HasPrefix(first, "regdiff: ")
				for _, w := range tt.want {
					ok = ok && strings.Contains(first, w)
				}
				if !ok {
					t.Errorf("got exit %d, stdout %d bytes, stderr %q; want exit %d and a line naming %v", code, len(out), errs, exitError, tt.want)
				}
			})
		}
	}
}

// TestWindowVersionBounds: a bound that is not a date is a version spec and
// keeps versions from or to that version, inclusive.
func TestWindowVersionBoundsOnRealData(t *testing.T) {
	c, versions := realCLI(t, false)
	names := bundleNames(versions[portsRegistry])
	n := len(names)
	var second string // the second version of a date, if the data has one
	for i, name := range names {
		if strings.HasSuffix(name, ".2") {
			second = name
			if got := windowLog(t, c, "--since", name, "--until", name); !slices.Equal(got, []string{name}) {
				t.Errorf("log --since %s --until %s: got %v, want that version alone", name, name, got)
			}
			if got := windowLog(t, c, "--since", name); !slices.Equal(got, newestFirst(names[i:])) {
				t.Errorf("log --since %s: got %v, want %v", name, got, newestFirst(names[i:]))
			}
		}
	}
	if second == "" {
		t.Error("no date of the real data has two versions")
	}
	// A date is a window even when it is a version's name: both versions of
	// that day.
	for _, g := range realstore.SameDate(versions[portsRegistry]) {
		d := g[0].Date
		var want []string
		for _, name := range names {
			if strings.HasPrefix(name, d) {
				want = append(want, name)
			}
		}
		if got := windowLog(t, c, "--since", d, "--until", d); !slices.Equal(got, newestFirst(want)) || len(want) != len(g) {
			t.Errorf("log --since %s --until %s: got %v, want the %d versions of that date %v", d, d, got, len(g), newestFirst(want))
		}
	}
	var entries []struct{ From, To struct{ Version string } }
	if err := json.Unmarshal([]byte(c.mustRun("changelog", "--since", "latest~3", "--format", "json")), &entries); err != nil {
		t.Fatal(err)
	}
	if len(entries) != 4 || entries[0].To.Version != names[n-1] || entries[3].To.Version != names[n-4] || entries[3].From.Version != names[n-5] {
		t.Errorf("changelog --since latest~3: got %+v, want the entries of %v, the oldest from %s", entries, newestFirst(names[n-4:]), names[n-5])
	}
	if got := windowLog(t, c, "--since", "latest~3"); !slices.Equal(got, newestFirst(names[n-4:])) {
		t.Errorf("log --since latest~3: got %v, want %v", got, newestFirst(names[n-4:]))
	}
	if got := windowLog(t, c, "--until", "first"); !slices.Equal(got, names[:1]) {
		t.Errorf("log --until first: got %v, want %v", got, names[:1])
	}
}

func windowLog(t *testing.T, c *cli, args ...string) []string {
	t.Helper()
	var got []versionJSON
	out := c.mustRun(append([]string{"log", "--json"}, args...)...)
	if err := json.NewDecoder(bytes.NewReader([]byte(out))).Decode(&got); err != nil {
		t.Fatal(err)
	}
	return logNames(got)
}
