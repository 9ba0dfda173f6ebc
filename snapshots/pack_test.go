package snapshots_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"

	"github.com/regdiff/regdiff/internal/shareddata"
	"github.com/regdiff/regdiff/snapshots"
	"github.com/regdiff/regdiff/snapshots/formats"
)

// synthXML returns n versions of the ports registry of the fixture, version
// i with i more records and its own date.
func synthXML(t testing.TB, n int) [][]byte {
	t.Helper()
	base, err := os.ReadFile("formats/testdata/xml/services.xml")
	if err != nil {
		t.Fatal(err)
	}
	var out [][]byte
	for i := range n {
		s := strings.Replace(string(base), "<updated>2024-03-18</updated>", fmt.Sprintf("<updated>2024-04-%02d</updated>", i+1), 1)
		var extra strings.Builder
		for j := range i {
			fmt.Fprintf(&extra, "  <record>\n    <name>synth%d</name>\n    <protocol>tcp</protocol>\n    <number>%d</number>\n    <description>Synthetic service %d</description>\n  </record>\n", j, 20000+j, j)
		}
		s = strings.Replace(s, "  <record>", extra.String()+"  <record>", 1)
		out = append(out, []byte(s))
	}
	return out
}

func inputsOf(files [][]byte) []snapshots.Input {
	var ins []snapshots.Input
	for i, data := range files {
		ins = append(ins, snapshots.Input{
			Source: snapshots.Source{Kind: "file", Location: fmt.Sprintf("v%d.xml", i)},
			Read:   func() ([]byte, error) { return data, nil },
		})
	}
	return ins
}

// contents reads every version of every registry: its raw file and records.
func contents(t *testing.T, dir string) map[string]string {
	t.Helper()
	s, err := snapshots.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	regs, err := s.Registries()
	if err != nil {
		t.Fatal(err)
	}
	for _, reg := range regs {
		vs, err := s.Versions(reg)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range vs {
			raw, err := s.Raw(v)
			if err != nil {
				t.Fatalf("%s %s: %v", reg, v.Name, err)
			}
			recs, err := s.Records(v)
			if err != nil {
				t.Fatalf("%s %s: %v", reg, v.Name, err)
			}
			out[reg+" "+v.Name] = fmt.Sprintf("%s\n%+v", raw, recs)
		}
	}
	return out
}

func fsck(t *testing.T, dir string) {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		return
	}
	if out, err := exec.Command("git", "-C", dir, "fsck", "--strict", "--no-dangling").CombinedOutput(); err != nil {
		t.Errorf("git fsck --strict: %v\n%s", err, out)
	}
	if out, err := exec.Command("git", "-C", dir, "log", "--oneline", "-3", "service-names-port-numbers").CombinedOutput(); err != nil {
		t.Errorf("git log: %v\n%s", err, out)
	}
}

func counts(t *testing.T, dir string) (packs, loose int) {
	t.Helper()
	s, err := snapshots.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if packs, err = s.PackFiles(); err != nil {
		t.Fatal(err)
	}
	if loose, err = s.LooseObjects(); err != nil {
		t.Fatal(err)
	}
	return packs, loose
}

// Packing keeps every version: a store imported loose, then packed whole,
// and a store packed as it was imported hold the same versions, byte for
// byte and record for record, as the loose store (whose raw files are
// checked against the bundle as git reads it), and git reads both.
func TestPackKeepsVersions(t *testing.T) {
	t.Run("synthetic", func(t *testing.T) { checkPacking(t, synthXML(t, 5)) })
	t.Run("real", func(t *testing.T) {
		shareddata.Dir(t) // skips without the shared data
		var files [][]byte
		for _, reg := range []string{"service-names-port-numbers", "protocol-numbers"} {
			n := 12
			if testing.Short() {
				n = 60
			}
			for _, v := range shareddata.Sample(shareddata.Versions(t, reg), n) {
				files = append(files, shareddata.Read(t, v))
			}
		}
		checkPacking(t, files)
	})
}

