package main

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/regdiff/regdiff/internal/realstore"
	"github.com/regdiff/regdiff/sqlexport"
)

// The fixtures of the export tests: file → registry and version. 2022 is
// imported last where a test inserts a version before exported ones.
var exportFixtures = []struct{ file, registry, version string }{
	{"testdata/ports-2019.xml", "service-names-port-numbers", "2019-12-31"},
	{"testdata/export-ports-2022.xml", "service-names-port-numbers", "2022-01-10"},
	{"testdata/ports-2024.xml", "service-names-port-numbers", "2024-03-18"},
	{"testdata/export-ports-2025.xml", "service-names-port-numbers", "2025-06-30"},
	{"testdata/tls-2019.xml", "tls-parameters", "2019-01-10"},
	{"testdata/tls-2024.xml", "tls-parameters", "2024-03-18"},
}

func importFiles(t *testing.T, store string, files ...string) {
	t.Helper()
	g, _, _ := testGlobals(t, store)
	if err := runImport(context.Background(), &importOptions{globals: g, inputs: files, quiet: true}); err != nil {
		t.Fatal(err)
	}
}

// exportTo runs regdiff export --sqlite db --json and returns what it says.
func exportTo(t *testing.T, store, db string) map[string]sqlexport.Registry {
	t.Helper()
	c := &cli{t: t, store: store}
	out := c.mustRun("export", "--sqlite", db, "--json")
	got := map[string]sqlexport.Registry{}
	dec := json.NewDecoder(strings.NewReader(out))
	for {
		var r sqlexport.Registry
		if err := dec.Decode(&r); err == io.EOF {
			break
		} else if err != nil {
			t.Fatalf("export --json: %v\n%s", err, out)
		}
		got[r.Registry] = r
	}
	return got
}

