package snapshots

import (
	"bytes"
	"fmt"
	"iter"
	"slices"
	"strings"

	"github.com/regdiff/regdiff/snapshots/record"
)

// What a reader of many versions needs to know of the normalized files,
// without knowing their names or their encoding:
//
//   - A record's file is decided by its table and its number, so a record
//     keeps its file from version to version as long as those stay, and a
//     file with the same hash in two versions holds the same records.
//   - [FilesDiffering] tells which files a comparison of two versions must
//     read; [FilesCovering] which files hold the records that can cover a
//     port.
//   - [Lines] splits a file into its record lines, [DecodeRecordLine]
//     decodes one, and [LineRange] and [NameFilter] answer questions about a
//     line without decoding it.

// FilesDiffering returns the paths of the normalized files whose records a
// comparison of two versions must read, given the versions' files (see
// [Store.Files]): everything a diff of the two can see, and every record
// their port status transitions depend on.
//
// A file with the same hash on both sides holds identical records, and
// leaving it out of both sides drops no change. It also drops no port
// status transition: a port's status can change only where a record that
// covers it changed, and it depends only on the single-number records of
// its own thousand and on the ranges. So when any file differs every
// ranges file is read, and so are the single-number files of every
// thousand that holds a port of a changed record: the thousands of the
// single-number files that differ, and those a range added, removed or
// changed covers. The files of every table are read alike, since the
// diff's status rule counts the records of every table.
func (s *Store) FilesDiffering(a, b []File) (map[string]bool, error) {
	ha := make(map[string]record.Hash, len(a))
	for _, f := range a {
		ha[f.Path] = f.Hash
	}
	hb := make(map[string]record.Hash, len(b))
	for _, f := range b {
		hb[f.Path] = f.Hash
	}
	keep := map[string]bool{}
	var windows [][2]int // the ports of the records that differ
	for _, m := range []map[string]record.Hash{ha, hb} {
		for p := range m {
			if ha[p] == hb[p] || keep[p] {
				continue
			}
			keep[p] = true
			if isRanges(p) {
				spans, err := s.rangesDiffering(ha[p], hb[p])
				if err != nil {
					return nil, fmt.Errorf("%s: %w", p, err)
				}
				windows = append(windows, spans...)
			} else if lo, hi, ok := bucketPorts(p); ok {
				windows = append(windows, [2]int{lo, hi})
			}
		}
	}
	if len(keep) == 0 {
		return keep, nil
	}
	meets := func(lo, hi int) bool {
		return slices.ContainsFunc(windows, func(w [2]int) bool { return w[0] <= hi && lo <= w[1] })
	}
	for _, m := range []map[string]record.Hash{ha, hb} {
		for p := range m {
			if keep[p] {
				continue
			}
			if isRanges(p) {
				keep[p] = true
			} else if lo, hi, ok := bucketPorts(p); ok && meets(lo, hi) {
				keep[p] = true
			}
		}
	}
	return keep, nil
}

func isRanges(p string) bool { return p[strings.LastIndexByte(p, '/')+1:] == rangesFile }

// bucketPorts returns the numbers a single-number file holds, from its
// path, ok false for any other file.
func bucketPorts(p string) (lo, hi int, ok bool) {
	name, ok := strings.CutSuffix(p[strings.LastIndexByte(p, '/')+1:], ".jsonl")
	if !ok || name == "" || name[0] < '0' || name[0] > '9' {
		return 0, 0, false
	}
	return record.ParseRange(name)
}

// RecordsDiffering returns, for two versions, the records of the files
// [Store.FilesDiffering] selects, in normalized order: a diff of the two
// gives the same changes and port status transitions as a diff of all
// their records.
func (s *Store) RecordsDiffering(a, b record.Version) (old, new []record.Record, err error) {
	fa, err := s.Files(a)
	if err != nil {
		return nil, nil, err
	}
	fb, err := s.Files(b)
	if err != nil {
		return nil, nil, err
	}
	keep, err := s.FilesDiffering(fa, fb)
	if err != nil {
		return nil, nil, fmt.Errorf("versions %s and %s: %w", a.Name, b.Name, err)
	}
	read := func(files []File) ([]record.Record, error) {
		var out []record.Record
		for _, f := range files {
			if !keep[f.Path] {
				continue
			}
			data, err := s.Blob(f.Hash)
			if err != nil {
				return nil, err
			}
			if out, err = decodeRecords(out, f.Path, data); err != nil {
				return nil, err
			}
		}
		return out, nil
	}
	if old, err = read(fa); err != nil {
		return nil, nil, fmt.Errorf("version %s: %w", a.Name, err)
	}
	if new, err = read(fb); err != nil {
		return nil, nil, fmt.Errorf("version %s: %w", b.Name, err)
	}
	return old, new, nil
}