func checkPacking(t *testing.T, files [][]byte) {
	want := map[string][]byte{}
	for _, f := range files {
		want[string(f)] = f
	}
	inputs := inputsOf(files)
	importInto := func(dir string) {
		t.Helper()
		s, err := snapshots.Create(dir)
		if err != nil {
			t.Fatal(err)
		}
		sum, err := s.Import(context.Background(), inputs, snapshots.ImportOptions{})
		if err != nil || len(sum.Refused) > 0 {
			t.Fatalf("import: %v %v", err, sum.Refused)
		}
	}
	tmp := t.TempDir()
	loose := filepath.Join(tmp, "loose")
	restore := snapshots.NoImportPacks()
	importInto(loose)
	restore()
	before := contents(t, loose)
	if len(before) != len(inputs) {
		t.Fatalf("%d versions stored, want %d", len(before), len(inputs))
	}
	for k, v := range before {
		found := false
		for _, w := range want {
			if strings.HasPrefix(v, string(w)+"\n[") {
				found = true
				break
			}
		}
		if !found {
			t.Errorf("%s: raw file differs from the bundle's", k)
		}
	}
	if p, l := counts(t, loose); p != 0 || l == 0 {
		t.Fatalf("store imported loose: %d packs, %d loose objects", p, l)
	}

	packedWhole := filepath.Join(tmp, "packed-whole")
	if out, err := exec.Command("cp", "-a", loose, packedWhole).CombinedOutput(); err != nil {
		t.Fatalf("cp: %v %s", err, out)
	}
	s, err := snapshots.Open(packedWhole)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Pack(true); err != nil {
		t.Fatal(err)
	}
	packedAsImported := filepath.Join(tmp, "packed-import")
	importInto(packedAsImported)
	dirs := []string{packedWhole, packedAsImported}
	// A pack git made, with its own choice of deltas, reads the same.
	if _, err := exec.LookPath("git"); err == nil {
		packedByGit := filepath.Join(tmp, "packed-by-git")
		if out, err := exec.Command("cp", "-a", loose, packedByGit).CombinedOutput(); err != nil {
			t.Fatalf("cp: %v %s", err, out)
		}
		// --prune=now: versions imported out of order rewrote the commits
		// after them, and git keeps unreachable objects younger than two
		// weeks loose.
		if out, err := exec.Command("git", "-C", packedByGit, "gc", "--quiet", "--prune=now").CombinedOutput(); err != nil {
			t.Fatalf("git gc: %v %s", err, out)
		}
		dirs = append(dirs, packedByGit)
	}

	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			if p, l := counts(t, dir); p != 1 || l != 0 {
				t.Errorf("%d packs and %d loose objects, want 1 and 0", p, l)
			}
			after := contents(t, dir)
			if !reflect.DeepEqual(after, before) {
				for k := range before {
					if after[k] != before[k] {
						t.Errorf("%s differs from the loose store's", k)
					}
				}
				t.Fatalf("%d versions, want %d", len(after), len(before))
			}
			fsck(t, dir)
		})
	}
}

func importFiles(t *testing.T, dir string, files [][]byte) *snapshots.Summary {
	t.Helper()
	s, err := snapshots.Create(dir)
	if err != nil {
		t.Fatal(err)
	}
	sum, err := s.Import(context.Background(), inputsOf(files), snapshots.ImportOptions{})
	if err != nil || len(sum.Refused) > 0 {
		t.Fatalf("import: %v %v", err, sum.Refused)
	}
	return sum
}

