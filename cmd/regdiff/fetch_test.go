package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// iana is a loopback stand-in for www.iana.org/assignments.
type iana struct {
	mu       sync.Mutex
	bodies   map[string][]byte // registry id → body
	status   map[string][]int  // registry id → statuses to answer first
	requests atomic.Int32
	*httptest.Server
}

func newIANA(t *testing.T) *iana {
	read := func(name string) []byte {
		b, err := os.ReadFile("testdata/" + name)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	s := &iana{
		bodies: map[string][]byte{"service-names-port-numbers": read("ports-2019.xml"), "protocol-numbers": read("protocols.xml")},
		status: map[string][]int{},
	}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.requests.Add(1)
		id, _, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
		s.mu.Lock()
		body, ok := s.bodies[id]
		var st int
		if q := s.status[id]; len(q) > 0 {
			st, s.status[id] = q[0], q[1:]
		}
		s.mu.Unlock()
		if st != 0 {
			w.WriteHeader(st)
			return
		}
		if !ok {
			http.NotFound(w, r)
			return
		}
		etag := `"` + string(rune('a'+len(body)%26)) + `"`
		if r.Header.Get("If-None-Match") == etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", etag)
		w.Write(body)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *iana) set(id string, body []byte) {
	s.mu.Lock()
	s.bodies[id] = body
	s.mu.Unlock()
}

func TestFetch(t *testing.T) {
	srv := newIANA(t)
	c := newCLI(t)
	fetch := func(args ...string) (int, string, string) {
		return c.run(append([]string{"fetch", "--mirror", srv.URL, "--backoff", "1ms"}, args...)...)
	}
	code, out, errs := fetch()
	if code != exitOK || !strings.Contains(out, "service-names-port-numbers: archived 2019-12-31 (6 records)") || !strings.Contains(out, "protocol-numbers: archived 2024-01-08 (3 records)") {
		t.Fatalf("first fetch: exit %d\n%s%s", code, out, errs)
	}
	code, out, _ = fetch()
	if code != exitOK || strings.Count(out, "unchanged (server says not modified)") != 2 {
		t.Errorf("second fetch: exit %d, want 0 and two 304s:\n%s", code, out)
	}
	if code, out, _ = fetch("--quiet", "--exit-code"); code != exitUnchanged || out != "" {
		t.Errorf("fetch --quiet --exit-code with nothing new: exit %d, output %q; want %d and nothing", code, out, exitUnchanged)
	}

	before := snapshot(t, c.store)
	bad := []struct {
		name string
		body string
		code int
		msg  string
	}{
		{"html error page", "<!DOCTYPE html><html><body>Service Unavailable</body></html>", exitRefused, "HTML page"},
		{"truncated", mustRead(t, "testdata/truncated.xml"), exitRefused, "not a valid registry"},
		{"another registry", mustRead(t, "testdata/protocols.xml"), exitRefused, `serves registry "protocol-numbers", expected "service-names-port-numbers"`},
		{"far fewer records", fewer(t), exitRefused, "1 records, under 90% of the 6 in the latest stored version 2019-12-31"},
		{"dated in the future", mustRead(t, "testdata/ports-2099.xml"), exitRefused, "dated 2099-12-31, more than two days in the future; use --force"},
		{"dated before 1970", mustRead(t, "testdata/ports-0000.xml"), exitRefused, "dated 0000-01-01, before 1970; use --force"},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			srv.set("service-names-port-numbers", []byte(tt.body))
			code, out, errs := fetch("service-names-port-numbers")
			if code != tt.code || !strings.Contains(errs, tt.msg) {
				t.Errorf("exit %d, want %d; stderr %q should say %q (stdout %q)", code, tt.code, errs, tt.msg, out)
			}
			if !sameFiles(before, snapshot(t, c.store)) {
				t.Errorf("store changed after a refused download")
			}
		})
	}
	t.Run("server errors", func(t *testing.T) {
		srv.mu.Lock()
		srv.status["service-names-port-numbers"] = []int{500, 500, 500, 500, 500}
		srv.mu.Unlock()
		code, _, errs := fetch("service-names-port-numbers", "--retries", "2")
		if code != exitNetwork || !strings.Contains(errs, "500") {
			t.Errorf("exit %d, want %d; stderr %q", code, exitNetwork, errs)
		}
		srv.mu.Lock()
		srv.status["service-names-port-numbers"] = nil
		srv.mu.Unlock()
	})
	t.Run("suspicious with --force", func(t *testing.T) {
		srv.set("service-names-port-numbers", []byte(fewer(t)))
		code, out, errs := fetch("service-names-port-numbers", "--force")
		if code != exitOK || !strings.Contains(out, "archived 2024-03-18 (1 records)") {
			t.Errorf("exit %d; %s%s", code, out, errs)
		}
	})
	t.Run("json", func(t *testing.T) {
		// The full version has the date of the one-record version just
		// stored, and its content puts it first (it is the closer to the
		// version before): archiving it would rename that one.
		srv.set("service-names-port-numbers", []byte(mustRead(t, "testdata/ports-2024.xml")))
		code, out, _ := fetch("--json", "service-names-port-numbers")
		var got fetchJSON
		if err := json.Unmarshal([]byte(out), &got); err != nil || code != exitRefused {
			t.Fatalf("fetch --json: exit %d, %v: %q", code, err, out)
		}
		if got.Status != "error" || !slices.Equal(got.WouldRewrite, []string{"2024-03-18"}) || !strings.Contains(got.Error, "--force") {
			t.Errorf("fetch --json = %+v", got)
		}
		code, out, _ = fetch("--json", "--force", "service-names-port-numbers")
		got = fetchJSON{}
		if err := json.Unmarshal([]byte(out), &got); err != nil || code != exitOK {
			t.Fatalf("fetch --json --force: exit %d, %v: %q", code, err, out)
		}
		if got.Status != "archived" || got.Version == nil || got.Version.Version != "2024-03-18" || got.Version.Records != 5 {
			t.Errorf("fetch --json --force = %+v", got)
		}
	})
	t.Run("id nobody publishes", func(t *testing.T) {
		code, _, errs := fetch("port-numbers")
		if code != exitNetwork || !strings.Contains(errs, srv.URL+"/port-numbers/port-numbers.xml: server answered 404") || !strings.Contains(errs, "hint: nothing is published at that URL") {
			t.Errorf("exit %d, stderr %q", code, errs)
		}
	})
	t.Run("not an id", func(t *testing.T) {
		code, _, errs := fetch("../ports")
		if code != exitError || !strings.Contains(errs, `"../ports" is not a registry id`) {
			t.Errorf("exit %d, stderr %q", code, errs)
		}
	})
	t.Run("non-http URL", func(t *testing.T) {
		code, _, errs := fetch("file:///etc/passwd")
		if code != exitError || !strings.Contains(errs, "file:///etc/passwd") {
			t.Errorf("exit %d, stderr %q", code, errs)
		}
	})
}

