package main

import (
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"

	"github.com/regdiff/regdiff/snapshots"
	"github.com/regdiff/regdiff/snapshots/record"
)

func TestVerify(t *testing.T) {
	setup := func(t *testing.T) (*cli, []record.Version) {
		c := newCLI(t)
		c.mustRun("import", "testdata/ports-2019.xml", "testdata/ports-2024.xml")
		s, err := snapshots.Open(c.store)
		if err != nil {
			t.Fatal(err)
		}
		vs, err := s.Versions("service-names-port-numbers")
		if err != nil {
			t.Fatal(err)
		}
		return c, vs
	}
	t.Run("whole", func(t *testing.T) {
		c, _ := setup(t)
		if out := c.mustRun("verify"); !strings.Contains(out, "is whole: 1 registries checked") {
			t.Errorf("verify: %s", out)
		}
	})
	t.Run("missing raw object", func(t *testing.T) {
		c, vs := setup(t)
		s, _ := snapshots.Open(c.store)
		hash := rawBlobHash(t, s, vs[0])
		unpack(t, c.store)
		os.Remove(filepath.Join(c.store, "objects", hash[:2], hash[2:]))
		code, out, errs := c.run("verify")
		if code != exitVerify || !strings.Contains(out, "service-names-port-numbers 2019-12-31: raw file unreadable") {
			t.Errorf("exit %d\n%s%s", code, out, errs)
		}
	})
	t.Run("problems in version order", func(t *testing.T) {
		// Two workers check a version each; the report keeps the order.
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
		c, vs := setup(t)
		s, _ := snapshots.Open(c.store)
		hashes := []string{rawBlobHash(t, s, vs[0]), rawBlobHash(t, s, vs[1])}
		unpack(t, c.store)
		for _, h := range hashes {
			os.Remove(filepath.Join(c.store, "objects", h[:2], h[2:]))
		}
		code, out, errs := c.run("verify")
		first := strings.Index(out, "service-names-port-numbers 2019-12-31: raw file unreadable")
		second := strings.Index(out, "service-names-port-numbers 2024-03-18: raw file unreadable")
		if code != exitVerify || first < 0 || second < first {
			t.Errorf("exit %d, want both versions' raw files unreadable, in order:\n%s%s", code, out, errs)
		}
	})
	t.Run("tag moved", func(t *testing.T) {
		c, vs := setup(t)
		p := filepath.Join(c.store, "packed-refs")
		b, _ := os.ReadFile(p)
		moved := strings.Replace(string(b), vs[0].Commit.String()+" refs/tags/service-names-port-numbers/2019-12-31", vs[1].Commit.String()+" refs/tags/service-names-port-numbers/2019-12-31", 1)
		if moved == string(b) {
			t.Fatal("tag line not found")
		}
		// As git would write it: regdiff's checksum would call the edit damage.
		header, body, _ := strings.Cut(moved, "\n")
		header = regexp.MustCompile(` regdiff-crc32c=[0-9a-f]+`).ReplaceAllString(header, "")
		os.WriteFile(p, []byte(header+"\n"+body), 0o644)
		code, out, _ := c.run("verify")
		if code != exitVerify || !strings.Contains(out, "tag service-names-port-numbers/2019-12-31 points at") {
			t.Errorf("exit %d\n%s", code, out)
		}
	})
}

func rawBlobHash(t *testing.T, s *snapshots.Store, v record.Version) string {
	t.Helper()
	h, err := s.RawHash(v)
	if err != nil {
		t.Fatal(err)
	}
	return h.String()
}
