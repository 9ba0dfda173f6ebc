package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/regdiff/regdiff/history"

	"github.com/spf13/cobra"
)

type historyOptions struct {
	*globals
	query string
	json  bool
	color string
	win   window
}

func newHistoryCmd(g *globals) *cobra.Command {
	o := &historyOptions{globals: g}
	cmd := &cobra.Command{
		Use:   "history QUERY",
		Short: "Tell the life of a port, a range or a service name",
		Long: `Tell the life of a port, a range of ports or a service name across every
stored version: a verdict per transport (since when it has been what it is),
then the periods (runs of versions with the same status, with the records
that covered it) and the events (every version where a record covering it
was added, removed, changed or renamed, field by field).

QUERY is a port (253), a port and transport (253/tcp), a range (249-255), or
a service name (ssh, ssh/tcp). Status follows the rule in "regdiff diff
--help".

` + windowHelp + `

In a window, history shows the periods that overlap it, each whole (with
its true first and last version, so "Reserved since 2013-02-18" stays
true), and the events of the versions in it (the oldest keeps its events
against the version before it); the verdict is about the newest version of
the window. A window with no version says so.

A cache of decoded records is kept in the store (cache/history.idx); it is
keyed by git hashes, so it is never stale, and it can be deleted at any time.

` + exitCodesHelp,
		Example: `  regdiff history 253
  regdiff history 22 --since 2023            # what happened to port 22 from 2023 on
  regdiff history ssh --since 2019 --until 2020-06
  regdiff history 249-255 --json
  regdiff history ssh
  regdiff history 80/tcp --registry service-names-port-numbers`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.query = args[0]
			return runHistory(cmd.Context(), o)
		},
	}
	cmd.Flags().BoolVar(&o.json, "json", false, "print JSON")
	cmd.Flags().StringVar(&o.color, "color", "auto", colorFlag)
	addWindowFlags(cmd, &o.win)
	return cmd
}

func runHistory(ctx context.Context, o *historyOptions) error {
	g, win, asJSON := o.globals, o.win, o.json
	color, err := g.color(o.color)
	if err != nil {
		return err
	}
	q, err := history.ParseQuery(o.query)
	if err != nil {
		return withCode(exitError, err, "a query is a port (253), a port and transport (253/tcp), a range (249-255) or a service name (ssh)")
	}
	s, err := g.openStore()
	if err != nil {
		return err
	}
	ix, err := history.OpenIndex(s, s.HistoryCache())
	if err != nil {
		fmt.Fprintf(g.io.Err, "regdiff: warning: history cache ignored: %v\n", err)
	}
	var src history.Source = s
	if ix != nil {
		src = ix
	}
	h, err := history.Build(ctx, src, g.registry, q)
	if err != nil {
		if errors.Is(err, history.ErrNoSuchName) {
			return withCode(exitError, err) // the message carries the suggestions
		}
		return g.noVersions(s, err)
	}
	if ix != nil {
		if err := ix.Save(); err != nil {
			fmt.Fprintf(g.io.Err, "regdiff: warning: %v\n", err)
		}
	}
	if win != (window{}) {
		if h, err = h.Window(win.since, win.until); err != nil {
			return windowError(err)
		}
		if h.Versions == 0 && asJSON {
			win.sayEmpty(g, h.First, h.Last)
		}
	}
	if asJSON {
		return history.WriteJSON(g.io.Out, h)
	}
	return history.WriteText(g.io.Out, h, color)
}
