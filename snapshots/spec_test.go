package snapshots

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/regdiff/regdiff/snapshots/record"

	"github.com/go-git/go-git/v5/plumbing"
)

func TestResolve(t *testing.T) {
	vs := []record.Version{
		{Registry: "r", Name: "1990-03", Date: "1990-03", Commit: record.Hash(plumbing.NewHash("aaaaaaa000000000000000000000000000000001"))},
		{Registry: "r", Name: "2019-06-30", Date: "2019-06-30", Commit: record.Hash(plumbing.NewHash("bbbbbbb000000000000000000000000000000002"))},
		{Registry: "r", Name: "2019-12-31", Date: "2019-12-31", Commit: record.Hash(plumbing.NewHash("ccccccc000000000000000000000000000000003"))},
		{Registry: "r", Name: "2019-12-31.2", Date: "2019-12-31", Commit: record.Hash(plumbing.NewHash("ccccccc100000000000000000000000000000004"))},
		{Registry: "r", Name: "2024-03-18", Date: "2024-03-18", Commit: record.Hash(plumbing.NewHash("ddddddd000000000000000000000000000000005"))},
	}
	tests := []struct {
		spec string
		want int
		err  string
	}{
		{spec: "latest", want: 4},
		{spec: "first", want: 0},
		{spec: "2019", want: 3},
		{spec: "2019-06", want: 1},
		{spec: "2019-07-01", want: 1},
		{spec: "2019-12-31", want: 2},   // a version's name: the first of that date
		{spec: "2019-12-31.2", want: 3}, // the second
		{spec: "2019-12-31~1", want: 1},
		{spec: "r/2019-12-31", want: 2},
		{spec: "2019-12", want: 3},    // no version's name: the latest on or before its end
		{spec: "2020-01-01", want: 3}, // likewise
		{spec: "2024-02-29", want: 3}, // a leap day
		{spec: "2000-02-29", want: 0},
		{spec: "r/2019-06-30", want: 1},
		{spec: "1990", want: 0},
		{spec: "1990-03-15", want: 0},
		{spec: "2030", want: 4},
		{spec: "latest~1", want: 3},
		{spec: "latest~4", want: 0},
		{spec: "2019~", want: 2},
		{spec: "bbbbbbb", want: 1},
		{spec: "CCCCCCC1", want: 3},
		{spec: "ccccccc", err: "ambiguous"},
		{spec: "1989", err: "before the oldest version stored, 1990-03"},
		{spec: "latest~5", err: "the oldest stored is 1990-03"},
		{spec: "latest~x", err: "count of versions"},
		{spec: "yesterday", err: "unknown version spec"},
		{spec: "eeeeeee", err: "no stored version"},
		{spec: "", err: "empty"},
		{spec: "2019-13", err: `version spec "2019-13": there is no month 13`},
		{spec: "2019-00", err: `version spec "2019-00": there is no month 00`},
		{spec: "2019-02-30", err: `version spec "2019-02-30": there is no day 30 in February 2019, which has 28 days`},
		{spec: "2024-04-31", err: `version spec "2024-04-31": there is no day 31 in April 2024`},
		{spec: "2023-02-29", err: `version spec "2023-02-29": there is no day 29 in February 2023`},
		{spec: "1900-02-29", err: "no day 29"},
		{spec: "2019-06-00", err: "no day 00"},
		{spec: "2019-13~2", err: "no month 13"},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			got, err := Resolve(vs, tt.spec)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("Resolve(%q) error = %v, want one containing %q", tt.spec, err, tt.err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("Resolve(%q) = %d, %v; want %d", tt.spec, got, err, tt.want)
			}
		})
	}
	if _, err := Resolve(nil, "latest"); err != ErrEmpty {
		t.Errorf("Resolve on no versions: got %v, want ErrEmpty", err)
	}
}

