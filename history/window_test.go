package history

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/regdiff/regdiff/snapshots"
)

// TestWindow clips the histories of the unit-test story (testVersions):
// periods that overlap the window, whole; events of its versions only; the
// verdict about its newest version.
func TestWindow(t *testing.T) {
	s := newStore(t, testVersions())
	tests := []struct {
		query, since, until string
		versions            int
		periods             []string
		events              []string
		verdicts            []string
	}{{
		query: "250/tcp", since: "2020-02", until: "2020-03",
		versions: 3,
		periods: []string{
			"tcp Reserved 2020-01-01..2020-02-01 (2) [249-255]",
			"tcp Assigned 2020-03-01..2020-03-01.2 (2) [249-255; foo 250/tcp]",
		},
		// 2020-02-01 keeps its event against 2020-01-01, outside the window.
		events: []string{
			"2020-02-01 changed 249-255 contact=person:Jon_Postel>person:IANA",
			"2020-03-01 added foo 250/tcp",
		},
		verdicts: []string{"250/tcp: Assigned since 2020-03-01 — foo, 2 versions"},
	}, {
		query: "250/tcp", until: "2020-02-01",
		versions: 2,
		periods:  []string{"tcp Reserved 2020-01-01..2020-02-01 (2) [249-255]"},
		events:   []string{"2020-02-01 changed 249-255 contact=person:Jon_Postel>person:IANA"},
		verdicts: []string{"250/tcp: Reserved since 2020-01-01 (oldest version on record) — in range 249-255, 2 versions"},
	}, {
		// A window inside one period shows it whole, with the whole count.
		query: "253/tcp", since: "2020-03-01.2", until: "2020-03-01.2",
		versions: 1,
		periods:  []string{"tcp Reserved 2020-01-01..2020-04-01 (5) [249-255]"},
		verdicts: []string{"253/tcp: Reserved since 2020-01-01 (oldest version on record) — in range 249-255, 5 versions"},
	}, {
		query: "gone", until: "2020-03",
		versions: 4,
		periods: []string{
			"2000/tcp Assigned 2020-01-01..2020-02-01 (2) [gone 2000/tcp]",
			"2000/tcp Deregistered 2020-03-01..2020-03-01.2 (2) [gone 2000/tcp]",
		},
		events:   []string{"2020-03-01 changed gone 2000/tcp description=Gone service>De-registered"},
		verdicts: []string{"gone 2000/tcp: Deregistered since 2020-03-01, 2 versions"},
	}, {
		// The name is gone from the window's newest version.
		query: "foo", since: "2020-04",
		versions: 1,
		events:   []string{"2020-04-01 removed foo 250/tcp"},
		verdicts: []string{"foo: in no record of the window's 1 version (2020-04-01 … 2020-04-01)"},
	}, {
		query: "foo", until: "2020-02",
		versions: 2,
		verdicts: []string{"foo: in no record of the window's 2 versions (2020-01-01 … 2020-02-01)"},
	}, {
		query: "new", until: "2020-03-01",
		versions: 4,
		periods:  []string{"1000/tcp Assigned 2020-02-01..2020-03-01.2 (3) [new 1000/tcp]"},
		events:   []string{"2020-02-01 renamed new 1000/tcp from old"},
		verdicts: []string{"new 1000/tcp: Assigned since 2020-02-01, 3 versions"},
	}, {
		query: "253", since: "2021",
	}}
	for _, tt := range tests {
		t.Run(tt.query+" "+tt.since+".."+tt.until, func(t *testing.T) {
			full := build(t, s, tt.query)
			before := slices.Clone(eventsText(full))
			h, err := full.Window(tt.since, tt.until)
			if err != nil {
				t.Fatal(err)
			}
			if h.Versions != tt.versions {
				t.Errorf("versions: got %d, want %d", h.Versions, tt.versions)
			}
			if got := periodsText(h); !slices.Equal(got, tt.periods) {
				t.Errorf("periods:\ngot  %q\nwant %q", got, tt.periods)
			}
			if got := eventsText(h); !slices.Equal(got, tt.events) {
				t.Errorf("events:\ngot  %q\nwant %q", got, tt.events)
			}
			if got := h.Verdicts(); !slices.Equal(got, tt.verdicts) {
				t.Errorf("verdicts:\ngot  %q\nwant %q", got, tt.verdicts)
			}
			if h.First != "2020-01-01" || h.Last != "2020-04-01" {
				t.Errorf("record: got %s … %s, want 2020-01-01 … 2020-04-01", h.First, h.Last)
			}
			if !slices.Equal(eventsText(full), before) {
				t.Errorf("Window changed the history it was taken of")
			}
			var text bytes.Buffer
			if err := WriteText(&text, h, false); err != nil {
				t.Fatal(err)
			}
			head, _, _ := strings.Cut(text.String(), "\n")
			want := "of the 5 versions on record (2020-01-01 … 2020-04-01)"
			if tt.versions == 0 {
				want = "no version in the window (5 versions on record, 2020-01-01 … 2020-04-01)"
			}
			if !strings.Contains(head, want) {
				t.Errorf("text header: got %q, want one saying %q", head, want)
			}
		})
	}
	full := build(t, s, "253")
	if h, err := full.Window("", ""); err != nil || h.Versions != 5 || h.From != "2020-01-01" || h.To != "2020-04-01" || len(h.Periods) != len(full.Periods) {
		t.Errorf("no window: got %+v, %v; want the whole history", h, err)
	}
	var we *snapshots.WindowError
	if _, err := full.Window("2020-04", "2020-02"); !errors.As(err, &we) || !errors.Is(err, snapshots.ErrWindowOrder) {
		t.Errorf("since after until: got %v, want a WindowError wrapping ErrWindowOrder", err)
	}
	if _, err := full.Window("2020-02-30", ""); !errors.As(err, &we) || we.Bound != "since" {
		t.Errorf("since 2020-02-30: got %v, want a WindowError of since", err)
	}
}