func openDB(t *testing.T, path string) *sql.DB {
	t.Helper()
	esc := strings.NewReplacer("%", "%25", "?", "%3F", "#", "%23").Replace(filepath.ToSlash(path))
	db, err := sql.Open("sqlite", "file:"+esc+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// execSQL runs statements on the database at path, as another program
// would, and returns the rows they changed.
func execSQL(t *testing.T, path, q string) int64 {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.ToSlash(path))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	res, err := db.Exec(q)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	n, _ := res.RowsAffected()
	return n
}

// queryRows runs a query and returns each row as its columns joined by |.
func queryRows(t *testing.T, db *sql.DB, q string, args ...any) []string {
	t.Helper()
	rows, err := db.Query(q, args...)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out []string
	for rows.Next() {
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		parts := make([]string, len(cols))
		for i, v := range vals {
			parts[i] = "NULL"
			if v.Valid {
				parts[i] = strconv.Quote(v.String)
			}
		}
		out = append(out, strings.Join(parts, "|"))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// dumpDB is every table of an export, its rows sorted: two exports of the
// same store compare equal row for row.
func dumpDB(t *testing.T, path string) map[string][]string {
	t.Helper()
	db := openDB(t, path)
	out := map[string][]string{}
	for _, tbl := range queryRows(t, db, "SELECT name FROM sqlite_master WHERE type = 'table'") {
		name, _ := strconv.Unquote(tbl)
		rows := queryRows(t, db, "SELECT * FROM "+name)
		slices.Sort(rows)
		out[name] = rows
	}
	return out
}

// naiveRecord is a record as encoding/xml reads it, for a check that does
// not go through regdiff's parser.
type naiveRecord struct{ table, name, protocol, number, description string }

// naiveRecords reads every <record> of a registry file with encoding/xml:
// its table is the id of the innermost nested <registry> around it.
func naiveRecords(t *testing.T, file string) []naiveRecord {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	dec := xml.NewDecoder(bytes.NewReader(data))
	var ids []string // the <registry> ids open, outermost first
	var out []naiveRecord
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		switch el := tok.(type) {
		case xml.StartElement:
			switch el.Name.Local {
			case "registry":
				id := ""
				for _, a := range el.Attr {
					if a.Name.Local == "id" {
						id = a.Value
					}
				}
				ids = append(ids, id)
			case "record":
				var r struct {
					Name        string `xml:"name"`
					Protocol    string `xml:"protocol"`
					Number      string `xml:"number"`
					Value       string `xml:"value"`
					Description string `xml:"description"`
				}
				if err := dec.DecodeElement(&r, &el); err != nil {
					t.Fatal(err)
				}
				table := ""
				if len(ids) > 1 {
					table = ids[len(ids)-1]
				}
				out = append(out, naiveRecord{table, r.Name, r.Protocol, r.Number + r.Value, strings.Join(strings.Fields(r.Description), " ")})
			}
		case xml.EndElement:
			if el.Name.Local == "registry" {
				ids = ids[:len(ids)-1]
			}
		}
	}
	return out
}

// canonical re-encodes JSON text with sorted keys.
func canonical(t *testing.T, v any) string {
	t.Helper()
	if s, ok := v.(string); ok {
		var x any
		if err := json.Unmarshal([]byte(s), &x); err != nil {
			t.Fatalf("%q: %v", s, err)
		}
		v = x
	}
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

type diffJSON struct {
	Changes []struct {
		Kind   string          `json:"kind"`
		Key    json.RawMessage `json:"key"`
		OldKey json.RawMessage `json:"old_key"`
		Fields json.RawMessage `json:"fields"`
	} `json:"changes"`
	Transitions []struct{ Protocol, Ports, From, To string } `json:"transitions"`
	Items       []struct {
		Kind, Table, Element, Key, From, To string
	} `json:"registry_items"`
	People []struct {
		Kind   string          `json:"kind"`
		ID     string          `json:"id"`
		Fields json.RawMessage `json:"fields"`
	} `json:"people"`
}

// TestExportSQLite exports a store of fixtures and checks each table
// against an independent reading: records against the fixture files read
// with encoding/xml, changes and transitions against regdiff diff --json
// for each consecutive pair, periods against regdiff history --json, and
// the README's two example queries.
func TestExportSQLite(t *testing.T) {
	store := filepath.Join(t.TempDir(), "store")
	var files []string
	for _, f := range exportFixtures {
		files = append(files, f.file)
	}
	importFiles(t, store, files...)
	path := filepath.Join(t.TempDir(), "iana.db")
	sum := exportTo(t, store, path)
	want := map[string]sqlexport.Registry{
		"service-names-port-numbers": {Registry: "service-names-port-numbers", Added: 4, Versions: 4},
		"tls-parameters":             {Registry: "tls-parameters", Added: 2, Versions: 2},
	}
	if !reflect.DeepEqual(sum, want) {
		t.Errorf("summary %+v, want %+v", sum, want)
	}
	db := openDB(t, path)
	c := &cli{t: t, store: store}

	for _, reg := range []string{"service-names-port-numbers", "tls-parameters"} {
		// Versions, against regdiff log.
		var log []struct{ Version, Date, Commit, Sha256 string }
		if err := json.Unmarshal([]byte(c.mustRun("--registry", reg, "log", "--json")), &log); err != nil {
			t.Fatal(err)
		}
		slices.Reverse(log)
		var wantVersions []string
		for i, v := range log {
			wantVersions = append(wantVersions, fmt.Sprintf("%d %s %s %s %s", i, v.Version, v.Date, v.Commit, v.Sha256))
		}
		var gotVersions []string
		for _, r := range queryRows(t, db, "SELECT seq || ' ' || name || ' ' || date || ' ' || commit_hash || ' ' || sha256 FROM versions WHERE registry = ? ORDER BY seq", reg) {
			s, _ := strconv.Unquote(r)
			gotVersions = append(gotVersions, s)
		}
		if !slices.Equal(gotVersions, wantVersions) {
			t.Errorf("%s: versions\n%s\nwant\n%s", reg, strings.Join(gotVersions, "\n"), strings.Join(wantVersions, "\n"))
		}

		// Records, computed back from their ranges, against the files.
		for seq, v := range log {
			var file string
			for _, f := range exportFixtures {
				if f.registry == reg && f.version == v.Version {
					file = f.file
				}
			}
			var wantRecs []string
			for _, r := range naiveRecords(t, file) {
				wantRecs = append(wantRecs, strings.Join([]string{strconv.Quote(r.table), strconv.Quote(r.name), strconv.Quote(r.protocol), strconv.Quote(r.number), strconv.Quote(r.description)}, "|"))
			}
			slices.Sort(wantRecs)
			gotRecs := queryRows(t, db, `SELECT tbl, name, protocol, number, coalesce(description, '') FROM records
				WHERE registry = ? AND first_seq <= ? AND last_seq >= ? ORDER BY 1, 2, 3, 4, 5`, reg, seq, seq)
			if !slices.Equal(gotRecs, wantRecs) {
				t.Errorf("%s %s: records\n%s\nwant (encoding/xml)\n%s", reg, v.Version, strings.Join(gotRecs, "\n"), strings.Join(wantRecs, "\n"))
			}
		}

		// Changes, item changes and transitions, against regdiff diff --json.
		for seq := 1; seq < len(log); seq++ {
			var d diffJSON
			if err := json.Unmarshal([]byte(c.mustRun("--registry", reg, "diff", log[seq-1].Version, log[seq].Version, "--json")), &d); err != nil {
				t.Fatal(err)
			}
			var wantCh []string
			for _, ch := range d.Changes {
				m := map[string]any{"kind": ch.Kind, "key": canonical(t, string(ch.Key)), "fields": canonical(t, string(ch.Fields))}
				if ch.OldKey != nil {
					m["old_key"] = canonical(t, string(ch.OldKey))
				}
				wantCh = append(wantCh, canonical(t, m))
			}
			var gotCh []string
			rows, err := db.Query("SELECT kind, key_json, old_key_json, fields FROM changes WHERE registry = ? AND from_seq = ? AND to_seq = ?", reg, seq-1, seq)
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var kind, key, fields string
				var oldKey sql.NullString
				if err := rows.Scan(&kind, &key, &oldKey, &fields); err != nil {
					t.Fatal(err)
				}
				m := map[string]any{"kind": kind, "key": canonical(t, key), "fields": canonical(t, fields)}
				if oldKey.Valid {
					m["old_key"] = canonical(t, oldKey.String)
				}
				gotCh = append(gotCh, canonical(t, m))
			}
			rows.Close()
			slices.Sort(gotCh)
			slices.Sort(wantCh)
			if len(wantCh) == 0 || !slices.Equal(gotCh, wantCh) {
				t.Errorf("%s %s→%s: changes\n%s\nwant (diff --json)\n%s", reg, log[seq-1].Version, log[seq].Version, strings.Join(gotCh, "\n"), strings.Join(wantCh, "\n"))
			}

			var wantTr, gotTr []string
			for _, tr := range d.Transitions {
				wantTr = append(wantTr, tr.Protocol+" "+tr.Ports+" "+tr.From+" "+tr.To)
			}
			for _, r := range queryRows(t, db, `SELECT protocol || ' ' || CASE WHEN lo = hi THEN lo ELSE lo || '-' || hi END || ' ' || from_status || ' ' || to_status
				FROM transitions WHERE registry = ? AND to_seq = ? ORDER BY rowid`, reg, seq) {
				s, _ := strconv.Unquote(r)
				gotTr = append(gotTr, s)
			}
			if !slices.Equal(gotTr, wantTr) {
				t.Errorf("%s %s: transitions %q, want (diff --json) %q", reg, log[seq].Version, gotTr, wantTr)
			}
			var wantIt, gotIt []string
			for _, it := range d.Items {
				wantIt = append(wantIt, strings.Join([]string{it.Kind, it.Table, it.Element, it.Key, it.From, it.To}, "|"))
			}
			for _, r := range queryRows(t, db, "SELECT kind, tbl, element, key, old_text, new_text FROM item_changes WHERE registry = ? AND to_seq = ? ORDER BY rowid", reg, seq) {
				var parts []string
				for _, p := range strings.Split(r, "|") {
					s, _ := strconv.Unquote(p)
					parts = append(parts, s)
				}
				gotIt = append(gotIt, strings.Join(parts, "|"))
			}
			if !slices.Equal(gotIt, wantIt) {
				t.Errorf("%s %s: item changes %q, want (diff --json) %q", reg, log[seq].Version, gotIt, wantIt)
			}
			var wantPe, gotPe []string
			for _, p := range d.People {
				wantPe = append(wantPe, p.Kind+" "+p.ID+" "+canonical(t, string(p.Fields)))
			}
			rows, err = db.Query("SELECT kind, person_id, fields FROM people_changes WHERE registry = ? AND to_seq = ? ORDER BY rowid", reg, seq)
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var kind, id, fields string
				if err := rows.Scan(&kind, &id, &fields); err != nil {
					t.Fatal(err)
				}
				gotPe = append(gotPe, kind+" "+id+" "+canonical(t, fields))
			}
			rows.Close()
			if !slices.Equal(gotPe, wantPe) {
				t.Errorf("%s %s: people changes %q, want (diff --json) %q", reg, log[seq].Version, gotPe, wantPe)
			}
			if reg == "service-names-port-numbers" && log[seq].Version == "2025-06-30" && len(wantPe) != 1 {
				t.Errorf("the 2025 fixture adds one person; diff --json says %q", wantPe)
			}
		}
	}

	// The first README query: the history of port 253, as history says it.
	checkPortHistory(t, c, db, 253)
	checkPortHistory(t, c, db, 81)
	checkPortHistory(t, c, db, 3001)

	// The second: every port that became Reserved in 2025, as diff says.
	got := queryRows(t, db, readmeReserved2025)
	var d diffJSON
	if err := json.Unmarshal([]byte(c.mustRun("diff", "2024", "2025", "--json")), &d); err != nil {
		t.Fatal(err)
	}
	var wantRes []string
	for _, tr := range d.Transitions {
		if tr.To == "Reserved" {
			lo, hi, _ := strings.Cut(tr.Ports, "-")
			wantRes = append(wantRes, fmt.Sprintf("%q|%q|%q|%q|%q", tr.Protocol, lo, cmp.Or(hi, lo), tr.From, "2025-06-30"))
		}
	}
	if len(wantRes) != 2 || !slices.Equal(got, wantRes) {
		t.Errorf("ports that became Reserved in 2025:\n%s\nwant (diff --json)\n%s", strings.Join(got, "\n"), strings.Join(wantRes, "\n"))
	}
	var wantPeriods []string
	for _, r := range wantRes {
		parts := strings.Split(r, "|")
		wantPeriods = append(wantPeriods, strings.Join([]string{parts[0], parts[1], parts[2], parts[4]}, "|"))
	}
	if got := queryRows(t, db, readmeReserved2025Periods); !slices.Equal(got, wantPeriods) {
		t.Errorf("ports Reserved since 2025, from the periods:\n%s\nwant (diff --json)\n%s", strings.Join(got, "\n"), strings.Join(wantPeriods, "\n"))
	}

	// A record held twice in one version is two rows.
	if n := queryRows(t, db, "SELECT count(*) FROM records WHERE name = 'twice' AND last_seq = 3"); n[0] != `"2"` {
		t.Errorf("the record held twice has %s rows, want 2", n[0])
	}
}

// The README's example queries.
const (
	readmeHistory253 = `SELECT protocol, status, from_version, to_version, versions
FROM port_history WHERE 253 BETWEEN lo AND hi ORDER BY protocol, from_seq`
	readmeReserved2025 = `SELECT t.protocol, t.lo, t.hi, t.from_status, v.name AS version
FROM transitions t JOIN versions v ON v.registry = t.registry AND v.seq = t.to_seq
WHERE t.to_status = 'Reserved' AND v.date >= '2025' AND v.date < '2026'
ORDER BY v.seq, t.protocol, t.lo`
	// The same ports from the periods: those that began in 2025, after the
	// registry's oldest version.
	readmeReserved2025Periods = `SELECT protocol, lo, hi, from_version FROM port_history
WHERE status = 'Reserved' AND from_seq > 0 AND from_date >= '2025' AND from_date < '2026'
ORDER BY from_seq, protocol, lo`
)

// checkPortHistory compares the port's periods in the export with
// regdiff history PORT --json.
func checkPortHistory(t *testing.T, c *cli, db *sql.DB, port int) {
	t.Helper()
	var h struct {
		Periods []struct {
			Protocol, Status, From, To string
			Versions                   int
		}
	}
	if err := json.Unmarshal([]byte(c.mustRun("history", strconv.Itoa(port), "--json")), &h); err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, p := range h.Periods {
		want = append(want, fmt.Sprintf("%q|%q|%q|%q|\"%d\"", p.Protocol, p.Status, p.From, p.To, p.Versions))
	}
	slices.Sort(want) // history lists by transport in its own order
	got := queryRows(t, db, strings.Replace(readmeHistory253, "253", strconv.Itoa(port), 1))
	slices.Sort(got)
	if len(want) == 0 || !slices.Equal(got, want) {
		t.Errorf("history of %d:\n%s\nwant (history --json)\n%s", port, strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestExportIncremental: a second export adds only the new version's
// rows, keeps every earlier row that did not reach the newest version,
// and gives, row for row, what a fresh export of the whole store gives;
// a version inserted before exported ones rebuilds that registry alone.
func TestExportIncremental(t *testing.T) {
	dir := t.TempDir()
	store := filepath.Join(dir, "store")
	importFiles(t, store, "testdata/ports-2019.xml", "testdata/ports-2024.xml", "testdata/tls-2019.xml", "testdata/tls-2024.xml")
	path := filepath.Join(dir, "iana.db")
	exportTo(t, store, path)
	before := dumpDB(t, path)

	importFiles(t, store, "testdata/export-ports-2025.xml")
	sum := exportTo(t, store, path)
	if r := sum["service-names-port-numbers"]; r.Added != 1 || r.Versions != 3 || r.Rebuilt {
		t.Errorf("ports: %+v, want 1 version added, 3 in all", r)
	}
	if r := sum["tls-parameters"]; r.Added != 0 || r.Versions != 2 {
		t.Errorf("tls: %+v, want none added", r)
	}
	after := dumpDB(t, path)
	fresh := filepath.Join(dir, "fresh.db")
	exportTo(t, store, fresh)
	if f := dumpDB(t, fresh); !reflect.DeepEqual(after, f) {
		t.Errorf("incremental export differs from a fresh one:\n%s", dumpDiff(after, f))
	}
	// Only the new version's rows were added: every row of before is still
	// there, but the ports registry's rows that ran to its newest version
	// (seq 1), which now run on or end there.
	db := openDB(t, path)
	for table, rows := range before {
		kept := map[string]bool{}
		for _, r := range after[table] {
			kept[r] = true
		}
		for _, r := range rows {
			if !kept[r] && !strings.HasPrefix(r, `"service-names-port-numbers"|`) {
				t.Errorf("%s: row %s of another registry changed", table, r)
			}
			if !kept[r] && table != "records" && table != "port_periods" && table != "meta" {
				t.Errorf("%s: row %s lost", table, r)
			}
		}
	}
	if got := queryRows(t, db, "SELECT DISTINCT to_seq FROM changes WHERE registry = 'service-names-port-numbers' ORDER BY 1"); !slices.Equal(got, []string{`"1"`, `"2"`}) {
		t.Errorf("changes cover to_seq %v, want 1 and 2", got)
	}
	openRows := len(queryRows(t, openDB(t, filepath.Join(dir, "fresh.db")), "SELECT 1 FROM records WHERE registry = 'service-names-port-numbers' AND last_seq = 1"))
	if n := len(after["records"]) - len(before["records"]); n <= 0 || openRows == 0 {
		t.Errorf("records: %d rows added, %d closed at the old newest version", n, openRows)
	}

	// A version inserted before the exported ones: ports is rebuilt.
	importFiles(t, store, "testdata/export-ports-2022.xml")
	sum = exportTo(t, store, path)
	if r := sum["service-names-port-numbers"]; !r.Rebuilt || r.Added != 4 || r.Versions != 4 {
		t.Errorf("ports after an inserted version: %+v, want rebuilt with 4", r)
	}
	if r := sum["tls-parameters"]; r.Rebuilt || r.Added != 0 {
		t.Errorf("tls after an inserted ports version: %+v, want untouched", r)
	}
	os.Remove(fresh)
	exportTo(t, store, fresh)
	if a, f := dumpDB(t, path), dumpDB(t, fresh); !reflect.DeepEqual(a, f) {
		t.Errorf("rebuilt export differs from a fresh one:\n%s", dumpDiff(a, f))
	}
	// Nothing new: nothing added, the file unchanged.
	sumBefore := fileSum(t, path)
	sum = exportTo(t, store, path)
	for reg, r := range sum {
		if r.Added != 0 || r.Rebuilt {
			t.Errorf("%s: export with nothing new: %+v", reg, r)
		}
	}
	if fileSum(t, path) != sumBefore {
		t.Errorf("an export with nothing new changed the file")
	}
}

func dumpDiff(a, b map[string][]string) string {
	var s strings.Builder
	for table, rows := range a {
		if !slices.Equal(rows, b[table]) {
			fmt.Fprintf(&s, "%s:\n  got  %s\n  want %s\n", table, strings.Join(rows, "\n       "), strings.Join(b[table], "\n       "))
		}
	}
	return s.String()
}

func fileSum(t *testing.T, path string) [32]byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(b)
}

// TestExportInterrupted: an export cancelled midway leaves an existing
// database as it was, byte for byte and readable, and a new one not there
// at all, with no temporary file beside it.
func TestExportInterrupted(t *testing.T) {
	dir := t.TempDir()
	store := filepath.Join(dir, "store")
	importFiles(t, store, "testdata/ports-2019.xml", "testdata/tls-2019.xml")
	out := filepath.Join(dir, "out")
	os.Mkdir(out, 0o755)
	path := filepath.Join(out, "iana.db")
	exportTo(t, store, path)
	want := fileSum(t, path)
	wantRows := dumpDB(t, path)
	importFiles(t, store, "testdata/ports-2024.xml", "testdata/export-ports-2025.xml", "testdata/tls-2024.xml")

	g, _, _ := testGlobals(t, store)
	s, err := g.openStore()
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		path string
	}{{"existing", path}, {"new", filepath.Join(out, "new.db")}} {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			calls := 0
			_, err := sqlexport.Export(ctx, s, tt.path, sqlexport.Options{Progress: func(reg string, done, total int) {
				calls++
				if calls == 2 { // midway through the ports registry's new versions
					cancel()
				}
			}})
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("export cancelled midway: %v, want context.Canceled", err)
			}
			if calls != 2 {
				t.Errorf("export went on for %d versions after the cancel", calls-2)
			}
			ents, _ := os.ReadDir(out)
			var names []string
			for _, e := range ents {
				names = append(names, e.Name())
			}
			if !slices.Equal(names, []string{"iana.db"}) {
				t.Errorf("files beside the export: %q, want only iana.db", names)
			}
			if fileSum(t, path) != want {
				t.Errorf("an interrupted export changed %s", path)
			}
			if got := dumpDB(t, path); !reflect.DeepEqual(got, wantRows) {
				t.Errorf("an interrupted export changed the rows:\n%s", dumpDiff(got, wantRows))
			}
		})
	}
	// And the next export completes it.
	if sum := exportTo(t, store, path); sum["service-names-port-numbers"].Added != 2 {
		t.Errorf("export after the interrupted one: %+v", sum)
	}
}