func TestFetchUnreachable(t *testing.T) {
	srv := newIANA(t)
	url := srv.URL
	srv.Close() // nothing listens there now
	c := newCLI(t)
	code, _, errs := c.run("fetch", "--mirror", url, "--retries", "0", "service-names-port-numbers")
	if code != exitNetwork || !strings.Contains(errs, "hint: the network cannot be reached from here; backfill from files or an existing archive with `regdiff import PATH`") {
		t.Errorf("exit %d, stderr %q", code, errs)
	}
}

func TestFetchLocked(t *testing.T) {
	srv := newIANA(t)
	c := newCLI(t)
	c.mustRun("import", "testdata/ports-2019.xml")
	s, unlock, err := (&globals{store: c.store, io: &streams{}}).lockStore(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	_ = s
	before := snapshot(t, c.store)
	// fetch downloads without the lock and needs it to save: it waits
	// --wait, says the store is locked, and stops at the first such save.
	code, _, errs := c.run("fetch", "--mirror", srv.URL, "--wait", "100ms")
	if code != exitLocked || !strings.Contains(errs, "locked by another regdiff process") || strings.Count(errs, "locked by") != 1 {
		t.Errorf("exit %d, stderr %q; want %d, said once", code, errs, exitLocked)
	}
	if !sameFiles(before, snapshot(t, c.store)) {
		t.Error("a locked fetch changed the store")
	}
}

func mustRead(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// fewer is the 2024 fixture cut down to one record: far under 90% of the
// 2019 fixture's six.
func fewer(t *testing.T) string {
	s := mustRead(t, "testdata/ports-2024.xml")
	first := strings.Index(s, "<record>")
	second := strings.Index(s[first+1:], "<record") + first + 1
	end := strings.Index(s, "<people>")
	return s[:second] + s[end:]
}

// A plain fetch fetches what the store tracks: the known registries, every
// registry it holds versions of (from IANA's place for its id), and a
// registry first fetched by URL from that URL again.
func TestFetchTracked(t *testing.T) {
	srv := newIANA(t)
	c := newCLI(t)
	ports := mustRead(t, "testdata/ports-2019.xml")
	// An imported registry that no fetch has seen: fetched by its id.
	other := strings.NewReplacer(`id="service-names-port-numbers"`, `id="other-registry"`).Replace(ports)
	otherFile := filepath.Join(t.TempDir(), "other.xml")
	if err := os.WriteFile(otherFile, []byte(other), 0o644); err != nil {
		t.Fatal(err)
	}
	c.mustRun("import", otherFile)
	srv.set("other-registry", []byte(other))
	// A registry fetched from a URL of its own, not under the mirror's
	// layout: the fake serves it from /elsewhere/... by its first path
	// element.
	byURL := strings.NewReplacer(`id="service-names-port-numbers"`, `id="by-url"`).Replace(ports)
	srv.set("elsewhere", []byte(byURL))
	c.mustRun("fetch", srv.URL+"/elsewhere/by-url.xml")

	before := srv.requests.Load()
	code, out, errs := c.run("fetch", "--mirror", srv.URL, "--json")
	if code != exitOK {
		t.Fatalf("plain fetch: exit %d\n%s%s", code, out, errs)
	}
	var got []string
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var j fetchJSON
		if err := json.Unmarshal([]byte(line), &j); err != nil {
			t.Fatalf("%v: %q", err, line)
		}
		got = append(got, j.Registry+" "+j.URL+" "+j.Status)
	}
	want := []string{
		"by-url " + srv.URL + "/elsewhere/by-url.xml not-modified",
		"other-registry " + srv.URL + "/other-registry/other-registry.xml unchanged",
		"protocol-numbers " + srv.URL + "/protocol-numbers/protocol-numbers.xml archived",
		"service-names-port-numbers " + srv.URL + "/service-names-port-numbers/service-names-port-numbers.xml archived",
	}
	if !slices.Equal(got, want) {
		t.Errorf("plain fetch:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if n := srv.requests.Load() - before; n != int32(len(want)) {
		t.Errorf("%d requests for %d registries", n, len(want))
	}
}

// fetch --all reads the registries from the index's links and fetches each
// from the mirror's layout, besides the ones the store tracks; one the
// mirror does not serve fails alone (exit 5), and a second run sends only
// conditional GETs.
func TestFetchAll(t *testing.T) {
	srv := newIANA(t)
	ports := mustRead(t, "testdata/ports-2019.xml")
	srv.set("tls-parameters", []byte(strings.NewReplacer(`id="service-names-port-numbers"`, `id="tls-parameters"`).Replace(ports)))
	srv.set("protocols", []byte(`<html><body><ul>
<li><a href="/assignments/tls-parameters/tls-parameters.xhtml">TLS</a></li>
<li><a href="/assignments/protocol-numbers/protocol-numbers.xhtml">Protocol Numbers</a></li>
<li><a href="/assignments/gone-registry/gone-registry.xhtml">Gone</a></li>
<li><a href="/assignments/moved/moved.xhtml">Moved</a></li>
<li><a href="/assignments/down/down.xhtml">Down</a></li>
</ul></body></html>`))
	// A listed page that is HTML is the server failing, not another kind
	// of file: refused, where <redirect> is skipped.
	srv.set("down", []byte(mustRead(t, "testdata/error-page.html")))
	srv.set("moved", []byte(`<?xml version="1.0"?><redirect xmlns="http://www.iana.org/assignments"><url>https://example.org/</url></redirect>`))
	c := newCLI(t)
	run := func() (int, []string) {
		t.Helper()
		code, out, errs := c.run("fetch", "--all", "--index", srv.URL+"/protocols", "--mirror", srv.URL, "--delay", "0", "--json")
		var got []string
		for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
			var j fetchJSON
			if err := json.Unmarshal([]byte(line), &j); err != nil {
				t.Fatalf("%v: %q (stderr %s)", err, line, errs)
			}
			got = append(got, strings.TrimPrefix(j.URL, srv.URL)+" "+j.Status)
		}
		return code, got
	}
	code, got := run()
	want := []string{
		"/protocol-numbers/protocol-numbers.xml archived",
		"/service-names-port-numbers/service-names-port-numbers.xml archived",
		"/down/down.xml error",
		"/gone-registry/gone-registry.xml error",
		"/moved/moved.xml skipped",
		"/tls-parameters/tls-parameters.xml archived",
	}
	if code != exitNetwork || !slices.Equal(got, want) {
		t.Errorf("fetch --all: exit %d\n%s\nwant exit %d\n%s", code, strings.Join(got, "\n"), exitNetwork, strings.Join(want, "\n"))
	}
	code, got = run()
	// tls-parameters is tracked now: with the others the store holds, by id.
	want = []string{
		"/protocol-numbers/protocol-numbers.xml not-modified",
		"/service-names-port-numbers/service-names-port-numbers.xml not-modified",
		"/tls-parameters/tls-parameters.xml not-modified",
		"/down/down.xml error",
		"/gone-registry/gone-registry.xml error",
		"/moved/moved.xml not-modified", // its validators were kept: not downloaded again
	}
	if code != exitNetwork || !slices.Equal(got, want) {
		t.Errorf("second fetch --all: exit %d\n%s\nwant\n%s", code, strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	srv.set("protocols", []byte(`<html>maintenance</html>`))
	code, _, errs := c.run("fetch", "--all", "--index", srv.URL+"/protocols", "--mirror", srv.URL)
	if code != exitRefused || !strings.Contains(errs, "links to no registry") {
		t.Errorf("an index without links: exit %d, stderr %q", code, errs)
	}
}

// A registry imported from IANA's layout under a folder other than its id
// (uuid/uuid.xml holds "UUID") is fetched from that folder, not from a
// folder named by its id, which does not exist.
func TestFetchTrackedByFolder(t *testing.T) {
	srv := newIANA(t)
	body := strings.NewReplacer(`id="protocol-numbers"`, `id="UUID"`).Replace(mustRead(t, "testdata/protocols.xml"))
	srv.set("uuid", []byte(body))
	file := filepath.Join(t.TempDir(), "uuid", "uuid.xml")
	os.MkdirAll(filepath.Dir(file), 0o755)
	if err := os.WriteFile(file, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	c := newCLI(t)
	c.mustRun("import", file)
	code, out, errs := c.run("fetch", "--mirror", srv.URL, "--json", "--delay", "0")
	if code != exitOK || !strings.Contains(out, `"url":"`+srv.URL+`/uuid/uuid.xml","status":"unchanged"`) {
		t.Errorf("fetch: exit %d\n%s%s", code, out, errs)
	}
}
