package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// testGlobals are the globals of a command run with in-memory streams and
// no environment, on a store in a temporary folder.
func testGlobals(t *testing.T, store string) (*globals, *bytes.Buffer, *bytes.Buffer) {
	var out, errb bytes.Buffer
	return &globals{store: store, registry: "service-names-port-numbers", io: &streams{
		Out: &out, Err: &errb,
		Getenv:  func(string) string { return "" },
		HomeDir: func() (string, error) { return t.TempDir(), nil },
	}}, &out, &errb
}

// TestRunFunctions drives each command's runX with its options and
// buffers, as a program embedding the commands would, and checks each
// against the same command run through the command line (whose output the
// goldens in testdata/*.txtar hold).
func TestRunFunctions(t *testing.T) {
	ctx := context.Background()
	store := filepath.Join(t.TempDir(), "store")
	g, _, _ := testGlobals(t, store)
	if err := runImport(ctx, &importOptions{globals: g, inputs: []string{"testdata/ports-2019.xml", "testdata/ports-2024.xml"}, quiet: true}); err != nil {
		t.Fatal(err)
	}
	c := &cli{t: t, store: store}
	tests := []struct {
		args []string
		run  func(g *globals) error
	}{
		{[]string{"diff", "2019", "2024", "--color", "never"}, func(g *globals) error {
			return runDiff(ctx, &diffOptions{globals: g, from: "2019", to: "2024", format: "text", color: "never"})
		}},
		{[]string{"diff", "2019", "--json"}, func(g *globals) error {
			return runDiff(ctx, &diffOptions{globals: g, from: "2019", to: "latest", json: true, color: "auto"})
		}},
		{[]string{"show", "2019", "--json"}, func(g *globals) error {
			return runShow(ctx, &showOptions{globals: g, version: "2019", json: true})
		}},
		{[]string{"log", "-n", "1"}, func(g *globals) error { return runLog(ctx, &logOptions{globals: g, count: 1}) }},
		{[]string{"history", "81", "--json"}, func(g *globals) error {
			return runHistory(ctx, &historyOptions{globals: g, query: "81", json: true, color: "auto"})
		}},
		{[]string{"verify"}, func(g *globals) error { return runVerify(ctx, &verifyOptions{globals: g}) }},
		{[]string{"changelog", "--format", "json"}, func(g *globals) error {
			return runChangelog(ctx, &changelogOptions{globals: g, format: "json"})
		}},
		{[]string{"registries", "--json"}, func(g *globals) error {
			return runRegistries(ctx, &registriesOptions{globals: g, json: true})
		}},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			g, out, errb := testGlobals(t, store)
			if err := tt.run(g); err != nil {
				t.Fatal(err)
			}
			want := c.mustRun(tt.args...)
			if out.String() != want || out.Len() == 0 {
				t.Errorf("runX printed\n%s\nthe command line printed\n%s", out, want)
			}
			if errb.Len() != 0 {
				t.Errorf("stderr: %s", errb)
			}
		})
	}
}

// TestColorRule: the one rule for colour, written out as a table.
func TestColorRule(t *testing.T) {
	tests := []struct {
		flag    string
		tty     bool
		noColor string
		want    bool
		bad     bool
	}{
		{"auto", true, "", true, false},
		{"auto", true, "1", false, false},
		{"auto", false, "", false, false},
		{"always", false, "1", true, false},
		{"never", true, "", false, false},
		{"yes", true, "", false, true},
	}
	for _, tt := range tests {
		g := &globals{io: &streams{OutTTY: tt.tty, Getenv: func(k string) string {
			if k == "NO_COLOR" {
				return tt.noColor
			}
			return ""
		}}}
		got, err := g.color(tt.flag)
		if got != tt.want || (err != nil) != tt.bad {
			t.Errorf("--color %s, terminal %v, NO_COLOR=%q: got %v, %v; want %v, error %v", tt.flag, tt.tty, tt.noColor, got, err, tt.want, tt.bad)
		}
	}
}

// TestProgressRule: progress is drawn on a terminal only, and never when
// quiet.
func TestProgressRule(t *testing.T) {
	for _, tt := range []struct {
		tty, quiet, want bool
	}{{true, false, true}, {true, true, false}, {false, false, false}} {
		var errb bytes.Buffer
		g := &globals{io: &streams{Err: &errb, ErrTTY: tt.tty}}
		p := g.progress("working", tt.quiet)
		p.update(1, 2)
		p.status("step")
		p.done()
		if got := errb.Len() > 0; got != tt.want {
			t.Errorf("terminal %v, quiet %v: drew %q", tt.tty, tt.quiet, errb.String())
		}
	}
}
