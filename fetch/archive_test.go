package fetch

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/regdiff/regdiff/snapshots"
)

// portsXML is a port registry of the given date with n records.
func portsXML(date string, n int) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "<?xml version='1.0' encoding='UTF-8'?>\n<registry xmlns=\"http://www.iana.org/assignments\" id=\"service-names-port-numbers\">\n"+
		"  <title>Service Name and Transport Protocol Port Number Registry</title>\n  <updated>%s</updated>\n", date)
	for i := range n {
		fmt.Fprintf(&b, "  <record>\n    <name>svc%d</name>\n    <protocol>tcp</protocol>\n    <description>Service %d</description>\n    <number>%d</number>\n  </record>\n", i, i, 1000+i)
	}
	b.WriteString("</registry>\n")
	return []byte(b.String())
}

// git runs the git CLI on the store: the test's independent reader of
// what the store's refs hold.
func git(t *testing.T, dir string, args ...string) string {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed: the store's refs are read with the git CLI")
	}
	out, err := exec.Command("git", append([]string{"-C", dir}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return strings.TrimSpace(string(out))
}

// TestArchive drives Archive against a loopback server: each fetch that
// stores anything moves the version's refs and its validators in one ref
// update, so refs/regdiff/meta gains exactly one commit, holding both the
// version's source and the URL's validators; a refused or not-modified
// fetch leaves every ref as it was.
func TestArchive(t *testing.T) {
	var mu sync.Mutex
	body, etag := portsXML("2024-01-10", 20), `"v1"`
	srv := newServer(t, func(_ int, w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		b, e := body, etag
		mu.Unlock()
		if r.Header.Get("If-None-Match") == e {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", e)
		serve(w, b)
	})
	set := func(b []byte, e string) { mu.Lock(); body, etag = b, e; mu.Unlock() }
	dir := filepath.Join(t.TempDir(), "store")
	s, err := snapshots.Create(dir)
	if err != nil {
		t.Fatal(err)
	}
	target := Target{Registry: "service-names-port-numbers", URL: srv.URL + "/ports.xml"}
	archive := func(force bool) (*Outcome, error) {
		return Archive(context.Background(), s, target, ArchiveOptions{Get: Options{Backoff: 1}, Force: force})
	}
	metaCommits := func() int {
		if git(t, dir, "for-each-ref", "refs/regdiff/meta") == "" {
			return 0
		}
		n := 0
		fmt.Sscan(git(t, dir, "rev-list", "--count", "refs/regdiff/meta"), &n)
		return n
	}
	refs := func() string { return git(t, dir, "for-each-ref") }
	state := filepath.ToSlash(stateFile(target.URL))

	steps := []struct {
		name      string
		body      []byte
		etag      string
		force     bool
		status    string
		err       error
		newCommit bool // refs/regdiff/meta gains one commit
	}{
		{name: "first version", body: portsXML("2024-01-10", 20), etag: `"v1"`, status: "archived", newCommit: true},
		{name: "not modified", body: portsXML("2024-01-10", 20), etag: `"v1"`, status: "not-modified"},
		{name: "same content, new validators", body: portsXML("2024-01-10", 20), etag: `"v2"`, status: "unchanged", newCommit: true},
		{name: "newer version", body: portsXML("2024-02-01", 21), etag: `"v3"`, status: "archived", newCommit: true},
		{name: "too few records", body: portsXML("2024-03-01", 5), etag: `"v4"`, err: ErrSuspicious},
		{name: "not a registry", body: []byte("<html>maintenance</html>"), etag: `"v5"`, err: ErrInvalid},
		{name: "older than the latest", body: portsXML("2024-01-20", 21), etag: `"v6"`, err: ErrRewrite},
		{name: "older, forced", body: portsXML("2024-01-20", 21), etag: `"v6"`, force: true, status: "archived", newCommit: true},
	}
	for _, st := range steps {
		set(st.body, st.etag)
		before, beforeRefs := metaCommits(), refs()
		out, err := archive(st.force)
		if !errors.Is(err, st.err) || st.err == nil && out.Status != st.status {
			t.Fatalf("%s: status %q, error %v; want %q, %v", st.name, out.Status, err, st.status, st.err)
		}
		if st.err != nil && !strings.Contains(err.Error(), target.URL) {
			t.Errorf("%s: the error does not name the URL: %v", st.name, err)
		}
		after := metaCommits()
		switch {
		case st.newCommit && after != before+1:
			t.Errorf("%s: refs/regdiff/meta went from %d to %d commits, want one more", st.name, before, after)
		case !st.newCommit && refs() != beforeRefs:
			t.Errorf("%s: refs changed:\n%s\nwas:\n%s", st.name, refs(), beforeRefs)
		}
		if !st.newCommit {
			continue
		}
		files := git(t, dir, "ls-tree", "-r", "--name-only", "refs/regdiff/meta")
		if !strings.Contains(files, state) {
			t.Errorf("%s: the meta commit lacks the validators %s:\n%s", st.name, state, files)
		}
		if got := git(t, dir, "show", "refs/regdiff/meta:"+state); !strings.Contains(got, strconv.Quote(st.etag)) {
			t.Errorf("%s: validators on the meta ref: %s, want etag %s", st.name, got, st.etag)
		}
		if out.Version == nil || !strings.Contains(files, "sources/service-names-port-numbers/"+out.Version.SHA256+".json") {
			t.Errorf("%s: the meta commit lacks the version's source:\n%s", st.name, files)
		}
	}
	if got := git(t, dir, "log", "--format=%s", "refs/heads/service-names-port-numbers"); got != "service-names-port-numbers 2024-02-01\nservice-names-port-numbers 2024-01-20\nservice-names-port-numbers 2024-01-10" {
		t.Errorf("branch after the fetches:\n%s", got)
	}
}

// A registry with no <updated> date of its own is filed under the day it
// was fetched (in UTC), and the same content fetched again adds nothing.
func TestArchiveUndatedRegistry(t *testing.T) {
	body := []byte(`<?xml version="1.0" encoding="UTF-8"?>
<registry xmlns="http://www.iana.org/assignments" id="example-codes">
  <title>Example Codes</title>
  <record><value>1</value><description>one</description></record>
</registry>
`)
	srv := newServer(t, func(_ int, w http.ResponseWriter, r *http.Request) { serve(w, body) })
	s, err := snapshots.Create(filepath.Join(t.TempDir(), "store"))
	if err != nil {
		t.Fatal(err)
	}
	target := Target{Registry: "example-codes", URL: srv.URL + "/example-codes.xml"}
	for i, want := range []string{"archived", "unchanged"} {
		out, err := Archive(context.Background(), s, target, ArchiveOptions{Get: Options{Backoff: 1}})
		if err != nil {
			t.Fatalf("fetch %d: %v", i+1, err)
		}
		if out.Status != want {
			t.Errorf("fetch %d: %s, want %s", i+1, out.Status, want)
		}
		if day := out.Result.FetchedAt.Format(time.DateOnly); out.Version == nil || out.Version.Date != day {
			t.Errorf("fetch %d: version %+v, want one dated %s, the day of the fetch", i+1, out.Version, day)
		}
	}
}
