package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the stdout, stderr and exit sections of testdata/*.txtar")

// TestScripts runs the CLI goldens, testdata/*.txtar. Each archive (the
// txtar format of golang.org/x/tools/txtar: a comment, then sections that
// each start with a line "-- NAME --") holds
//
//	setup   regdiff commands run first, one a line, each of which must exit 0
//	args    the command under test
//	stdout, stderr, exit   what it must print, and its exit status
//
// Every command runs in-process with --store set to a fresh temporary
// folder (absent until a setup command creates it), which the output shows
// as $STORE; the folder of this package shows as $CMD. Arguments are split on white space
// (an argument of two single quotes is the empty argument); fixtures are the small
// hand-written files of testdata. go test -update rewrites stdout, stderr
// and exit from what the command does; review the change before committing.
func TestScripts(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.txtar"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no testdata/*.txtar (%v)", err)
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txtar"), func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			a := parseTxtar(data)
			c := newCLI(t)
			for _, line := range strings.Split(a.get("setup"), "\n") {
				if args := strings.Fields(line); len(args) > 0 {
					c.mustRun(args...)
				}
			}
			args := strings.Fields(a.get("args"))
			if len(args) == 0 {
				t.Fatal("no args section")
			}
			for i, arg := range args {
				if arg == "''" { // the empty argument, as __complete diff '' needs
					args[i] = ""
				}
			}
			code, stdout, stderr := c.run(args...)
			wd, err := os.Getwd()
			if err != nil {
				t.Fatal(err)
			}
			// Imports record their files by absolute path.
			clean := strings.NewReplacer(c.store, "$STORE", wd, "$CMD").Replace
			got := map[string]string{
				"stdout": clean(stdout),
				"stderr": clean(stderr),
				"exit":   fmt.Sprintf("%d\n", code),
			}
			if *update {
				for _, name := range []string{"stdout", "stderr", "exit"} {
					a.set(name, got[name])
				}
				if err := os.WriteFile(file, a.format(), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			for _, name := range []string{"exit", "stdout", "stderr"} {
				if want := a.get(name); got[name] != want {
					t.Errorf("regdiff %s: %s differs from %s (go test -update rewrites it):\n--- got\n%s--- want\n%s",
						strings.Join(args, " "), name, file, got[name], want)
				}
			}
		})
	}
}

// txtar is an archive in the txtar format: a comment and named sections.
// A section's text ends with a newline unless it is empty.
type txtar struct {
	comment string
	names   []string
	text    map[string]string
}

func parseTxtar(data []byte) *txtar {
	a := &txtar{text: map[string]string{}}
	cur := ""
	var b strings.Builder
	flush := func() {
		if cur == "" {
			a.comment = b.String()
		} else {
			a.names = append(a.names, cur)
			a.text[cur] = b.String()
		}
		b.Reset()
	}
	for _, line := range strings.SplitAfter(string(data), "\n") {
		if name, ok := sectionName(line); ok {
			flush()
			cur = name
			continue
		}
		b.WriteString(line)
	}
	flush()
	return a
}

// sectionName reports whether line is a section header, "-- NAME --".
func sectionName(line string) (string, bool) {
	line = strings.TrimSuffix(line, "\n")
	if !strings.HasPrefix(line, "-- ") || !strings.HasSuffix(line, " --") || len(line) < 7 {
		return "", false
	}
	return strings.TrimSpace(line[3 : len(line)-3]), true
}

func (a *txtar) get(name string) string { return a.text[name] }

func (a *txtar) set(name, text string) {
	if _, ok := a.text[name]; !ok {
		a.names = append(a.names, name)
	}
	a.text[name] = text
}

func (a *txtar) format() []byte {
	var b bytes.Buffer
	b.WriteString(a.comment)
	for _, name := range a.names {
		fmt.Fprintf(&b, "-- %s --\n", name)
		t := a.text[name]
		b.WriteString(t)
		if t != "" && !strings.HasSuffix(t, "\n") {
			b.WriteString("\n")
		}
	}
	return b.Bytes()
}
