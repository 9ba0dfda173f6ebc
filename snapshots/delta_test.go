package snapshots

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"math/rand"
	"runtime"
	"strings"
	"testing"

	"github.com/regdiff/regdiff/internal/shareddata"

	"github.com/go-git/go-git/v5/plumbing/format/packfile"
)

// Deltas are checked by go-git's own patcher, an implementation of git's
// format written independently of makeDelta.
func checkDelta(t testing.TB, src, tgt []byte) []byte {
	t.Helper()
	d := makeDelta(src, tgt)
	got, err := packfile.PatchDelta(src, d)
	if err != nil {
		t.Fatalf("patch: %v", err)
	}
	if !bytes.Equal(got, tgt) {
		t.Fatalf("patched %d bytes differ from the %d-byte target", len(got), len(tgt))
	}
	// applyDelta, which reads packs, against the same two.
	if mine, err := applyDelta(src, d); err != nil || !bytes.Equal(mine, tgt) {
		t.Fatalf("applyDelta: %v, or its result differs", err)
	}
	return d
}

func TestMakeDelta(t *testing.T) {
	var lines []string
	for i := range 3000 {
		lines = append(lines, fmt.Sprintf("  <record><name>svc%d</name><number>%d</number></record>\n", i, i))
	}
	text := func(ls []string) []byte { return []byte(fmt.Sprint(ls)) }
	base := text(lines)
	r := rand.New(rand.NewSource(1))
	edit := func(n int) []byte {
		ls := append([]string(nil), lines...)
		for range n {
			i := r.Intn(len(ls))
			switch r.Intn(3) {
			case 0:
				ls[i] = "  <record><name>changed</name></record>\n"
			case 1:
				ls = append(ls[:i], ls[i+1:]...)
			default:
				ls = append(ls[:i], append([]string{"  <record><name>new</name></record>\n"}, ls[i:]...)...)
			}
		}
		return text(ls)
	}
	big := bytes.Repeat([]byte("x"), 0x1000000+5) // a copy longer than one op
	cases := []struct {
		name     string
		src, tgt []byte
		maxSize  int
	}{
		{"same", base, base, 64},
		{"empty target", base, nil, 16},
		{"unrelated source", []byte("q"), base, len(base) + len(base)/100 + 16},
		{"one line changed", base, edit(1), 200},
		{"many edits", base, edit(50), 8000},
		{"no newline", []byte("abcdefghijklmnopqrstuvwxyz0123456789"), []byte("abcdefghijklmnopqrstuvwxyz0123456789!"), 64},
		{"unrelated", base, bytes.Repeat([]byte("z\n"), 500), 2000},
		{"long copy", big, append(append([]byte{}, big...), 'y'), 64},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if d := checkDelta(t, c.src, c.tgt); len(d) > c.maxSize {
				t.Errorf("delta of %d bytes, want at most %d", len(d), c.maxSize)
			}
		})
	}
}

// Consecutive real versions of the ports registry give deltas of under 1%
// of the file.
func TestMakeDeltaRealVersions(t *testing.T) {
	vs := shareddata.Versions(t, "service-names-port-numbers") // skips without the data
	for i := 0; i+1 < len(vs); i += 40 {
		a, b := shareddata.Read(t, vs[i]), shareddata.Read(t, vs[i+1])
		if d := checkDelta(t, a, b); len(d) > len(b)/100 {
			t.Errorf("version %s: delta of %d bytes for a %d-byte file", vs[i+1].Date, len(d), len(b))
		}
	}
}

// applyDelta refuses damaged deltas rather than panicking or reading past
// its inputs, and agrees with go-git's patcher on what it accepts.
func FuzzApplyDelta(f *testing.F) {
	src := []byte("line one\nline two\nline three is long enough to copy\n")
	f.Add(src, makeDelta(src, []byte("line one\nline 2\nline three is long enough to copy\n")))
	f.Fuzz(func(t *testing.T, src, delta []byte) {
		got, err := applyDelta(src, delta)
		if err != nil || len(src) == 0 {
			return
		}
		want, err := packfile.PatchDelta(src, delta)
		if err == nil && !bytes.Equal(got, want) {
			t.Fatalf("applyDelta gives %q, go-git %q", got, want)
		}
	})
}

func FuzzMakeDelta(f *testing.F) {
	f.Add([]byte("line one\nline two\nline three is long enough to copy\n"), []byte("line one\nline 2\nline three is long enough to copy\n"))
	f.Fuzz(func(t *testing.T, src, tgt []byte) {
		if len(src) == 0 { // go-git's patcher refuses an empty base; the pack never uses one
			return
		}
		checkDelta(t, src, tgt)
	})
}

// A size read from the store is a claim, and a damaged one must cost
// neither memory nor time before it is found out: FuzzApplyDelta hung a
// CI run on a delta header that claimed 4 GB.
func TestForgedSizesAllocateLittle(t *testing.T) {
	allocated := func(f func()) uint64 {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		f()
		runtime.ReadMemStats(&after)
		return after.TotalAlloc - before.TotalAlloc
	}
	const bound = 2 * trustedAlloc
	delta := binary.AppendUvarint(binary.AppendUvarint(nil, 3), 1<<32)
	delta = append(delta, 0x91, 0, 3)
	if n := allocated(func() {
		if _, err := applyDelta([]byte("abc"), delta); err == nil {
			t.Error("a delta claiming 4 GB from 6 bytes applies")
		}
	}); n > bound {
		t.Errorf("a forged delta header allocates %d bytes", n)
	}
	if n := allocated(func() {
		if _, err := readSized(strings.NewReader("short"), maxObject); err != io.ErrUnexpectedEOF {
			t.Errorf("readSized of 5 bytes claiming %d: %v", maxObject, err)
		}
	}); n > bound {
		t.Errorf("a forged object size allocates %d bytes", n)
	}
	got, err := readSized(strings.NewReader(strings.Repeat("x", trustedAlloc+5)), trustedAlloc+5)
	if err != nil || len(got) != trustedAlloc+5 {
		t.Errorf("readSized past trustedAlloc: %d bytes, %v", len(got), err)
	}
}
