package changelog

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// Formats lists the output formats [Write] knows, for flag help and errors.
var Formats = []string{"md", "html", "json", "atom"}

// Write writes c in one of [Formats] ("markdown" is accepted for "md"); f is
// used by "atom" only.
func Write(w io.Writer, c *Changelog, format string, f Feed) error {
	switch format {
	case "md", "markdown":
		return WriteMarkdown(w, c)
	case "html":
		return WriteHTML(w, c)
	case "json":
		return WriteJSON(w, c)
	case "atom":
		return WriteAtom(w, c, f)
	}
	return fmt.Errorf("unknown changelog format %q: use md, html, json or atom", format)
}

// WriteFile writes c to path atomically: into a temporary file in the same
// folder, synced, then renamed over path, so that a web server or feed
// reader never sees half a file, and a failed write leaves path as it was.
func WriteFile(path string, c *Changelog, format string, f Feed) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	tmp, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	bw := bufio.NewWriterSize(tmp, 64<<10)
	if err := Write(bw, c, format, f); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
