package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// cli runs regdiff in-process against a store in a temporary folder.
type cli struct {
	t     *testing.T
	store string
}

func newCLI(t *testing.T) *cli {
	return &cli{t: t, store: filepath.Join(t.TempDir(), "store")}
}

func (c *cli) run(args ...string) (code int, stdout, stderr string) {
	c.t.Helper()
	var out, errb bytes.Buffer
	io := &streams{
		Out: &out, Err: &errb,
		Getenv:  func(string) string { return "" },
		HomeDir: func() (string, error) { return c.t.TempDir(), nil },
	}
	code = run(context.Background(), io, append([]string{"--store", c.store}, args...))
	return code, out.String(), errb.String()
}

func (c *cli) mustRun(args ...string) string {
	c.t.Helper()
	code, out, errs := c.run(args...)
	if code != 0 {
		c.t.Fatalf("regdiff %s: exit %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), code, out, errs)
	}
	return out
}

// snapshot returns every file of the store with its content, to prove a
// failed command left the store exactly as it was.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	files := map[string]string{}
	filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() && fi.Name() != "regdiff.lock" {
			b, _ := os.ReadFile(p)
			files[p] = string(b)
		}
		return nil
	})
	return files
}

func sameFiles(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func TestImportLogShow(t *testing.T) {
	c := newCLI(t)
	out := c.mustRun("import", "testdata/ports-2024.xml")
	if !strings.Contains(out, "1 new, 0 already stored, 0 refused") {
		t.Errorf("first import summary:\n%s", out)
	}
	out = c.mustRun("import", "testdata/ports-2019.xml", "testdata/ports-2024.xml")
	if !strings.Contains(out, "1 new, 1 already stored, 0 refused") || !strings.Contains(out, "rewritten") {
		t.Errorf("second import summary (an older version after a newer one):\n%s", out)
	}
	out = c.mustRun("log")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "2024-03-18\t") || !strings.HasPrefix(lines[1], "2019-12-31\t") {
		t.Fatalf("log:\n%s", out)
	}
	if !strings.Contains(lines[0], "\t5\txml\tfile ") {
		t.Errorf("log line lacks record count, format or source: %q", lines[0])
	}
	var vs []versionJSON
	if err := json.Unmarshal([]byte(c.mustRun("log", "--json")), &vs); err != nil || len(vs) != 2 {
		t.Fatalf("log --json: %v %+v", err, vs)
	}
	if vs[1].Version != "2019-12-31" || vs[1].Records != 6 || len(vs[1].Sources) != 1 {
		t.Errorf("log --json oldest = %+v", vs[1])
	}
	out = c.mustRun("show", "2020")
	if !strings.Contains(out, "22/tcp\tssh\tThe Secure Shell (SSH) Protocol\n") || !strings.Contains(out, "249-255\t\tReserved\n") {
		t.Errorf("show 2020:\n%s", out)
	}
	var shown struct {
		Entries []json.RawMessage                `json:"entries"`
		Items   []struct{ Element, Text string } `json:"registry_items"`
		People  []struct{ ID string }            `json:"people"`
	}
	if err := json.Unmarshal([]byte(c.mustRun("show", "latest", "--json")), &shown); err != nil {
		t.Fatal(err)
	}
	if len(shown.Entries) != 5 || !slices.ContainsFunc(shown.Items, func(i struct{ Element, Text string }) bool { return i.Element == "updated" && i.Text == "2024-03-18" }) || shown.People == nil {
		t.Errorf("show --json: %d entries, items %v, people %v", len(shown.Entries), shown.Items, shown.People)
	}
	raw := c.mustRun("show", "latest", "--raw")
	want, _ := os.ReadFile("testdata/ports-2024.xml")
	if raw != string(want) {
		t.Errorf("show --raw is not byte-exact")
	}
}

func TestBadInputLeavesStoreAsItWas(t *testing.T) {
	c := newCLI(t)
	c.mustRun("import", "testdata/ports-2019.xml")
	before := snapshot(t, c.store)
	tests := []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"truncated", []string{"import", "testdata/truncated.xml"}, exitRefused, "truncated.xml"},
		{"html page", []string{"import", "testdata/error-page.html"}, exitRefused, "HTML page"},
		{"missing path", []string{"import", "testdata/nope.xml"}, exitError, "nope.xml: no such file"},
		{"text of no known format", []string{"import", "testdata/notes.txt"}, exitRefused, "notes.txt: not a registry file regdiff can read"},
		{"csv with broken quoting", []string{"import", "testdata/broken.csv"}, exitRefused, "broken.csv: line 2: broken quoting"},
		{"csv with no date", []string{"import", "testdata/nodate.csv"}, exitRefused, "nodate.csv: no date to file this version under"},
		{"registry with no <updated>", []string{"import", "testdata/no-updated.xml"}, exitRefused, "no-updated.xml: no date to file this version under (the registry has no <updated> element, and a file has no date of its own); name it with --date"},
		{"rfc without a port table", []string{"import", "testdata/rfc-no-ports.txt"}, exitRefused, "rfc-no-ports.txt: line 2: RFC 1700 has no port table"},
		{"bad spec", []string{"show", "yesterday"}, exitError, "unknown version spec"},
		{"spec too old", []string{"show", "2001"}, exitError, "oldest version stored, 2019-12-31"},
		{"unknown registry", []string{"log", "--registry", "nope"}, exitError, "no versions of nope"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errs := c.run(tt.args...)
			if code != tt.code {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, tt.code, errs)
			}
			if !strings.Contains(errs, tt.msg) || !strings.HasPrefix(errs, "regdiff: ") {
				t.Errorf("stderr %q does not say %q", errs, tt.msg)
			}
			if !sameFiles(before, snapshot(t, c.store)) {
				t.Errorf("store changed")
			}
		})
	}
}

func TestNotAStore(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "thesis.tex"), []byte("precious"), 0o644)
	c := &cli{t: t, store: dir}
	for _, args := range [][]string{{"import", "testdata/ports-2019.xml"}, {"log"}} {
		code, _, errs := c.run(args...)
		if code != exitStore || !strings.Contains(errs, "not a regdiff store") {
			t.Errorf("%v on a foreign folder: exit %d, stderr %q", args, code, errs)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("foreign folder was written to: %v", entries)
	}
}

func TestEmptyStore(t *testing.T) {
	c := newCLI(t)
	code, _, errs := c.run("log")
	if code != exitStore || !strings.Contains(errs, "no store at") || !strings.Contains(errs, "hint: run `regdiff fetch`") {
		t.Errorf("log on no store: exit %d, stderr %q", code, errs)
	}
}
