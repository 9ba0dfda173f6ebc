package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/regdiff/regdiff/history"
	"github.com/regdiff/regdiff/snapshots"
	"github.com/regdiff/regdiff/snapshots/record"
	"github.com/spf13/cobra"
)

// streams holds what a command reads from its environment, so that tests
// drive commands with buffers and no terminal.
type streams struct {
	Out, Err       io.Writer
	OutTTY, ErrTTY bool // colour (see color) and progress only on a terminal
	Getenv         func(string) string
	LookupEnv      func(string) (string, bool) // when nil, Getenv, a variable set to "" taken for unset
	HomeDir        func() (string, error)

	pager *pager // the pager Out writes to while a command runs (pager.go)
}

// Exit codes, documented in the root command's help.
const (
	exitOK        = 0
	exitDiffers   = 1 // diff --exit-code: the versions differ
	exitError     = 2 // any other error, including usage
	exitUnchanged = 3 // fetch --exit-code: nothing new
	exitRefused   = 4 // an input was refused: not a registry, invalid, suspicious
	exitNetwork   = 5 // fetch could not download
	exitLocked    = 6 // another regdiff holds the store's lock
	exitStore     = 7 // the store is missing, empty or not a regdiff store
	exitVerify    = 8 // verify found problems, or any command found the store damaged
	exitWrite     = 9 // a local write failed: disk full, quota, read-only file system
)

const exitCodesHelp = `Exit status:
  0  success (for fetch: archived or unchanged)
  1  diff --exit-code: the two versions differ
  2  error, including a bad flag, argument or version spec, an import path
     that does not exist, or a --registry the store does not hold
  3  fetch --exit-code: nothing new was archived
  4  an input was refused (not a registry, invalid, truncated, suspicious)
  5  could not download (fetch: network error, server error, timeout; import:
     a repository URL that cannot be reached)
  6  the store is locked by another regdiff process (see --wait)
  7  the store is missing, holds no versions, or is not a regdiff store
  8  the store is damaged: verify found problems, or a command read an object
     that is missing or does not match its id (the error names it)
  9  a local write failed (disk full, quota, read-only file system); the store
     is as it was before the last completed step`

// exitError carries an exit code and optional hints to main.
type codeError struct {
	code  int
	err   error
	hints []string
}

func (e *codeError) Error() string { return e.err.Error() }
func (e *codeError) Unwrap() error { return e.err }

func withCode(code int, err error, hints ...string) error {
	return &codeError{code: code, err: err, hints: hints}
}

// silent is returned when the command already said all there is to say and
// only the exit code remains.
type silent struct{ code int }

func (s silent) Error() string { return fmt.Sprintf("exit %d", s.code) }

// globals are the flags every command shares.
type globals struct {
	store    string
	registry string
	wait     time.Duration
	io       *streams
}

func (g *globals) storeDir() (string, error) {
	if g.store != "" {
		return g.store, nil
	}
	if d := g.io.getenv("REGDIFF_STORE"); d != "" {
		return d, nil
	}
	if d := g.io.getenv("XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, "regdiff"), nil
	}
	home, err := g.io.HomeDir()
	if err != nil {
		return "", fmt.Errorf("no --store given and no home folder: %w", err)
	}
	return filepath.Join(home, ".local", "share", "regdiff"), nil
}

// openStore opens the store for reading.
func (g *globals) openStore() (*snapshots.Store, error) {
	dir, err := g.storeDir()
	if err != nil {
		return nil, err
	}
	s, err := snapshots.Open(dir)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, withCode(exitStore, fmt.Errorf("no store at %s", dir),
				"run `regdiff fetch` to archive the registries, or `regdiff import PATH` to backfill")
		}
		return nil, withCode(exitStore, err)
	}
	return s, nil
}

// versions lists the registry's versions, with a clear error when there are none.
func (g *globals) versions(s *snapshots.Store) ([]record.Version, error) {
	vs, err := s.Versions(g.registry)
	return vs, g.noVersions(s, err)
}

