package snapshots

import (
	"bytes"
	"compress/zlib"
	"context"
	"crypto/sha1"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/format/idxfile"
	"github.com/go-git/go-git/v5/plumbing/format/packfile"

	"github.com/regdiff/regdiff/internal/shareddata"
)

// The index of a received pack is checked against git's index-pack, which
// wrote the .idx beside each pack that git pack-objects made, byte for
// byte; damaged packs are written by hand here.

// encodeIndex is indexPack's result in the bytes of an .idx file.
func encodeIndex(t testing.TB, pack []byte, workers int) ([]byte, error) {
	t.Helper()
	idx, sum, err := IndexPack(pack, workers)
	if err != nil {
		return nil, err
	}
	if want := pack[len(pack)-20:]; !bytes.Equal(sum[:], want) {
		t.Fatalf("indexPack gave checksum %s, the pack ends with %x", sum, want)
	}
	var b bytes.Buffer
	if _, err := idxfile.NewEncoder(&b).Encode(idx); err != nil {
		t.Fatal(err)
	}
	return b.Bytes(), nil
}

// gitPacks makes a repository of a registry-like file and a second file
// changed over commits, and packs every object with git pack-objects and
// each set of flags; it returns each pack with the index git wrote.
func gitPacks(t *testing.T, flags ...[]string) [][2][]byte {
	t.Helper()
	needGit(t)
	dir := t.TempDir()
	gitRun(t, dir, "init", "-q")
	var recs []string
	for i := range 400 {
		recs = append(recs, fmt.Sprintf("<record><name>svc-%d</name><number>%d</number><description>service %d</description></record>", i, i, i*7))
	}
	for c := range 14 {
		for k := range 5 {
			i := (c*37 + k*11) % len(recs)
			recs[i] = fmt.Sprintf("<record><name>svc-%d</name><number>%d</number><description>changed in %d</description></record>", i, i, c)
		}
		if c%3 == 0 {
			recs = append(recs, fmt.Sprintf("<record><name>new-%d</name></record>", c))
		}
		body := "<registry>\n" + strings.Join(recs, "\n") + "\n</registry>\n"
		if err := os.WriteFile(filepath.Join(dir, "reg.xml"), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "other.txt"), []byte(strings.Repeat(fmt.Sprintf("line %d\n", c%4), 200+c)), 0o644); err != nil {
			t.Fatal(err)
		}
		gitRun(t, dir, "add", "-A")
		gitRun(t, dir, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", fmt.Sprint("v", c))
	}
	objects := gitRun(t, dir, "rev-list", "--objects", "--all")
	var out [][2][]byte
	for i, fl := range flags {
		base := filepath.Join(t.TempDir(), fmt.Sprint("p", i))
		cmd := exec.Command("git", append([]string{"-C", dir, "pack-objects", "-q"}, append(fl, base)...)...)
		cmd.Stdin = strings.NewReader(objects)
		sum, err := cmd.Output()
		if err != nil {
			t.Fatalf("git pack-objects %v: %v", fl, err)
		}
		name := base + "-" + strings.TrimSpace(string(sum))
		pack, err1 := os.ReadFile(name + ".pack")
		idx, err2 := os.ReadFile(name + ".idx")
		if err1 != nil || err2 != nil {
			t.Fatal(err1, err2)
		}
		out = append(out, [2][]byte{pack, idx})
	}
	return out
}

func TestIndexPackAgreesWithGit(t *testing.T) {
	flags := map[string][]string{
		"OFS_DELTA":        {"--delta-base-offset", "--depth=50"},
		"REF_DELTA":        {"--depth=50"},
		"short chains":     {"--delta-base-offset", "--depth=2"},
		"no deltas":        {"--window=0"},
		"deltas on deltas": {"--delta-base-offset", "--depth=4095", "--window=50"},
	}
	var names []string
	var args [][]string
	for name, fl := range flags {
		names, args = append(names, name), append(args, fl)
	}
	packs := gitPacks(t, args...)
	for k, name := range names {
		pack, want := packs[k][0], packs[k][1]
		for _, workers := range []int{1, 2, 8} {
			t.Run(fmt.Sprintf("%s/%d workers", name, workers), func(t *testing.T) {
				got, err := encodeIndex(t, pack, workers)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got, want) {
					t.Fatalf("the index differs from git's (%d bytes against %d)", len(got), len(want))
				}
			})
		}
	}
}

// Hand-written packs: entries in git's pack format (gitformat-pack).

func entryHead(t plumbing.ObjectType, size int) []byte {
	c := byte(t)<<4 | byte(size&0x0f)
	size >>= 4
	var out []byte
	for size > 0 {
		out = append(out, c|0x80)
		c = byte(size & 0x7f)
		size >>= 7
	}
	return append(out, c)
}

func deflated(data []byte) []byte {
	var b bytes.Buffer
	zw := zlib.NewWriter(&b)
	zw.Write(data)
	zw.Close()
	return b.Bytes()
}

