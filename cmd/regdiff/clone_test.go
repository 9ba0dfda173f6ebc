package main

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/regdiff/regdiff/internal/realstore"
)

// A clone from a bare repository on disk is a working store: the same
// answers as the source store, byte for byte, and a clean verify.
func TestCloneBareRemote(t *testing.T) {
	remote := bareRemote(t)
	c := newCLI(t)
	c.mustRun("import", "testdata/ports-2019.xml", "testdata/ports-2024.xml", "testdata/tls-2019.xml", "testdata/tls-2024.xml")
	c.mustRun("push", remote)
	for _, loc := range []string{remote, "file://" + remote} {
		clone := &cli{t: t, store: filepath.Join(t.TempDir(), "a", "clone")}
		out := clone.mustRun("clone", loc, clone.store)
		if !strings.Contains(out, "cloned 4 version(s) of 2 registries") {
			t.Errorf("clone %s says:\n%s", loc, out)
		}
		if got, want := refsOf(t, clone.store), refsOf(t, c.store); got != want {
			t.Errorf("clone's refs:\n%s\nwant the source's:\n%s", got, want)
		}
		gitCLI(t, clone.store, "fsck", "--strict")
		sameAnswers(t, c, clone)
		if left, _ := filepath.Glob(filepath.Join(filepath.Dir(clone.store), ".regdiff-*")); len(left) > 0 {
			t.Errorf("left beside the store: %v", left)
		}
	}
}

// STORE defaults to the store every command uses.
func TestCloneDefaultStore(t *testing.T) {
	remote := bareRemote(t)
	c := newCLI(t)
	c.mustRun("import", "testdata/ports-2019.xml")
	c.mustRun("push", remote)
	clone := &cli{t: t, store: filepath.Join(t.TempDir(), "default")}
	clone.mustRun("clone", remote) // --store names the default
	if got, want := refsOf(t, clone.store), refsOf(t, c.store); got != want {
		t.Errorf("clone's refs:\n%s\nwant:\n%s", got, want)
	}
}

// cutServer serves remote through git http-backend, but ends the
// upload-pack answer (the pack) after keep bytes: with a hijacked, closed
// connection when cut (a server that goes away mid-clone), else with a
// short, well-ended body (a truncated pack).
func cutServer(t *testing.T, remote string, keep int, cut bool) string {
	t.Helper()
	return editServer(t, remote, func(body []byte) []byte { return body[:min(keep, len(body))] }, cut)
}