// Objects already in a pack are not written loose again: not by a second
// import of the same files, nor by preparing the same versions again.
func TestPackedNotWrittenLoose(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "store")
	files := synthXML(t, 6)
	importFiles(t, dir, files)
	if p, l := counts(t, dir); p != 1 || l != 0 {
		t.Fatalf("after an import: %d packs, %d loose objects; want 1 and 0", p, l)
	}
	importFiles(t, dir, files)
	if _, l := counts(t, dir); l != 0 {
		t.Errorf("importing the same files again left %d loose objects", l)
	}
	s, err := snapshots.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	for i, f := range files {
		reg, err := formats.Parse(f)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Prepare(f, reg, snapshots.Source{Kind: "file", Location: fmt.Sprint(i)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, l := counts(t, dir); l != 0 {
		t.Errorf("preparing stored versions again wrote %d loose objects", l)
	}
	fsck(t, dir)
}

// A store that grows a version at a time (fetch) stays packed: past the
// limit its loose objects go into a pack, and past the number of packs all
// are merged into one, with every version intact.
func TestCommitsKeepStorePacked(t *testing.T) {
	defer snapshots.SetPackLimits(20, 3)()
	dir := filepath.Join(t.TempDir(), "store")
	s, err := snapshots.Create(dir)
	if err != nil {
		t.Fatal(err)
	}
	files := synthXML(t, 30)
	maxPacks, maxLoose := 0, 0
	for i, f := range files {
		reg, err := formats.Parse(f)
		if err != nil {
			t.Fatal(err)
		}
		p, err := s.Prepare(f, reg, snapshots.Source{Kind: "fetch", Location: fmt.Sprint(i)})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Commit([]snapshots.Prepared{p}); err != nil {
			t.Fatal(err)
		}
		packs, loose := counts(t, dir)
		maxPacks, maxLoose = max(maxPacks, packs), max(maxLoose, loose)
	}
	if maxLoose > 20 || maxPacks > 3 {
		t.Errorf("up to %d loose objects and %d packs, want at most 20 and 3", maxLoose, maxPacks)
	}
	if packs, _ := counts(t, dir); packs == 0 {
		t.Errorf("no pack written")
	}
	got := contents(t, dir)
	if len(got) != len(files) {
		t.Fatalf("%d versions, want %d", len(got), len(files))
	}
	for _, f := range files {
		found := false
		for _, v := range got {
			found = found || strings.HasPrefix(v, string(f)+"\n[")
		}
		if !found {
			t.Errorf("a version's raw file was not kept")
		}
	}
	fsck(t, dir)
}

// packed-refs.lock held by another process: the import waits, then fails
// and leaves the refs as they were, and no pack behind.
func TestImportRefsLocked(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "store")
	files := synthXML(t, 3)
	importFiles(t, dir, files[:1])
	lock := filepath.Join(dir, "packed-refs.lock")
	if err := os.WriteFile(lock, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(filepath.Join(dir, "packed-refs"))
	packsBefore, _ := counts(t, dir)
	s, err := snapshots.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.Import(context.Background(), inputsOf(files), snapshots.ImportOptions{})
	if !errors.Is(err, snapshots.ErrLocked) {
		t.Fatalf("import with packed-refs.lock held: got %v, want an ErrLocked", err)
	}
	after, _ := os.ReadFile(filepath.Join(dir, "packed-refs"))
	if string(after) != string(before) {
		t.Errorf("packed-refs changed")
	}
	if p, _ := counts(t, dir); p != packsBefore {
		t.Errorf("%d packs, want %d as before", p, packsBefore)
	}
	if tmp, _ := filepath.Glob(filepath.Join(dir, "objects/pack/tmp_*")); len(tmp) > 0 {
		t.Errorf("left behind: %v", tmp)
	}
	os.Remove(lock)
	fsck(t, dir)
}

// A kill at any step of installing a pack leaves a store that holds every
// version committed, readable by regdiff and by git. The import runs in a
// child process (this test binary) that kills itself at the step: of the
// import's pack, once the refs moved, or of its checkpoint pack, before.
func TestKillMidPack(t *testing.T) {
	files := synthXML(t, 4)
	if stage := os.Getenv("REGDIFF_KILL_AT"); stage != "" {
		defer snapshots.SetPackStage(func(s string) {
			if s == stage {
				syscall.Kill(os.Getpid(), syscall.SIGKILL)
			}
		})()
		s, err := snapshots.Open(os.Getenv("REGDIFF_KILL_STORE"))
		if err != nil {
			t.Fatal(err)
		}
		s.Import(context.Background(), inputsOf(files), snapshots.ImportOptions{})
		return
	}
	for _, stage := range []string{"written", "renamed", "installed", "checkpoint written", "checkpoint renamed", "checkpoint installed"} {
		want := len(files)
		if strings.HasPrefix(stage, "checkpoint ") {
			want = 1 // the refs move once the checkpoint pack is installed
		}
		t.Run(stage, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "store")
			importFiles(t, dir, files[:1])
			cmd := exec.Command(os.Args[0], "-test.run=^TestKillMidPack$")
			cmd.Env = append(os.Environ(), "REGDIFF_KILL_AT="+stage, "REGDIFF_KILL_STORE="+dir)
			out, err := cmd.CombinedOutput()
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
				t.Fatalf("child was not killed at %s: %v\n%s", stage, err, out)
			}
			got := contents(t, dir)
			if len(got) != want {
				t.Fatalf("%d versions after the kill, want %d", len(got), want)
			}
			fsck(t, dir)
			// The next import finishes the job, and leaves what was there.
			importFiles(t, dir, files)
			again := contents(t, dir)
			if len(again) != len(files) {
				t.Errorf("%d versions after the next import, want %d", len(again), len(files))
			}
			for name, v := range got {
				if again[name] != v {
					t.Errorf("version %s changed on the next import", name)
				}
			}
			fsck(t, dir)
		})
	}
}
