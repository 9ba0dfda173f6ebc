package main

import (
	"encoding/json"
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"
)

func newLogCmd(g *globals) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "log",
		Short: "List the stored versions of a registry, newest first",
		Long: `List the stored versions of a registry, newest first: version, commit, number
of records, source format and where it came from. On a pipe the columns are
separated by tabs.`,
		Example: `  regdiff log
  regdiff log --registry protocol-numbers --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := g.openStore()
			if err != nil {
				return err
			}
			vs, err := g.versions(s)
			if err != nil {
				return err
			}
			srcs, err := s.AllSources(g.registry)
			if err != nil {
				return err
			}
			if asJSON {
				out := make([]versionJSON, 0, len(vs))
				for i := len(vs) - 1; i >= 0; i-- {
					out = append(out, toVersionJSON(vs[i], srcs[vs[i].SHA256]))
				}
				enc := json.NewEncoder(g.io.Out)
				enc.SetIndent("", "  ")
				return enc.Encode(out)
			}
			w := g.io.Out
			var tw *tabwriter.Writer
			if g.io.OutTTY {
				tw = tabwriter.NewWriter(g.io.Out, 0, 4, 2, ' ', 0)
				w = tw
				fmt.Fprintln(w, "VERSION\tCOMMIT\tRECORDS\tFORMAT\tSOURCE")
			}
			for i := len(vs) - 1; i >= 0; i-- {
				v := vs[i]
				fmt.Fprintf(w, "%s\t%s\t%d\t%s\t%s\n", v.Name, v.Commit.String()[:12], v.Records, v.Format, sourceSummary(srcs[v.SHA256]))
			}
			if tw != nil {
				return tw.Flush()
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}
