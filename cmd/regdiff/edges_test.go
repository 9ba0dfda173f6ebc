package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/regdiff/regdiff/internal/realstore"
	"github.com/regdiff/regdiff/internal/shareddata"
)

var rootUpdated = regexp.MustCompile(`<updated>\s*(\d{4}-\d{2}-\d{2})\s*</updated>`)

// TestFetchRefusesRewrite serves, on loopback, a real version of the port
// registry that the real store lacks and that is dated before its latest
// version (one the hourly mirror saw and the other archive missed): fetch
// refuses it with exit 4, names what it would rewrite, even with --quiet,
// and leaves the store as it was; --force archives it in its place.
func TestFetchRefusesRewrite(t *testing.T) {
	dir := realstore.Copy(t)
	c := &cli{t: t, store: dir}
	var log []versionJSON
	if err := json.Unmarshal([]byte(c.mustRun("log", "--json")), &log); err != nil {
		t.Fatal(err)
	}
	stored := map[string]bool{}
	for _, v := range log {
		stored[v.SHA256] = true
	}
	latest := log[0]
	// The newest mirror version dated before the latest stored one and not
	// stored, found with a regexp over the raw XML.
	var body []byte
	var date string
	vs := shareddata.MirrorVersions(t)["service-names-port-numbers/service-names-port-numbers.xml"]
	for i := len(vs) - 1; i >= 0 && body == nil; i-- {
		data := shareddata.ReadBlob(t, vs[i].Blob)
		sum := sha256.Sum256(data)
		m := rootUpdated.FindSubmatch(data)
		if m != nil && string(m[1]) < latest.Date && !stored[hex.EncodeToString(sum[:])] {
			body, date = data, string(m[1])
		}
	}
	if body == nil {
		t.Fatal("no mirror version older than the latest stored and missing from the store")
	}
	later := 0
	for _, v := range log {
		if v.Date > date {
			later++
		}
	}
	srv := newIANA(t)
	srv.set("service-names-port-numbers", body)
	before := snapshot(t, dir)
	code, out, errs := c.run("fetch", "service-names-port-numbers", "--quiet", "--mirror", srv.URL, "--backoff", "1ms")
	if code != exitRefused {
		t.Fatalf("fetch of a version dated %s: exit %d, want %d\n%s%s", date, code, exitRefused, out, errs)
	}
	for _, want := range []string{"dated " + date, "before the latest stored version " + latest.Version, "--force"} {
		if !strings.Contains(errs, want) {
			t.Errorf("stderr does not say %q:\n%s", want, errs)
		}
	}
	if !sameFiles(before, snapshot(t, dir)) {
		t.Error("a refused fetch changed the store")
	}
	code, out, errs = c.run("fetch", "service-names-port-numbers", "--json", "--mirror", srv.URL, "--backoff", "1ms")
	var j fetchJSON
	if err := json.Unmarshal([]byte(out), &j); err != nil || code != exitRefused {
		t.Fatalf("fetch --json: exit %d, %v\n%s%s", code, err, out, errs)
	}
	if len(j.WouldRewrite) < later {
		t.Errorf("would_rewrite names %d versions, want at least the %d dated after %s", len(j.WouldRewrite), later, date)
	}
	code, out, errs = c.run("fetch", "service-names-port-numbers", "--force", "--mirror", srv.URL, "--backoff", "1ms")
	if code != exitOK || !strings.Contains(out, "archived "+date) || !strings.Contains(out, "were rewritten") {
		t.Errorf("fetch --force: exit %d\n%s%s", code, out, errs)
	}
}

// TestReindexCurrentStore reindexes a copy of the real store, which this
// code wrote: nothing changes, and verify says no reindex is due.
func TestReindexCurrentStore(t *testing.T) {
	dir := realstore.Copy(t)
	c := &cli{t: t, store: dir}
	before := snapshot(t, dir)
	out := c.mustRun("reindex", "--json")
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var r reindexJSON
		if err := json.Unmarshal([]byte(line), &r); err != nil || r.Versions == 0 || r.Changed != 0 || len(r.Renamed) != 0 {
			t.Errorf("reindex of a current store: %v %s", err, line)
		}
	}
	refs := func(files map[string]string) string { return files[dir+"/packed-refs"] }
	if refs(before) != refs(snapshot(t, dir)) {
		t.Error("reindex of a current store moved refs")
	}
	if out := c.mustRun("verify"); strings.Contains(out, "reindex due") {
		t.Errorf("verify of a current store:\n%s", out)
	}
}