// editServer serves remote with each upload-pack response changed by edit.
func editServer(t *testing.T, remote string, edit func([]byte) []byte, cut bool) string {
	t.Helper()
	h := httpBackend(t, remote)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasSuffix(r.URL.Path, "/git-upload-pack") {
			h.ServeHTTP(w, r)
			return
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		body := edit(rec.Body.Bytes())
		if cut {
			conn, buf, err := w.(http.Hijacker).Hijack()
			if err != nil {
				return
			}
			buf.WriteString("HTTP/1.1 200 OK\r\nContent-Type: application/x-git-upload-pack-result\r\nContent-Length: 10000000\r\n\r\n")
			buf.Write(body)
			buf.Flush()
			conn.Close()
			return
		}
		w.Header().Set("Content-Type", "application/x-git-upload-pack-result")
		io.Copy(w, bytes.NewReader(body))
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/" + filepath.Base(remote)
}

// Every remote that is not a good store is refused, with nothing left
// where the store would be nor beside it.
func TestCloneRefusals(t *testing.T) {
	good := bareRemote(t)
	src := newCLI(t)
	src.mustRun("import", "testdata/ports-2019.xml", "testdata/ports-2024.xml")
	src.mustRun("push", good)
	empty := bareRemote(t)
	plain := gitRepo(t) // a repository of XML files, not a store
	gitCLI(t, plain, "tag", "v1.0")
	// A repository with a branch named like a registry whose commits are
	// not regdiff's.
	lookalike := gitRepo(t)
	gitCLI(t, lookalike, "branch", "-m", "main", "service-names-port-numbers")
	gitCLI(t, lookalike, "checkout", "-q", "service-names-port-numbers")
	gitCLI(t, lookalike, "branch", "-D", "old")
	nonEmpty := t.TempDir()
	os.WriteFile(filepath.Join(nonEmpty, "notes"), []byte("mine"), 0o644)

	cases := []struct {
		name   string
		remote string
		store  string // "" for a new folder
		code   int
		say    string
	}{
		{"not a store", plain, "", exitRefused, "not a store's"},
		{"branch named as a registry", lookalike, "", exitRefused, "verify found"},
		{"empty repository", empty, "", exitRefused, "no refs"},
		{"no repository there", filepath.Join(t.TempDir(), "nothing"), "", exitRefused, "nothing"},
		{"connection refused", "http://127.0.0.1:1/x.git", "", exitNetwork, "unreachable"},
		{"vanishes mid-clone", cutServer(t, good, 3000, true), "", exitNetwork, "cut short"},
		{"truncated pack", cutServer(t, good, 3000, false), "", exitNetwork, "cut short"},
		// The response ends with the pack's checksum and a flush-pkt.
		{"damaged pack", editServer(t, good, func(b []byte) []byte { b[len(b)-5] ^= 1; return b }, false), "", exitRefused, "damaged pack: the pack's checksum is"},
		{"store folder not empty", good, nonEmpty, exitStore, "not empty"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			parent := t.TempDir()
			store := filepath.Join(parent, "store")
			if tc.store != "" {
				store = tc.store
			}
			before := snapshot(t, filepath.Dir(store))
			c := &cli{t: t, store: filepath.Join(t.TempDir(), "unused")}
			code, out, errs := c.run("clone", tc.remote, store)
			if code != tc.code || !strings.Contains(errs, tc.say) {
				t.Errorf("exit %d, want %d; stderr lacks %q?\nstdout:\n%s\nstderr:\n%s", code, tc.code, tc.say, out, errs)
			}
			if strings.Count(strings.TrimSpace(errs), "\n") > 3 {
				t.Errorf("not a short error:\n%s", errs)
			}
			after := snapshot(t, filepath.Dir(store))
			if !sameFiles(before, after) {
				t.Errorf("files changed around the store: before %d, after %d", len(before), len(after))
			}
			entries, _ := os.ReadDir(filepath.Dir(store))
			for _, e := range entries {
				if strings.HasPrefix(e.Name(), ".regdiff-") || (tc.store == "" && e.Name() == "store") {
					t.Errorf("left behind: %s", e.Name())
				}
			}
		})
	}
}

// The shared bundle's store, pushed to a bare repository and cloned back,
// answers the diff, the history and the log with the source store's bytes,
// and holds the same refs (git for-each-ref on both).
func TestCloneRealStore(t *testing.T) {
	dir, _ := realstore.Store(t) // skips without the data, and under -short
	remote := bareRemote(t)
	src := &cli{t: t, store: dir}
	src.mustRun("push", remote)
	gitCLI(t, remote, "fsck")
	clone := &cli{t: t, store: filepath.Join(t.TempDir(), "clone")}
	clone.mustRun("clone", remote, clone.store)
	if got, want := refsOf(t, clone.store), refsOf(t, dir); got != want {
		t.Fatalf("the clone's refs differ from the source's")
	}
	for _, args := range [][]string{
		{"2019", "2024"},
		{"history", "253"},
		{"history", "0-65535"},
		{"--registry", "protocol-numbers", "log"},
		{"log"},
	} {
		_, want, _ := src.run(args...)
		code, got, errs := clone.run(args...)
		if code != 0 || got != want {
			t.Errorf("regdiff %v on the clone: exit %d, %d bytes, want the source's %d bytes\n%s", args, code, len(got), len(want), errs)
		}
	}
}
