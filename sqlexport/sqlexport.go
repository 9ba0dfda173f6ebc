// Package sqlexport writes the registries of a store into a SQLite
// database for analysts: their versions, every record with the range of
// versions in which it held in one form, the changes between consecutive
// versions (from [diff.Between], the comparison regdiff diff makes), the
// port status transitions and the port status periods they add up to.
// See [Schema] for the tables.
//
// It owns the SQLite driver (modernc.org/sqlite, pure Go: no cgo).
//
// # Incremental
//
// [Export] into an existing export adds only the versions not yet in it:
// the meta table keeps, per registry, how many versions were exported and
// the commit of the newest. When the store's history of a registry no
// longer holds that commit at that place (a version was inserted before
// it, or the store was rebuilt), the registry's rows are rebuilt; a
// registry gone from the store loses its rows. Rows that are still open
// (a record form or a port period that lasts to the newest exported
// version) are taken up again and extended, so that the result is, row
// for row, what a fresh export of the whole store writes. Rows that
// contradict the store (edited by hand) are never extended: that registry
// is rebuilt.
//
// # Atomic
//
// A new file is built beside FILE under a temporary name and renamed into
// place; an existing one is updated in one transaction. Either way an
// export that fails or is cancelled leaves the file as it was.
package sqlexport

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/regdiff/regdiff/diff"
	"github.com/regdiff/regdiff/snapshots"
	"github.com/regdiff/regdiff/snapshots/record"
	"modernc.org/sqlite" // registers the "sqlite" driver
	sqlite3 "modernc.org/sqlite/lib"
)

// ErrNotExport is returned for a file that exists and is no regdiff
// export: it is never written to.
var ErrNotExport = errors.New("not a regdiff SQLite export")

// ErrDamaged comes with ErrNotExport for a file that SQLite finds
// damaged (cut short, overwritten): it is not written to either.
var ErrDamaged = errors.New("a damaged SQLite database")

// ErrBusy is returned when another process kept the database locked for
// longer than Options.Wait.
var ErrBusy = errors.New("the database is locked by another process")

// WriteError is a failure to write the database (as opposed to reading
// the store): no room, no permission, a locked file.
type WriteError struct {
	Path string
	Err  error
}

func (e *WriteError) Error() string { return fmt.Sprintf("write %s: %v", e.Path, e.Err) }
func (e *WriteError) Unwrap() error { return e.Err }

// Options tune an export.
type Options struct {
	// Progress, when set, is called after each version exported.
	Progress func(registry string, done, total int)
	// Wait is how long to wait for another process writing the same
	// database (another export) before failing with ErrBusy.
	Wait time.Duration
}

// Registry says what an export did to one registry.
type Registry struct {
	Registry string `json:"registry"`
	Added    int    `json:"added"`             // versions added by this export
	Versions int    `json:"versions"`          // versions in the database now
	Rebuilt  bool   `json:"rebuilt"`           // its earlier rows were dropped: the store's history no longer extends them
	Removed  bool   `json:"removed,omitempty"` // it is no longer in the store, and its rows were dropped
}

// Store is what an export reads: *snapshots.Store.
type Store interface {
	diff.Source
	Registries() ([]string, error)
	Versions(registry string) ([]record.Version, error)
	Records(v record.Version) ([]record.Record, error)
}

var _ Store = (*snapshots.Store)(nil)

