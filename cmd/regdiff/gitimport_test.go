package main

import (
	"encoding/json"
	"fmt"
	"net/http/cgi"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// gitRepo makes a repository with the git CLI whose history holds the
// fixtures the way a scraper would: the 2019 file, an unrelated commit, the
// 2024 file in a subfolder.
func gitRepo(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	dir := t.TempDir()
	git := func(args ...string) {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-C", dir, "-c", "user.name=t", "-c", "user.email=t@t", "-c", "commit.gpgsign=false"}, args...)...)
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_DATE=2020-01-01T00:00:00Z", "GIT_COMMITTER_DATE=2020-01-01T00:00:00Z")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	copyFile := func(src, dst string) {
		b, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		os.MkdirAll(filepath.Dir(filepath.Join(dir, dst)), 0o755)
		if err := os.WriteFile(filepath.Join(dir, dst), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	git("init", "-q", "-b", "main")
	copyFile("testdata/ports-2019.xml", "service-names-port-numbers.xml")
	git("add", "-A")
	git("commit", "-qm", "2019")
	os.WriteFile(filepath.Join(dir, "README"), []byte("scraped"), 0o644)
	git("add", "-A")
	git("commit", "-qm", "readme")
	copyFile("testdata/ports-2024.xml", "service-names-port-numbers.xml")
	copyFile("testdata/ports-2024.xml", "data/ports.xml")
	git("add", "-A")
	git("commit", "-qm", "2024")
	git("checkout", "-q", "-b", "old", "HEAD~2")
	return dir
}

func TestImportGit(t *testing.T) {
	repo := gitRepo(t)
	t.Run("default path, ref main", func(t *testing.T) {
		c := newCLI(t)
		out := c.mustRun("import", repo, "--ref", "main")
		if !strings.Contains(out, "2 new, 0 already stored, 0 refused") {
			t.Errorf("import:\n%s", out)
		}
		log := c.mustRun("log")
		if !strings.Contains(log, "2024-03-18\t") || !strings.Contains(log, "2019-12-31\t") || !strings.Contains(log, "git "+repo+"@") {
			t.Errorf("log:\n%s", log)
		}
	})
	t.Run("HEAD is branch old", func(t *testing.T) {
		c := newCLI(t)
		out := c.mustRun("import", repo)
		if !strings.Contains(out, "1 new, 0 already stored, 0 refused") {
			t.Errorf("import of HEAD (branch old, only 2019):\n%s", out)
		}
	})
	t.Run("--path", func(t *testing.T) {
		c := newCLI(t)
		out := c.mustRun("import", repo, "--ref", "main", "--path", "data/ports.xml")
		if !strings.Contains(out, "1 new, 0 already stored, 0 refused") {
			t.Errorf("import --path:\n%s", out)
		}
	})
	t.Run("file not in history", func(t *testing.T) {
		c := newCLI(t)
		code, _, errs := c.run("import", repo, "--path", "nope.xml")
		if code != exitRefused || !strings.Contains(errs, "no commit holds nope.xml") {
			t.Errorf("exit %d, stderr %q", code, errs)
		}
		if _, err := os.Stat(filepath.Join(c.store, "packed-refs")); err == nil {
			t.Errorf("refs written although nothing was imported")
		}
	})
	t.Run("unknown ref", func(t *testing.T) {
		c := newCLI(t)
		code, _, errs := c.run("import", repo, "--ref", "nope")
		if code != exitRefused || !strings.Contains(errs, `ref "nope" not found`) {
			t.Errorf("exit %d, stderr %q", code, errs)
		}
	})
	t.Run("bundle", func(t *testing.T) {
		bundle := filepath.Join(t.TempDir(), "repo.bundle")
		if out, err := exec.Command("git", "-C", repo, "bundle", "create", bundle, "main").CombinedOutput(); err != nil {
			t.Fatalf("git bundle: %v\n%s", err, out)
		}
		c := newCLI(t)
		out := c.mustRun("import", bundle)
		if !strings.Contains(out, "2 new, 0 already stored, 0 refused") {
			t.Errorf("import of a bundle:\n%s", out)
		}
	})
	t.Run("path with shell metacharacters", func(t *testing.T) {
		odd := filepath.Join(t.TempDir(), "a;$(touch pwned) `x` |b")
		if err := os.Rename(repo, odd); err != nil {
			t.Fatal(err)
		}
		defer os.Rename(odd, repo)
		c := newCLI(t)
		out := c.mustRun("import", odd, "--ref", "main")
		if !strings.Contains(out, "2 new") {
			t.Errorf("import:\n%s", out)
		}
		if _, err := os.Stat("pwned"); err == nil {
			os.Remove("pwned")
			t.Errorf("a shell ran the path")
		}
	})
}

// mirrorRepo makes a repository laid out as the public mirrors of every
// registry are: ID/ID.xml, with beside them an XML file that is no
// registry, a registry with no <updated> date, and one malformed copy.
func mirrorRepo(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	dir := t.TempDir()
	commit := func(date string, files map[string]string) {
		t.Helper()
		for name, src := range files {
			b := []byte(src)
			if p, ok := strings.CutPrefix(src, "@"); ok {
				var err error
				if b, err = os.ReadFile(p); err != nil {
					t.Fatal(err)
				}
			}
			os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755)
			if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		for _, args := range [][]string{{"add", "-A"}, {"commit", "-qm", date}} {
			cmd := exec.Command("git", append([]string{"-C", dir, "-c", "user.name=t", "-c", "user.email=t@t", "-c", "commit.gpgsign=false"}, args...)...)
			cmd.Env = append(os.Environ(), "GIT_AUTHOR_DATE="+date+"T12:00:00Z", "GIT_COMMITTER_DATE="+date+"T12:00:00Z")
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("git %v: %v\n%s", args, err, out)
			}
		}
	}
	if out, err := exec.Command("git", "init", "-q", "-b", "main", dir).CombinedOutput(); err != nil {
		t.Fatalf("git init: %v\n%s", err, out)
	}
	noDate := func(note string) string {
		return `<?xml version="1.0" encoding="UTF-8"?>
<registry xmlns="http://www.iana.org/assignments" id="example-codes">
  <title>Example Codes</title>
  <created>2015-01-01</created>
  <record><value>1</value><description>` + note + `</description></record>
</registry>
`
	}
	commit("2020-05-01", map[string]string{
		"service-names-port-numbers/service-names-port-numbers.xml": "@testdata/ports-2019.xml",
		"protocol-numbers/protocol-numbers.xml":                     "@testdata/protocols.xml",
		"example-codes/example-codes.xml":                           noDate("one"),
		"feed.xml":                                                  `<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>changes</title></feed>`,
		"README.md":                                                 "mirror",
	})
	commit("2021-02-03", map[string]string{
		"example-codes/example-codes.xml": noDate("uno"),
	})
	commit("2022-07-08", map[string]string{
		"service-names-port-numbers/service-names-port-numbers.xml": "@testdata/truncated.xml",
	})
	commit("2024-03-20", map[string]string{
		"service-names-port-numbers/service-names-port-numbers.xml": "@testdata/ports-2024.xml",
	})
	return dir
}

// A git history is searched for registries at any path, told apart by
// content: the file that is no registry is skipped and counted, the
// malformed copy refused with its line, and the registry with no date is
// dated by the commit that first holds each of its versions.
func TestImportMirror(t *testing.T) {
	repo := mirrorRepo(t)
	c := newCLI(t)
	code, out, errs := c.run("import", repo)
	if code != exitRefused {
		t.Errorf("exit %d, want %d (one copy refused)", code, exitRefused)
	}
	if !strings.Contains(out, "5 new, 0 already stored, 1 refused, 1 skipped (files that are no registry)") {
		t.Errorf("summary:\n%s", out)
	}
	if !strings.Contains(errs, "service-names-port-numbers/service-names-port-numbers.xml: line ") {
		t.Errorf("refusal names no file and line:\n%s", errs)
	}
	var regs []struct {
		Registry string `json:"registry"`
		Versions int    `json:"versions"`
		First    string `json:"first"`
		Latest   string `json:"latest"`
	}
	if err := json.Unmarshal([]byte(c.mustRun("registries", "--json")), &regs); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, r := range regs {
		got[r.Registry] = fmt.Sprintf("%d %s %s", r.Versions, r.First, r.Latest)
	}
	want := map[string]string{
		"example-codes":              "2 2020-05-01 2021-02-03",
		"protocol-numbers":           "1 2024-01-08 2024-01-08",
		"service-names-port-numbers": "2 2019-12-31 2024-03-18",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("registries: %v, want %v", got, want)
	}

	var sum struct {
		New     int      `json:"new"`
		Skipped []string `json:"skipped"`
	}
	_, js, _ := newCLI(t).run("import", repo, "--json")
	if err := json.Unmarshal([]byte(js), &sum); err != nil {
		t.Fatalf("import --json: %v\n%s", err, js)
	}
	if sum.New != 5 || len(sum.Skipped) != 1 || !strings.HasSuffix(sum.Skipped[0], ":feed.xml") {
		t.Errorf("import --json: %+v", sum)
	}

	// Named, a file that is no registry is refused, not skipped.
	code, _, errs = newCLI(t).run("import", repo, "--path", "feed.xml")
	if code != exitRefused || !strings.Contains(errs, "not an IANA registry") {
		t.Errorf("--path feed.xml: exit %d, stderr %q", code, errs)
	}
}

// In a folder too, files that are no registry (other XML, other text, an
// HTML page, an empty file) are skipped and counted; a malformed registry
// is still refused.
func TestImportFolderSkipsOtherFiles(t *testing.T) {
	dir := t.TempDir()
	for name, src := range map[string]string{
		"ports.xml":     "testdata/ports-2019.xml",
		"notes.txt":     "testdata/notes.txt",
		"broken.xml":    "testdata/truncated.xml",
		"sub/feed.html": "testdata/error-page.html",
	} {
		b, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755)
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	os.WriteFile(filepath.Join(dir, "feed.xml"), []byte(`<feed xmlns="http://www.w3.org/2005/Atom"/>`), 0o644)
	os.WriteFile(filepath.Join(dir, "empty.xml"), nil, 0o644)
	code, out, errs := newCLI(t).run("import", dir)
	if code != exitRefused || !strings.Contains(out, "1 new, 0 already stored, 1 refused, 4 skipped") {
		t.Errorf("exit %d\n%s%s", code, out, errs)
	}
	for _, want := range []string{"broken.xml: line "} {
		if !strings.Contains(errs, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errs)
		}
	}
}

// A repository URL is cloned (git http-backend on loopback) to a temporary
// folder, which is gone once the import is done.
func TestImportRepositoryURL(t *testing.T) {
	repo := gitRepo(t)
	gitBin, _ := exec.LookPath("git")
	out, err := exec.Command(gitBin, "--exec-path").Output()
	if err != nil {
		t.Skip("git --exec-path:", err)
	}
	backend := filepath.Join(strings.TrimSpace(string(out)), "git-http-backend")
	if _, err := os.Stat(backend); err != nil {
		t.Skip("no git-http-backend:", err)
	}
	srv := httptest.NewServer(&cgi.Handler{Path: backend, Env: []string{
		"GIT_PROJECT_ROOT=" + filepath.Dir(repo), "GIT_HTTP_EXPORT_ALL=1",
	}})
	t.Cleanup(srv.Close)
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	c := newCLI(t)
	got := c.mustRun("import", srv.URL+"/"+filepath.Base(repo)+"/.git", "--ref", "main")
	if !strings.Contains(got, "2 new, 0 already stored, 0 refused") {
		t.Errorf("import of the URL:\n%s", got)
	}
	left, _ := filepath.Glob(filepath.Join(tmp, "regdiff-clone-*"))
	if len(left) > 0 {
		t.Errorf("clone folders left behind: %v", left)
	}
}
