package main

import (
	"os"
	"os/exec"
	"path/filepath"
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