// TestExportErrors: the exit codes of export.
func TestExportErrors(t *testing.T) {
	dir := t.TempDir()
	store := filepath.Join(dir, "store")
	importFiles(t, store, "testdata/ports-2019.xml")
	notExport := filepath.Join(dir, "notes.db")
	os.WriteFile(notExport, []byte("my own notes, not a database\n"), 0o644)
	otherDB := filepath.Join(dir, "other.db")
	func() {
		db, err := sql.Open("sqlite", "file:"+filepath.ToSlash(otherDB))
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if _, err := db.Exec("CREATE TABLE mine (x)"); err != nil {
			t.Fatal(err)
		}
	}()
	tests := []struct {
		name  string
		store string
		args  []string
		code  int
		err   string
	}{
		{"no format", store, []string{"export"}, exitError, "formats: --sqlite FILE"},
		{"missing store", filepath.Join(dir, "none"), []string{"export", "--sqlite", filepath.Join(dir, "x.db")}, exitStore, "no store"},
		{"folder missing", store, []string{"export", "--sqlite", filepath.Join(dir, "no", "such", "x.db")}, exitWrite, "no folder " + filepath.Join(dir, "no", "such") + " to write it in"},
		{"a text file", store, []string{"export", "--sqlite", notExport}, exitError, "not a regdiff SQLite export"},
		{"another program's database", store, []string{"export", "--sqlite", otherDB}, exitError, "not a regdiff SQLite export"},
		{"a folder", store, []string{"export", "--sqlite", dir}, exitError, "not a regdiff SQLite export"},
		{"an argument", store, []string{"export", "x.db"}, exitError, "unknown command"},
		{"--registry", store, []string{"--registry", "protocol-numbers", "export", "--sqlite", filepath.Join(dir, "y.db")}, exitError, "--registry does not apply"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := map[string][32]byte{notExport: fileSum(t, notExport), otherDB: fileSum(t, otherDB)}
			c := &cli{t: t, store: tt.store}
			code, _, stderr := c.run(tt.args...)
			if code != tt.code || !strings.Contains(stderr, tt.err) {
				t.Errorf("exit %d, stderr %q; want %d and %q", code, stderr, tt.code, tt.err)
			}
			for p, sum := range before {
				if fileSum(t, p) != sum {
					t.Errorf("%s was written to", p)
				}
			}
		})
	}
}