// Export writes every registry of s into the SQLite database at path,
// creating it or bringing it up to date (see the package documentation).
// It returns what it did to each registry: first those it removed, then
// the store's, in the order s lists them.
func Export(ctx context.Context, s Store, path string, opts Options) ([]Registry, error) {
	regs, err := s.Registries()
	if err != nil {
		return nil, err
	}
	// The file a link names is the one to write: a rename onto the link
	// would replace it with a file of its own and leave the target stale.
	file, err := followLinks(path)
	if err != nil {
		return nil, &WriteError{path, err}
	}
	fresh := false
	fi, err := os.Stat(file)
	switch {
	case errors.Is(err, os.ErrNotExist):
		fresh, fi = true, nil
	case err != nil:
		return nil, &WriteError{path, err}
	case !fi.Mode().IsRegular():
		return nil, fmt.Errorf("%s: %w: not a regular file", path, ErrNotExport)
	case fi.Size() == 0:
		fresh = true // an empty file is an empty database to SQLite too
	default:
		ok, err := current(ctx, file, path, opts.Wait)
		if err != nil {
			return nil, err
		}
		fresh = !ok
	}
	if !fresh {
		return update(ctx, s, file, path, regs, opts)
	}
	if fi != nil {
		// Rebuilt whole, the file is replaced by a rename, which a
		// read-only file does not stop: check it could be written in place.
		f, err := os.OpenFile(file, os.O_WRONLY, 0)
		if err != nil {
			return nil, &WriteError{path, err}
		}
		f.Close()
	}
	// A temporary file beside the file, so that the rename stays within
	// one file system.
	if fi, err := os.Stat(filepath.Dir(file)); err != nil || !fi.IsDir() {
		return nil, &WriteError{path, fmt.Errorf("no folder %s to write it in", filepath.Dir(file))}
	}
	removeStale(file, time.Now())
	tmp, err := createTemp(file)
	if err != nil {
		return nil, &WriteError{path, err}
	}
	defer os.Remove(tmp) // after the rename, there is nothing there
	for _, suffix := range []string{"-journal", "-wal", "-shm"} {
		defer os.Remove(tmp + suffix)
	}
	done, err := update(ctx, s, tmp, path, regs, opts)
	if err != nil {
		return nil, err
	}
	if fi != nil {
		// The file rebuilt keeps the permissions it was given (0600 for a
		// private one), not those a new file gets.
		if err := os.Chmod(tmp, fi.Mode().Perm()); err != nil {
			return nil, &WriteError{path, err}
		}
	}
	if err := os.Rename(tmp, file); err != nil {
		return nil, &WriteError{path, err}
	}
	return done, nil
}

// followLinks resolves path while it is a symbolic link, to the file the
// links end at, which need not exist (a link to a file yet to be made).
func followLinks(path string) (string, error) {
	for range 64 {
		fi, err := os.Lstat(path)
		if err != nil || fi.Mode()&os.ModeSymlink == 0 {
			return path, nil // a missing file, or any error, is Stat's to tell
		}
		to, err := os.Readlink(path)
		if err != nil {
			return "", err
		}
		if !filepath.IsAbs(to) {
			to = filepath.Join(filepath.Dir(path), to)
		}
		path = to
	}
	return "", fmt.Errorf("too many symbolic links")
}

// staleAge is how old a temporary file beside the export must be for an
// export to take it for the leftover of one that was killed: exports take
// seconds, and a running one writes its file at least at its end.
const staleAge = 6 * time.Hour

// removeStale removes the temporary files that exports into path killed
// before their rename left beside it (and their journals), once they are
// staleAge old.
func removeStale(path string, now time.Time) {
	dir := filepath.Dir(path)
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if !strings.HasPrefix(e.Name(), "."+filepath.Base(path)+".tmp-") {
			continue
		}
		if fi, err := e.Info(); err == nil && fi.Mode().IsRegular() && now.Sub(fi.ModTime()) > staleAge {
			os.Remove(filepath.Join(dir, e.Name()))
		}
	}
}

// createTemp makes an empty file beside path for the new database. Not
// os.CreateTemp, whose 0600 would make the export unreadable to the group
// and others where the umask lets them read what regdiff writes.
func createTemp(path string) (string, error) {
	for try := 0; ; try++ {
		name := filepath.Join(filepath.Dir(path), fmt.Sprintf(".%s.tmp-%d-%d", filepath.Base(path), os.Getpid(), rand.Uint32()))
		f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o666)
		if errors.Is(err, os.ErrExist) && try < 100 {
			continue
		}
		if err != nil {
			return "", err
		}
		return name, f.Close()
	}
}

// current tells whether the file is a regdiff export of this schema
// (true), one of another schema (false, to be rebuilt), or neither
// (ErrNotExport; ErrDamaged as well when SQLite finds it damaged). Errors
// say name.
func current(ctx context.Context, file, name string, wait time.Duration) (bool, error) {
	db, err := open(file, wait)
	if err != nil {
		return false, err
	}
	defer db.Close()
	var app, ver int
	if err := db.QueryRowContext(ctx, "PRAGMA application_id").Scan(&app); err != nil {
		var se *sqlite.Error
		switch {
		case busy(err):
			return false, fmt.Errorf("%s: %w: %v", name, ErrBusy, err)
		case errors.As(err, &se) && se.Code()&0xff == sqlite3.SQLITE_CORRUPT:
			// A cut-short export reads as this: it is not to be
			// written to, but it is no other program's file either.
			return false, fmt.Errorf("%s: %w (%v), hence %w", name, ErrDamaged, err, ErrNotExport)
		}
		return false, fmt.Errorf("%s: %w (%v)", name, ErrNotExport, err)
	}
	if app != applicationID {
		return false, fmt.Errorf("%s: %w", name, ErrNotExport)
	}
	if err := db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&ver); err != nil {
		return false, fmt.Errorf("%s: %w", name, err)
	}
	return ver == schemaVersion, nil
}

