package main

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/regdiff/regdiff/snapshots"
	"github.com/spf13/cobra"
)

type reindexOptions struct {
	*globals
	registries []string // nil: every registry of the store
	json       bool
	quiet      bool
}

func newReindexCmd(g *globals) *cobra.Command {
	o := &reindexOptions{globals: g}
	cmd := &cobra.Command{
		Use:   "reindex",
		Short: "Rebuild the normalized form of every version from its raw file",
		Long: `Rebuild what regdiff derives from each version's raw file (its records,
items and people, in the normalized files) with this regdiff's parser, and
commit the versions again. Raw files and dates stay as they are; same-date
versions are ordered by the current rule; a commit changes only where what
it holds changed. Afterwards the store is what a fresh import of the same
files would give. "regdiff verify" says when a reindex is due: after an
upgrade that changed the normalized form.

Every registry in the store is reindexed unless --registry names one. A
raw file that no longer parses stops the reindex before anything moves.

` + exitCodesHelp,
		Example: `  regdiff verify          # says "reindex due" after an upgrade
  regdiff reindex
  regdiff reindex --registry protocol-numbers --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.registries = []string{g.registry}
			if !cmd.Flags().Changed("registry") && !cmd.InheritedFlags().Changed("registry") {
				o.registries = nil
			}
			return runReindex(cmd.Context(), o)
		},
	}
	cmd.Flags().BoolVar(&o.json, "json", false, "print one JSON object per registry")
	cmd.Flags().BoolVarP(&o.quiet, "quiet", "q", false, "print nothing but errors")
	return cmd
}

type reindexJSON struct {
	Registry string            `json:"registry"`
	Versions int               `json:"versions"`
	Changed  int               `json:"changed"`
	Renamed  map[string]string `json:"renamed"`
}

// runReindex reindexes o.registries, or every registry of the store when nil.
func runReindex(ctx context.Context, o *reindexOptions) error {
	g, regs := o.globals, o.registries
	if _, err := g.openStore(); err != nil {
		return err // no store: nothing to reindex, and none is created
	}
	s, unlock, err := g.lockStore(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	if regs == nil {
		if regs, err = s.Registries(); err != nil {
			return err
		}
	}
	if len(regs) == 0 {
		return withCode(exitStore, fmt.Errorf("no versions in %s", s.Dir()), "run `regdiff fetch` or `regdiff import PATH` first")
	}
	for _, reg := range regs {
		if _, err := s.Versions(reg); err != nil {
			return g.noVersions(s, err)
		}
	}
	p := g.progress("reindexing", o.quiet || o.json)
	done, err := s.Reindex(ctx, regs, p.update)
	p.done()
	if err != nil {
		return err
	}
	for _, r := range done {
		if o.json {
			if err := writeJSONLine(g.io.Out, reindexJSON{r.Registry, r.Versions, r.Changed, r.Renamed}); err != nil {
				return err
			}
			continue
		}
		if o.quiet {
			continue
		}
		fmt.Fprintf(g.io.Out, "%s: %d versions reindexed, %d commits changed\n", r.Registry, r.Versions, r.Changed)
		var renames []string
		for _, from := range slices.Sorted(maps.Keys(r.Renamed)) {
			renames = append(renames, from+" → "+r.Renamed[from])
		}
		if len(renames) > 0 {
			fmt.Fprintf(g.io.Out, "%s: same-date versions reordered by their content: %s\n", r.Registry, strings.Join(renames, ", "))
		}
		writeTies(g, r.Registry, r.Ties)
	}
	return nil
}

// writeTies says which same-date versions a tie-break ordered.
func writeTies(g *globals, reg string, ties []snapshots.Tie) {
	for _, t := range ties {
		fmt.Fprintf(g.io.Out, "%s: %s: %d versions with this date whose content does not tell their order; ordered by %s: %s\n",
			reg, t.Date, len(t.Versions), t.By, strings.Join(t.Versions, ", "))
	}
}