// TestExportBusy: an export waits --wait for another writer of the same
// database, then gives up with exit 6 and leaves the file as it was.
func TestExportBusy(t *testing.T) {
	dir := t.TempDir()
	store := filepath.Join(dir, "store")
	importFiles(t, store, "testdata/ports-2019.xml")
	path := filepath.Join(dir, "iana.db")
	exportTo(t, store, path)
	importFiles(t, store, "testdata/ports-2024.xml")
	want := fileSum(t, path)

	db, err := sql.Open("sqlite", "file:"+filepath.ToSlash(path))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	conn, err := db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(context.Background(), "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	c := &cli{t: t, store: store}
	code, _, stderr := c.run("--wait", "200ms", "export", "--sqlite", path)
	if code != exitLocked || !strings.Contains(stderr, "locked by another process") {
		t.Errorf("export while another writer holds the database: exit %d, %q; want %d", code, stderr, exitLocked)
	}
	conn.ExecContext(context.Background(), "ROLLBACK")
	conn.Close()
	if fileSum(t, path) != want {
		t.Errorf("a refused export changed %s", path)
	}
	if sum := exportTo(t, store, path); sum["service-names-port-numbers"].Added != 1 {
		t.Errorf("export once the other writer is gone: %+v", sum)
	}
}

// TestExportProgress: progress goes to a terminal only, and never with
// --json or --quiet.
func TestExportProgress(t *testing.T) {
	dir := t.TempDir()
	store := filepath.Join(dir, "store")
	importFiles(t, store, "testdata/ports-2019.xml", "testdata/ports-2024.xml")
	for _, tt := range []struct {
		name string
		tty  bool
		json bool
		want bool
	}{{"terminal", true, false, true}, {"pipe", false, false, false}, {"terminal json", true, true, false}} {
		t.Run(tt.name, func(t *testing.T) {
			g, out, errb := testGlobals(t, store)
			g.io.ErrTTY = tt.tty
			if err := runExport(context.Background(), &exportOptions{globals: g, sqlite: filepath.Join(t.TempDir(), "x.db"), json: tt.json}); err != nil {
				t.Fatal(err)
			}
			if got := strings.Contains(errb.String(), "exporting service-names-port-numbers"); got != tt.want {
				t.Errorf("progress shown: %v, want %v (stderr %q)", got, tt.want, errb)
			}
			if tt.json == strings.Contains(out.String(), "versions added") {
				t.Errorf("stdout %q", out)
			}
		})
	}
}

func cmdOK(cmd *exec.Cmd) bool { return cmd.ProcessState != nil && cmd.ProcessState.Success() }

// TestKillDuringExport kills real export processes at random moments while
// they rebuild the port registry of the shared bundle's store in an
// existing database: after each kill the database passes SQLite's
// integrity check and holds, row for row, what it held before; after
// every other kill an export runs straight away (nothing else opened the
// file since) and writes what an unkilled export writes.
func TestKillDuringExport(t *testing.T) {
	store, _ := realstore.Store(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "iana.db")
	exportTo(t, store, path)
	full := dumpDB(t, path)
	// Forget the port registry's export: the next export rebuilds it, all
	// of its versions in one transaction.
	forget := func() map[string][]string {
		execSQL(t, path, "DELETE FROM meta WHERE registry = 'service-names-port-numbers'")
		return dumpDB(t, path)
	}
	before := forget()
	_, d := timed(t, regdiffProcess(t.Context(), "--store", store, "export", "--sqlite", filepath.Join(dir, "unkilled.db")))
	t.Logf("an export takes %v unkilled", d.Round(time.Millisecond))
	os.Remove(filepath.Join(dir, "unkilled.db"))
	kills, landed := 4, 0
	for attempt := 0; landed < kills && attempt < 3*kills; attempt++ {
		delay := rand.N(d)
		ranCmd := regdiffProcess(t.Context(), "--store", store, "export", "--sqlite", path)
		killed, ran := runKilled(t, ranCmd, delay)
		if killed && landed%2 == 1 {
			// The next export, straight after the kill, rolls back what
			// it left and does the work.
			landed++
			if out, err := regdiffProcess(t.Context(), "--store", store, "export", "--sqlite", path).CombinedOutput(); err != nil {
				t.Fatalf("export after kill %d (after %v): %v\n%s", landed, delay, err, out)
			}
			if got := dumpDB(t, path); !reflect.DeepEqual(got, full) {
				t.Fatalf("export after kill %d differs from an export unkilled:\n%.2000s", landed, dumpDiff(got, full))
			}
			t.Logf("kill %d after %v: the next export completed it", landed, delay.Round(time.Millisecond))
			before = forget()
			continue
		}
		db, err := sql.Open("sqlite", "file:"+filepath.ToSlash(path))
		if err != nil {
			t.Fatal(err)
		}
		var check string
		err = db.QueryRow("PRAGMA integrity_check").Scan(&check) // rolls back what the kill left
		db.Close()
		if err != nil || check != "ok" {
			t.Fatalf("after a kill at %v: integrity check %q, %v", delay, check, err)
		}
		if !killed {
			if !cmdOK(ranCmd) {
				t.Fatalf("an export that was not killed failed")
			}
			t.Logf("export finished in %v, before the kill at %v", ran.Round(time.Millisecond), delay.Round(time.Millisecond))
			d = nextRange(d, ran)
			before = forget()
			continue
		}
		landed++
		if got := dumpDB(t, path); !reflect.DeepEqual(got, before) {
			t.Fatalf("kill %d after %v changed the database:\n%.2000s", landed, delay, dumpDiff(got, before))
		}
		t.Logf("kill %d after %v: the database is as it was", landed, delay.Round(time.Millisecond))
	}
	if landed < kills {
		t.Fatalf("only %d of %d kills landed before the export finished", landed, kills)
	}
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if e.Name() != "iana.db" {
			t.Errorf("left beside the database: %s", e.Name())
		}
	}
}