// openVersions opens the store for reading and lists the registry's
// versions.
func (g *globals) openVersions() (*snapshots.Store, []record.Version, error) {
	s, err := g.openStore()
	if err != nil {
		return nil, nil, err
	}
	vs, err := g.versions(s)
	return s, vs, err
}

// openRegistries opens the store for reading and lists its registries,
// for the commands that act on all of them; a store with none is an error,
// as for one registry: nothing to act on is no success.
func (g *globals) openRegistries() (*snapshots.Store, []string, error) {
	s, err := g.openStore()
	if err != nil {
		return nil, nil, err
	}
	regs, err := s.Registries()
	if err != nil {
		return nil, nil, err
	}
	if len(regs) == 0 {
		return nil, nil, withCode(exitStore, fmt.Errorf("store %s holds no versions", s.Dir()), "run `regdiff fetch` or `regdiff import PATH` first")
	}
	return s, regs, nil
}

// maxListed bounds the registries an error lists.
const maxListed = 12

// noVersions explains an error that wraps snapshots.ErrEmpty (the registry
// has no versions in s) with what to do; it returns other errors as they are.
func (g *globals) noVersions(s *snapshots.Store, err error) error {
	if errors.Is(err, snapshots.ErrEmpty) {
		if id, sub, ok := strings.Cut(g.registry, "#"); ok {
			return withCode(exitError, fmt.Errorf("--registry %s names a sub-registry (#%s): only history follows one", g.registry, sub),
				"use --registry "+id+"; its output is grouped by sub-registry")
		}
		regs, _ := s.Registries()
		hint := "run `regdiff fetch` or `regdiff import PATH` first"
		switch {
		case len(regs) > maxListed:
			hint = "`regdiff registries` lists the " + strconv.Itoa(len(regs)) + " registries of the store (choose with --registry)"
			if close := history.Suggest(regs, g.registry); len(close) > 0 {
				hint = "did you mean " + strings.Join(close, ", ") + "? " + hint
			}
		case len(regs) > 0:
			hint = "the store holds: " + strings.Join(regs, ", ") + " (choose with --registry)"
		}
		code := exitStore // an empty store
		if len(regs) > 0 {
			code = exitError // a registry the store does not hold: a bad --registry
		}
		return withCode(code, fmt.Errorf("no versions of %s in %s", g.registry, s.Dir()), hint)
	}
	return err
}

// writeFailed reports whether err is a local write that failed for want of
// room or permission to write at all, which no retry or other input mends.
func writeFailed(err error) bool {
	return errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT) ||
		errors.Is(err, syscall.EROFS) || errors.Is(err, syscall.EFBIG)
}

// lockNewStore is lockStore for a writer that may create the store: its
// release removes the store again when this run created it and it still
// holds no version (an import of nothing), since nobody asked for an
// empty one.
func (g *globals) lockNewStore(ctx context.Context) (*snapshots.Store, func(), error) {
	dir, err := g.storeDir()
	if err != nil {
		return nil, nil, err
	}
	_, statErr := os.Stat(dir)
	s, unlock, err := g.lockStore(ctx)
	if err != nil {
		return nil, nil, err
	}
	return s, func() {
		if errors.Is(statErr, fs.ErrNotExist) {
			removeIfUnused(s)
		}
		unlock()
	}, nil
}

// removeIfUnused removes a store that holds no version. The caller holds
// its lock.
func removeIfUnused(s *snapshots.Store) {
	if regs, err := s.Registries(); err == nil && len(regs) == 0 {
		os.RemoveAll(s.Dir())
	}
}

