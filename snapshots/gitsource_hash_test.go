package snapshots

import (
	"context"
	"crypto"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing/hash"
)

// TestPlainSHA1OnlyForForeignHistories: go-git hashes with collision
// detection except while a foreign history is open. The hash is told by its
// Go type, a route independent of the switch.
func TestPlainSHA1OnlyForForeignHistories(t *testing.T) {
	kind := func() string {
		switch fmt.Sprintf("%T", hash.New(crypto.SHA1)) {
		case "*sha1.digest":
			return "plain"
		case "*sha1cd.digest":
			return "detecting"
		default:
			return fmt.Sprintf("%T", hash.New(crypto.SHA1))
		}
	}
	dir := filepath.Join(t.TempDir(), "repo")
	if _, err := git.PlainInit(dir, true); err != nil {
		t.Fatal(err)
	}
	if got := kind(); got != "detecting" {
		t.Fatalf("before OpenGit: %s, want detecting", got)
	}
	g1, err := OpenGit(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	if got := kind(); got != "plain" {
		t.Errorf("while open: %s, want plain", got)
	}
	g2, err := OpenGit(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	g1.Close()
	g1.Close() // a second Close must not end g2's window
	if got := kind(); got != "plain" {
		t.Errorf("while the second is open: %s, want plain", got)
	}
	g2.Close()
	if got := kind(); got != "detecting" {
		t.Errorf("after Close: %s, want detecting", got)
	}
	if _, err := OpenGit(context.Background(), filepath.Join(dir, "missing")); err == nil {
		t.Fatal("OpenGit of a missing repository succeeded")
	}
	if got := kind(); got != "detecting" {
		t.Errorf("after a failed OpenGit: %s, want detecting", got)
	}
}