// TestExportLostMeta: rows of a registry whose meta row is gone are
// dropped and written again, never doubled.
func TestExportLostMeta(t *testing.T) {
	dir := t.TempDir()
	store := filepath.Join(dir, "store")
	importFiles(t, store, "testdata/ports-2019.xml", "testdata/ports-2024.xml")
	path := filepath.Join(dir, "iana.db")
	exportTo(t, store, path)
	want := dumpDB(t, path)
	execSQL(t, path, "DELETE FROM meta")
	if sum := exportTo(t, store, path); sum["service-names-port-numbers"].Added != 2 {
		t.Errorf("export after the meta row was lost: %+v, want 2 versions added", sum)
	}
	if got := dumpDB(t, path); !reflect.DeepEqual(got, want) {
		t.Errorf("export after the meta row was lost:\n%s", dumpDiff(got, want))
	}
}

// TestExportOtherSchema: an export written with another schema version,
// and an empty file, are rebuilt whole.
func TestExportOtherSchema(t *testing.T) {
	dir := t.TempDir()
	store := filepath.Join(dir, "store")
	importFiles(t, store, "testdata/ports-2019.xml", "testdata/ports-2024.xml")
	want := filepath.Join(dir, "want.db")
	exportTo(t, store, want)
	for _, tt := range []struct {
		name  string
		setup func(path string)
	}{
		{"newer schema", func(path string) {
			exportTo(t, store, path)
			execSQL(t, path, "PRAGMA user_version = 99; CREATE TABLE from_the_future (x)")
		}},
		{"empty file", func(path string) { os.WriteFile(path, nil, 0o644) }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "iana.db")
			tt.setup(path)
			if sum := exportTo(t, store, path); sum["service-names-port-numbers"].Added != 2 {
				t.Errorf("export: %+v, want 2 versions added", sum)
			}
			if got, w := dumpDB(t, path), dumpDB(t, want); !reflect.DeepEqual(got, w) {
				t.Errorf("export over it:\n%s", dumpDiff(got, w))
			}
			if v := queryRows(t, openDB(t, path), "PRAGMA user_version"); v[0] != `"2"` {
				t.Errorf("user_version %s", v[0])
			}
		})
	}
}