// open opens the database at path, read-write even to look: a kill
// during an export leaves a hot journal beside the file, which SQLite
// rolls back on the first read, and a read-only connection cannot.
func open(path string, wait time.Duration) (*sql.DB, error) {
	dsn := fmt.Sprintf("file:%s?_pragma=busy_timeout(%d)&_txlock=immediate", uriPath(path), wait.Milliseconds())
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, &WriteError{path, err}
	}
	// One connection: the transaction and the pragmas are on it.
	db.SetMaxOpenConns(1)
	return db, nil
}

// uriPath writes path for a SQLite URI filename, where % is an escape, ?
// starts the parameters and # a fragment.
func uriPath(path string) string {
	return strings.NewReplacer("%", "%25", "?", "%3F", "#", "%23").Replace(filepath.ToSlash(path))
}

// update brings the database at file (named name in errors) up to date
// with s in one transaction.
func update(ctx context.Context, s Store, file, name string, regs []string, opts Options) (_ []Registry, err error) {
	db, err := open(file, opts.Wait)
	if err != nil {
		return nil, err
	}
	defer func() {
		if cerr := db.Close(); cerr != nil && err == nil {
			err = &WriteError{name, cerr}
		}
	}()
	w := &writer{ctx: ctx, name: name}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return nil, w.fail(err)
	}
	defer tx.Rollback() // a no-op after Commit
	w.tx = tx
	var ver int
	if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&ver); err != nil {
		return nil, w.fail(err)
	}
	if ver == 0 {
		if _, err := tx.ExecContext(ctx, Schema); err != nil {
			return nil, w.fail(err)
		}
		pragmas := fmt.Sprintf("PRAGMA application_id = %d; PRAGMA user_version = %d", applicationID, schemaVersion)
		if _, err := tx.ExecContext(ctx, pragmas); err != nil {
			return nil, w.fail(err)
		}
	}
	if err := w.prepare(); err != nil {
		return nil, err
	}
	defer w.close()

	// Registries no longer in the store lose their rows.
	rows, err := tx.QueryContext(ctx, "SELECT registry FROM meta")
	if err != nil {
		return nil, w.fail(err)
	}
	var gone []string
	for rows.Next() {
		var reg string
		if err := rows.Scan(&reg); err != nil {
			rows.Close()
			return nil, w.fail(err)
		}
		if !slices.Contains(regs, reg) {
			gone = append(gone, reg)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, w.fail(err)
	}
	var out []Registry
	for _, reg := range gone {
		if err := w.drop(reg); err != nil {
			return nil, err
		}
		out = append(out, Registry{Registry: reg, Removed: true})
	}
	for _, reg := range regs {
		r, err := w.registry(s, reg, opts)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, w.fail(err)
	}
	return out, nil
}

// writer holds the transaction and its prepared statements.
type writer struct {
	ctx  context.Context
	tx   *sql.Tx
	name string

	version, rec, change, item, person, transition, period, meta *sql.Stmt
}

// fail wraps a database error, leaving a cancellation as it is.
func (w *writer) fail(err error) error {
	if ctxErr := w.ctx.Err(); ctxErr != nil {
		return ctxErr
	}
	if busy(err) {
		return fmt.Errorf("%s: %w: %v", w.name, ErrBusy, err)
	}
	return &WriteError{w.name, err}
}

// busy tells a lock held by another connection (SQLITE_BUSY, or
// SQLITE_LOCKED, with their extended codes).
func busy(err error) bool {
	var se *sqlite.Error
	return errors.As(err, &se) && (se.Code()&0xff == sqlite3.SQLITE_BUSY || se.Code()&0xff == sqlite3.SQLITE_LOCKED)
}