func wholeEntry(t plumbing.ObjectType, data []byte) []byte {
	return append(entryHead(t, len(data)), deflated(data)...)
}

func ofsEntry(rel int, delta []byte) []byte {
	enc := []byte{byte(rel & 0x7f)}
	for rel >>= 7; rel > 0; rel >>= 7 {
		rel--
		enc = append([]byte{0x80 | byte(rel&0x7f)}, enc...)
	}
	out := append(entryHead(plumbing.OFSDeltaObject, len(delta)), enc...)
	return append(out, deflated(delta)...)
}

func refEntry(base plumbing.Hash, delta []byte) []byte {
	out := append(entryHead(plumbing.REFDeltaObject, len(delta)), base[:]...)
	return append(out, deflated(delta)...)
}

// packOf frames entries as a pack of count objects, with its checksum.
func packOf(count int, entries ...[]byte) []byte {
	out := binary.BigEndian.AppendUint32([]byte("PACK\x00\x00\x00\x02"), uint32(count))
	for _, e := range entries {
		out = append(out, e...)
	}
	sum := sha1.Sum(out)
	return append(out, sum[:]...)
}

// resum gives a pack a correct checksum again.
func resum(pack []byte) []byte {
	body := bytes.Clone(pack[:len(pack)-20])
	sum := sha1.Sum(body)
	return append(body, sum[:]...)
}

// TestIndexPackRefuses: a damaged or incomplete pack is refused with an
// error that names what is wrong, on one worker and on several.
func TestIndexPackRefuses(t *testing.T) {
	a := []byte("<registry><record><value>1</value></record></registry>\n")
	b := []byte("<registry><record><value>1</value></record><record><value>2</value></record></registry>\n")
	ab := makeDelta(a, b)
	ha := plumbing.ComputeHash(plumbing.BlobObject, a)
	wa := wholeEntry(plumbing.BlobObject, a)
	good := packOf(2, wa, ofsEntry(len(wa), ab))
	bad := map[string]struct {
		pack []byte
		want string
	}{
		"truncated":          {good[:len(good)-25], "truncated: the pack ends inside it"},
		"empty":              {nil, "too short"},
		"no signature":       {resum(append([]byte("KCAP"), good[4:]...)), "no pack signature"},
		"version 4":          {resum(append([]byte("PACK\x00\x00\x00\x04"), good[8:]...)), "pack version 4"},
		"checksum":           {append(bytes.Clone(good[:len(good)-1]), good[len(good)-1]^1), "checksum"},
		"count too large":    {resum(append([]byte("PACK\x00\x00\x00\x02\xff\xff\xff\xff"), good[12:]...)), "declares 4294967295 objects"},
		"one object more":    {packOf(3, wa, ofsEntry(len(wa), ab)), "truncated"},
		"bytes after":        {packOf(1, wa, []byte{0, 0, 0}), "3 bytes after"},
		"flipped bit":        {resum(flip(good, 12+len(wa)-3)), "does not inflate"},
		"size too small":     {packOf(1, append(entryHead(plumbing.BlobObject, len(a)-1), deflated(a)...)), "inflates to other than"},
		"size too large":     {packOf(1, append(entryHead(plumbing.BlobObject, len(a)+1), deflated(a)...)), "inflates to other than"},
		"unknown type":       {packOf(1, append(entryHead(5, len(a)), deflated(a)...)), "unknown type 5"},
		"huge size":          {packOf(1, append(entryHead(plumbing.BlobObject, 1<<40), deflated(a)...)), "declares"},
		"base not an entry":  {packOf(2, wa, ofsEntry(len(wa)-1, ab)), "is no entry before it"},
		"base past the pack": {packOf(1, ofsEntry(5000, ab)), "is no entry before it"},
		"thin":               {packOf(1, refEntry(ha, ab)), "needs object " + ha.String()},
		"delta on the wrong base": {
			packOf(2, wholeEntry(plumbing.BlobObject, b), ofsEntry(len(wholeEntry(plumbing.BlobObject, b)), ab)),
			"bad delta",
		},
		"an object twice": {packOf(2, wa, wa), "holds object " + ha.String() + " twice"},
		"cycle": {packOf(2,
			refEntry(plumbing.ComputeHash(plumbing.BlobObject, b), makeDelta(b, a)),
			refEntry(ha, ab)), "needs object"},
	}
	// A delta that copies all of a 64 KiB base 16,385 times: a valid
	// object of just over maxObject.
	big := bytes.Repeat([]byte("0123456789abcdef"), 4096)
	huge := binary.AppendUvarint(nil, uint64(len(big)))
	huge = binary.AppendUvarint(huge, uint64(maxObject+len(big)))
	for range maxObject/len(big) + 1 {
		huge = appendCopy(huge, 0, len(big))
	}
	wbig := wholeEntry(plumbing.BlobObject, big)
	bad["delta to a huge object"] = struct {
		pack []byte
		want string
	}{packOf(2, wbig, ofsEntry(len(wbig), huge)), fmt.Sprintf("declares an object of %d bytes", maxObject+len(big))}
	bad["size past 60 bits"] = struct {
		pack []byte
		want string
	}{packOf(1, append([]byte{0xb0, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x08}, deflated(a)...)), "bad header"}
	if _, err := encodeIndex(t, good, 1); err != nil {
		t.Fatalf("the undamaged pack: %v", err)
	}
	for name, c := range bad {
		for _, workers := range []int{1, 4} {
			t.Run(fmt.Sprintf("%s/%d", name, workers), func(t *testing.T) {
				_, err := encodeIndex(t, c.pack, workers)
				if err == nil || !strings.Contains(err.Error(), c.want) {
					t.Fatalf("got %v, want an error with %q", err, c.want)
				}
			})
		}
	}
}

