package main

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestHistory(t *testing.T) {
	c := newCLI(t)
	c.mustRun("import", "testdata/ports-2019.xml", "testdata/ports-2024.xml")
	out := c.mustRun("history", "81/tcp")
	if !strings.Contains(out, "81/tcp: Assigned since 2024-03-18") {
		t.Errorf("history 81/tcp:\n%s", out)
	}
	var h struct {
		Query    string
		Versions int
		Periods  []struct{ Protocol, Status, From, To string }
		Events   []struct{ Version, Kind string }
	}
	if err := json.Unmarshal([]byte(c.mustRun("history", "81/tcp", "--json")), &h); err != nil {
		t.Fatal(err)
	}
	if h.Versions != 2 || len(h.Periods) != 2 || h.Periods[0].Status != "Unassigned" || h.Periods[1].Status != "Assigned" || h.Periods[1].From != "2024-03-18" {
		t.Errorf("history --json: %+v", h)
	}
	if len(h.Events) == 0 || h.Events[0].Version != "2024-03-18" {
		t.Errorf("events: %+v", h.Events)
	}
	tests := []struct {
		query, msg string
	}{
		{"70000", "out of range"},
		{"htp", "did you mean http"},
		{"22/xyz", "xyz"},
		{"", "a query"},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			code, _, errs := c.run("history", tt.query)
			if code != exitError || !strings.Contains(errs, tt.msg) {
				t.Errorf("exit %d, stderr %q; want %d and %q", code, errs, exitError, tt.msg)
			}
		})
	}
	empty := newCLI(t)
	if code, _, errs := empty.run("history", "253"); code != exitStore {
		t.Errorf("history on no store: exit %d, %q", code, errs)
	}
}
