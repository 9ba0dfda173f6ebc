package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/regdiff/regdiff/diff"
	"github.com/regdiff/regdiff/history"
	"github.com/regdiff/regdiff/snapshots"

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
		Short: "Tell the life of a port, a service name, or a value of any registry",
		Long: `Tell the life of a port, a range of ports or a service name across every
stored version: a verdict per transport (since when it has been what it is),
then the periods (runs of versions with the same status, with the records
that covered it) and the events (every version where a record covering it
was added, removed, changed or renamed, field by field).

QUERY is a port (253), a port and transport (253/tcp), a range (249-255), or
a service name (ssh, ssh/tcp). Status follows the rule in "regdiff diff
--help".

In any other registry (--registry ID), QUERY is a value written as the
registry writes its keys: a number (6), hex (0x00FF), a pair (0x13,0x01), a
negative number (-260), a dotted number (1.3.6.1), or a text key such as a
media type (application/json), a header field (Accept-Language) or a DNS
type (AAAA). A record covers the value when its key does: a range covers
every value in it, in the key's own notation ("0x13,0x08-FF" covers
0x13,0x0A). Its history is told per sub-registry (the innermost <registry>)
that covers it at some time; name one with IANA's fragment form,
--registry tls-parameters#tls-parameters-4. Status comes from the covering
record's text by one rule for every registry: Assigned, Deprecated,
Obsolete, Experimental, Private Use, Reserved, Unassigned, or Unlisted where
no record of the sub-registry covers it (see the README).

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
  regdiff history 80/tcp --registry service-names-port-numbers
  regdiff --registry protocol-numbers history 6
  regdiff --registry tls-parameters history 0x13,0x01
  regdiff --registry 'tls-parameters#tls-parameters-4' history 0xC0,0x2B --json
  regdiff --registry media-types history application/json`,
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
	reg, table, sub := strings.Cut(g.registry, "#")
	if sub && (reg == "" || table == "") {
		return withCode(exitError, fmt.Errorf("--registry %q: want ID#SUB-REGISTRY, as in tls-parameters#tls-parameters-4", g.registry))
	}
	if sub {
		gg := *g
		gg.registry, g = reg, &gg
	}
	var q history.Query
	if reg == snapshots.DefaultRegistry {
		if sub {
			return withCode(exitError, fmt.Errorf("%s has no sub-registries: its history follows ports and names", reg), "drop #"+table)
		}
		if q, err = history.ParseQuery(o.query); err != nil {
			return withCode(exitError, err, "a query is a port (253), a port and transport (253/tcp), a range (249-255) or a service name (ssh)")
		}
	} else if q, err = history.ValueQuery(o.query, table); err != nil {
		return withCode(exitError, err)
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
			saveIndex(g, ix)
			return withCode(exitError, err) // the message carries the suggestions
		}
		var ve *history.ValueError
		if errors.As(err, &ve) {
			saveIndex(g, ix) // what was read is worth keeping: the next query is fast
			return withCode(exitError, err, ve.Hint())
		}
		return g.noVersions(s, err)
	}
	if q.IsValue() {
		h.Titles = tableTitles(s, g.registry)
	}
	saveIndex(g, ix)
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

// saveIndex saves what the history cache learned; a cache that cannot be
// saved only makes the next query slower.
func saveIndex(g *globals, ix *history.Index) {
	if ix == nil {
		return
	}
	if err := ix.Save(); err != nil {
		fmt.Fprintf(g.io.Err, "regdiff: warning: %v\n", err)
	}
}

// tableTitles are the titles of a registry's sub-registries by id ("" for
// the registry's own), from its newest version, else its oldest (the rule
// of diff.Result.SetTitles); none when they cannot be read, since titles
// only decorate the output.
func tableTitles(s *snapshots.Store, registry string) map[string]string {
	vs, err := s.Versions(registry)
	if err != nil || len(vs) == 0 {
		return nil
	}
	newest, _, err := s.Items(vs[len(vs)-1])
	if err != nil {
		return nil
	}
	oldest, _, err := s.Items(vs[0])
	if err != nil {
		return nil
	}
	var r diff.Result
	r.SetTitles(oldest, newest)
	return r.Titles
}