// TestExportRemovesStale: a temporary file that a killed export left beside
// the database is removed by a later export once it is hours old, and one
// that may belong to a running export is left alone.
func TestExportRemovesStale(t *testing.T) {
	dir := t.TempDir()
	store := filepath.Join(dir, "store")
	importFiles(t, store, "testdata/ports-2019.xml")
	out := t.TempDir()
	old := filepath.Join(out, ".iana.db.tmp-1-2")
	recent := filepath.Join(out, ".iana.db.tmp-3-4")
	other := filepath.Join(out, ".other.db.tmp-5-6")
	for _, p := range []string{old, recent, other} {
		os.WriteFile(p, []byte("left by a kill"), 0o644)
	}
	long := time.Now().Add(-7 * time.Hour)
	os.Chtimes(old, long, long)
	os.Chtimes(other, long, long)
	exportTo(t, store, filepath.Join(out, "iana.db"))
	for p, want := range map[string]bool{old: false, recent: true, other: true} {
		if _, err := os.Stat(p); (err == nil) != want {
			t.Errorf("%s: there %v, want %v", filepath.Base(p), err == nil, want)
		}
	}
}

// TestExportEditedRows: rows edited by hand so that they contradict the
// store are not extended: the registry is rebuilt, and the file is what a
// fresh export writes.
func TestExportEditedRows(t *testing.T) {
	tests := []struct{ name, sql string }{
		{"open record deleted", "DELETE FROM records WHERE name = 'ssh' AND last_seq = 1"},
		{"open record edited", "UPDATE records SET description = 'edited' WHERE name = 'newsvc'"},
		{"unreadable JSON", "UPDATE records SET refs = '[' WHERE refs IS NOT NULL AND last_seq = 1"},
		{"open period deleted", "DELETE FROM port_periods WHERE protocol = 'tcp' AND lo <= 81 AND hi >= 81 AND to_seq = 1"},
		{"period status edited", "UPDATE port_periods SET status = 'Unassigned' WHERE protocol = 'tcp' AND lo <= 81 AND hi >= 81 AND to_seq = 1"},
		{"unknown status", "UPDATE port_periods SET status = 'Lost' WHERE to_seq = 1"},
	}
	dir := t.TempDir()
	store := filepath.Join(dir, "store")
	importFiles(t, store, "testdata/ports-2019.xml", "testdata/ports-2024.xml")
	base := filepath.Join(dir, "base.db")
	exportTo(t, store, base)
	importFiles(t, store, "testdata/export-ports-2025.xml")
	fresh := filepath.Join(dir, "fresh.db")
	exportTo(t, store, fresh)
	want := dumpDB(t, fresh)
	data, err := os.ReadFile(base)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "iana.db")
			os.WriteFile(path, data, 0o644)
			if execSQL(t, path, tt.sql) == 0 {
				t.Fatalf("%s changed nothing", tt.sql)
			}
			sum := exportTo(t, store, path)
			if r := sum["service-names-port-numbers"]; !r.Rebuilt || r.Added != 3 {
				t.Errorf("export over edited rows: %+v, want rebuilt with 3 versions", r)
			}
			if got := dumpDB(t, path); !reflect.DeepEqual(got, want) {
				t.Errorf("export over edited rows:\n%s", dumpDiff(got, want))
			}
		})
	}
}

