package main

import (
	"context"
	"fmt"
	"text/tabwriter"

	"github.com/regdiff/regdiff/snapshots/record"

	"github.com/spf13/cobra"
)

type registriesOptions struct {
	*globals
	json bool
}

func newRegistriesCmd(g *globals) *cobra.Command {
	o := &registriesOptions{globals: g}
	cmd := &cobra.Command{
		Use:   "registries",
		Short: "List the registries in the store",
		Long: `List the registries the store holds versions of, sorted by id: id, number of
versions, the dates of the first and the latest, the latest's record count
and title. On a pipe the columns are separated by tabs. Any of the ids is a
value for --registry.

` + exitCodesHelp,
		Example: `  regdiff registries
  regdiff registries --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runRegistries(cmd.Context(), o)
		},
	}
	cmd.Flags().BoolVar(&o.json, "json", false, "print JSON")
	return cmd
}

type registryJSON struct {
	Registry string `json:"registry"`
	Title    string `json:"title"`
	Versions int    `json:"versions"`
	First    string `json:"first"`
	Latest   string `json:"latest"`
	Records  int    `json:"records"` // the latest version's
}

func runRegistries(ctx context.Context, o *registriesOptions) error {
	g := o.globals
	s, err := g.openStore()
	if err != nil {
		return err
	}
	ids, err := s.Registries()
	if err != nil {
		return err
	}
	out := make([]registryJSON, 0, len(ids))
	for _, id := range ids {
		if err := ctx.Err(); err != nil {
			return err
		}
		vs, err := s.Versions(id)
		if err != nil {
			return fmt.Errorf("registry %s: %w", id, err)
		}
		if len(vs) == 0 {
			continue
		}
		first, last := vs[0], vs[len(vs)-1]
		out = append(out, registryJSON{Registry: id, Title: last.Title, Versions: len(vs), First: first.Date, Latest: last.Date, Records: last.Records})
	}
	if o.json {
		return writeJSON(g.io.Out, out)
	}
	w := g.io.Out
	var tw *tabwriter.Writer
	if g.io.OutTTY {
		tw = tabwriter.NewWriter(g.io.Out, 0, 4, 2, ' ', 0)
		w = tw
		fmt.Fprintln(w, "REGISTRY\tVERSIONS\tFIRST\tLATEST\tRECORDS\tTITLE")
	}
	for _, r := range out {
		fmt.Fprintf(w, "%s\t%d\t%s\t%s\t%d\t%s\n", record.Printable(r.Registry), r.Versions, r.First, r.Latest, r.Records, record.Printable(r.Title))
	}
	if tw != nil {
		return tw.Flush()
	}
	return nil
}
