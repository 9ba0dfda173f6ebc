package changelog

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestWriteFile(t *testing.T) {
	s := newStore(t, smallVersions())
	c := build(t, s, 0, -1)
	for _, format := range Formats {
		t.Run(format, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "changelog."+format)
			if err := os.WriteFile(path, []byte("old"), 0o600); err != nil {
				t.Fatal(err)
			}
			if err := WriteFile(path, c, format, testFeed); err != nil {
				t.Fatal(err)
			}
			got, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			var want bytes.Buffer
			if err := Write(&want, c, format, testFeed); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want.Bytes()) {
				t.Errorf("file differs from Write's output")
			}
			if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o644 {
				t.Errorf("mode %v (%v), want 0644", fi.Mode(), err)
			}
			if entries, _ := os.ReadDir(dir); len(entries) != 1 {
				t.Errorf("folder holds %d files, want only the changelog (no temporary file left)", len(entries))
			}
		})
	}
	t.Run("a failed write leaves the file alone", func(t *testing.T) {
		dir := t.TempDir()
		path := filepath.Join(dir, "changelog.txt")
		if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
			t.Fatal(err)
		}
		err := WriteFile(path, c, "txt", Feed{})
		if err == nil || !strings.Contains(err.Error(), `unknown changelog format "txt"`) {
			t.Errorf("got %v, want an unknown format error", err)
		}
		got, _ := os.ReadFile(path)
		entries, _ := os.ReadDir(dir)
		if string(got) != "old" || len(entries) != 1 {
			t.Errorf("file holds %q and the folder %d files; want \"old\" and 1", got, len(entries))
		}
	})
	t.Run("a missing folder is an error", func(t *testing.T) {
		if err := WriteFile(filepath.Join(t.TempDir(), "no", "such", "x.md"), c, "md", Feed{}); err == nil {
			t.Errorf("no error")
		}
	})
}