// TestExportAfterCrash: an export into a file that a crash left with a hot
// journal beside it (copied here while another connection is midway
// through a transaction) rolls the journal back and goes on. It failed as
// "not a regdiff SQLite export" while the check opened the file read-only.
func TestExportAfterCrash(t *testing.T) {
	dir := t.TempDir()
	store := filepath.Join(dir, "store")
	importFiles(t, store, "testdata/ports-2019.xml", "testdata/ports-2024.xml")
	path := filepath.Join(dir, "iana.db")
	exportTo(t, store, path)
	want := dumpDB(t, path)

	db, err := sql.Open("sqlite", "file:"+filepath.ToSlash(path)+"?_pragma=cache_size(1)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"DELETE FROM records", "DELETE FROM meta", "INSERT INTO versions SELECT registry, seq + 100, name || 'x', date, title, format, sha256, records, commit_hash FROM versions"} {
		if _, err := tx.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	crashed := filepath.Join(t.TempDir(), "iana.db")
	for _, suffix := range []string{"", "-journal"} {
		b, err := os.ReadFile(path + suffix)
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(crashed+suffix, b, 0o644)
	}
	tx.Rollback()

	sum := exportTo(t, store, crashed)
	if r := sum["service-names-port-numbers"]; r.Added != 0 || r.Rebuilt {
		t.Errorf("export after the crash: %+v, want nothing to add", r)
	}
	if got := dumpDB(t, crashed); !reflect.DeepEqual(got, want) {
		t.Errorf("after the crash:\n%s", dumpDiff(got, want))
	}
	if _, err := os.Stat(crashed + "-journal"); err == nil {
		t.Errorf("the journal is still there")
	}
}

func TestExportOddPath(t *testing.T) {
	dir := t.TempDir()
	store := filepath.Join(dir, "store")
	importFiles(t, store, "testdata/ports-2019.xml")
	odd := filepath.Join(t.TempDir(), "a?b#c %41.db")
	exportTo(t, store, odd)
	if n := queryRows(t, openDB(t, odd), "SELECT count(*) FROM versions"); n[0] != `"1"` {
		t.Errorf("versions: %v", n)
	}
	if sum := exportTo(t, store, odd); sum["service-names-port-numbers"].Added != 0 {
		t.Errorf("second export into %q: %+v", odd, sum)
	}
}

// TestExportRegistryGone: a registry the store no longer holds loses its
// rows; the others stay as they are. (A second store with the same port
// versions has the same commits: hashes depend on the data alone.)
func TestExportRegistryGone(t *testing.T) {
	dir := t.TempDir()
	both, portsOnly := filepath.Join(dir, "both"), filepath.Join(dir, "ports")
	importFiles(t, both, "testdata/ports-2019.xml", "testdata/ports-2024.xml", "testdata/tls-2019.xml", "testdata/tls-2024.xml")
	importFiles(t, portsOnly, "testdata/ports-2019.xml", "testdata/ports-2024.xml")
	path, want := filepath.Join(dir, "iana.db"), filepath.Join(dir, "want.db")
	exportTo(t, both, path)
	exportTo(t, portsOnly, want)
	sum := exportTo(t, portsOnly, path)
	if r := sum["tls-parameters"]; !r.Removed {
		t.Errorf("tls-parameters: %+v, want removed", r)
	}
	if r := sum["service-names-port-numbers"]; r.Added != 0 || r.Rebuilt {
		t.Errorf("ports: %+v, want untouched", r)
	}
	if got, w := dumpDB(t, path), dumpDB(t, want); !reflect.DeepEqual(got, w) {
		t.Errorf("after the registry went:\n%s", dumpDiff(got, w))
	}
	c := &cli{t: t, store: portsOnly}
	exportTo(t, both, path)
	if out := c.mustRun("export", "--sqlite", path); !strings.Contains(out, "tls-parameters: removed from") {
		t.Errorf("text output: %q", out)
	}
}

// TestExportSymlink: FILE a symbolic link writes the file it names, and
// the link stays a link, whether the target is updated in place, rebuilt
// whole (another schema, empty) or not there yet. The rebuilds renamed
// the new file onto the link, leaving the target as it was.
func TestExportSymlink(t *testing.T) {
	dir := t.TempDir()
	store := filepath.Join(dir, "store")
	importFiles(t, store, "testdata/ports-2019.xml")
	old := filepath.Join(dir, "old.db")
	exportTo(t, store, old)
	importFiles(t, store, "testdata/ports-2024.xml")
	want := filepath.Join(dir, "want.db")
	exportTo(t, store, want)
	oldData, err := os.ReadFile(old)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name   string
		target func(path string) // makes the link's target, or not
	}{
		{"to an export", func(path string) { os.WriteFile(path, oldData, 0o644) }},
		{"to another schema", func(path string) {
			os.WriteFile(path, oldData, 0o644)
			execSQL(t, path, "PRAGMA user_version = 99")
		}},
		{"to an empty file", func(path string) { os.WriteFile(path, nil, 0o644) }},
		{"to no file yet", func(string) {}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			d := t.TempDir()
			target, link := filepath.Join(d, "data", "iana.db"), filepath.Join(d, "iana.db")
			os.Mkdir(filepath.Dir(target), 0o755)
			tt.target(target)
			if err := os.Symlink(filepath.Join("data", "iana.db"), link); err != nil {
				t.Skipf("no symbolic links here: %v", err)
			}
			exportTo(t, store, link)
			if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
				t.Fatalf("%s is no longer a link (%v)", link, err)
			}
			if got, w := dumpDB(t, target), dumpDB(t, want); !reflect.DeepEqual(got, w) {
				t.Errorf("the link's target:\n%s", dumpDiff(got, w))
			}
			if ents, _ := os.ReadDir(d); len(ents) != 2 {
				t.Errorf("beside the link: %v, want the link and data/ alone", ents)
			}
		})
	}
}