func (w *writer) prepare() error {
	for _, p := range []struct {
		st  **sql.Stmt
		sql string
	}{
		{&w.version, "INSERT INTO versions VALUES (?,?,?,?,?,?,?,?,?)"},
		{&w.rec, "INSERT INTO records VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"},
		{&w.change, "INSERT INTO changes VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)"},
		{&w.item, "INSERT INTO item_changes VALUES (?,?,?,?,?,?,?,?,?)"},
		{&w.person, "INSERT INTO people_changes VALUES (?,?,?,?,?,?)"},
		{&w.transition, "INSERT INTO transitions VALUES (?,?,?,?,?,?,?,?)"},
		{&w.period, "INSERT INTO port_periods VALUES (?,?,?,?,?,?,?)"},
		{&w.meta, "INSERT OR REPLACE INTO meta VALUES (?,?,?,?)"},
	} {
		st, err := w.tx.PrepareContext(w.ctx, p.sql)
		if err != nil {
			return w.fail(err)
		}
		*p.st = st
	}
	return nil
}

func (w *writer) close() {
	for _, st := range []*sql.Stmt{w.version, w.rec, w.change, w.item, w.person, w.transition, w.period, w.meta} {
		if st != nil {
			st.Close()
		}
	}
}

func (w *writer) exec(st *sql.Stmt, args ...any) error {
	if _, err := st.ExecContext(w.ctx, args...); err != nil {
		return w.fail(err)
	}
	return nil
}

// drop deletes every row of reg.
func (w *writer) drop(reg string) error {
	for _, t := range tables {
		if _, err := w.tx.ExecContext(w.ctx, "DELETE FROM "+t+" WHERE registry = ?", reg); err != nil {
			return w.fail(err)
		}
	}
	return nil
}

// registry exports the versions of reg not yet in the database.
func (w *writer) registry(s Store, reg string, opts Options) (Registry, error) {
	out := Registry{Registry: reg}
	vs, err := s.Versions(reg)
	if err != nil {
		return out, err
	}
	var n int
	var last string
	var ports bool
	err = w.tx.QueryRowContext(w.ctx, "SELECT versions, last_commit, ports FROM meta WHERE registry = ?", reg).Scan(&n, &last, &ports)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		// Not exported, or its meta row was lost: rows without one are
		// none of the export's.
		if err := w.drop(reg); err != nil {
			return out, err
		}
		n = 0
	case err != nil:
		return out, w.fail(err)
	case n < 1 || n > len(vs) || vs[n-1].Commit.String() != last:
		// The store's history no longer extends what was exported.
		if err := w.drop(reg); err != nil {
			return out, err
		}
		n, out.Rebuilt = 0, true
	}
	out.Versions, out.Added = len(vs), len(vs)-n
	if n == len(vs) {
		return out, nil
	}
	err = w.extend(s, reg, vs, n, ports, opts)
	if n > 0 && errors.Is(err, errDisagrees) {
		// The rows do not agree with the store (edited by hand, or
		// written by a regdiff with a bug): they cannot be extended.
		if err := w.drop(reg); err != nil {
			return out, err
		}
		out.Added, out.Rebuilt = len(vs), true
		err = w.extend(s, reg, vs, 0, false, opts)
	}
	return out, err
}

// errDisagrees marks rows of the export that contradict the store: a
// record the next version removes is not open, a port diff says changed
// from one status has another, the open rows are not the newest version's
// records.
var errDisagrees = errors.New("the export disagrees with the store")

// extend exports versions n and on of reg (all of them when n is 0; the
// meta row says whether the registry has ports otherwise).
func (w *writer) extend(s Store, reg string, vs []record.Version, n int, ports bool, opts Options) error {
	st := &state{}
	if n == 0 {
		recs, err := s.Records(vs[0])
		if err != nil {
			return err
		}
		ports = hasPorts(recs)
		if err := st.start(recs, ports); err != nil {
			return err
		}
		if err := w.addVersion(reg, 0, vs[0]); err != nil {
			return err
		}
		n = 1
		progress(opts, reg, 1, len(vs))
	} else if err := w.resume(st, reg, n-1, vs[n-1].Records, ports); err != nil {
		return err
	}

	src := &remember{Store: s}
	for i := n; i < len(vs); i++ {
		if err := w.ctx.Err(); err != nil {
			return err
		}
		src.read = false
		res, err := diff.Between(src, vs[i-1], vs[i], diff.Filter{})
		if err == nil && !src.read {
			_, _, err = src.RecordsDiffering(vs[i-1], vs[i])
		}
		if err != nil {
			return err
		}
		if err := w.addVersion(reg, i, vs[i]); err != nil {
			return err
		}
		if err := w.addChanges(reg, i, res); err != nil {
			return err
		}
		closed, err := st.records.apply(i, src.old, src.new)
		if err != nil {
			return fmt.Errorf("%s %s: %w", reg, vs[i].Name, err)
		}
		if err := w.addRecords(reg, closed); err != nil {
			return err
		}
		if ports {
			rows, err := st.ports.apply(i, res.Transitions)
			if err != nil {
				return fmt.Errorf("%s %s: %w", reg, vs[i].Name, err)
			}
			if err := w.addPeriods(reg, rows); err != nil {
				return err
			}
		}
		progress(opts, reg, i+1, len(vs))
	}
	lastSeq := len(vs) - 1
	if err := w.addRecords(reg, st.records.flush(lastSeq)); err != nil {
		return err
	}
	if ports {
		if err := w.addPeriods(reg, st.ports.flush(lastSeq)); err != nil {
			return err
		}
	}
	return w.exec(w.meta, reg, len(vs), vs[lastSeq].Commit.String(), ports)
}

