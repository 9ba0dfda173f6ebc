package snapshots

import (
	"encoding/hex"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/regdiff/regdiff/snapshots/record"

	"github.com/go-git/go-git/v5/plumbing"
)

// A registry's version list comes from walking its branch, one commit
// object read per version. At 5,000 versions that walk was most of the time
// of a diff or a history query, so the list is cached in cache/versions/ID.
// A commit hash fixes the whole history below it: a cached list ending at
// the branch tip is exact, and one ending at an older or rewritten tip still
// saves the walk below the newest commit the two share. A cache that cannot
// be read is ignored and one that cannot be written is not kept: the walk
// is always the fallback. Its first line carries a CRC-32C of the rest, so
// that a flipped bit (a version's date, a tree hash) makes it unreadable
// rather than wrong.

const versionsCacheHeader = "regdiff versions 3 "

// Versions lists a registry's versions, oldest first. It returns ErrEmpty
// (wrapped) when the registry has none.
func (s *Store) Versions(registry string) ([]record.Version, error) {
	return s.versions(registry, true)
}

// versions is Versions, reading and keeping the cache when useCache is set
// (verify walks every commit itself).
func (s *Store) versions(registry string, useCache bool) ([]record.Version, error) {
	tip, ok, err := s.readRef("refs/heads/" + registry)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("registry %s: %w in %s", registry, ErrEmpty, s.dir)
	}
	var cached []record.Version
	if useCache && ValidID(registry) {
		cached = s.readVersionsCache(registry)
		if n := len(cached); n > 0 && cached[n-1].Commit == record.Hash(tip) {
			return cached, nil
		}
	}
	at := make(map[plumbing.Hash]int, len(cached))
	for i, v := range cached {
		at[plumbing.Hash(v.Commit)] = i
	}
	var newer, older []record.Version
	for h := tip; !h.IsZero(); {
		if i, ok := at[h]; ok {
			older = cached[:i+1]
			break
		}
		c, err := s.readCommit(h)
		if err != nil {
			return nil, fmt.Errorf("registry %s: read commit: %w", registry, err)
		}
		v, err := parseMessage(c.Message)
		if err != nil {
			return nil, fmt.Errorf("registry %s: commit %s: %w", registry, h, err)
		}
		v.Commit, v.Tree = record.Hash(h), record.Hash(c.Tree)
		newer = append(newer, v)
		h = plumbing.ZeroHash
		if len(c.Parents) > 0 {
			h = c.Parents[0]
		}
	}
	vs := make([]record.Version, 0, len(older)+len(newer))
	vs = append(vs, older...)
	for i := len(newer) - 1; i >= 0; i-- {
		vs = append(vs, newer[i])
	}
	if useCache && ValidID(registry) {
		s.writeVersionsCache(registry, vs)
	}
	return vs, nil
}

// HistoryCache is the path of the history package's index of decoded
// records: a cache, always safe to remove, whose format history owns and
// whose place in the store, like every file name there, snapshots does.
func (s *Store) HistoryCache() string { return filepath.Join(s.dir, "cache", "history.idx") }

func (s *Store) versionsCachePath(registry string) string {
	return filepath.Join(s.dir, "cache", "versions", registry)
}

// readVersionsCache returns the cached list, or nil when there is none or
// it does not read as one: one line per version, tab-separated. The fields
// are cut out of one string, not allocated one by one: at thousands of
// versions the allocations were most of the cost. The file is read straight
// into that string (a strings.Builder's), not into bytes copied after: at
// 5,000 versions it is 1.3 MB, and the copy took longer than the parse.
func (s *Store) readVersionsCache(registry string) []record.Version {
	vs, _ := s.readVersionsCacheErr(registry)
	return vs
}

// readVersionsCacheErr is readVersionsCache, with errDamagedCache when the
// file is there, in this format, and does not match its checksum or does
// not parse.
func (s *Store) readVersionsCacheErr(registry string) ([]record.Version, error) {
	file, err := os.Open(s.versionsCachePath(registry))
	if err != nil {
		return nil, nil
	}
	defer file.Close()
	var b strings.Builder
	if fi, err := file.Stat(); err == nil {
		b.Grow(int(min(fi.Size(), 1<<30)) + 1)
	}
	if _, err := io.Copy(&b, file); err != nil {
		return nil, nil
	}
	head, text, _ := strings.Cut(b.String(), "\n")
	sum, ok := strings.CutPrefix(head, versionsCacheHeader)
	if !ok {
		return nil, nil // another format: rebuilt
	}
	if sum != crcText(text) {
		return nil, errDamagedCache
	}
	vs := make([]record.Version, 0, strings.Count(text, "\n"))
	var f [10]string
	for text != "" {
		line, rest, ok := strings.Cut(text, "\n")
		if !ok {
			return nil, errDamagedCache
		}
		text = rest
		for i := range f {
			var more bool
			f[i], line, more = strings.Cut(line, "\t")
			if more != (i < len(f)-1) {
				return nil, errDamagedCache
			}
		}
		commit, ok1 := parseHash(f[0])
		tree, ok2 := parseHash(f[1])
		n, err := strconv.Atoi(f[6])
		norm, err2 := strconv.Atoi(f[8])
		if !ok1 || !ok2 || err != nil || err2 != nil {
			return nil, errDamagedCache
		}
		vs = append(vs, record.Version{Registry: registry, Commit: record.Hash(commit), Tree: record.Hash(tree), Name: f[2], Date: f[3],
			Format: f[4], SHA256: f[5], Records: n, RawFile: f[7], Normalizer: norm, Title: f[9]})
	}
	return vs, nil
}

// parseHash decodes a hex hash without allocating (plumbing.IsHash and
// NewHash each allocate, and a list reads two hashes per version).
func parseHash(s string) (plumbing.Hash, bool) {
	var h plumbing.Hash
	var buf [2 * len(h)]byte
	if len(s) != len(buf) {
		return h, false
	}
	copy(buf[:], s)
	_, err := hex.Decode(h[:], buf[:])
	return h, err == nil
}

func (s *Store) writeVersionsCache(registry string, vs []record.Version) {
	var b strings.Builder
	for _, v := range vs {
		fields := []string{v.Commit.String(), v.Tree.String(), v.Name, v.Date, v.Format, v.SHA256, strconv.Itoa(v.Records), v.RawFile, strconv.Itoa(v.Normalizer), v.Title}
		for _, f := range fields {
			if strings.ContainsAny(f, "\t\n") {
				return // cannot be cached in this form; the walk will do
			}
		}
		b.WriteString(strings.Join(fields, "\t") + "\n")
	}
	path := s.versionsCachePath(registry)
	if os.MkdirAll(filepath.Dir(path), 0o755) != nil {
		return
	}
	writeFileAtomic(path, []byte(versionsCacheHeader+crcText(b.String())+"\n"+b.String()), 0o644, false)
}

// errDamagedCache is a cache file that does not match its checksum.
var errDamagedCache = errors.New("does not match its checksum")

func crcText(s string) string {
	return fmt.Sprintf("%08x", crc32.Checksum([]byte(s), castagnoli))
}