// lockStore creates the store if needed and takes its write lock.
func (g *globals) lockStore(ctx context.Context) (*snapshots.Store, func(), error) {
	dir, err := g.storeDir()
	if err != nil {
		return nil, nil, err
	}
	s, err := snapshots.Create(dir)
	if err != nil {
		if writeFailed(err) {
			return nil, nil, withCode(exitWrite, err)
		}
		return nil, nil, withCode(exitStore, err)
	}
	unlock, err := s.Lock(ctx, g.wait)
	if err != nil {
		if errors.Is(err, snapshots.ErrLocked) {
			return nil, nil, withCode(exitLocked, err)
		}
		return nil, nil, err
	}
	return s, unlock, nil
}

// run executes regdiff with args and returns the exit code.
// errInternal marks a panic turned into an error by execute.
var errInternal = errors.New("internal error")

// execute runs the command line and turns a panic into an error: a bug
// met on some input should end in one line that says what to report, not
// in a stack trace, and with the deferred releases of locks and temporary
// files done. REGDIFF_TRACEBACK=1 lets the panic through, for whoever
// debugs it.
func execute(ctx context.Context, root *cobra.Command, io *streams) (err error) {
	if io.Getenv("REGDIFF_TRACEBACK") == "" {
		defer func() {
			if p := recover(); p != nil {
				err = withCode(exitError, fmt.Errorf("%w: %v", errInternal, p),
					"this is a bug in regdiff: please report it with the command line that caused it (REGDIFF_TRACEBACK=1 shows where it happened)")
			}
		}()
	}
	return root.ExecuteContext(ctx)
}

func run(ctx context.Context, io *streams, args []string) int {
	root := newRoot(io)
	root.SetArgs(args)
	root.SetOut(io.Out)
	root.SetErr(io.Err)
	err := execute(ctx, root, io)
	io.stopPager() // before any error, which goes below the paged output
	if err == nil {
		return exitOK
	}
	var s silent
	if errors.As(err, &s) {
		return s.code
	}
	code := exitError
	var ce *codeError
	if errors.As(err, &ce) {
		code = ce.code
	} else if writeFailed(err) {
		code = exitWrite
	} else if errors.Is(err, snapshots.ErrLocked) {
		code = exitLocked
	} else if errors.Is(err, context.Canceled) {
		err = errors.New("interrupted; the store is as it was before the last completed step")
	}
	// Damage is never an answer, whatever the command was doing.
	damaged := errors.Is(err, snapshots.ErrDamaged)
	if damaged {
		code = exitVerify
	}
	fmt.Fprintf(io.Err, "regdiff: %s\n", record.Printable(err.Error())) // server text and file names may hold controls
	if ce != nil {
		for _, h := range ce.hints {
			if h != "" { // a hint computed for the error may be none
				fmt.Fprintf(io.Err, "hint: %s\n", h)
			}
		}
	}
	if damaged {
		fmt.Fprintln(io.Err, "hint: `regdiff verify` lists every damaged object; importing a version's source file again restores its objects")
	}
	return code
}

// progress draws a one-line counter on standard error when it is a
// terminal, and nothing elsewhere or with quiet (--quiet, --json): the one
// rule for progress.
type progress struct {
	w      io.Writer
	on     bool
	label  string
	last   time.Time
	shown  bool
	prefix string
}

func (g *globals) progress(label string, quiet bool) *progress {
	return &progress{w: g.io.Err, on: g.io.ErrTTY && !quiet, label: label}
}

func (p *progress) update(done, total int) {
	if !p.on || (time.Since(p.last) < 100*time.Millisecond && done != total) {
		return
	}
	p.last = time.Now()
	const width = 30
	fill := 0
	if total > 0 {
		fill = done * width / total
	}
	fmt.Fprintf(p.w, "\r%s [%s%s] %d/%d", p.label, strings.Repeat("=", fill), strings.Repeat(" ", width-fill), done, total)
	p.shown = true
}

func (p *progress) status(msg string) {
	if !p.on {
		return
	}
	fmt.Fprintf(p.w, "\r\033[K%s", msg)
	p.shown = true
}

func (p *progress) done() {
	if p.shown {
		fmt.Fprint(p.w, "\r\033[K")
		p.shown = false
	}
}