func TestResolveWindow(t *testing.T) {
	vs := []record.Version{
		{Registry: "r", Name: "1990-03", Date: "1990-03"},
		{Registry: "r", Name: "2019-06-30", Date: "2019-06-30"},
		{Registry: "r", Name: "2019-12-31", Date: "2019-12-31"},
		{Registry: "r", Name: "2019-12-31.2", Date: "2019-12-31"},
		{Registry: "r", Name: "2020-01-01", Date: "2020-01-01"},
		{Registry: "r", Name: "2024-03-18", Date: "2024-03-18", Commit: record.Hash(plumbing.NewHash("ddddddd000000000000000000000000000000005"))},
	}
	tests := []struct {
		since, until string
		lo, hi       int // want vs[lo:hi]
		err          string
	}{
		{"", "", 0, 6, ""},
		{"2019", "", 1, 6, ""},
		{"2019-07", "", 2, 6, ""},
		{"2019-12-31", "", 2, 6, ""}, // a date, though a version's name: both versions of the day
		{"2020", "", 4, 6, ""},
		{"2020-01-01", "", 4, 6, ""},
		{"2019-12-31.2", "", 3, 6, ""}, // a version name that is no date: from that version
		{"", "2019", 0, 4, ""},
		{"", "2019-12-30", 0, 2, ""},
		{"", "2019-12-31", 0, 4, ""},
		{"", "2019-12-31.2", 0, 4, ""},
		{"", "first", 0, 1, ""},
		{"2019", "2019", 1, 4, ""},
		{"1990-03", "1990-03", 0, 1, ""},       // a month-only date is the first of the month
		{"1990-03-01", "1990-03-01", 0, 1, ""}, // so it is on the first
		{"1990-03-02", "", 1, 6, ""},           // and before the second
		{"", "1990-02-28", 0, 0, ""},
		{"1900", "1980", 0, 0, ""}, // windows with no version
		{"2025", "", 6, 6, ""},
		{"2021", "2023", 5, 5, ""},
		{"latest~1", "", 4, 6, ""},
		{"latest", "latest", 5, 6, ""},
		{"ddddddd", "", 5, 6, ""},
		{"2019-12-31.2", "2019-12-31", 3, 4, ""},
		{"2019-12-31", "2019-12-31", 2, 4, ""},
		{"latest", "2024-03-18", 5, 6, ""},
		{"2024-02-29", "", 5, 6, ""},
		{"2024", "2019", 0, 0, "since 2024 is later than until 2019"},
		{"2019-12-31", "2019-12-30", 0, 0, "later than until"},
		{"2021-06-20", "2021-06-15", 0, 0, "later than until"}, // no version between, still backwards
		{"latest", "latest~1", 0, 0, "since latest is later than until latest~1"},
		{"2019-12-31.2", "2019-12-31", 3, 4, ""},
		{"latest", "2024-03-17", 0, 0, "later than until"},
		{"2019-13", "", 0, 0, "since 2019-13: there is no month 13"},
		{"", "2023-02-29", 0, 0, "until 2023-02-29: there is no day 29 in February 2023"},
		{"yesterday", "", 0, 0, `since yesterday: unknown version spec "yesterday"`},
		{"", "latest~9", 0, 0, "until latest~9: version spec"},
	}
	for _, tt := range tests {
		t.Run(tt.since+".."+tt.until, func(t *testing.T) {
			lo, hi, err := ResolveWindow(vs, tt.since, tt.until)
			if tt.err != "" {
				var we *WindowError
				if err == nil || !strings.Contains(err.Error(), tt.err) || !errors.As(err, &we) || strings.Contains(err.Error(), "\n") {
					t.Fatalf("ResolveWindow(%q, %q): got error %v, want a *WindowError containing %q", tt.since, tt.until, err, tt.err)
				}
				return
			}
			if err != nil || lo != tt.lo || hi != tt.hi {
				t.Fatalf("ResolveWindow(%q, %q): got %d, %d, %v; want %d, %d", tt.since, tt.until, lo, hi, err, tt.lo, tt.hi)
			}
		})
	}
	if _, _, err := ResolveWindow(nil, "2019", ""); err != ErrEmpty {
		t.Errorf("ResolveWindow on no versions: got %v, want ErrEmpty", err)
	}
	var we *WindowError
	if _, _, err := ResolveWindow(vs, "2024", "2019"); !errors.As(err, &we) || !errors.Is(err, ErrWindowOrder) || we.Bound != "since" || we.Spec != "2024" || we.Until != "2019" {
		t.Errorf("since after until: got %#v, want a WindowError wrapping ErrWindowOrder", err)
	}
}

// TestParsePeriod checks every day from 1899 to 2101 against the time
// package's calendar.
func TestParsePeriod(t *testing.T) {
	for y := 1899; y <= 2101; y++ {
		for m := 0; m <= 13; m++ {
			for d := 0; d <= 32; d++ {
				spec := fmt.Sprintf("%04d-%02d-%02d", y, m, d)
				tm := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
				exists := tm.Format("2006-01-02") == spec
				p, ok, err := parsePeriod(spec)
				if ok != exists || (err == nil) != exists || exists && p != (period{spec, spec}) {
					t.Fatalf("parsePeriod(%q) = %v, %v, %v; the date exists: %v", spec, p, ok, err, exists)
				}
			}
			if m >= 1 && m <= 12 {
				spec := fmt.Sprintf("%04d-%02d", y, m)
				last := time.Date(y, time.Month(m)+1, 0, 0, 0, 0, 0, time.UTC).Format("2006-01-02")
				if p, ok, err := parsePeriod(spec); !ok || err != nil || p != (period{spec + "-01", last}) {
					t.Fatalf("parsePeriod(%q) = %v, %v, %v; want %s-01 … %s", spec, p, ok, err, spec, last)
				}
			}
		}
	}
}

func FuzzResolveWindow(f *testing.F) {
	vs := []record.Version{{Registry: "r", Name: "1990-03", Date: "1990-03"}, {Registry: "r", Name: "2019-06-30", Date: "2019-06-30"},
		{Registry: "r", Name: "2019-06-30.2", Date: "2019-06-30"}}
	for _, s := range [][2]string{{"2019", ""}, {"", "1990-03"}, {"latest", "2019-06"}, {"2019-06-30.2", "2019-06-30"}, {"x", "2019-02-29"}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, since, until string) {
		lo, hi, err := ResolveWindow(vs, since, until)
		if err != nil {
			if strings.Contains(err.Error(), "\n") && !strings.ContainsAny(since+until, "\n") {
				t.Fatalf("ResolveWindow(%q, %q): a multi-line error %q", since, until, err)
			}
			return
		}
		if lo < 0 || hi < lo || hi > len(vs) {
			t.Fatalf("ResolveWindow(%q, %q) = %d, %d: out of range", since, until, lo, hi)
		}
	})
}

func FuzzResolve(f *testing.F) {
	vs := []record.Version{{Registry: "r", Name: "2019-06-30", Date: "2019-06-30"}, {Registry: "r", Name: "1990-03", Date: "1990-03"}}
	for _, s := range []string{"latest~3", "2019", "2019-06-3", "~", "~~1", "r/x", "abcdef0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, spec string) {
		i, err := Resolve(vs, spec)
		if err == nil && (i < 0 || i >= len(vs)) {
			t.Fatalf("Resolve(%q) = %d, out of range", spec, i)
		}
	})
}
