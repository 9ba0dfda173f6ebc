package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestPagerRule: the decision, as a table: a terminal, --no-pager, and
// $REGDIFF_PAGER, then $PAGER, then less -FRX; empty or cat is none.
func TestPagerRule(t *testing.T) {
	tests := []struct {
		name    string
		tty     bool
		noPager bool
		env     map[string]string
		want    string
	}{
		{"pipe", false, false, nil, ""},
		{"pipe with PAGER", false, false, map[string]string{"PAGER": "more"}, ""},
		{"terminal, default", true, false, nil, "less -FRX"},
		{"--no-pager", true, true, map[string]string{"PAGER": "more"}, ""},
		{"PAGER", true, false, map[string]string{"PAGER": "more -s"}, "more -s"},
		{"REGDIFF_PAGER first", true, false, map[string]string{"REGDIFF_PAGER": "most", "PAGER": "more"}, "most"},
		{"PAGER empty", true, false, map[string]string{"PAGER": ""}, ""},
		{"REGDIFF_PAGER empty", true, false, map[string]string{"REGDIFF_PAGER": "", "PAGER": "more"}, ""},
		{"PAGER cat", true, false, map[string]string{"PAGER": "cat"}, ""},
		{"REGDIFF_PAGER cat", true, false, map[string]string{"REGDIFF_PAGER": " cat ", "PAGER": "more"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lookup := func(k string) (string, bool) { v, ok := tt.env[k]; return v, ok }
			if got := pagerFor(tt.tty, tt.noPager, lookup); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestPagerArgv(t *testing.T) {
	for line, want := range map[string][]string{
		"less -FRX":            {"less", "-FRX"},
		"  most  ":             {"most"},
		"less | tee /tmp/x":    {"/bin/sh", "-c", "less | tee /tmp/x"},
		`less "-R"`:            {"/bin/sh", "-c", `less "-R"`},
		"LESS=-S less":         {"/bin/sh", "-c", "LESS=-S less"},
		"$HOME/bin/mypager -x": {"/bin/sh", "-c", "$HOME/bin/mypager -x"},
	} {
		if got := pagerArgv(line); strings.Join(got, "\x00") != strings.Join(want, "\x00") {
			t.Errorf("pagerArgv(%q) = %q, want %q", line, got, want)
		}
	}
}

// pagerCLI runs regdiff in-process as on a terminal (OutTTY), with env as
// its whole environment, on a store of the fixtures.
type pagerCLI struct {
	t     *testing.T
	store string
}

func newPagerCLI(t *testing.T) *pagerCLI {
	c := newCLI(t)
	c.mustRun("import", "testdata/ports-2019.xml", "testdata/ports-2024.xml")
	return &pagerCLI{t: t, store: c.store}
}

func (c *pagerCLI) run(env map[string]string, args ...string) (code int, stdout, stderr string) {
	c.t.Helper()
	var out, errb bytes.Buffer
	io := &streams{
		Out: &out, Err: &errb, OutTTY: true,
		Getenv:    func(k string) string { return env[k] },
		LookupEnv: func(k string) (string, bool) { v, ok := env[k]; return v, ok },
		HomeDir:   func() (string, error) { return c.t.TempDir(), nil },
	}
	code = run(context.Background(), io, append([]string{"--store", c.store}, args...))
	if io.pager != nil || io.Out != &out {
		c.t.Errorf("regdiff %s: the pager was not stopped", strings.Join(args, " "))
	}
	return code, out.String(), errb.String()
}

// fakePager writes a pager that copies its input to dir/paged, its
// arguments to dir/args and $LESS to dir/less, and returns its path.
func fakePager(t *testing.T, dir string) string {
	t.Helper()
	script := filepath.Join(dir, "pager")
	body := fmt.Sprintf("#!/bin/sh\necho \"$*\" > %[1]s/args\nprintf %%s \"${LESS-unset}\" > %[1]s/less\ncat > %[1]s/paged\n", dir)
	if err := os.WriteFile(script, []byte(body), 0o755); err != nil {
		t.Fatal(err)
	}
	return script
}

// TestPagerRuns: on a terminal a paged command's output goes through the
// pager (a fake one, a shell script), whole, and regdiff waits for it;
// --no-pager and a pipe write to standard output.
func TestPagerRuns(t *testing.T) {
	c := newPagerCLI(t)
	_, want, _ := c.run(map[string]string{"PAGER": ""}, "2019", "2024", "--color", "never")
	if want == "" {
		t.Fatal("no output without a pager")
	}

	dir := t.TempDir()
	pager := fakePager(t, dir)
	code, stdout, stderr := c.run(map[string]string{"PAGER": pager + " --flag"}, "2019", "2024", "--color", "never")
	if code != 0 || stdout != "" || stderr != "" {
		t.Fatalf("exit %d, stdout %q, stderr %q; want 0 and all output in the pager", code, stdout, stderr)
	}
	paged, _ := os.ReadFile(filepath.Join(dir, "paged"))
	if string(paged) != want {
		t.Errorf("the pager got\n%s\nwant\n%s", paged, want)
	}
	if args, _ := os.ReadFile(filepath.Join(dir, "args")); string(args) != "--flag\n" {
		t.Errorf("the pager's arguments: %q, want --flag", args)
	}
	if less, _ := os.ReadFile(filepath.Join(dir, "less")); string(less) != "FRX" {
		t.Errorf("LESS unset: the pager got LESS=%q, want FRX", less)
	}

	// $LESS set: left as it is.
	t.Setenv("LESS", "-S")
	dir = t.TempDir()
	c.run(map[string]string{"REGDIFF_PAGER": fakePager(t, dir), "LESS": "-S"}, "log")
	if less, _ := os.ReadFile(filepath.Join(dir, "less")); string(less) != "-S" {
		t.Errorf("LESS=-S: the pager got LESS=%q", less)
	}

	// --no-pager: no pager at all.
	dir = t.TempDir()
	code, stdout, _ = c.run(map[string]string{"PAGER": fakePager(t, dir)}, "--no-pager", "2019", "2024", "--color", "never")
	if code != 0 || stdout != want {
		t.Errorf("--no-pager: exit %d, stdout\n%s", code, stdout)
	}
	if _, err := os.Stat(filepath.Join(dir, "paged")); err == nil {
		t.Error("--no-pager: the pager ran")
	}
}

// TestPagedCommands: which commands page. A command that fails before it
// prints starts no pager: its error goes to standard error as ever.
func TestPagedCommands(t *testing.T) {
	c := newPagerCLI(t)
	tests := []struct {
		args  []string
		paged bool
	}{
		{[]string{"2019", "2024"}, true},
		{[]string{"diff", "2019", "--json"}, true},
		{[]string{"history", "81"}, true},
		{[]string{"log"}, true},
		{[]string{"show", "latest"}, true},
		{[]string{"registries"}, true},
		{[]string{"changelog"}, true},
		{[]string{"changelog", "--format", "markdown"}, true},
		{[]string{"changelog", "--format", "json"}, false},
		{[]string{"changelog", "--format", "atom"}, false},
		{[]string{"verify"}, false},
		{[]string{"import", "testdata/ports-2024.xml"}, false},
		{[]string{"version"}, false},
		{[]string{"help"}, false},
		{[]string{"diff", "--help"}, false},
		{[]string{"diff", "1999"}, false}, // an error before any output
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			dir := t.TempDir()
			code, stdout, stderr := c.run(map[string]string{"PAGER": fakePager(t, dir)}, tt.args...)
			paged, err := os.ReadFile(filepath.Join(dir, "paged"))
			ran := err == nil
			if ran != tt.paged {
				t.Fatalf("paged %v, want %v (exit %d, stdout %q, stderr %q)", ran, tt.paged, code, stdout, stderr)
			}
			if tt.paged && (stdout != "" || len(paged) == 0) {
				t.Errorf("paged %q, and stdout %q", paged, stdout)
			}
			if !tt.paged && stdout == "" && stderr == "" {
				t.Error("no output at all")
			}
		})
	}
}

// TestPagerFallback: a pager that cannot be started leaves the output on
// standard output, with no error.
func TestPagerFallback(t *testing.T) {
	c := newPagerCLI(t)
	_, want, _ := c.run(map[string]string{"PAGER": ""}, "log")
	code, stdout, stderr := c.run(map[string]string{"PAGER": filepath.Join(t.TempDir(), "no-such-pager")}, "log")
	if code != 0 || stdout != want || stderr != "" {
		t.Errorf("exit %d, stdout %q, stderr %q; want 0, %q and nothing", code, stdout, stderr, want)
	}
}

// bigPorts writes a port registry of n records dated updated, with
// descriptions that differ by tag, so that its output is larger than a
// pipe's buffer.
func bigPorts(t *testing.T, dir, updated, tag string, n int) string {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "<?xml version='1.0' encoding='UTF-8'?>\n<registry xmlns=\"http://www.iana.org/assignments\" id=\"service-names-port-numbers\">\n  <title>Service Name and Transport Protocol Port Number Registry</title>\n  <updated>%s</updated>\n", updated)
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "  <record>\n    <name>svc%d</name>\n    <protocol>tcp</protocol>\n    <description>Service %d, %s</description>\n    <number>%d</number>\n  </record>\n", i, i, tag, i)
	}
	b.WriteString("</registry>\n")
	p := filepath.Join(dir, updated+".xml")
	if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestPagerQuitEarly: a pager that quits before reading its input (as
// less does on q) costs no error, and the exit status is the command's:
// diff --exit-code still exits 1. The output is larger than a pipe's
// buffer, so the write fails with a broken pipe whatever the timing.
func TestPagerQuitEarly(t *testing.T) {
	dir := t.TempDir()
	c := newCLI(t)
	c.mustRun("import", "-q", bigPorts(t, dir, "2020-01-01", "old", 3000), bigPorts(t, dir, "2021-01-01", "new", 3000))
	pc := &pagerCLI{t: t, store: c.store}
	quit := filepath.Join(dir, "quit")
	if err := os.WriteFile(quit, []byte("#!/bin/sh\nexec <&-\nexit 0\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		args []string
		code int
	}{
		{[]string{"diff", "first", "latest", "--exit-code", "--color", "never"}, exitDiffers},
		{[]string{"show", "latest", "--raw"}, exitOK},
		{[]string{"show", "latest"}, exitOK},
	} {
		code, stdout, stderr := pc.run(map[string]string{"PAGER": quit}, tt.args...)
		if code != tt.code || stdout != "" || stderr != "" {
			t.Errorf("regdiff %s: exit %d, stdout %d bytes, stderr %q; want exit %d and nothing", strings.Join(tt.args, " "), code, len(stdout), stderr, tt.code)
		}
	}
}

// TestPagerDropsAfterQuit: once a write to the pager fails, it and every
// later write are taken as written, and go nowhere.
func TestPagerDropsAfterQuit(t *testing.T) {
	p := &pager{cmd: &exec.Cmd{}, w: failWriter{}}
	p.once.Do(func() {})
	for i := 0; i < 2; i++ {
		if n, err := p.Write([]byte("abc")); n != 3 || err != nil {
			t.Errorf("write %d: %d, %v; want 3, nil", i, n, err)
		}
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.Join(syscall.EPIPE) }
