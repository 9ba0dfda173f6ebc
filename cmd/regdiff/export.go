package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/regdiff/regdiff/sqlexport"
	"github.com/spf13/cobra"
)

// exportFormats are the formats export writes, one flag each.
var exportFormats = []string{"--sqlite FILE"}

type exportOptions struct {
	*globals
	sqlite string // the database to write
	json   bool
	quiet  bool
}

func newExportCmd(g *globals) *cobra.Command {
	o := &exportOptions{globals: g}
	cmd := &cobra.Command{
		Use:   "export --sqlite FILE",
		Short: "Write every registry of the store into a SQLite database",
		Long: `Write every registry of the store into a SQLite database, for SQL: its
versions, its records with the range of versions in which each held in one
form, the changes between consecutive versions (as regdiff diff finds
them), port status transitions, and port status periods per transport.

Run again on the same file, it adds only the versions exported since (a
registry whose history in the store no longer extends what the file holds
is rebuilt). A new file is built under a temporary name beside FILE and
renamed; an existing one is updated in one transaction: an export that
fails or is interrupted leaves FILE as it was. A file that is not a
regdiff export is never written to. Exit status 6 also means that another
process (another export) kept FILE locked past --wait, and 9 that FILE
could not be written; FILE is then as it was.

` + exitCodesHelp,
		Example: `  regdiff export --sqlite iana.db
  sqlite3 iana.db "SELECT protocol, status, from_version, to_version FROM port_history
                   WHERE 253 BETWEEN lo AND hi ORDER BY protocol, from_seq"
  regdiff export --sqlite iana.db --json     # versions added per registry`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if cmd.Flags().Changed("registry") || cmd.InheritedFlags().Changed("registry") {
				return withCode(exitError, errors.New("export writes every registry of the store: --registry does not apply"),
					"leave out --registry; query one registry with WHERE registry = '…'")
			}
			return runExport(cmd.Context(), o)
		},
	}
	cmd.Flags().StringVar(&o.sqlite, "sqlite", "", "write a SQLite database to `FILE`")
	cmd.Flags().BoolVar(&o.json, "json", false, "print one JSON object per registry: versions added, versions in the file")
	cmd.Flags().BoolVarP(&o.quiet, "quiet", "q", false, "print nothing but errors")
	return cmd
}

func runExport(ctx context.Context, o *exportOptions) error {
	g := o.globals
	if o.sqlite == "" {
		return withCode(exitError, errors.New("export needs a format flag; formats: "+strings.Join(exportFormats, ", ")),
			"regdiff export --sqlite FILE.db")
	}
	s, _, err := g.openRegistries()
	if err != nil {
		return err
	}
	var p *progress
	shown := ""
	opts := sqlexport.Options{Wait: g.wait, Progress: func(reg string, done, total int) {
		if reg != shown {
			if p != nil {
				p.done()
			}
			p, shown = g.progress("exporting "+reg, o.quiet || o.json), reg
		}
		p.update(done, total)
	}}
	done, err := sqlexport.Export(ctx, s, o.sqlite, opts)
	if p != nil {
		p.done()
	}
	if err != nil {
		var we *sqlexport.WriteError
		switch {
		case errors.Is(err, sqlexport.ErrDamaged):
			return withCode(exitError, err, fmt.Sprintf("sqlite3 %s 'PRAGMA integrity_check' tells what is wrong; if it is an export, remove it and export again", o.sqlite))
		case errors.Is(err, sqlexport.ErrNotExport):
			return withCode(exitError, err, "choose another file name; export writes only files it made")
		case errors.Is(err, sqlexport.ErrBusy):
			return withCode(exitLocked, err, fmt.Sprintf("another process (another regdiff export?) is writing %s; --wait sets how long to wait (%v)", o.sqlite, g.wait))
		case errors.As(err, &we):
			return withCode(exitWrite, err, "nothing was written: "+o.sqlite+" is as it was before this export")
		case errors.Is(err, context.Canceled):
			return withCode(exitError, fmt.Errorf("interrupted: %s is as it was before this export", o.sqlite))
		}
		return err
	}
	for _, r := range done {
		switch {
		case o.json:
			if err := writeJSONLine(g.io.Out, r); err != nil {
				return err
			}
		case o.quiet:
		case r.Removed:
			fmt.Fprintf(g.io.Out, "%s: removed from %s (no longer in the store)\n", r.Registry, o.sqlite)
		case r.Rebuilt:
			fmt.Fprintf(g.io.Out, "%s: rebuilt, %d versions (the store's history no longer extends what %s held)\n", r.Registry, r.Versions, o.sqlite)
		default:
			fmt.Fprintf(g.io.Out, "%s: %d versions added, %d in %s\n", r.Registry, r.Added, r.Versions, o.sqlite)
		}
	}
	return nil
}
