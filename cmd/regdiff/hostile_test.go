package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// billionLaughs is the classic entity-expansion attack: a billion "lol"s
// from under a kilobyte, for a parser that expands entities.
func billionLaughs() string {
	var b strings.Builder
	b.WriteString("<?xml version=\"1.0\"?>\n<!DOCTYPE registry [\n <!ENTITY lol \"lol\">\n")
	prev := "lol"
	for i := 1; i <= 9; i++ {
		name := "lol" + string(rune('0'+i))
		b.WriteString(" <!ENTITY " + name + " \"" + strings.Repeat("&"+prev+";", 10) + "\">\n")
		prev = name
	}
	b.WriteString("]>\n<registry id=\"service-names-port-numbers\"><updated>2020-01-01</updated>\n<record><description>&lol9;</description></record></registry>\n")
	return b.String()
}

func registryWith(id, inner string) string {
	return `<?xml version="1.0" encoding="UTF-8"?>` + "\n<registry xmlns=\"http://www.iana.org/assignments\" id=\"" + id + "\">\n<updated>2020-01-01</updated>\n" + inner + "</registry>\n"
}

// TestHostileInput feeds regdiff input built to hurt it. Each must be
// refused with a message naming the input and the problem, leave the store
// as it was, and write nothing anywhere else: the test watches the whole
// folder around the store, and no shell ever sees an argument.
func TestHostileInput(t *testing.T) {
	root := t.TempDir()
	c := &cli{t: t, store: filepath.Join(root, "store")}
	c.mustRun("import", "testdata/ports-2019.xml")
	in := filepath.Join(root, "in")
	if err := os.Mkdir(in, 0o755); err != nil {
		t.Fatal(err)
	}
	write := func(name, content string) string {
		p := filepath.Join(in, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}

	laughs := write("laughs.xml", billionLaughs())
	undeclared := write("undeclared.xml", registryWith("service-names-port-numbers", "<record><description>&lol9;</description></record>\n"))
	deep := write("deep.xml", registryWith("service-names-port-numbers", strings.Repeat("<a>", 100000)+strings.Repeat("</a>", 100000)))
	longAttr := write("long-attr.xml", registryWith("service-names-port-numbers", `<record><xref type="rfc" data="`+strings.Repeat("9", 1<<20)+`"/></record>`))
	escape := write("escape.xml", registryWith("../../etc", "<record><name>x</name><number>1</number></record>\n"))
	// A 2 GB attribute: a sparse file, so the test costs no disk.
	huge := write("huge.xml", `<registry id="service-names-port-numbers" a="`)
	if err := os.Truncate(huge, 2<<30); err != nil {
		t.Fatal(err)
	}

	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/escape.xml":
			w.Write([]byte(registryWith("../../etc", "<record><name>x</name><number>1</number></record>\n")))
		case "/laughs.xml":
			w.Write([]byte(billionLaughs()))
		case "/huge.xml": // an attribute that never ends, as long as the client reads
			w.Write([]byte(`<registry id="service-names-port-numbers" a="`))
			chunk := []byte(strings.Repeat("a", 1<<16))
			for written := 0; written < 2<<30; written += len(chunk) {
				if _, err := w.Write(chunk); err != nil {
					return
				}
			}
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()

	tests := []struct {
		name string
		args []string
		code int
		msgs []string
	}{
		{"billion laughs", []string{"import", laughs}, exitRefused, []string{laughs, "<!DOCTYPE is refused"}},
		{"undeclared entity", []string{"import", undeclared}, exitRefused, []string{undeclared, "&lol9;"}},
		{"deeply nested", []string{"import", deep}, exitRefused, []string{deep, "nested more than 256 deep"}},
		{"1 MiB attribute", []string{"import", longAttr}, exitRefused, []string{longAttr, "line 4: attribute data of <xref> is longer than 65536 bytes"}},
		{"2 GB attribute", []string{"import", huge}, exitRefused, []string{huge, "over the 268435456-byte limit"}},
		{"id escaping the store", []string{"import", escape}, exitRefused, []string{escape, `registry id "../../etc" is not a plain IANA id`}},
		{"file URL to import", []string{"import", "file:///etc/services"}, exitRefused, []string{"file:///etc/services", "give a file:// location as a plain path"}},
		{"ftp URL to import", []string{"import", "ftp://example.org/ports.xml"}, exitRefused, []string{"ftp://example.org/ports.xml", "https, http, git and ssh"}},
		{"fetch billion laughs", []string{"fetch", srv.URL + "/laughs.xml"}, exitRefused, []string{srv.URL + "/laughs.xml", "<!DOCTYPE is refused"}},
		{"fetch id escaping the store", []string{"fetch", srv.URL + "/escape.xml"}, exitRefused, []string{srv.URL + "/escape.xml", `"../../etc" is not a plain IANA id`}},
		{"fetch 2 GB attribute", []string{"fetch", "--retries", "0", srv.URL + "/huge.xml"}, exitRefused, []string{srv.URL + "/huge.xml", "body too large: over the limit of 64 MiB"}},
		{"fetch file URL", []string{"fetch", "file:///etc/passwd"}, exitError, []string{"file:///etc/passwd"}},
		{"fetch other scheme", []string{"fetch", "gopher://example.org/1"}, exitError, []string{"gopher://example.org/1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before, beforeAround := snapshot(t, c.store), around(t, root)
			code, _, errs := c.run(tt.args...)
			if code != tt.code {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, tt.code, errs)
			}
			for _, m := range tt.msgs {
				if !strings.Contains(errs, m) {
					t.Errorf("stderr does not say %q:\n%s", m, errs)
				}
			}
			if strings.Count(strings.TrimSpace(errs), "\n") > 2 {
				t.Errorf("more than a short error:\n%s", errs)
			}
			if !sameFiles(before, snapshot(t, c.store)) {
				t.Errorf("store changed")
			}
			if !sameFiles(beforeAround, around(t, root)) {
				t.Errorf("files changed around the store")
			}
		})
	}
}

