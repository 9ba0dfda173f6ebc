package main

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/regdiff/regdiff/snapshots"
)

// Each path the README's exit status table names exits with its code.
func TestExitCodes(t *testing.T) {
	c := newCLI(t)
	c.mustRun("import", "testdata/ports-2019.xml")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := ln.Addr().String()
	ln.Close() // nothing listens there now: a repository URL that cannot be reached

	emptyStore := filepath.Join(t.TempDir(), "empty")
	if _, err := snapshots.Create(emptyStore); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		code int
	}{
		{"a missing import path is a bad argument", []string{"import", filepath.Join(t.TempDir(), "nope.xml")}, exitError},
		{"an unreachable repository URL could not be downloaded", []string{"import", "http://" + closed + "/x.git"}, exitNetwork},
		{"a registry the store does not hold is a bad --registry", []string{"--registry", "nope", "log"}, exitError},
		{"a store with no versions: log", []string{"--store", emptyStore, "log"}, exitStore},
		{"a store with no versions: verify", []string{"--store", emptyStore, "verify"}, exitStore},
		{"a store with no versions: diff", []string{"--store", emptyStore, "2019", "2024"}, exitStore},
		{"not a registry", []string{"import", "testdata/notes.txt"}, exitRefused},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errs := c.run(tt.args...)
			if code != tt.code {
				t.Errorf("regdiff %v: exit %d, want %d\n%s%s", tt.args, code, tt.code, out, errs)
			}
		})
	}
}

// An import that imports nothing into a store it had to create leaves no
// store behind.
func TestImportOfNothingLeavesNoStore(t *testing.T) {
	c := newCLI(t)
	if code, _, _ := c.run("import", filepath.Join(t.TempDir(), "nope.xml")); code != exitError {
		t.Fatalf("exit %d, want %d", code, exitError)
	}
	if _, err := os.Stat(c.store); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("store %s left behind (%v)", c.store, err)
	}
}

// A write that fails for want of room is exit 9, for import and fetch
// alike, however deep the error is wrapped; other failures are not.
func TestWriteFailureCodes(t *testing.T) {
	wrap := func(e error) error {
		return fmt.Errorf("refused a.xml: %w", &fs.PathError{Op: "write", Path: "/store/objects/pack/tmp", Err: e})
	}
	for _, tt := range []struct {
		err  error
		want int
	}{
		{wrap(syscall.ENOSPC), exitWrite},
		{wrap(syscall.EDQUOT), exitWrite},
		{wrap(syscall.EROFS), exitWrite},
		{wrap(syscall.ENOENT), exitRefused},
		{fmt.Errorf("x: %w", snapshots.ErrNoInput), exitError},
		{fmt.Errorf("clone: %w", &net.OpError{Op: "dial", Err: syscall.ECONNREFUSED}), exitNetwork},
		{fmt.Errorf("x: %w", snapshots.ErrDamaged), exitVerify},
	} {
		if got := refusalCode(tt.err); got != tt.want {
			t.Errorf("refusalCode(%v) = %d, want %d", tt.err, got, tt.want)
		}
	}
	if code, _ := fetchErrorCode(wrap(syscall.ENOSPC)); code != exitWrite {
		t.Errorf("fetch: a full disk is exit %d, want %d", code, exitWrite)
	}
}
