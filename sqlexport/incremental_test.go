package sqlexport_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/regdiff/regdiff/internal/realstore"
	"github.com/regdiff/regdiff/internal/shareddata"
	"github.com/regdiff/regdiff/snapshots"
	"github.com/regdiff/regdiff/sqlexport"
)

// prefix is a store of the shared bundle without its newest commit (the
// port registry's last version), imported from a git clone at the commit
// before, and an export of it: what a cron job had exported the day
// before. Its versions have the same commits as the shared store's, whose
// hashes depend on the data alone.
var prefix struct {
	once      sync.Once
	store, db string
	err       error
}

func prefixExport(tb testing.TB) (db string) {
	tb.Helper()
	bundle := shareddata.BundlePath(tb) // skips without the data
	prefix.once.Do(func() {
		dir, err := shareddata.TempDir("regdiff-sqlexport-")
		if err != nil {
			prefix.err = err
			return
		}
		clone := filepath.Join(dir, "clone.git")
		for _, args := range [][]string{
			{"clone", "-q", "--bare", bundle, clone},
			{"-C", clone, "branch", "prefix", "main~1"}, // the bundle's HEAD names no branch
		} {
			if out, err := exec.Command("git", args...).CombinedOutput(); err != nil {
				prefix.err = fmt.Errorf("git %s: %v: %s", strings.Join(args, " "), err, out)
				return
			}
		}
		prefix.store, prefix.db = filepath.Join(dir, "store"), filepath.Join(dir, "prefix.db")
		s, err := snapshots.Create(prefix.store)
		if err != nil {
			prefix.err = err
			return
		}
		ctx := context.Background()
		inputs, refused, done, err := snapshots.Collect(ctx, []string{clone}, snapshots.CollectOptions{Ref: "prefix"})
		if err == nil && len(refused) > 0 {
			err = fmt.Errorf("import of %s refused: %+v", clone, refused)
		}
		if err != nil {
			prefix.err = err
			return
		}
		defer done()
		if _, err := s.Import(ctx, inputs, snapshots.ImportOptions{}); err != nil {
			prefix.err = err
			return
		}
		_, prefix.err = sqlexport.Export(ctx, s, prefix.db, sqlexport.Options{})
	})
	if prefix.err != nil {
		tb.Fatal(prefix.err)
	}
	return prefix.db
}

func openRO(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.ToSlash(path)+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// fmtRow writes a row's values with their types, so that 1 and '1' differ.
func fmtRow(vals []any) string {
	var b strings.Builder
	for _, v := range vals {
		fmt.Fprintf(&b, "%T:%q|", v, fmt.Sprint(v))
	}
	return b.String()
}

func copyFile(tb testing.TB, from, to string) {
	tb.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o644); err != nil {
		tb.Fatal(err)
	}
}

// dump is every row of every table, sorted, as sqlite3's .dump would list
// them: two files with equal dumps hold the same data.
func dump(t *testing.T, path string) []string {
	t.Helper()
	db := openRO(t, path)
	var out []string
	tables, err := db.Query("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for tables.Next() {
		var n string
		tables.Scan(&n)
		names = append(names, n)
	}
	tables.Close()
	for _, n := range names {
		rows, err := db.Query("SELECT * FROM " + n)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			out = append(out, n+" "+fmtRow(vals))
		}
		rows.Close()
	}
	sort.Strings(out)
	return out
}

// TestRealIncremental: the day after an export of the shared bundle
// without its newest version, an export of the whole store adds that one
// version (and no other) and the file equals a fresh export, row for row.
func TestRealIncremental(t *testing.T) {
	dir, _ := realstore.Store(t)
	s, err := snapshots.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "iana.db")
	copyFile(t, prefixExport(t), path)
	done, err := sqlexport.Export(context.Background(), s, path, sqlexport.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range done {
		want := 0
		if r.Registry == ports {
			want = 1
		}
		if r.Added != want || r.Rebuilt {
			t.Errorf("%s: %+v, want %d version(s) added", r.Registry, r, want)
		}
	}
	fresh := filepath.Join(t.TempDir(), "fresh.db")
	if _, err := sqlexport.Export(context.Background(), s, fresh, sqlexport.Options{}); err != nil {
		t.Fatal(err)
	}
	got, want := dump(t, path), dump(t, fresh)
	if len(got) != len(want) {
		t.Fatalf("%d rows after one version added, a fresh export has %d", len(got), len(want))
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("first row that differs:\n  %s\nfresh export:\n  %s", got[i], want[i])
		}
	}
}

// BenchmarkExportSQLiteOneNew is the export of the day after: one new
// version of the port registry added to an export of the shared bundle
// without it.
func BenchmarkExportSQLiteOneNew(b *testing.B) {
	s := benchStore(b)
	path := filepath.Join(b.TempDir(), "iana.db")
	from := prefixExport(b)
	for b.Loop() {
		b.StopTimer()
		copyFile(b, from, path)
		b.StartTimer()
		if _, err := sqlexport.Export(context.Background(), s, path, sqlexport.Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
