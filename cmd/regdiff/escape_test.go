package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

// sgr matches the colour codes regdiff itself writes.
var sgr = regexp.MustCompile(`\x1b\[[0-9;]*m`)

// rawControl returns the first control character of out that could steer
// a terminal (C0 but tab and line feed, DEL, C1, invalid UTF-8), once the
// colour codes regdiff adds itself are taken out, or "".
func rawControl(out string) string {
	out = sgr.ReplaceAllString(out, "")
	for i, r := range out {
		if r == utf8.RuneError && strings.HasPrefix(out[i:], "\ufffd") {
			continue
		}
		if r < 0x20 && r != '\n' && r != '\t' || r == 0x7f || 0x80 <= r && r <= 0x9f || r == utf8.RuneError {
			lo := max(0, i-20)
			return strings.ToValidUTF8(out[lo:min(len(out), i+20)], "?")
		}
	}
	return ""
}

// TestNoTerminalEscapes checks that no control character from a registry
// reaches a terminal: a CSV holding "\x1b]0;PWNED\x07\x1b[2J" is refused,
// naming its file and line, and an XML holding what XML allows (the C1 CSI
// U+009B, DEL), imported from a file whose name holds ESC and BEL, shows
// them escaped in every output of diff, history, show, log, changelog and
// registries, text and colour, Markdown, JSON, HTML and Atom alike.
func TestNoTerminalEscapes(t *testing.T) {
	root := t.TempDir()
	c := &cli{t: t, store: filepath.Join(root, "store")}
	write := func(name, content string) string {
		p := filepath.Join(root, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	const evil = "\x1b]0;PWNED\x07\x1b[2J"

	csv := write("evil.csv", "Service Name,Port Number,Transport Protocol,Description,Assignee,Contact,Registration Date,Modification Date,Reference,Service Code,Unauthorized Use Reported,Assignment Notes\n"+
		"evil,7,tcp,\"Evil "+evil+" here\",,,,,,,,\n")
	code, out, errs := c.run("import", "--date", "2020-01-01", csv)
	if code != exitRefused || !strings.Contains(errs, "evil.csv") || !strings.Contains(errs, "line 2") || !strings.Contains(errs, "U+001B is not allowed") {
		t.Errorf("import of a CSV with ESC: exit %d, stderr %q; want %d, the file, line 2 and U+001B", code, errs, exitRefused)
	}
	if s := rawControl(out + errs); s != "" {
		t.Errorf("import's output holds a raw control character: %q", s)
	}

	long := strings.Repeat("many words of a long description ", 8)
	reg := func(updated, desc, extra string) string {
		return `<?xml version="1.0" encoding="UTF-8"?>` + "\n<registry xmlns=\"http://www.iana.org/assignments\" id=\"service-names-port-numbers\">\n" +
			"<title>Ports \u009b2J title</title>\n<updated>" + updated + "</updated>\n" +
			"<record><name>echo\u009b</name><protocol>tcp</protocol><number>7</number><description>" + desc + "</description></record>\n" +
			"<record><name>short</name><protocol>tcp</protocol><number>9</number><description>Short\u009b1;31m</description></record>\n" +
			extra + "</registry>\n"
	}
	v1 := write("v1"+evil+".xml", reg("2020-01-01", long+"old", ""))
	v2 := write("v2"+evil+".xml", reg("2020-02-01", long+"new \u009b2J\x7f end",
		"<record><name>added\u0085</name><protocol>tcp</protocol><number>11</number><description>Added \u009b5m\x7f</description></record>\n"))
	for _, v := range []string{v1, v2} {
		if code, out, errs := c.run("import", v); code != 0 || rawControl(out+errs) != "" {
			t.Fatalf("import %q: exit %d, raw control %q\n%s%s", v, code, rawControl(out+errs), out, errs)
		}
	}

	for _, args := range [][]string{
		{"diff", "2020-01-01", "2020-02-01"},
		{"diff", "--color", "always", "2020-01-01", "2020-02-01"},
		{"diff", "--format", "md", "2020-01-01", "2020-02-01"},
		{"diff", "--json", "2020-01-01", "2020-02-01"},
		{"history", "7"},
		{"history", "--color", "always", "11"},
		{"history", "--json", "7"},
		{"show", "latest"},
		{"show", "--json", "latest"},
		{"log"},
		{"log", "--json"},
		{"changelog"},
		{"changelog", "--format", "html"},
		{"changelog", "--format", "atom"},
		{"changelog", "--format", "json"},
		{"registries"},
		{"registries", "--json"},
	} {
		code, out, errs := c.run(args...)
		if code != 0 {
			t.Errorf("regdiff %s: exit %d\n%s", strings.Join(args, " "), code, errs)
			continue
		}
		if s := rawControl(out + errs); s != "" {
			t.Errorf("regdiff %s: a raw control character reaches the terminal: %q", strings.Join(args, " "), s)
		}
		if !strings.Contains(out, `\u009b`) && !strings.Contains(out, `\\u009b`) && !strings.Contains(out, `\u0085`) && !strings.Contains(out, "PWNED") {
			t.Errorf("regdiff %s: want the controls shown escaped, got:\n%s", strings.Join(args, " "), out)
		}
	}
	if out := c.mustRun("log"); !strings.Contains(out, `v2\x1b]0;PWNED\x07\x1b[2J.xml`) {
		t.Errorf("log: want the file name with ESC and BEL escaped, got:\n%s", out)
	}
	if out := c.mustRun("diff", "--color", "always", "2020-01-01", "2020-02-01"); !strings.Contains(out, "\x1b[32m") {
		t.Errorf("diff --color always: want regdiff's own colours kept, got:\n%q", out)
	}
}
