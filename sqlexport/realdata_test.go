package sqlexport_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	"github.com/regdiff/regdiff/diff"
	"github.com/regdiff/regdiff/history"
	"github.com/regdiff/regdiff/internal/realstore"
	"github.com/regdiff/regdiff/internal/shareddata"
	"github.com/regdiff/regdiff/snapshots"
	"github.com/regdiff/regdiff/sqlexport"
)

func TestMain(m *testing.M) { os.Exit(shareddata.Main(m)) }

const ports = "service-names-port-numbers"

// countRecords counts the <record> elements of a registry file with
// encoding/xml, not with regdiff's parser.
func countRecords(t *testing.T, data []byte) int {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(data))
	n := 0
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return n
		}
		if err != nil {
			t.Fatal(err)
		}
		if el, ok := tok.(xml.StartElement); ok && el.Name.Local == "record" {
			n++
		}
	}
}

func realExport(t *testing.T) (*snapshots.Store, map[string][]shareddata.Version, *sql.DB) {
	t.Helper()
	dir, bundle := realstore.Store(t)
	s, err := snapshots.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "iana.db")
	done, err := sqlexport.Export(context.Background(), s, path, sqlexport.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range done {
		if want := len(bundle[r.Registry]); r.Added != want || r.Versions != want {
			t.Errorf("%s: %+v, want %d versions added", r.Registry, r, want)
		}
	}
	db, err := sql.Open("sqlite", "file:"+filepath.ToSlash(path)+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return s, bundle, db
}

func one[T any](t *testing.T, db *sql.DB, q string, args ...any) T {
	t.Helper()
	var v T
	if err := db.QueryRow(q, args...).Scan(&v); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return v
}

// TestRealStore exports the shared bundle's store and checks it against
// the bundle as git reads it: every version is there, by its sha256; the
// records of a sample of versions, counted back from their ranges, are as
// many as encoding/xml counts in the raw file; the README's history query
// says what history.Build says for a handful of ports; and the periods
// open at each sampled version are that version's port statuses as
// diff.PortStatuses computes them from all its records.
func TestRealStore(t *testing.T) {
	s, bundle, db := realExport(t)
	for _, reg := range realstore.Registries {
		t.Run(reg, func(t *testing.T) {
			vs := bundle[reg]
			if n := one[int](t, db, "SELECT count(*) FROM versions WHERE registry = ?", reg); n != len(vs) {
				t.Errorf("%d versions exported, the bundle has %d", n, len(vs))
			}
			for _, v := range shareddata.Sample(vs, 40) {
				raw := shareddata.Read(t, v)
				sum := sha256.Sum256(raw)
				seq := one[int](t, db, "SELECT seq FROM versions WHERE registry = ? AND sha256 = ?", reg, hex.EncodeToString(sum[:]))
				got := one[int](t, db, "SELECT count(*) FROM records WHERE registry = ? AND first_seq <= ? AND last_seq >= ?", reg, seq, seq)
				if want := countRecords(t, raw); got != want || want == 0 {
					t.Errorf("version %d (%s): %d records from the ranges, encoding/xml counts %d", seq, v.Date, got, want)
				}
			}
		})
	}

	for _, port := range []string{"253", "22", "81", "1000", "5543", "8077", "25100", "49151"} {
		t.Run("history "+port, func(t *testing.T) {
			q, err := history.ParseQuery(port)
			if err != nil {
				t.Fatal(err)
			}
			h, err := history.Build(context.Background(), s, ports, q)
			if err != nil {
				t.Fatal(err)
			}
			var want []string
			for _, p := range h.Periods {
				want = append(want, fmt.Sprintf("%s %s %s %s %d", p.Protocol, p.Status, p.From, p.To, p.Versions))
			}
			rows, err := db.Query(`SELECT protocol, status, from_version, to_version, versions
				FROM port_history WHERE ` + port + ` BETWEEN lo AND hi ORDER BY protocol, from_seq`)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			var got []string
			for rows.Next() {
				var proto, status, from, to string
				var n int
				if err := rows.Scan(&proto, &status, &from, &to, &n); err != nil {
					t.Fatal(err)
				}
				got = append(got, fmt.Sprintf("%s %s %s %s %d", proto, status, from, to, n))
			}
			slices.Sort(want) // history lists transports in its own order
			slices.Sort(got)
			if len(want) == 0 || !slices.Equal(got, want) {
				t.Errorf("periods of %s:\n%q\nhistory.Build says\n%q", port, got, want)
			}
		})
	}

	t.Run("periods", func(t *testing.T) {
		vs, err := s.Versions(ports)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < len(vs); i += 45 {
			recs, err := s.Records(vs[i])
			if err != nil {
				t.Fatal(err)
			}
			st := diff.PortStatuses(recs)
			for _, proto := range diff.Transports {
				var want []string
				for _, seg := range st.Segments(proto) {
					want = append(want, fmt.Sprintf("%d-%d %s", seg.Lo, seg.Hi, seg.Status))
				}
				rows, err := db.Query("SELECT lo, hi, status FROM port_periods WHERE registry = ? AND protocol = ? AND from_seq <= ? AND to_seq >= ? ORDER BY lo", ports, proto, i, i)
				if err != nil {
					t.Fatal(err)
				}
				var got []string
				for rows.Next() {
					var lo, hi int
					var status string
					if err := rows.Scan(&lo, &hi, &status); err != nil {
						t.Fatal(err)
					}
					// Periods split a run of one status where its ports
					// began it at different versions: join them back.
					if n := len(got); n > 0 {
						var plo, phi int
						var pst string
						fmt.Sscanf(got[n-1], "%d-%d %s", &plo, &phi, &pst)
						if pst == status && phi == lo-1 {
							got[n-1] = strconv.Itoa(plo) + "-" + strconv.Itoa(hi) + " " + status
							continue
						}
					}
					got = append(got, fmt.Sprintf("%d-%d %s", lo, hi, status))
				}
				rows.Close()
				if !slices.Equal(got, want) {
					t.Errorf("%s %s: %d periods open, %d segments by diff.PortStatuses; first difference at %s", vs[i].Name, proto, len(got), len(want), firstDiff(got, want))
				}
			}
		}
	})
}

func firstDiff(a, b []string) string {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return a[i] + " vs " + b[i]
		}
	}
	return "the end"
}