// around lists every file under root with its size and modification time:
// reading the 2 GB input's content for each case would take minutes.
func around(t *testing.T, root string) map[string]string {
	t.Helper()
	files := map[string]string{}
	filepath.Walk(root, func(p string, fi os.FileInfo, err error) error {
		if err == nil && fi.Name() != "regdiff.lock" {
			files[p] = fmt.Sprint(fi.Size(), fi.ModTime().UnixNano(), fi.Mode())
		}
		return nil
	})
	return files
}

// TestImportPathWithShellMetacharacters imports a git repository whose path
// would run commands if it ever reached a shell.
func TestImportPathWithShellMetacharacters(t *testing.T) {
	repo := gitRepo(t)
	root := t.TempDir()
	odd := filepath.Join(root, `repo; touch pwned $(touch pwned2) `+"`touch pwned3`"+` | 'x' "y" & *`)
	if err := os.Rename(repo, odd); err != nil {
		t.Fatal(err)
	}
	c := &cli{t: t, store: filepath.Join(root, "store")}
	out := c.mustRun("import", "--ref", "main", odd)
	if !strings.Contains(out, "2 new") {
		t.Errorf("import of %q: %s", odd, out)
	}
	wd, _ := os.Getwd()
	for _, dir := range []string{root, wd, filepath.Dir(odd)} {
		for _, name := range []string{"pwned", "pwned2", "pwned3"} {
			if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
				t.Errorf("%s was created in %s: the path reached a shell", name, dir)
			}
		}
	}
	// The same path, missing: the error names it as given.
	code, _, errs := c.run("import", odd+"-gone")
	if code != exitError || !strings.Contains(errs, odd+"-gone: no such file or folder") {
		t.Errorf("missing odd path: exit %d, stderr %q", code, errs)
	}
}
