package snapshots_test

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/regdiff/regdiff/diff"
	"github.com/regdiff/regdiff/snapshots"
	"github.com/regdiff/regdiff/snapshots/record"
)

// storeOf makes a store holding one version of registry "r" per list of
// records, dated a day apart, and returns the versions.
func storeOf(t *testing.T, versions ...[]record.Record) (*snapshots.Store, []record.Version) {
	t.Helper()
	s, err := snapshots.Create(filepath.Join(t.TempDir(), "store"))
	if err != nil {
		t.Fatal(err)
	}
	var ps []snapshots.Prepared
	for i, recs := range versions {
		date := fmt.Sprintf("2020-01-%02d", i+1)
		reg := &record.Registry{ID: "r", Title: "Test", Updated: date, Format: "xml", Records: recs}
		raw := fmt.Appendf(nil, "<registry id=\"r\"><updated>%s</updated></registry>", date)
		p, err := s.Prepare(raw, reg, snapshots.Source{Kind: "file", Location: date})
		if err != nil {
			t.Fatal(err)
		}
		ps = append(ps, p)
	}
	if _, err := s.Commit(ps); err != nil {
		t.Fatal(err)
	}
	vs, err := s.Versions("r")
	if err != nil || len(vs) != len(versions) {
		t.Fatalf("got %d versions (%v), want %d", len(vs), err, len(versions))
	}
	return s, vs
}

// TestFilesDifferingMatchesFullDiff checks the files FilesDiffering
// selects against a diff of every record: the same changes, the same port
// status transitions.
func TestFilesDifferingMatchesFullDiff(t *testing.T) {
	r := func(table, name, proto, number, desc string) record.Record {
		return record.Record{Table: table, Name: name, Protocol: proto, Number: number, Description: desc}
	}
	base := []record.Record{
		r("", "a", "tcp", "250", "A"),
		r("", "", "", "240-260", "Reserved"),
		r("", "b", "tcp", "5000", "B"),
		r("", "c", "udp", "7000", "C"),
		r("", "", "", "6990-7010", "Unassigned"),
		r("", "noport", "", "", "x"),
		r("t", "d", "tcp", "1500", "D"),
	}
	with := func(recs []record.Record, edit func([]record.Record) []record.Record) []record.Record {
		return edit(slices.Clone(recs))
	}
	cases := []struct {
		name     string
		old, new []record.Record
	}{
		{"same", base, base},
		{"single port removed inside an unchanged range", base,
			with(base, func(rs []record.Record) []record.Record { return slices.Delete(rs, 0, 1) })},
		{"range removed over an unchanged single port", base,
			with(base, func(rs []record.Record) []record.Record { return slices.Delete(rs, 1, 2) })},
		{"range grown over another thousand", base,
			with(base, func(rs []record.Record) []record.Record {
				rs[4].Number = "4990-7010"
				return rs
			})},
		{"a nested table's range over a top-level port", base,
			append(slices.Clone(base), r("t", "", "", "245-5005", "Reserved"))},
		{"a nested table's single port over a top-level port", base,
			append(slices.Clone(base), r("t", "e", "tcp", "5000", "De-registered"))},
		{"a top-level port under a nested table's range",
			append(slices.Clone(base), r("t", "", "", "1400-1600", "Reserved")),
			append(slices.Clone(base), r("t", "", "", "1400-1600", "Reserved"), r("", "f", "tcp", "1450", "F"))},
		{"unnumbered record changed", base,
			with(base, func(rs []record.Record) []record.Record {
				rs[5].Description = "y"
				return rs
			})},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, vs := storeOf(t, c.old, c.new)
			old, new, err := s.RecordsDiffering(vs[0], vs[1])
			if err != nil {
				t.Fatal(err)
			}
			ra, err := s.Records(vs[0])
			if err != nil {
				t.Fatal(err)
			}
			rb, err := s.Records(vs[1])
			if err != nil {
				t.Fatal(err)
			}
			var got, want bytes.Buffer
			diff.WriteJSON(&got, diff.Compare(old, new))
			diff.WriteJSON(&want, diff.Compare(ra, rb))
			if got.String() != want.String() {
				t.Errorf("diff of the files differing:\n%s\nwant the diff of every record:\n%s", got.String(), want.String())
			}
		})
	}
	// Reading less is the point: unchanged versions read nothing, and a
	// change at one port leaves the other thousands alone.
	s, vs := storeOf(t, base, base,
		with(base, func(rs []record.Record) []record.Record {
			rs[0].Description = "A2"
			return rs
		}))
	for _, p := range [][2]int{{0, 1}, {1, 2}} {
		old, new, err := s.RecordsDiffering(vs[p[0]], vs[p[1]])
		if err != nil {
			t.Fatal(err)
		}
		for _, rec := range slices.Concat(old, new) {
			if rec.Number == "5000" || rec.Number == "" {
				t.Errorf("versions %d and %d: read %+v, whose file is the same in both", p[0], p[1], rec)
			}
		}
	}
}

