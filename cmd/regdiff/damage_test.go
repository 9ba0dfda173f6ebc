package main

import (
	"cmp"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// damageInputs are the sources of the damage test's store: two versions
// of one registry and one of another.
var damageInputs = []string{"testdata/ports-2019.xml", "testdata/ports-2024.xml", "testdata/protocols.xml"}

// damageCommands are the commands whose answers must never be wrong.
var damageCommands = [][]string{
	{"diff", "2019", "2024"},
	{"diff", "2019", "2024", "--json"},
	{"show", "latest"},
	{"show", "2019", "--json"},
	{"show", "latest", "--raw"},
	{"show", "latest", "--raw", "--registry", "protocol-numbers"},
	{"history", "81/tcp"},
	{"history", "22", "--json"},
	{"log", "--json"},
	{"log", "--registry", "protocol-numbers"},
}

// git runs git in dir: the test finds the objects to damage through git,
// not through regdiff's own reader.
func git(t *testing.T, dir string, args ...string) string {
	t.Helper()
	var stderr strings.Builder
	cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return strings.TrimSpace(string(out))
}

func copyTree(t *testing.T, from, to string) {
	t.Helper()
	if out, err := exec.Command("cp", "-a", from, to).CombinedOutput(); err != nil {
		t.Fatalf("cp: %v %s", err, out)
	}
}

// damage is one way to damage one file of the store.
type damage struct {
	name  string
	store string // the store to damage a copy of; the loose one when ""
	file  string // relative to the store
	at    []int  // byte positions, negative from the end
	cut   bool   // truncate at each position instead of flipping a bit
	// restorable: importing the sources again gives a whole store (objects
	// of a version can be rebuilt from its file; refs and metadata cannot).
	restorable bool
	// packed: the damaged pack stays after its objects are restored (as
	// loose objects, which are read first), and verify still says so.
	packed bool
	// names is what an error must mention: the file or the object's hash.
	names string
}

func objectFile(h string) string { return "objects/" + h[:2] + "/" + h[2:] }

// TestDamageIsNeverAnAnswer damages one byte of one file at a time, of
// every kind the store holds, and runs the commands on the damaged store:
// each must answer as on the whole store, or fail naming what is damaged
// (exit 8 where it read damage). verify must say so (or answer as on the
// whole store, where the damage changed nothing it reads). Importing the
// sources again must then restore the objects.
func TestDamageIsNeverAnAnswer(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git")
	}
	base := newCLI(t)
	base.mustRun(append([]string{"import"}, damageInputs...)...)
	unpack(t, base.store) // the loose classes below damage one object file each; packedCases packs a copy again
	want := map[string]string{}
	for _, args := range damageCommands {
		want[strings.Join(args, " ")] = base.mustRun(args...) // also builds the history cache
	}
	wantVerify := base.mustRun("verify")

	const tag = "refs/tags/service-names-port-numbers/2024-03-18"
	rev := func(spec string) string { return git(t, base.store, "rev-parse", spec) }
	meta := rev("refs/regdiff/meta")
	metaTree := rev("refs/regdiff/meta^{tree}")
	metaBlob := strings.Fields(git(t, base.store, "ls-tree", "-r", meta, "sources/service-names-port-numbers/"))[2]
	// The zlib header, the object's own header, its content, the zlib
	// checksum.
	at := []int{1, 7, 20, -3}
	obj := func(name, h string, restorable bool) damage {
		return damage{name: name, file: objectFile(h), at: at, restorable: restorable, names: h}
	}
	cases := []damage{
		obj("records blob", rev(tag+":records/00000-00999.jsonl"), true),
		obj("ranges blob", rev(tag+":records/ranges.jsonl"), true),
		obj("records tree", rev(tag+":records"), true),
		obj("root tree", rev(tag+"^{tree}"), true),
		obj("latest commit", rev(tag), true),
		obj("older commit", rev(tag+"~1"), true),
		obj("raw blob", rev(tag+":service-names-port-numbers.xml"), true),
		obj("people blob", rev(tag+":people/j.jsonl"), true),
		obj("meta commit", meta, false),
		obj("meta tree", metaTree, false),
		obj("meta sources blob", metaBlob, false),
		{name: "packed-refs torn", file: "packed-refs", at: []int{1, 70, 150, -60, -1}, cut: true, names: "packed-refs"},
		{name: "packed-refs flip", file: "packed-refs", at: []int{0, 60, 66, 110, 160, -20, -1}, names: "packed-refs"},
		{name: "history index", file: "cache/history.idx", at: []int{10, 26, 100, -1}, restorable: true, names: "history.idx"},
		{name: "versions cache", file: "cache/versions/service-names-port-numbers", at: []int{22, 45, 100, -10}, restorable: true, names: "cache/versions"},
	}
	cases = append(cases, packedCases(t, base, want, tag)...)
	for _, d := range cases {
		t.Run(d.name, func(t *testing.T) {
			detected := 0
			for _, pos := range d.at {
				store := filepath.Join(t.TempDir(), "store")
				copyTree(t, cmp.Or(d.store, base.store), store)
				if !corrupt(t, filepath.Join(store, d.file), pos, d.cut) {
					continue
				}
				c := &cli{t: t, store: store}
				where := fmt.Sprintf("%s at %d", d.file, pos)
				if code, out, errs := c.run("verify"); code == exitVerify {
					detected++
				} else if code != 0 || strings.ReplaceAll(out, store, base.store) != wantVerify {
					t.Errorf("%s: verify: exit %d, want %d\n%s%s", where, code, exitVerify, out, errs)
				}
				copyTree(t, filepath.Join(store), store+"-2") // a damaged store verify has not cleaned
				c = &cli{t: t, store: store + "-2"}
				for _, args := range damageCommands {
					checkAnswer(t, c, where, args, want[strings.Join(args, " ")], d.names)
				}
				if !d.restorable {
					// No import may build on what it cannot read: it fails
					// and moves no ref (no fresh branch on a torn
					// packed-refs). The objects it restored may stay.
					refs := func() string {
						b, _ := os.ReadFile(filepath.Join(c.store, "packed-refs"))
						return string(b)
					}
					before := refs()
					code, out, errs := c.run(append([]string{"import"}, damageInputs...)...)
					if code != 0 && (code != exitVerify || refs() != before) {
						t.Errorf("%s: import: exit %d, want 0, or %d moving no ref\n%s%s", where, code, exitVerify, out, errs)
					}
					continue
				}
				c.mustRun(append([]string{"import"}, damageInputs...)...)
				code, out, errs := c.run("verify")
				if d.packed && code == exitVerify && strings.Count(out, "\n") == 1 && strings.HasPrefix(out, "objects/pack: "+d.file+" does not match its checksum") {
					code = 0 // every object reads whole; the pack file itself stays damaged
				}
				if code != 0 {
					t.Errorf("%s: verify after importing the sources again: exit %d\n%s%s", where, code, out, errs)
				}
				for _, args := range damageCommands {
					if code, out, errs := c.run(args...); code != 0 || out != want[strings.Join(args, " ")] {
						t.Errorf("%s: regdiff %s after the import: exit %d, not the whole store's answer\n%s%s", where, strings.Join(args, " "), code, out, errs)
					}
				}
			}
			if detected == 0 {
				t.Errorf("verify found none of the damage to %s", d.file)
			}
		})
	}
}

