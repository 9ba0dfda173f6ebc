package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/regdiff/regdiff/internal/shareddata"
)

// TestHistoryTo1990 imports the old formats with a few XML versions and
// checks the story the data README tells of ports 247–255: Reserved since
// RFC 1060 (1990-03), as 247-255 until RFC 1700 and as 249-255 from the
// port-numbers files on, once 247 and 248 were assigned.
func TestHistoryTo1990(t *testing.T) {
	dir := shareddata.Dir(t)
	xmlDir := t.TempDir()
	vs := shareddata.Versions(t, "service-names-port-numbers")
	for _, v := range []shareddata.Version{vs[0], vs[len(vs)-1]} {
		os.WriteFile(filepath.Join(xmlDir, v.Commit+".xml"), shareddata.Read(t, v), 0o644)
	}
	c := newCLI(t)
	code, out, errs := c.run("import", filepath.Join(dir, "legacy", "rfc"), filepath.Join(dir, "legacy", "port-numbers"), xmlDir)
	if code != exitOK {
		t.Fatalf("import: exit %d\n%s%s", code, out, errs)
	}
	type period struct {
		Protocol, Status, From, To string
		Records                    []struct{ Number string }
	}
	type event struct {
		Version, Kind string
		Key           struct{ Number string }
	}
	var h struct {
		Periods []period
		Events  []event
	}
	if err := json.Unmarshal([]byte(c.mustRun("history", "253/tcp", "--json")), &h); err != nil {
		t.Fatal(err)
	}
	if len(h.Periods) != 1 || h.Periods[0].Status != "Reserved" || h.Periods[0].From != "1990-03" {
		t.Errorf("253/tcp periods = %+v, want one Reserved period from 1990-03", h.Periods)
	}
	var removed, added string
	for _, e := range h.Events {
		if e.Kind == "removed" && e.Key.Number == "247-255" {
			removed = e.Version
		}
		if e.Kind == "added" && e.Key.Number == "249-255" {
			added = e.Version
		}
	}
	if removed == "" || removed != added || removed <= "1994-10" || removed > "2004-12" {
		t.Errorf("247-255 → 249-255: removed in %q, added in %q; want one version between 1994 and 2004\n%+v", removed, added, h.Events)
	}
	h.Periods = nil
	if err := json.Unmarshal([]byte(c.mustRun("history", "247/tcp", "--json")), &h); err != nil {
		t.Fatal(err)
	}
	if len(h.Periods) < 2 || h.Periods[0].Status != "Reserved" || h.Periods[0].From != "1990-03" || h.Periods[1].Status != "Assigned" || h.Periods[1].From > "2004-12" {
		t.Errorf("247/tcp periods = %+v, want Reserved from 1990-03 then Assigned by 2004", h.Periods)
	}
	text := c.mustRun("1994", "2004")
	if !strings.Contains(text, "formats differ: 1994-10 is from rfc, 2004-") {
		t.Errorf("a diff across formats does not say so:\n%.400s", text)
	}
}