func progress(opts Options, reg string, done, total int) {
	if opts.Progress != nil {
		opts.Progress(reg, done, total)
	}
}

// hasPorts is diff's rule for a registry of ports: some record names a
// protocol.
func hasPorts(recs []record.Record) bool {
	return slices.ContainsFunc(recs, func(r record.Record) bool { return r.Protocol != "" })
}

// remember is a diff.Source that keeps the records it last read, so that
// the records table is built from the very records diff compared, read
// once. (It is no diff.TitleSource: titles are for headings, which the
// export has none of, and each would cost two more reads.)
type remember struct {
	Store
	old, new []record.Record
	read     bool
}

func (r *remember) RecordsDiffering(a, b record.Version) (old, new []record.Record, err error) {
	r.old, r.new, err = r.Store.RecordsDiffering(a, b)
	r.read = err == nil
	return r.old, r.new, err
}

func (w *writer) addVersion(reg string, seq int, v record.Version) error {
	return w.exec(w.version, reg, seq, v.Name, v.Date, v.Title, v.Format, v.SHA256, v.Records, v.Commit.String())
}

type jsonField struct {
	From string `json:"from"`
	To   string `json:"to"`
}

func fieldsJSON(fs map[string]diff.FieldChange) (string, error) {
	m := make(map[string]jsonField, len(fs))
	for k, f := range fs {
		m[k] = jsonField{f.From, f.To}
	}
	return marshal(m)
}

// marshal is JSON as regdiff writes it: no HTML escaping, no newline.
func marshal(v any) (string, error) {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return "", err
	}
	return strings.TrimSuffix(b.String(), "\n"), nil
}

func (w *writer) addChanges(reg string, seq int, res *diff.Result) error {
	from := seq - 1
	for i := range res.Changes {
		c := &res.Changes[i]
		key, oldKey := res.KeyJSON(c)
		kj, err := key.MarshalJSON()
		if err != nil {
			return err
		}
		var okj, oldName any
		if oldKey != nil {
			b, err := oldKey.MarshalJSON()
			if err != nil {
				return err
			}
			okj, oldName = string(b), c.OldKey.Name
		}
		fs, err := fieldsJSON(c.Fields)
		if err != nil {
			return err
		}
		k := c.Key
		if err := w.exec(w.change, reg, from, seq, c.Kind, k.Table, k.Name, k.Protocol, k.Number, k.Extra, oldName, string(kj), okj, fs); err != nil {
			return err
		}
	}
	for _, c := range res.Items {
		if err := w.exec(w.item, reg, from, seq, c.Kind, c.Table, c.Element, c.Key, c.From, c.To); err != nil {
			return err
		}
	}
	for i := range res.People {
		c := &res.People[i]
		fs, err := fieldsJSON(c.Fields)
		if err != nil {
			return err
		}
		if err := w.exec(w.person, reg, from, seq, c.Kind, c.ID, fs); err != nil {
			return err
		}
	}
	for _, t := range res.Transitions {
		if err := w.exec(w.transition, reg, from, seq, t.Protocol, t.Lo, t.Hi, t.From.String(), t.To.String()); err != nil {
			return err
		}
	}
	return nil
}

// state is what carries from one version to the next: the record forms
// and the port periods still open.
type state struct {
	records forms
	ports   periods
}

func (st *state) start(recs []record.Record, ports bool) error {
	st.records.open = map[string][]openForm{}
	if err := st.records.add(0, recs); err != nil {
		return err
	}
	if ports {
		st.ports.start(diff.PortStatuses(recs))
	}
	return nil
}

// sortedKeys lists m's keys in order, so that rows go in in an order that
// depends on the data alone.
func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