// TestFilesCovering checks FilesCovering against where the store puts
// records: every top-level record that can cover a port of lo..hi is in
// one of its files.
func TestFilesCovering(t *testing.T) {
	var recs []record.Record
	for _, n := range []string{"0", "1", "999", "1000", "1999", "2000", "22", "65535", "64999", "65000", "249-255", "900-1100", "0-65535"} {
		recs = append(recs, record.Record{Name: "n" + n, Protocol: "tcp", Number: n},
			record.Record{Table: "t", Name: "t" + n, Number: n})
	}
	s, vs := storeOf(t, recs)
	files, err := s.Files(vs[0])
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range [][2]int{{0, 0}, {22, 22}, {999, 1000}, {1000, 1999}, {0, 65535}, {65535, 65535}, {1500, 2500}} {
		covering := snapshots.FilesCovering(q[0], q[1])
		for _, f := range files {
			in, err := s.RecordsIn(f)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range in {
				lo, hi, _ := r.Range()
				if r.Table == "" && lo <= q[1] && q[0] <= hi && !slices.Contains(covering, f.Path) {
					t.Errorf("FilesCovering(%d, %d) = %q lacks %s, which holds %s", q[0], q[1], covering, f.Path, r.Number)
				}
			}
		}
		if len(covering) > 2+(q[1]/1000-q[0]/1000) {
			t.Errorf("FilesCovering(%d, %d) = %q: more files than the thousands asked for and the ranges", q[0], q[1], covering)
		}
	}
}

// recordLines returns the lines the store wrote for recs, and lines in
// forms only another writer would use.
func recordLines(t *testing.T) [][]byte {
	t.Helper()
	s, vs := storeOf(t, []record.Record{
		{Name: "ssh", Protocol: "tcp", Number: "22", Description: "The Secure Shell (SSH) Protocol"},
		{Name: "SSH-Upper", Protocol: "udp", Number: "22"},
		{Name: "quote\"d", Number: "23"},
		{Name: "caf\u00e9", Number: "24"},
		{Name: "", Number: "249-255", Description: "Reserved"},
		{Name: "x", Description: `"number":"7"`},
		{Name: "y", Other: map[string]string{"number": "8", "name": "z"}},
		{Table: "t", Name: "ssh", Number: "99999999999"},
	})
	files, err := s.Files(vs[0])
	if err != nil {
		t.Fatal(err)
	}
	var lines [][]byte
	for _, f := range files {
		data, err := s.Blob(f.Hash)
		if err != nil {
			t.Fatal(err)
		}
		for l := range strings.SplitSeq(string(data), "\n") {
			if l != "" {
				lines = append(lines, []byte(l))
			}
		}
	}
	for _, l := range []string{
		`{"number":"80","name":"http"}`,
		`{ "name" : "ssh", "number" : "22" }`,
		`{"name":"s\u0073h","number":"2\u0032"}`,
		`{"other":{"number":"9"}}`,
		`{"number":"1-2"}`,
		`{"number":"bogus"}`,
		`{"NAME":"ssh"}`,
		`{"name":"x","Name":"ssh"}`,
		`{"other":{"name":"q"},"name":"ssh"}`,
	} {
		lines = append(lines, []byte(l))
	}
	return lines
}

