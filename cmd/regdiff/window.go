package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/regdiff/regdiff/snapshots"
	"github.com/regdiff/regdiff/snapshots/record"

	"github.com/spf13/cobra"
)

// window holds --since and --until, which every command that takes a range
// of versions (log, changelog, history) reads the same way; the rule is
// snapshots.ResolveWindow's.
type window struct{ since, until string }

const windowHelp = `--since and --until choose versions as git's do: published on or after, and
on or before. A date (YYYY, YYYY-MM or YYYY-MM-DD) is a calendar window:
--since 2023 keeps the versions dated 2023-01-01 or later, --until 2020-06
those dated 2020-06-30 or earlier (a version dated with a month only, such
as 1990-03, counts as the first of that month). Anything else is a version
spec (first, latest~3, 2024-03-18.2, a tag or a commit) and keeps the
versions from, or up to, that version, inclusive. A window that holds no
version is not an error; --since later than --until, or a date that does
not exist (2019-02-30), is (exit status 2).`

func addWindowFlags(cmd *cobra.Command, w *window) {
	f := cmd.Flags()
	f.StringVar(&w.since, "since", "", "only versions published on or after this date (YYYY, YYYY-MM, YYYY-MM-DD), or from this version on (default: the oldest)")
	f.StringVar(&w.until, "until", "", "only versions published on or before this date, or up to this version (default: the newest)")
}

// resolve returns the versions the window keeps, as vs[lo:hi].
func (w *window) resolve(vs []record.Version) (lo, hi int, err error) {
	lo, hi, err = snapshots.ResolveWindow(vs, w.since, w.until)
	return lo, hi, windowError(err)
}

// windowError turns a snapshots.WindowError into a usage error (exit 2)
// that names the flag and its value.
func windowError(err error) error {
	var we *snapshots.WindowError
	if !errors.As(err, &we) {
		return err
	}
	if errors.Is(we.Err, snapshots.ErrWindowOrder) {
		return withCode(exitError, fmt.Errorf("--since %s is later than --until %s: no version can be both", we.Spec, we.Until))
	}
	return withCode(exitError, fmt.Errorf("--%s %s: %w", we.Bound, we.Spec, we.Err),
		"--since and --until take a date (YYYY, YYYY-MM, YYYY-MM-DD) or a version spec; `regdiff log` lists the versions stored")
}

// String shows the window as its flags: "--since 2019 --until 2020-06".
func (w *window) String() string {
	var parts []string
	if w.since != "" {
		parts = append(parts, "--since "+w.since)
	}
	if w.until != "" {
		parts = append(parts, "--until "+w.until)
	}
	return strings.Join(parts, " ")
}

// sayEmpty tells, on stderr, that the window holds no version of the
// versions stored, first … last.
func (w *window) sayEmpty(g *globals, first, last string) {
	fmt.Fprintf(g.io.Err, "regdiff: no version of %s in the window %s; the versions stored run from %s to %s\n",
		g.registry, w, first, last)
}