// packedCases packs a copy of the store with git gc (which regdiff must
// read as before) and damages its pack: inside objects of a version
// (found with git verify-pack), which importing the sources again restores,
// and in the pack's header and index, which no import can.
func packedCases(t *testing.T, base *cli, want map[string]string, tag string) []damage {
	t.Helper()
	packed := filepath.Join(t.TempDir(), "packed")
	copyTree(t, base.store, packed)
	git(t, packed, "gc", "--quiet")
	c := &cli{t: t, store: packed}
	for _, args := range damageCommands {
		if out := c.mustRun(args...); out != want[strings.Join(args, " ")] {
			t.Fatalf("regdiff %s on the packed store:\n%s", strings.Join(args, " "), out)
		}
	}
	idx, _ := filepath.Glob(filepath.Join(packed, "objects", "pack", "*.idx"))
	if len(idx) != 1 {
		t.Fatalf("git gc made %d packs", len(idx))
	}
	pack, _ := filepath.Rel(packed, strings.TrimSuffix(idx[0], ".idx")+".pack")
	index, _ := filepath.Rel(packed, idx[0])
	// verify-pack -v: "hash type size size-in-pack offset [depth base]"
	where := map[string][2]int{}
	for _, line := range strings.Split(git(t, packed, "verify-pack", "-v", idx[0]), "\n") {
		f := strings.Fields(line)
		if len(f) >= 5 && len(f[0]) == 40 {
			n, _ := strconv.Atoi(f[3])
			off, _ := strconv.Atoi(f[4])
			where[f[0]] = [2]int{off, n}
		}
	}
	var inside []int
	for _, spec := range []string{tag + ":service-names-port-numbers.xml", tag + ":records/00000-00999.jsonl", tag + ":records", tag} {
		h := git(t, packed, "rev-parse", spec)
		w, ok := where[h]
		if !ok {
			t.Fatalf("%s (%s) is not in the pack", spec, h)
		}
		inside = append(inside, w[0], w[0]+w[1]/2)
	}
	return []damage{
		{name: "packed objects", store: packed, file: pack, at: inside, restorable: true, packed: true, names: "objects"},
		{name: "pack header", store: packed, file: pack, at: []int{0, 9}, names: "objects"},
		{name: "pack index", store: packed, file: index, at: []int{8 + 4*100, 1100, -1}, names: "objects"},
	}
}

// checkAnswer runs one command on a damaged store: it must answer as on
// the whole store, or fail with an error naming what is damaged.
func checkAnswer(t *testing.T, c *cli, where string, args []string, want, names string) {
	t.Helper()
	code, out, errs := c.run(args...)
	cmd := "regdiff " + strings.Join(args, " ")
	switch {
	case code == 0 && out == want:
	case code == 0:
		t.Errorf("%s: %s answered wrongly (exit 0)\ngot:\n%s\nwant:\n%s", where, cmd, out, want)
	case code == exitVerify && strings.Contains(errs, names):
	case code == exitVerify && strings.Contains(errs, "object ") && strings.Contains(errs, "the store is damaged"):
		// another object, damaged through this one (a tree's entries name
		// objects; a flipped hash names one that is not there)
	default:
		t.Errorf("%s: %s: exit %d, want 0 with the whole store's answer or %d naming %s\n%s", where, cmd, code, exitVerify, names, errs)
	}
}

// corrupt flips a bit of the byte at pos (negative: from the end), or cuts
// the file there; false when the file is shorter.
func corrupt(t *testing.T, path string, pos int, cut bool) bool {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if pos < 0 {
		pos += len(data)
	}
	if pos < 0 || pos >= len(data) {
		return false
	}
	if cut {
		data = data[:pos]
	} else {
		data[pos] ^= 1 << (pos % 8)
	}
	os.Chmod(path, 0o644)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return true
}