// TestLineRange checks LineRange against decoding the line.
func TestLineRange(t *testing.T) {
	for _, l := range recordLines(t) {
		r, err := snapshots.DecodeRecordLine(string(l))
		if err != nil {
			t.Fatal(err)
		}
		wlo, whi, wok := r.Range()
		lo, hi, ok, err := snapshots.LineRange(l)
		if err != nil || lo != wlo || hi != whi || ok != wok {
			t.Errorf("LineRange(%s) = %d, %d, %v, %v; want %d, %d, %v", l, lo, hi, ok, err, wlo, whi, wok)
		}
	}
	if _, _, _, err := snapshots.LineRange([]byte(`{"number":`)); err == nil {
		t.Error("LineRange of a broken line: no error")
	}
}

// TestNameFilter checks that the filter lets through every line whose
// record has the name, and that it does filter.
func TestNameFilter(t *testing.T) {
	lines := recordLines(t)
	names := []string{"ssh", "SSH", "ssh-upper", "quote\"d", "caf\u00e9", "CAF\u00c9", "x", "y", "z", "http", "nothing", ""}
	for _, name := range names {
		may := snapshots.NameFilter(name)
		for _, l := range lines {
			r, err := snapshots.DecodeRecordLine(string(l))
			if err != nil {
				t.Fatal(err)
			}
			if equalFoldASCII(r.Name, name) && !may(l) {
				t.Errorf("NameFilter(%q) refuses %s", name, l)
			}
		}
	}
	if may := snapshots.NameFilter("ssh"); may([]byte(`{"name":"http","number":"80"}`)) {
		t.Error(`NameFilter("ssh") lets through a line of http: it filters nothing`)
	}
}

// TestLines checks Lines against a plain split.
func TestLines(t *testing.T) {
	for _, data := range []string{"", "\n", "a", "a\n", "a\nb", "a\n\nb\n", " \t\n{}\r\n\nx\n \n", "\n\n\nlast"} {
		var got []string
		for n, l := range snapshots.Lines([]byte(data)) {
			got = append(got, fmt.Sprintf("%d:%s", n, l))
		}
		var want []string
		for i, l := range strings.Split(data, "\n") {
			if strings.TrimSpace(l) != "" {
				want = append(want, fmt.Sprintf("%d:%s", i+1, l))
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("Lines(%q) = %q, want %q", data, got, want)
		}
	}
}

// equalFoldASCII compares ignoring the case of ASCII letters only.
func equalFoldASCII(a, b string) bool {
	lower := func(s string) string {
		return strings.Map(func(r rune) rune {
			if 'A' <= r && r <= 'Z' {
				return r + 'a' - 'A'
			}
			return r
		}, s)
	}
	return lower(a) == lower(b)
}

// TestLayoutStaysInSnapshots: no other package imports go-git or the
// compression library, or names a file inside the store; test files are
// held to it too, except the command's, which look at the store from the
// outside on purpose.
func TestLayoutStaysInSnapshots(t *testing.T) {
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	checked := 0
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		if d.IsDir() {
			if rel == "snapshots" || rel == "testdata" || strings.HasSuffix(rel, "/testdata") || strings.HasPrefix(d.Name(), ".") && rel != "." {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(p, ".go") || strings.HasPrefix(rel, "cmd/") && strings.HasSuffix(p, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, p, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		checked++
		for _, im := range f.Imports {
			if path := strings.Trim(im.Path.Value, `"`); strings.HasPrefix(path, "github.com/go-git/") || strings.HasPrefix(path, "github.com/klauspost/") {
				t.Errorf("%s imports %s: only snapshots owns the repository", rel, path)
			}
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING {
				if s := lit.Value; strings.Contains(s, ".jsonl") || strings.Contains(s, "records/") || strings.Contains(s, "people/") {
					t.Errorf("%s: %s names a file inside the store", fset.Position(lit.Pos()), s)
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 50 {
		t.Errorf("checked %d files; the walk missed the module", checked)
	}
}
