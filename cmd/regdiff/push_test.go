package main

import (
	"encoding/json"
	"fmt"
	"net/http/cgi"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/regdiff/regdiff/snapshots"
)

// gitCLI runs git in dir and returns its output; the test fails on an
// error. Every check of a remote goes through it, never through regdiff.
func gitCLI(t *testing.T, dir string, args ...string) string {
	t.Helper()
	out, err := exec.Command("git", append([]string{"-C", dir}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return string(out)
}

// bareRemote makes an empty bare repository with the git CLI.
func bareRemote(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	dir := filepath.Join(t.TempDir(), "remote.git")
	if out, err := exec.Command("git", "init", "-q", "--bare", dir).CombinedOutput(); err != nil {
		t.Fatalf("git init --bare: %v\n%s", err, out)
	}
	return dir
}

// refsOf lists a repository's refs as git for-each-ref prints them.
func refsOf(t *testing.T, dir string) string {
	t.Helper()
	return gitCLI(t, dir, "for-each-ref", "--format=%(objectname) %(refname)")
}

// objectCount is the number of objects a repository holds, loose and
// packed, as git count-objects says.
func objectCount(t *testing.T, dir string) int {
	t.Helper()
	n := 0
	for _, line := range strings.Split(gitCLI(t, dir, "count-objects", "-v"), "\n") {
		k, v, _ := strings.Cut(line, ": ")
		if k == "count" || k == "in-pack" {
			i, _ := strconv.Atoi(v)
			n += i
		}
	}
	return n
}

// A push sends every ref; a second push after a new version sends that
// version's objects only (counted by git on both sides); a third sends
// nothing. The remote's refs are the store's, and git fsck finds it whole.
func TestPushBareRemote(t *testing.T) {
	remote := bareRemote(t)
	c := newCLI(t)
	c.mustRun("import", "testdata/ports-2019.xml")
	c.mustRun("push", remote)
	if got, want := refsOf(t, remote), refsOf(t, c.store); got != want {
		t.Fatalf("remote refs:\n%s\nwant the store's:\n%s", got, want)
	}
	gitCLI(t, remote, "fsck", "--strict")
	before := objectCount(t, remote)
	oldTip := strings.TrimSpace(gitCLI(t, remote, "rev-parse", "refs/heads/service-names-port-numbers"))
	oldMeta := strings.TrimSpace(gitCLI(t, remote, "rev-parse", "refs/regdiff/meta"))

	c.mustRun("import", "testdata/ports-2024.xml")
	store := snapshot(t, c.store)
	var res snapshots.PushResult
	if err := json.Unmarshal([]byte(c.mustRun("push", remote, "--json")), &res); err != nil {
		t.Fatal(err)
	}
	if !sameFiles(store, snapshot(t, c.store)) {
		t.Error("push wrote into the store (go-git's remote-tracking refs?)")
	}
	// What is new, by git on the store: objects reachable from the new
	// tips and not from the old ones.
	newObjs, _ := strconv.Atoi(strings.TrimSpace(gitCLI(t, c.store, "rev-list", "--objects", "--count",
		"refs/heads/service-names-port-numbers", "refs/regdiff/meta", "^"+oldTip, "^"+oldMeta)))
	if got := objectCount(t, remote) - before; got != newObjs {
		t.Errorf("the second push added %d objects to the remote, want the %d new ones", got, newObjs)
	}
	if res.Objects != newObjs {
		t.Errorf("--json says %d objects sent, git counts %d new", res.Objects, newObjs)
	}
	var names []string
	for _, u := range res.Updated {
		names = append(names, u.Name)
	}
	want := []string{"refs/heads/service-names-port-numbers", "refs/regdiff/meta", "refs/tags/service-names-port-numbers/2024-03-18"}
	if !slices.Equal(names, want) {
		t.Errorf("updated refs %v, want %v", names, want)
	}
	if got, want := refsOf(t, remote), refsOf(t, c.store); got != want {
		t.Errorf("remote refs:\n%s\nwant the store's:\n%s", got, want)
	}
	gitCLI(t, remote, "fsck", "--strict")

	files := snapshot(t, remote)
	if out := c.mustRun("push", remote); !strings.Contains(out, "up to date") {
		t.Errorf("third push: %q", out)
	}
	if !sameFiles(files, snapshot(t, remote)) {
		t.Error("a push with nothing new changed the remote's files")
	}
}

// A remote that holds versions the store lacks refuses the push (exit 4,
// the remote unchanged) unless --force; refs only the remote holds are
// left alone and said.
func TestPushNonFastForward(t *testing.T) {
	remote := bareRemote(t)
	ahead := newCLI(t)
	ahead.mustRun("import", "testdata/ports-2019.xml", "testdata/ports-2024.xml")
	ahead.mustRun("push", remote)
	gitCLI(t, remote, "update-ref", "refs/heads/someone-else", strings.TrimSpace(gitCLI(t, remote, "rev-parse", "refs/heads/service-names-port-numbers")))
	refs := refsOf(t, remote)

	behind := newCLI(t)
	behind.mustRun("import", "testdata/ports-2019.xml", "testdata/tls-2019.xml")
	code, _, errs := behind.run("push", remote)
	if code != exitRefused || !strings.Contains(errs, "refs/heads/service-names-port-numbers") || !strings.Contains(errs, "--force") {
		t.Fatalf("push behind the remote: exit %d, stderr:\n%s", code, errs)
	}
	if got := refsOf(t, remote); got != refs {
		t.Fatalf("a refused push changed the remote's refs:\n%s", got)
	}
	out := behind.mustRun("push", remote, "--force")
	if !strings.Contains(out, "left alone: 2 ref(s)") {
		t.Errorf("forced push does not say what only the remote holds:\n%s", out)
	}
	tip := func(dir string) string {
		return gitCLI(t, dir, "rev-parse", "refs/heads/service-names-port-numbers")
	}
	if tip(remote) != tip(behind.store) {
		t.Error("--force did not replace the remote's branch")
	}
	if !strings.Contains(refsOf(t, remote), "refs/heads/someone-else") {
		t.Error("the remote's own ref was removed")
	}
}

// Push takes no lock: a writer holding the store's lock (a fetch saving a
// version) does not stop it.
func TestPushWhileLocked(t *testing.T) {
	remote := bareRemote(t)
	c := newCLI(t)
	c.mustRun("import", "testdata/ports-2019.xml")
	s, err := snapshots.Open(c.store)
	if err != nil {
		t.Fatal(err)
	}
	unlock, err := s.Lock(t.Context(), time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	c.mustRun("push", remote, "--wait", "0s")
	if got, want := refsOf(t, remote), refsOf(t, c.store); got != want {
		t.Errorf("remote refs:\n%s\nwant the store's:\n%s", got, want)
	}
}

// httpRemote serves the folder holding remote with git http-backend on
// loopback, pushes allowed.
func httpRemote(t *testing.T, remote string) string {
	t.Helper()
	gitCLI(t, remote, "config", "http.receivepack", "true")
	srv := httptest.NewServer(httpBackend(t, remote))
	t.Cleanup(srv.Close)
	return srv.URL + "/" + filepath.Base(remote)
}

// httpBackend is git http-backend serving the folder that holds remote; it
// skips the test without one.
func httpBackend(t *testing.T, remote string) *cgi.Handler {
	t.Helper()
	out, err := exec.Command("git", "--exec-path").Output()
	if err != nil {
		t.Skip("git --exec-path:", err)
	}
	backend := filepath.Join(strings.TrimSpace(string(out)), "git-http-backend")
	if _, err := os.Stat(backend); err != nil {
		t.Skip("no git-http-backend:", err)
	}
	return &cgi.Handler{Path: backend, Env: []string{"GIT_PROJECT_ROOT=" + filepath.Dir(remote), "GIT_HTTP_EXPORT_ALL=1"}}
}

// Push and clone through git http-backend: the clone answers the diff and
// the history with the source store's bytes.
func TestPushCloneHTTP(t *testing.T) {
	remote := bareRemote(t)
	url := httpRemote(t, remote)
	c := newCLI(t)
	c.mustRun("import", "testdata/ports-2019.xml")
	c.mustRun("push", url)
	c.mustRun("import", "testdata/ports-2024.xml", "testdata/tls-2019.xml", "testdata/tls-2024.xml")
	c.mustRun("push", url)
	if got, want := refsOf(t, remote), refsOf(t, c.store); got != want {
		t.Fatalf("remote refs:\n%s\nwant the store's:\n%s", got, want)
	}
	gitCLI(t, remote, "fsck", "--strict")
	clone := &cli{t: t, store: filepath.Join(t.TempDir(), "clone")}
	clone.mustRun("clone", url, clone.store)
	sameAnswers(t, c, clone)
}

// sameAnswers checks that two stores give the same bytes for the diff, the
// history, the log and verify.
func sameAnswers(t *testing.T, a, b *cli) {
	t.Helper()
	for _, args := range [][]string{
		{"2019", "2024"},
		{"history", "253"},
		{"diff", "--json", "first", "latest"},
		{"log"},
		{"--registry", "tls-parameters", "log"},
		{"changelog"},
		{"registries"},
	} {
		ca, oa, ea := a.run(args...)
		cb, ob, eb := b.run(args...)
		if ca != cb || oa != ob || ea != eb {
			t.Errorf("regdiff %v: source exit %d, clone exit %d\nsource:\n%s%s\nclone:\n%s%s", args, ca, cb, oa, ea, ob, eb)
		}
	}
	if code, out, errs := b.run("verify"); code != 0 {
		t.Errorf("verify of the clone: exit %d\n%s%s", code, out, errs)
	}
}

// The workflow example runs regdiff commands that exist, with flags they
// take.
func TestWorkflowExample(t *testing.T) {
	data, err := os.ReadFile("../../examples/github-actions/regdiff.yml")
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	if strings.Contains(text, "\t") {
		t.Error("YAML does not allow tabs for indentation")
	}
	for _, want := range []string{"schedule:", "cron:", "regdiff fetch", "regdiff push", "regdiff clone", "git commit"} {
		if !strings.Contains(text, want) {
			t.Errorf("the workflow does not mention %q", want)
		}
	}
	root := newRoot(&streams{})
	cmdRe := regexp.MustCompile(`\./regdiff((?: --?[a-z-]+(?:[ =][^ -][^ ]*)?)*) ([a-z]+)((?: --?[a-z-]+)*)`)
	seen := 0
	for _, m := range cmdRe.FindAllStringSubmatch(text, -1) {
		seen++
		sub, _, err := root.Find([]string{m[2]})
		if err != nil || sub == root {
			t.Errorf("the workflow runs `regdiff %s`, which is no command", m[2])
			continue
		}
		for _, f := range strings.Fields(m[1] + " " + m[3]) {
			if !strings.HasPrefix(f, "-") {
				continue
			}
			name := strings.TrimLeft(strings.SplitN(f, "=", 2)[0], "-")
			if sub.Flags().Lookup(name) == nil && sub.InheritedFlags().Lookup(name) == nil && root.PersistentFlags().Lookup(name) == nil {
				t.Errorf("the workflow gives `regdiff %s` the flag %s, which it does not take", m[2], f)
			}
		}
	}
	if seen < 4 {
		t.Errorf("found %d regdiff command lines in the workflow, want 4 or more", seen)
	}
}

// Push's failures have their exit codes and leave the remote as it was.
func TestPushErrors(t *testing.T) {
	remote := bareRemote(t)
	c := newCLI(t)
	c.mustRun("import", "testdata/ports-2019.xml")
	none := &cli{t: t, store: filepath.Join(t.TempDir(), "none")}
	cases := []struct {
		name string
		c    *cli
		args []string
		code int
		say  string
	}{
		{"no store", none, []string{"push", remote}, exitStore, "no store"},
		{"no remote given", c, []string{"push"}, exitError, "accepts 1 arg"},
		{"connection refused", c, []string{"push", "http://127.0.0.1:1/x.git"}, exitNetwork, "unreachable"},
		{"no repository there", c, []string{"push", filepath.Join(t.TempDir(), "nothing")}, exitRefused, "nothing"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, _, errs := tc.c.run(tc.args...)
			if code != tc.code || !strings.Contains(errs, tc.say) {
				t.Errorf("exit %d, want %d; stderr lacks %q?\n%s", code, tc.code, tc.say, errs)
			}
		})
	}
	if refs := refsOf(t, remote); refs != "" {
		t.Errorf("the remote gained refs:\n%s", refs)
	}
	if _, err := os.Stat(none.store); err == nil {
		t.Error("push made a store")
	}
}

// Pushes made while imports write the store all succeed, and each leaves
// the remote whole and consistent: every tag on the remote is on its
// registry's branch there (git merge-base on the remote).
func TestPushDuringImport(t *testing.T) {
	remote := bareRemote(t)
	c := newCLI(t)
	c.mustRun("import", "testdata/ports-2019.xml")
	done := make(chan error, 1)
	go func() {
		for _, f := range []string{"testdata/tls-2019.xml", "testdata/ports-2024.xml", "testdata/tls-2024.xml", "testdata/protocols.xml"} {
			if code, _, errs := c.run("import", f); code != 0 {
				done <- fmt.Errorf("import %s: exit %d: %s", f, code, errs)
				return
			}
		}
		done <- nil
	}()
	for i := 0; ; i++ {
		if code, _, errs := c.run("push", remote); code != 0 {
			t.Fatalf("push %d during imports: exit %d\n%s", i, code, errs)
		}
		gitCLI(t, remote, "fsck", "--no-dangling")
		for _, line := range strings.Split(strings.TrimSpace(refsOf(t, remote)), "\n") {
			hash, name, _ := strings.Cut(line, " ")
			tag, ok := strings.CutPrefix(name, "refs/tags/")
			if !ok {
				continue
			}
			reg, _, _ := strings.Cut(tag, "/")
			gitCLI(t, remote, "merge-base", "--is-ancestor", hash, "refs/heads/"+reg)
		}
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
			c.mustRun("push", remote)
			if got, want := refsOf(t, remote), refsOf(t, c.store); got != want {
				t.Errorf("remote refs after the imports:\n%s\nwant:\n%s", got, want)
			}
			return
		default:
		}
	}
}