func flip(p []byte, at int) []byte {
	p = bytes.Clone(p)
	p[at] ^= 0x10
	return p
}

// FuzzIndexPack: whatever the bytes, indexPack returns; when it takes
// them, go-git's pack parser, written independently, indexes them alike.
func FuzzIndexPack(f *testing.F) {
	a := []byte("<registry><record><value>1</value></record></registry>\n")
	b := []byte("<registry><record><value>1</value></record><record><value>2</value></record></registry>\n")
	wa := wholeEntry(plumbing.BlobObject, a)
	ha := plumbing.ComputeHash(plumbing.BlobObject, a)
	f.Add(packOf(2, wa, ofsEntry(len(wa), makeDelta(a, b))))
	f.Add(packOf(2, wa, refEntry(ha, makeDelta(a, b))))
	f.Add(packOf(3, wa, ofsEntry(len(wa), makeDelta(a, b)), wholeEntry(plumbing.TreeObject, nil)))
	f.Fuzz(func(t *testing.T, pack []byte) {
		got, err := encodeIndex(t, pack, 3)
		if err != nil {
			return
		}
		w := new(idxfile.Writer)
		p, err := packfile.NewParser(packfile.NewScanner(bytes.NewReader(pack)), w)
		if err != nil {
			t.Fatalf("go-git refuses a pack indexPack took: %v", err)
		}
		if _, err := p.Parse(); err != nil {
			t.Fatalf("go-git refuses a pack indexPack took: %v", err)
		}
		idx, err := w.Index()
		if err != nil {
			t.Fatal(err)
		}
		var want bytes.Buffer
		if _, err := idxfile.NewEncoder(&want).Encode(idx); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want.Bytes()) {
			t.Fatal("indexPack's index differs from go-git's")
		}
	})
}

// TestRealIndexPack indexes the packs git made of the shared bundles
// (every port and protocol version; every registry of the hourly mirror),
// against the index git wrote for each.
func TestRealIndexPack(t *testing.T) {
	for name, dir := range map[string]func(testing.TB) string{"iana-history": shareddata.Clone, "iana-registries": shareddata.MirrorClone} {
		t.Run(name, func(t *testing.T) {
			packs, err := filepath.Glob(filepath.Join(dir(t), "objects", "pack", "*.pack"))
			if err != nil || len(packs) == 0 {
				t.Fatalf("no pack in the bundle's clone: %v", err)
			}
			for _, p := range packs {
				pack, err1 := os.ReadFile(p)
				want, err2 := os.ReadFile(strings.TrimSuffix(p, ".pack") + ".idx")
				if err1 != nil || err2 != nil {
					t.Fatal(err1, err2)
				}
				got, err := encodeIndex(t, pack, 4)
				if err != nil {
					t.Fatalf("%s: %v", p, err)
				}
				if !bytes.Equal(got, want) {
					t.Fatalf("%s: the index differs from git's", p)
				}
			}
		})
	}
}

// TestPackReceiverStops: a clone stopped while its pack is indexed ends
// with the context's error, not ErrBadPack, and leaves no pack behind.
func TestPackReceiverStops(t *testing.T) {
	a := []byte("<registry><record><value>1</value></record></registry>\n")
	wa := wholeEntry(plumbing.BlobObject, a)
	pack := packOf(2, wa, ofsEntry(len(wa), makeDelta(a, append(a, a...))))
	for _, stopped := range []bool{false, true} {
		t.Run(fmt.Sprint("stopped=", stopped), func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			dir := filepath.Join(t.TempDir(), "pack")
			w, err := receiving{ctx: ctx, dir: dir, workers: 2}.PackfileWriter()
			if err != nil {
				t.Fatal(err)
			}
			if _, err := w.Write(pack); err != nil {
				t.Fatal(err)
			}
			if stopped {
				cancel()
			}
			err = w.Close()
			files, _ := os.ReadDir(dir)
			if !stopped {
				if err != nil || len(files) != 2 {
					t.Fatalf("Close: %v, %d files in objects/pack, want a pack and its index", err, len(files))
				}
				return
			}
			if !errors.Is(err, context.Canceled) || errors.Is(err, ErrBadPack) {
				t.Fatalf("Close: %v, want the context's error alone", err)
			}
			if len(files) != 0 {
				t.Fatalf("%d files left in objects/pack", len(files))
			}
		})
	}
}
