package snapshots

import (
	"context"
	"os"
	"path/filepath"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/format/idxfile"

	"github.com/regdiff/regdiff/snapshots/record"
)

// UseNormalizer1 makes Prepare write what regdiff wrote before it kept
// items and people (normalizer 1: the records only), until restore is
// called.
func UseNormalizer1() (restore func()) {
	normalizer, encodeVersion = 1, func(reg *record.Registry) (map[string][]byte, error) { return encodeRecords(reg.Records) }
	return func() { normalizer, encodeVersion = Normalizer, encode }
}

// NoImportPacks makes Import leave the objects it writes loose, as regdiff
// did before it packed them, until restore is called.
func NoImportPacks() (restore func()) {
	importPacks = false
	return func() { importPacks = true }
}

// PackFiles and LooseObjects count a store's packs and loose objects.
func (s *Store) PackFiles() (int, error) {
	p, err := s.packs()
	return len(p), err
}

func (s *Store) LooseObjects() (int, error) {
	l, err := s.looseObjects()
	return len(l), err
}

// SetPackLimits sets how many loose objects and packs a store may have
// before a commit packs them, until restore is called.
func SetPackLimits(loose, packs int) (restore func()) {
	l, p := looseLimit, maxPacks
	looseLimit, maxPacks = loose, packs
	return func() { looseLimit, maxPacks = l, p }
}

// SetPackStage calls fn at each step of installing a pack, until restore
// is called.
func SetPackStage(fn func(stage string)) (restore func()) {
	old := packStage
	packStage = fn
	return func() { packStage = old }
}

// IndexPack indexes pack as a clone does, from a file of its own.
func IndexPack(pack []byte, workers int) (*idxfile.MemoryIndex, plumbing.Hash, error) {
	dir, err := os.MkdirTemp("", "regdiff-pack-")
	if err != nil {
		return nil, plumbing.ZeroHash, err
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "p.pack")
	if err := os.WriteFile(path, pack, 0o644); err != nil {
		return nil, plumbing.ZeroHash, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, plumbing.ZeroHash, err
	}
	defer f.Close()
	return indexPack(context.Background(), f, int64(len(pack)), workers)
}