// rangesDiffering returns the port spans of the range records that are not
// on both sides of two versions of a ranges file (lines compared as text; a
// zero hash is an absent file).
func (s *Store) rangesDiffering(a, b record.Hash) ([][2]int, error) {
	count := map[string]int{}
	for i, h := range []record.Hash{a, b} {
		if h.IsZero() {
			continue
		}
		data, err := s.Blob(h)
		if err != nil {
			return nil, err
		}
		for _, line := range strings.Split(string(data), "\n") {
			if line != "" {
				count[line] += 1 - 2*i // +1 old, -1 new
			}
		}
	}
	var spans [][2]int
	for line, n := range count {
		if n == 0 {
			continue
		}
		r, err := DecodeRecordLine(line)
		if err != nil {
			return nil, err
		}
		if lo, hi, ok := r.Range(); ok {
			spans = append(spans, [2]int{lo, hi})
		}
	}
	return spans, nil
}

// FilesCovering returns the paths of the normalized files that hold every
// top-level record that can cover a port in lo..hi (0 ≤ lo ≤ hi): the
// file of the ranges and the single-number files of those ports, in that
// order. A version may lack some of them.
func FilesCovering(lo, hi int) []string {
	paths := []string{recordsDir + "/" + rangesFile}
	for n := lo / bucketSize * bucketSize; n <= hi; n += bucketSize {
		paths = append(paths, recordsDir+"/"+bucketName("", n, n, true))
	}
	return paths
}

// Lines yields the record lines of a normalized file's content, each with
// its line number (from 1), skipping blank lines. The lines share data's
// memory.
func Lines(data []byte) iter.Seq2[int, []byte] {
	return func(yield func(int, []byte) bool) {
		for n := 1; len(data) > 0; n++ {
			var l []byte
			if i := bytes.IndexByte(data, '\n'); i >= 0 {
				l, data = data[:i], data[i+1:]
			} else {
				l, data = data, nil
			}
			if len(bytes.TrimSpace(l)) == 0 {
				continue
			}
			if !yield(n, l) {
				return
			}
		}
	}
}

var numberKey = []byte(`"number":"`)

// LineRange returns the number range of the record on a line of a
// normalized file, as [Record.Range] does, ok false for a record without
// one. The lines regdiff writes give their number without being decoded:
// in JSON text, "number":" with unescaped quotes can only be a key, and the
// record's own comes before any of its other fields'.
func LineRange(line []byte) (lo, hi int, ok bool, err error) {
	if i := bytes.Index(line, numberKey); i >= 0 && bytes.Index(line[:i], []byte(`"other":`)) < 0 {
		num := line[i+len(numberKey):]
		if j := bytes.IndexByte(num, '"'); j >= 0 && bytes.IndexByte(num[:j], '\\') < 0 {
			lo, hi, ok = record.ParseRange(string(num[:j]))
			return lo, hi, ok, nil
		}
	}
	r, err := DecodeRecordLine(string(line))
	if err != nil {
		return 0, 0, false, err
	}
	lo, hi, ok = r.Range()
	return lo, hi, ok, nil
}

// NameFilter returns a test of a line of a normalized file that is false
// only when the line surely holds no record named name, ASCII letters'
// case ignored: a quick look at the text, before decoding the lines that
// pass. An empty name, or one that JSON could write in more than one way,
// passes every line.
func NameFilter(name string) func(line []byte) bool {
	if name == "" {
		return func([]byte) bool { return true }
	}
	for i := 0; i < len(name); i++ {
		if c := name[i]; c < 0x20 || c >= 0x80 || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			return func([]byte) bool { return true }
		}
	}
	key := []byte(`"name":"` + strings.ToLower(name) + `"`)
	return func(line []byte) bool {
		if indexFold(line, key) >= 0 {
			return true
		}
		// The line lacks the name as regdiff writes it. It may still hold
		// it in another writer's form: escaped, or with white space around
		// the colon. encoding/json matches keys ignoring case.
		if bytes.Contains(line, []byte(`\u`)) {
			return true
		}
		for rest := line; ; {
			i := indexFold(rest, []byte(`"name"`))
			if i < 0 {
				return false
			}
			if rest = rest[i+len(`"name"`):]; !bytes.HasPrefix(rest, []byte(`:"`)) {
				return true
			}
		}
	}
}

// indexFold returns the index of lower (ASCII, lowercase) in data,
// ignoring the case of ASCII letters in data, or -1.
func indexFold(data, lower []byte) int {
	if len(lower) == 0 {
		return 0
	}
	first := lower[0]
	for i := 0; i+len(lower) <= len(data); i++ {
		if foldByte(data[i]) != first {
			continue
		}
		j := 1
		for j < len(lower) && foldByte(data[i+j]) == lower[j] {
			j++
		}
		if j == len(lower) {
			return i
		}
	}
	return -1
}

func foldByte(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}
