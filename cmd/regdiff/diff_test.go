package main

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/golden")

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		os.MkdirAll(filepath.Dir(path), 0o755)
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("output differs from %s (go test -update rewrites it):\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

func TestDiff(t *testing.T) {
	c := newCLI(t)
	c.mustRun("import", "testdata/ports-2019.xml", "testdata/ports-2024.xml")
	tests := []struct {
		name string
		args []string
		code int
	}{
		{"text", []string{"2019", "2024"}, 0},
		{"diff command", []string{"diff", "2019", "2024"}, 0},
		{"one version means latest", []string{"diff", "2019"}, 0},
		{"markdown", []string{"diff", "first", "latest", "--format", "md"}, 0},
		{"json", []string{"diff", "2019", "2024", "--json"}, 0},
		{"reversed", []string{"2024", "2019"}, 0},
		{"port filter", []string{"diff", "2019", "2024", "--port", "80-81"}, 0},
		{"kind filter", []string{"diff", "2019", "2024", "--kind", "added", "--protocol", "tcp"}, 0},
		{"status filter", []string{"diff", "2019", "2024", "--status", "Assigned"}, 0},
		{"exit code with differences", []string{"diff", "2019", "2024", "--exit-code"}, 1},
		{"exit code without", []string{"diff", "latest", "latest", "--exit-code"}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errs := c.run(tt.args...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d\n%s%s", code, tt.code, out, errs)
			}
			golden(t, strings.ReplaceAll(tt.name, " ", "-")+".txt", out)
		})
	}
	// The golden files are checked by hand once; these hold whatever they say.
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
		{[]string{"diff", "first", "latest", "--registry", "protocol-numbers"}, exitStore, "no versions of protocol-numbers"},
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
