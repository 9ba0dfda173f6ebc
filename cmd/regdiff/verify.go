package main

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/regdiff/regdiff/history"
	"github.com/regdiff/regdiff/snapshots"

	"github.com/spf13/cobra"
)

type verifyOptions struct {
	*globals
	json bool
}

func newVerifyCmd(g *globals) *cobra.Command {
	o := &verifyOptions{globals: g}
	cmd := &cobra.Command{
		Use:   "verify",
		Short: "Check the store end to end",
		Long: `Check every registry in the store: each version's commit, trees and blobs can
be read and hash to their ids, its raw file matches its recorded sha256 and
record count, its normalized records are exactly what parsing the raw file
again gives, versions are in date order and each tag points at its version.
Every object of refs/regdiff/meta's history is read and checked too, and the
caches (cache/versions, cache/history.idx) are compared with the objects they
were built from: a damaged or disagreeing cache is a problem, and is removed
(commands rebuild it). Problems are listed with the versions they affect.
Versions normalized by an older regdiff are not problems: verify says that a
reindex is due ("regdiff reindex").

A damaged object is restored by importing again the source file of each
version it belongs to ("regdiff import FILE").

` + exitCodesHelp,
		Example: `  regdiff verify
  regdiff verify --json | jq '.problems[]'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runVerify(cmd.Context(), o)
		},
	}
	cmd.Flags().BoolVar(&o.json, "json", false, "print JSON")
	return cmd
}

func runVerify(ctx context.Context, o *verifyOptions) error {
	g, asJSON := o.globals, o.json
	s, regs, err := g.openRegistries()
	if err != nil {
		return err
	}
	p := g.progress("verifying", asJSON)
	problems, err := s.Verify(ctx, p.update)
	p.done()
	if err != nil {
		return err
	}
	problems = append(problems, checkHistoryIndex(s)...)
	due, err := s.ReindexDue()
	if err != nil {
		return err
	}
	var dueText []string
	for _, reg := range regs {
		if n := due[reg]; n > 0 {
			dueText = append(dueText, fmt.Sprintf("reindex due: %d version(s) of %s were normalized by an older regdiff (the registry's own elements and people are not compared for them); run `regdiff reindex`", n, reg))
		}
	}
	if asJSON {
		list := []string{}
		for _, pr := range problems {
			list = append(list, pr.String())
		}
		if due == nil {
			due = map[string]int{}
		}
		if err := writeJSON(g.io.Out, map[string]any{"registries": regs, "ok": len(problems) == 0, "problems": list, "reindex_due": due}); err != nil {
			return err
		}
	} else {
		for _, pr := range problems {
			fmt.Fprintf(g.io.Out, "%s\n", pr)
		}
		if len(problems) == 0 {
			fmt.Fprintf(g.io.Out, "store %s is whole: %d registries checked\n", s.Dir(), len(regs))
		}
		for _, d := range dueText {
			fmt.Fprintln(g.io.Out, d)
		}
	}
	if len(problems) > 0 {
		if asJSON {
			return silent{exitVerify}
		}
		return withCode(exitVerify, fmt.Errorf("%d problem(s) in %s", len(problems), s.Dir()))
	}
	return nil
}

// checkHistoryIndex compares the history cache with the store's objects,
// and removes it when it is damaged or disagrees.
func checkHistoryIndex(s *snapshots.Store) []snapshots.Problem {
	path := s.HistoryCache()
	name, err := filepath.Rel(s.Dir(), path)
	if err != nil {
		name = path
	}
	var out []snapshots.Problem
	for _, m := range history.CheckIndex(s, path) {
		out = append(out, snapshots.Problem{Registry: name, Msg: m + "; removed (commands rebuild it)"})
	}
	return out
}
