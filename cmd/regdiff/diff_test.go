package main

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestDiff(t *testing.T) {
	c := newCLI(t)
	c.mustRun("import", "testdata/ports-2019.xml", "testdata/ports-2024.xml")
	// The goldens (testdata/diff-*.txtar) were checked by hand once; this
	// checks the JSON against the fixtures themselves.
	_, out, _ := c.run("diff", "2019", "2024", "--json")
	var res struct {
		Registry string
		From     struct{ Version string }
		To       struct{ Version string }
		Summary  map[string]int
		Changes  []struct {
			Kind string
			Key  struct{ Name, Protocol, Number string }
		}
		Transitions []struct{ Protocol, Ports, From, To string }
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err)
	}
	if res.From.Version != "2019-12-31" || res.To.Version != "2024-03-18" || res.Registry != "service-names-port-numbers" {
		t.Errorf("header: %+v", res)
	}
	// Fixtures: 81/tcp Unassigned → newsvc, http changed, oldsvc removed.
	want := map[string]int{"added": 1, "removed": 2, "changed": 1, "renamed": 0}
	for k, n := range want {
		if res.Summary[k] != n {
			t.Errorf("summary[%s] = %d, want %d (%v)", k, res.Summary[k], n, res.Summary)
		}
	}
	found := false
	for _, tr := range res.Transitions {
		if tr.Protocol == "tcp" && tr.Ports == "81" && tr.From == "Unassigned" && tr.To == "Assigned" {
			found = true
		}
	}
	if !found {
		t.Errorf("no 81/tcp Unassigned → Assigned transition in %+v", res.Transitions)
	}
}

func TestDiffErrors(t *testing.T) {
	c := newCLI(t)
	code, _, errs := c.run("2019", "2024")
	if code != exitStore || !strings.Contains(errs, "no store at") {
		t.Errorf("diff on no store: exit %d, %q", code, errs)
	}
	c.mustRun("import", "testdata/ports-2019.xml")
	tests := []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"diff", "nonsense", "latest"}, exitError, `unknown version spec "nonsense"`},
		{[]string{"improt", "x"}, exitError, "regdiff help"},
		{[]string{"diff", "2010", "latest"}, exitError, "before the oldest version stored, 2019-12-31"},
		{[]string{"diff", "first", "latest", "--registry", "protocol-numbers"}, exitError, "no versions of protocol-numbers"},
		{[]string{"diff", "first", "--format", "yaml"}, exitError, `unknown --format "yaml"`},
		{[]string{"diff", "first", "--port", "70000"}, exitError, "65535"},
		{[]string{"diff", "first", "--kind", "moved"}, exitError, "moved"},
		{[]string{"diff", "first", "--status", "free"}, exitError, `unknown port status "free"`},
		{[]string{"diff", "first", "--name", "[a"}, exitError, `invalid name pattern "[a"`},
		{[]string{"diff", "first", "--protocol", "tpc"}, exitError, `unknown protocol "tpc" (want tcp, udp, sctp, dccp)`},
		{[]string{"diff", "first", "--protocol", "tcp,TPC"}, exitError, `unknown protocol "tpc" (want tcp, udp, sctp, dccp)`},
		{[]string{"diff", "first", "--color", "blue"}, exitError, `unknown --color "blue": use auto, always or never`},
		{[]string{"first", "latest", "--color", "blue"}, exitError, `unknown --color "blue": use auto, always or never`},
		{[]string{"history", "22", "--color", "blue"}, exitError, `unknown --color "blue": use auto, always or never`},
		{[]string{"diff", "first", "--color", "never", "--protocol", "udp"}, exitOK, ""},
		{[]string{"history", "22", "--color", "always"}, exitOK, ""},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, _, errs := c.run(tt.args...)
			if code != tt.code || !strings.Contains(errs, tt.msg) {
				t.Errorf("exit %d (want %d), stderr %q (want it to contain %q)", code, tt.code, errs, tt.msg)
			}
			if strings.Count(strings.TrimSpace(errs), "\n") > 1 {
				t.Errorf("more than an error line and a hint:\n%s", errs)
			}
		})
	}
}
