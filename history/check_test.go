package history

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
)

// TestIndexCheck: an index built from a file read wrong (as a reader
// that did not check hashes could) keeps answering from it; Check finds
// the entry by reading the file again, and finds nothing in a sound index.
func TestIndexCheck(t *testing.T) {
	s := newStore(t, testVersions())
	path := filepath.Join(t.TempDir(), "history.idx")
	damaged := memorize(t, s)
	var changed string
	for h, b := range damaged.blobs {
		if i := bytes.Index(b, []byte(`"Reserved"`)); i >= 0 {
			damaged.blobs[h] = append(bytes.Clone(b[:i]), append([]byte(`"Reservet"`), b[i+len(`"Reserved"`):]...)...)
			changed = h.String()
			break
		}
	}
	if changed == "" {
		t.Fatal("no file with a Reserved record")
	}
	ix, _ := OpenIndex(damaged, path)
	build(t, ix, "253")
	build(t, ix, "ssh")
	if err := ix.Save(); err != nil {
		t.Fatal(err)
	}
	ix, err := OpenIndex(s, path)
	if err != nil {
		t.Fatal(err)
	}
	msgs := ix.Check()
	if len(msgs) != 1 || !strings.Contains(msgs[0], changed) {
		t.Errorf("Check of an index built from a damaged file: %q, want one line naming %s", msgs, changed)
	}

	sound := filepath.Join(t.TempDir(), "history.idx")
	ix, _ = OpenIndex(s, sound)
	build(t, ix, "253")
	build(t, ix, "ssh")
	ix.Save()
	ix, _ = OpenIndex(s, sound)
	if msgs := ix.Check(); len(msgs) != 0 {
		t.Errorf("Check of a sound index: %q", msgs)
	}
}
