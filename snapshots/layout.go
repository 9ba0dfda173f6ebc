package snapshots

import (
	"cmp"
	"encoding/json"
	"fmt"
	"maps"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/regdiff/regdiff/snapshots/record"
)

// The normalized form of a version is a set of JSON Lines files: the
// records, one per line, sorted with [record.Compare],
//
//	records/00000-00999.jsonl   single numbers, a file per thousand
//	records/ranges.jsonl        records whose number is a range
//	records/unnumbered.jsonl    records with no number (names only)
//	records/TABLE/...           the same, for each nested registry
//
// and what the registry holds beside them:
//
//	registry.jsonl              its items (titles, notes, xrefs, ...), in document order
//	people/a.jsonl              its people, sorted by id, a file per first letter
//	people/0-9.jsonl, people/other.jsonl   (of 3,000 people in the port registry a
//	                            version changes a few, and reading them all
//	                            was most of a changelog's time)
//
// Splitting by number keeps `git log -p` readable and lets readers skip
// whole files whose blob hash did not change between two versions: a port's
// status depends only on its own file and ranges.jsonl.
const recordsDir = "records"

// Normalizer is the version of the normalized form that this code writes,
// recorded in each version's commit. A version written by an older one
// (without registry.jsonl and people.jsonl, say) is compared as far as its
// files allow until `regdiff reindex` rewrites it.
//
//	1  records only
//	2  registry.jsonl and people/
const Normalizer = 2

// normalizer and encodeVersion are what Prepare writes: this code's, but
// tests put an older normalizer's in their place to make a store to
// reindex.
var (
	normalizer    = Normalizer
	encodeVersion = encode
)

const (
	itemsFile = "registry.jsonl"
	peopleDir = "people"
)

// peopleFile returns the file, under people/, that holds a person.
func peopleFile(id string) string {
	switch c := id[:min(1, len(id))]; {
	case c >= "a" && c <= "z":
		return c + ".jsonl"
	case c >= "A" && c <= "Z":
		return strings.ToLower(c) + ".jsonl"
	case c >= "0" && c <= "9":
		return "0-9.jsonl"
	}
	return "other.jsonl"
}

const (
	rangesFile     = "ranges.jsonl"
	unnumberedFile = "unnumbered.jsonl"
	bucketSize     = 1000
)

// bucketOf returns the path, under records/, of the file that holds r.
func bucketOf(r *record.Record) string {
	lo, hi, ok := r.Range()
	return bucketName(r.Table, lo, hi, ok)
}

func bucketName(table string, lo, hi int, ok bool) string {
	var name string
	switch {
	case !ok:
		name = unnumberedFile
	case lo != hi:
		name = rangesFile
	default:
		b := lo / bucketSize * bucketSize
		name = pad5(b) + "-" + pad5(b+bucketSize-1) + ".jsonl"
	}
	if table != "" {
		return safeName(table) + "/" + name
	}
	return name
}

func pad5(n int) string {
	s := strconv.Itoa(n)
	for len(s) < 5 {
		s = "0" + s
	}
	return s
}

// safeName maps a table id to a file name that cannot escape its folder.
func safeName(s string) string {
	if ValidID(s) {
		return s
	}
	return fmt.Sprintf("table-%x", s)
}

// encode gives the normalized files of a version.
func encode(reg *record.Registry) (map[string][]byte, error) {
	return encodeFiles(reg, nil).data(), nil
}

// encodeRecords gives the normalized record files of records.
func encodeRecords(recs []record.Record) (map[string][]byte, error) {
	return encodeFiles(&record.Registry{Records: recs}, nil).data(), nil
}

// encoding is a version's normalized files, as encodeFiles gives them.
type encoding struct {
	files  map[string]*normFile
	people []record.Person // the registry's, as parsed
}

func (e *encoding) data() map[string][]byte {
	out := make(map[string][]byte, len(e.files))
	for name, f := range e.files {
		out[name] = f.data
	}
	return out
}

// normFile is a normalized file as encodeFiles gives it.
type normFile struct {
	data []byte
	// recs are the records a record file holds, in order; nil for other
	// files.
	recs []*record.Record
	hash plumbing.Hash // its blob's, once asked (see hashOf)
}

// hashOf returns the id of f's blob.
func (f *normFile) hashOf() plumbing.Hash {
	if f.hash.IsZero() {
		f.hash = objectHash(plumbing.BlobObject, f.data)
	}
	return f.hash
}

