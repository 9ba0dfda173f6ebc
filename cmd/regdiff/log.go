package main

import (
	"context"
	"fmt"
	"text/tabwriter"

	"github.com/regdiff/regdiff/snapshots/record"

	"github.com/spf13/cobra"
)

type logOptions struct {
	*globals
	json  bool
	count int
	win   window
}

func newLogCmd(g *globals) *cobra.Command {
	o := &logOptions{globals: g}
	cmd := &cobra.Command{
		Use:   "log",
		Short: "List the stored versions of a registry, newest first",
		Long: `List the stored versions of a registry, newest first: version, commit, number
of records, source format and where it came from. On a pipe the columns are
separated by tabs. -n N lists only the N newest of the versions chosen.

` + windowHelp + `

A window with no version prints nothing (with --json, an empty array).

` + exitCodesHelp,
		Example: `  regdiff log
  regdiff log --since 2023                  # every version dated 2023-01-01 or later
  regdiff log --since 2019 --until 2020-06  # from 2019-01-01 to 2020-06-30
  regdiff log -n 5 --until 2020             # the 5 newest versions of 2020 or earlier
  regdiff log --since latest~3              # the 4 newest versions
  regdiff log --registry protocol-numbers --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runLog(cmd.Context(), o)
		},
	}
	cmd.Flags().BoolVar(&o.json, "json", false, "print JSON")
	cmd.Flags().IntVarP(&o.count, "max-count", "n", 0, "list only the `N` newest of the versions chosen (0: all)")
	addWindowFlags(cmd, &o.win)
	return cmd
}

func runLog(ctx context.Context, o *logOptions) error {
	g, win, count, asJSON := o.globals, o.win, o.count, o.json
	if count < 0 {
		return withCode(exitError, fmt.Errorf("-n %d: give a number of versions, or 0 for all", count))
	}
	s, vs, err := g.openVersions()
	if err != nil {
		return err
	}
	lo, hi, err := win.resolve(vs)
	if err != nil {
		return err
	}
	if count > 0 && hi-lo > count {
		lo = hi - count
	}
	vs = vs[lo:hi]
	srcs, err := s.AllSources(g.registry)
	if err != nil {
		return err
	}
	if asJSON {
		out := make([]versionJSON, 0, len(vs))
		for i := len(vs) - 1; i >= 0; i-- {
			out = append(out, toVersionJSON(vs[i], srcs[vs[i].SHA256]))
		}
		return writeJSON(g.io.Out, out)
	}
	if len(vs) == 0 {
		return nil
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
		fmt.Fprintf(w, "%s\t%s\t%d\t%s\t%s\n", record.Printable(v.Name), v.Commit.String()[:12], v.Records, record.Printable(v.Format), sourceSummary(srcs[v.SHA256]))
	}
	if tw != nil {
		return tw.Flush()
	}
	return nil
}
