package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/regdiff/regdiff/internal/shareddata"
	"github.com/regdiff/regdiff/snapshots"
)

// TestMain lets a test run this binary as regdiff itself, for tests that
// need a real process to kill.
func TestMain(m *testing.M) {
	if os.Getenv("REGDIFF_TEST_AS_MAIN") == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}

func regdiffProcess(ctx context.Context, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, os.Args[0], args...)
	cmd.Env = append(os.Environ(), "REGDIFF_TEST_AS_MAIN=1")
	return cmd
}

// checkStore verifies what a kill must never break: the store opens, every
// version lists, its raw file matches its recorded sha256, its normalized
// records read back with the recorded count, and git fsck finds nothing.
func checkStore(t *testing.T, dir string) (versions int) {
	t.Helper()
	s, err := snapshots.Open(dir)
	if err != nil {
		if _, statErr := os.Stat(filepath.Join(dir, "regdiff-store")); os.IsNotExist(statErr) {
			return 0 // killed before the store existed
		}
		t.Fatalf("store does not open after a kill: %v", err)
	}
	regs, err := s.Registries()
	if err != nil {
		t.Fatalf("refs unreadable after a kill: %v", err)
	}
	for _, reg := range regs {
		vs, err := s.Versions(reg)
		if err != nil {
			t.Fatalf("versions of %s after a kill: %v", reg, err)
		}
		for _, v := range vs {
			raw, err := s.Raw(v)
			if err != nil {
				t.Fatalf("version %s: %v", v.Name, err)
			}
			sum := sha256.Sum256(raw)
			if hex.EncodeToString(sum[:]) != v.SHA256 {
				t.Fatalf("version %s: raw file does not match its sha256", v.Name)
			}
			recs, err := s.Records(v)
			if err != nil || len(recs) != v.Records {
				t.Fatalf("version %s: %d records read back (%v), %d recorded", v.Name, len(recs), err, v.Records)
			}
		}
		versions += len(vs)
	}
	if _, err := exec.LookPath("git"); err == nil {
		out, err := exec.Command("git", "-C", dir, "fsck", "--no-progress", "--no-dangling").CombinedOutput()
		var bad []string
		for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			if l != "" && !strings.HasPrefix(l, "notice:") {
				bad = append(bad, l)
			}
		}
		if err != nil || len(bad) > 0 {
			t.Fatalf("git fsck after a kill: %v\n%s", err, out)
		}
	}
	return versions
}

// TestKillDuringImport kills regdiff import at random moments and checks
// that each time the store is whole, and that a rerun finishes the job.
func TestKillDuringImport(t *testing.T) {
	vs := shareddata.Versions(t, "service-names-port-numbers")
	vs = shareddata.Sample(vs, len(vs)/24)
	src := t.TempDir()
	for _, v := range vs {
		os.WriteFile(filepath.Join(src, v.Commit[:12]+".xml"), shareddata.Read(t, v), 0o644)
	}
	kills := 12
	if testing.Short() {
		kills = 4
	}
	store := filepath.Join(t.TempDir(), "store")
	rng := rand.New(rand.NewSource(time.Now().UnixNano()))
	for i := range kills {
		ctx, cancel := context.WithCancel(context.Background())
		cmd := regdiffProcess(ctx, "--store", store, "import", src)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		delay := time.Duration(rng.Intn(1500)) * time.Millisecond
		time.Sleep(delay)
		cancel() // CommandContext sends SIGKILL
		cmd.Wait()
		n := checkStore(t, store)
		t.Logf("kill %d after %v: %d versions whole", i, delay, n)
	}
	cmd := regdiffProcess(context.Background(), "--store", store, "import", src)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("rerun after kills: %v\n%s", err, out)
	}
	if n := checkStore(t, store); n != len(vs) {
		t.Errorf("after the rerun: %d versions, want %d\n%s", n, len(vs), out)
	}
	if !strings.Contains(string(out), fmt.Sprintf("%d refused", 0)) {
		t.Errorf("rerun summary: %s", out)
	}
}

// TestConcurrentImports starts several imports of overlapping inputs at
// once: the lock serializes them, no version is stored twice.
func TestConcurrentImports(t *testing.T) {
	store := filepath.Join(t.TempDir(), "store")
	var cmds []*exec.Cmd
	var outs []*strings.Builder
	for i := range 6 {
		files := []string{"testdata/ports-2019.xml", "testdata/ports-2024.xml", "testdata/protocols.xml"}
		cmd := regdiffProcess(context.Background(), "--store", store, "import", files[i%3], files[(i+1)%3])
		var b strings.Builder
		cmd.Stdout, cmd.Stderr = &b, &b
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds, outs = append(cmds, cmd), append(outs, &b)
	}
	for i, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Errorf("import %d: %v\n%s", i, err, outs[i])
		}
	}
	if n := checkStore(t, store); n != 3 {
		t.Errorf("%d versions after concurrent imports, want 3", n)
	}
}