// encodeFiles gives the normalized files of a version. A record file whose
// records are those of the same file in last (the encoding of the version
// before, or nil), and the people files when the people are the same, are
// taken from there, with their hashes, rather than encoded again:
// consecutive versions differ in a few records, and verify encodes every
// version.
func encodeFiles(reg *record.Registry, last *encoding) *encoding {
	if last == nil {
		last = &encoding{}
	}
	recs := reg.Records
	// Sort indexes by precomputed keys: Compare parses numbers on every
	// call, and this runs for every record of every imported version.
	type key struct {
		lo, hi int
		ok     bool
		i      int
	}
	keys := make([]key, len(recs))
	for i := range recs {
		lo, hi, ok := recs[i].Range()
		keys[i] = key{lo, hi, ok, i}
	}
	slices.SortStableFunc(keys, func(a, b key) int {
		ra, rb := &recs[a.i], &recs[b.i]
		if c := cmp.Compare(ra.Table, rb.Table); c != 0 {
			return c
		}
		if a.ok != b.ok {
			if a.ok {
				return -1
			}
			return 1
		}
		if c := cmp.Compare(a.lo, b.lo); c != 0 {
			return c
		}
		if c := cmp.Compare(a.hi, b.hi); c != 0 {
			return c
		}
		return record.CompareText(ra, rb)
	})
	files := map[string]*normFile{}
	// Records come in file order: the file's name is built only when the
	// bucket changes (for every record, it was a sixth of the encoding).
	type bucket struct {
		table  string
		ok     bool
		ranged bool
		n      int
	}
	var cur bucket
	var f *normFile
	for _, k := range keys {
		r := &recs[k.i]
		at := bucket{r.Table, k.ok, k.lo != k.hi, k.lo / bucketSize}
		if !at.ok || at.ranged {
			at.n = 0
		}
		if f == nil || at != cur {
			name := path.Join(recordsDir, bucketName(r.Table, k.lo, k.hi, k.ok))
			if f = files[name]; f == nil {
				f = &normFile{}
				files[name] = f
			}
			cur = at
		}
		f.recs = append(f.recs, r)
	}
	for name, f := range files {
		if old := last.files[name]; old != nil && old.recs != nil && sameRecords(old.recs, f.recs) {
			f.data, f.hash = old.data, old.hash
			continue
		}
		size := 0
		for _, r := range f.recs {
			size += 64 + len(r.Description) + len(r.Name)
		}
		b := make([]byte, 0, size)
		for _, r := range f.recs {
			b = append(appendRecordJSON(b, r), '\n')
		}
		f.data = b
	}
	if len(reg.Items) > 0 {
		var b []byte
		for i := range reg.Items {
			b = append(appendItemJSON(b, &reg.Items[i]), '\n')
		}
		files[itemsFile] = &normFile{data: b}
	}
	if len(reg.People) > 0 && last.people != nil && slices.EqualFunc(reg.People, last.people, samePerson) {
		for name, f := range last.files {
			if strings.HasPrefix(name, peopleDir+"/") {
				files[name] = f
			}
		}
	} else if len(reg.People) > 0 {
		people := slices.Clone(reg.People)
		slices.SortStableFunc(people, func(a, b record.Person) int { return cmp.Compare(a.ID, b.ID) })
		for i := range people {
			name := path.Join(peopleDir, peopleFile(people[i].ID))
			if files[name] == nil {
				files[name] = &normFile{}
			}
			files[name].data = append(appendPersonJSON(files[name].data, &people[i]), '\n')
		}
	}
	return &encoding{files: files, people: reg.People}
}

// samePerson reports whether two people encode the same.
func samePerson(x, y record.Person) bool {
	return x.ID == y.ID && x.Name == y.Name && x.Org == y.Org && x.URI == y.URI &&
		x.Updated == y.Updated && maps.Equal(x.Other, y.Other)
}

// sameRecords reports whether two lists of records encode the same.
func sameRecords(a, b []*record.Record) bool {
	return slices.EqualFunc(a, b, func(x, y *record.Record) bool {
		return x.Table == y.Table && x.Name == y.Name && x.Protocol == y.Protocol &&
			x.Number == y.Number && x.Description == y.Description &&
			slices.Equal(x.Refs, y.Refs) && slices.Equal(x.Assignee, y.Assignee) &&
			slices.Equal(x.Contact, y.Contact) && x.Registered == y.Registered &&
			x.Modified == y.Modified && x.Note == y.Note && x.Unauthorized == y.Unauthorized &&
			x.ServiceCode == y.ServiceCode && maps.Equal(x.Other, y.Other)
	})
}

// decodeRecords appends the records of one normalized file to dst.
func decodeRecords(dst []record.Record, name string, data []byte) ([]record.Record, error) {
	text := string(data) // records' strings share this one allocation
	dst = slices.Grow(dst, strings.Count(text, "\n")+1)
	line := 0
	for len(text) > 0 {
		line++
		var l string
		if i := strings.IndexByte(text, '\n'); i >= 0 {
			l, text = text[:i], text[i+1:]
		} else {
			l, text = text, ""
		}
		if strings.TrimSpace(l) == "" {
			continue
		}
		r, err := DecodeRecordLine(l)
		if err != nil {
			return dst, fmt.Errorf("%s:%d: %w", name, line, err)
		}
		dst = append(dst, r)
	}
	return dst, nil
}

// DecodeRecordLine decodes one line of a normalized file: with the fast
// reader of the lines regdiff writes, and encoding/json for anything else
// (a line written by another tool or by hand).
func DecodeRecordLine(line string) (record.Record, error) {
	var r record.Record
	if parseRecordJSON(line, &r) {
		return r, nil
	}
	r = record.Record{}
	err := json.Unmarshal([]byte(line), &r)
	return r, err
}

// CheckID refuses a registry id that validID refuses, with the message
// users see.
func CheckID(id string) error {
	if !ValidID(id) {
		return fmt.Errorf("registry id %q is not a plain IANA id; refusing to store it", id)
	}
	return nil
}

// ValidID reports whether s is usable as a registry id in ref and file
// names: IANA ids are lowercase words joined by '-', occasionally with digits,
// '.' or '_'. Anything else (slashes, "..", spaces) is refused so that no id
// can name a path outside the store.
func ValidID(s string) bool {
	if s == "" || len(s) > 128 || strings.Contains(s, "..") {
		return false
	}
	for i, c := range s {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case c == '_', (c == '-' || c == '.') && i > 0: // IANA has _6tisch
		default:
			return false
		}
	}
	return !strings.HasSuffix(s, ".") && !strings.HasSuffix(s, ".lock") && !gitSpecial(s)
}

// gitSpecial reports whether id is a name git gives a meaning of its own
// (HEAD, FETCH_HEAD, ORIG_HEAD, …), in any case: as a ref name it would
// be read as that, and on a case-insensitive file system "head" is HEAD.
func gitSpecial(id string) bool {
	u := strings.ToUpper(id)
	return u == "HEAD" || strings.HasSuffix(u, "_HEAD") || u == "AUTO_MERGE" || u == "STASH"
}