// TestExportRebuildKeepsMode: a file rebuilt whole (written by the rename
// of a new file) keeps its permissions; it had those of a new file.
func TestExportRebuildKeepsMode(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no Unix permissions on Windows")
	}
	dir := t.TempDir()
	store := filepath.Join(dir, "store")
	importFiles(t, store, "testdata/ports-2019.xml")
	path := filepath.Join(dir, "iana.db")
	exportTo(t, store, path)
	execSQL(t, path, "PRAGMA user_version = 99")
	if err := os.Chmod(path, 0o640); err != nil {
		t.Fatal(err)
	}
	if r := exportTo(t, store, path)["service-names-port-numbers"]; r.Added != 1 {
		t.Fatalf("export over another schema: %+v, want it rebuilt", r)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o640 {
		t.Errorf("after the rebuild: %v (%v), want -rw-r-----", fi.Mode(), err)
	}
}

// TestExportReadOnlyRebuild: a read-only file that needs a rebuild is
// refused (exit 9) and left as it is, as the file updated in place is by
// SQLite; the rename replaced it. (Root may write any file: skipped.)
func TestExportReadOnlyRebuild(t *testing.T) {
	if runtime.GOOS == "windows" || os.Geteuid() == 0 {
		t.Skip("needs Unix permissions that bind (not root)")
	}
	dir := t.TempDir()
	store := filepath.Join(dir, "store")
	importFiles(t, store, "testdata/ports-2019.xml")
	path := filepath.Join(dir, "iana.db")
	exportTo(t, store, path)
	execSQL(t, path, "PRAGMA user_version = 99")
	os.Chmod(path, 0o444)
	want := fileSum(t, path)
	c := &cli{t: t, store: store}
	if code, _, stderr := c.run("export", "--sqlite", path); code != exitWrite || !strings.Contains(stderr, "permission denied") {
		t.Errorf("export over a read-only file: exit %d, %q; want %d", code, stderr, exitWrite)
	}
	if fileSum(t, path) != want {
		t.Errorf("the read-only file was replaced")
	}
}

// TestExportDamaged: an export cut short is refused as damaged (exit 2),
// with how to find out and what to do, and left as it is. It was called
// "not a regdiff SQLite export", which it is.
func TestExportDamaged(t *testing.T) {
	dir := t.TempDir()
	store := filepath.Join(dir, "store")
	importFiles(t, store, "testdata/ports-2019.xml", "testdata/ports-2024.xml")
	path := filepath.Join(dir, "iana.db")
	exportTo(t, store, path)
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(path, fi.Size()/2); err != nil {
		t.Fatal(err)
	}
	want := fileSum(t, path)
	c := &cli{t: t, store: store}
	code, _, stderr := c.run("export", "--sqlite", path)
	if code != exitError || !strings.Contains(stderr, "damaged") || !strings.Contains(stderr, "integrity_check") {
		t.Errorf("export into a cut-short export: exit %d, %q; want %d, damaged and a hint", code, stderr, exitError)
	}
	if fileSum(t, path) != want {
		t.Errorf("the damaged file was written to")
	}
}

// TestExportQueryPlans: the README's queries find their rows through an
// index, not by reading a whole table (EXPLAIN QUERY PLAN says SCAN for
// that). They name no registry, and the indexes led with it: the life of
// a port and every change to a name read every row.
func TestExportQueryPlans(t *testing.T) {
	dir := t.TempDir()
	store := filepath.Join(dir, "store")
	importFiles(t, store, "testdata/ports-2019.xml", "testdata/ports-2024.xml", "testdata/tls-2019.xml")
	path := filepath.Join(dir, "iana.db")
	exportTo(t, store, path)
	db := openDB(t, path)
	for _, q := range []string{
		`SELECT protocol, status, from_version, to_version, versions
		 FROM port_history WHERE 253 BETWEEN lo AND hi ORDER BY protocol, from_seq`,
		`SELECT t.protocol, t.lo, t.hi, t.from_status, v.name AS version
		 FROM transitions t JOIN versions v ON v.registry = t.registry AND v.seq = t.to_seq
		 WHERE t.to_status = 'Reserved' AND v.date >= '2025' AND v.date < '2026'
		 ORDER BY v.seq, t.protocol, t.lo`,
		`SELECT * FROM records r JOIN versions v ON v.registry = r.registry AND v.name = '2024-03-18'
		 WHERE r.first_seq <= v.seq AND r.last_seq >= v.seq`,
		`SELECT to_version, kind, protocol, fields FROM change_history WHERE name = 'ssh'`,
		`SELECT value FROM records, json_each(records.refs) WHERE name = 'http'`,
	} {
		for _, step := range queryRows(t, db, "EXPLAIN QUERY PLAN "+q) {
			if strings.Contains(step, "SCAN ") && !strings.Contains(step, "VIRTUAL TABLE") {
				t.Errorf("%s\nreads a whole table: %s", q, step)
			}
		}
	}
}
