package snapshots

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path"
	"strings"
)

// The normalized form of a version is a folder of JSON Lines files, one
// record per line, sorted with [Compare]:
//
//	records/00000-00999.jsonl   single numbers, a file per thousand
//	records/ranges.jsonl        records whose number is a range
//	records/unnumbered.jsonl    records with no number (names only)
//	records/TABLE/...           the same, for each nested registry
//
// Splitting by number keeps `git log -p` readable and lets readers skip
// whole files whose blob hash did not change between two versions: a port's
// status depends only on its own file and ranges.jsonl.
const recordsDir = "records"

const (
	rangesFile     = "ranges.jsonl"
	unnumberedFile = "unnumbered.jsonl"
	bucketSize     = 1000
)

// bucketOf returns the path, under records/, of the file that holds r.
func bucketOf(r *Record) string {
	var name string
	lo, hi, ok := r.Range()
	switch {
	case !ok:
		name = unnumberedFile
	case lo != hi:
		name = rangesFile
	default:
		b := lo / bucketSize * bucketSize
		name = fmt.Sprintf("%05d-%05d.jsonl", b, b+bucketSize-1)
	}
	if r.Table != "" {
		return safeName(r.Table) + "/" + name
	}
	return name
}

// BucketForPort returns the normalized file that holds single-number
// records for n in the top-level table.
func BucketForPort(n int) string {
	return bucketOf(&Record{Number: fmt.Sprint(n)})
}

// safeName maps a table id to a file name that cannot escape its folder.
func safeName(s string) string {
	if validID(s) {
		return s
	}
	return fmt.Sprintf("table-%x", s)
}

// encodeRecords groups records into the normalized files.
func encodeRecords(recs []Record) (map[string][]byte, error) {
	sorted := make([]Record, len(recs))
	copy(sorted, recs)
	Sort(sorted)
	files := map[string]*bytes.Buffer{}
	for i := range sorted {
		name := bucketOf(&sorted[i])
		b := files[name]
		if b == nil {
			b = &bytes.Buffer{}
			files[name] = b
		}
		b.Write(appendRecordJSON(b.AvailableBuffer(), &sorted[i]))
		b.WriteByte('\n')
	}
	out := make(map[string][]byte, len(files))
	for k, v := range files {
		out[path.Join(recordsDir, k)] = v.Bytes()
	}
	return out, nil
}

// decodeRecords appends the records of one normalized file to dst.
func decodeRecords(dst []Record, name string, data []byte) ([]Record, error) {
	line := 0
	for len(data) > 0 {
		line++
		var l []byte
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			l, data = data[:i], data[i+1:]
		} else {
			l, data = data, nil
		}
		if len(bytes.TrimSpace(l)) == 0 {
			continue
		}
		var r Record
		if err := json.Unmarshal(l, &r); err != nil {
			return dst, fmt.Errorf("%s:%d: %w", name, line, err)
		}
		dst = append(dst, r)
	}
	return dst, nil
}

// validID reports whether s is usable as a registry id in ref and file
// names: IANA ids are lowercase words joined by '-', occasionally with digits,
// '.' or '_'. Anything else (slashes, "..", spaces) is refused so that no id
// can name a path outside the store.
func validID(s string) bool {
	if s == "" || len(s) > 128 || strings.Contains(s, "..") {
		return false
	}
	for i, c := range s {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case (c == '-' || c == '_' || c == '.') && i > 0:
		default:
			return false
		}
	}
	return !strings.HasSuffix(s, ".") && !strings.HasSuffix(s, ".lock")
}
