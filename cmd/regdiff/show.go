package main

import (
	"context"
	"fmt"

	"github.com/regdiff/regdiff/snapshots"
	"github.com/regdiff/regdiff/snapshots/record"

	"github.com/spf13/cobra"
)

type showOptions struct {
	*globals
	version   string
	json, raw bool
}

func newShowCmd(g *globals) *cobra.Command {
	o := &showOptions{globals: g}
	cmd := &cobra.Command{
		Use:   "show VERSION",
		Short: "Print the records of one version",
		Long: `Print the records of one version: number/protocol, name and description, one
per line, tab-separated; --json gives every field, and the registry's own
elements and people; --raw the file exactly as it was published.`,
		Example: `  regdiff show latest
  regdiff show 2019 --json
  regdiff show 2024-03-18 --raw > service-names-port-numbers.xml`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.version = args[0]
			return runShow(cmd.Context(), o)
		},
	}
	cmd.Flags().BoolVar(&o.json, "json", false, "print JSON with every field")
	cmd.Flags().BoolVar(&o.raw, "raw", false, "print the raw file, byte for byte")
	return cmd
}

func runShow(ctx context.Context, o *showOptions) error {
	g, asJSON, raw := o.globals, o.json, o.raw
	s, vs, err := g.openVersions()
	if err != nil {
		return err
	}
	i, err := snapshots.Resolve(vs, o.version)
	if err != nil {
		return withCode(exitError, err, "`regdiff log` lists the versions stored")
	}
	v := vs[i]
	if raw {
		b, err := s.Raw(v)
		if err != nil {
			return err
		}
		_, err = g.io.Out.Write(b)
		return err
	}
	recs, err := s.Records(v)
	if err != nil {
		return err
	}
	if asJSON {
		items, people, err := s.Items(v)
		if err != nil {
			return err
		}
		return writeJSON(g.io.Out, record.Show(v, recs, items, people))
	}
	for _, r := range recs {
		where := r.Number
		if r.Protocol != "" {
			where += "/" + r.Protocol
		}
		// Escaped: a tab or line break in the data would add a column or a
		// line, and a control character would drive the terminal.
		fmt.Fprintf(g.io.Out, "%s\t%s\t%s\n", record.Printable(where), record.Printable(r.Name), record.Printable(r.Description))
	}
	return nil
}
