package main

import (
	"context"
	"fmt"
	"slices"

	"github.com/regdiff/regdiff/diff"
	"github.com/regdiff/regdiff/snapshots"
	"github.com/spf13/cobra"
)

// diffOptions are diff's flags and arguments; the root command, which
// runs diff when given versions, has its own.
type diffOptions struct {
	*globals
	from, to  string // to is "latest" when not given
	hint      string // what a bad version spec's error suggests
	format    string
	json      bool
	ports     string
	protocols string
	name      string
	kinds     string
	statuses  string
	exitCode  bool
	color     string
}

// diffFormats are the values of diff's --format (and "markdown", md's
// other name), which completion offers.
var diffFormats = []string{"text", "md", "json"}

func addDiffFlags(cmd *cobra.Command, o *diffOptions) {
	f := cmd.Flags()
	f.StringVar(&o.format, "format", "text", "output format: text, md or json")
	f.BoolVar(&o.json, "json", false, "same as --format json")
	f.StringVar(&o.ports, "port", "", "only ports in these ranges, e.g. 0-1023 or 22,80,443")
	f.StringVar(&o.protocols, "protocol", "", "only these transports, e.g. tcp or tcp,udp")
	f.StringVar(&o.name, "name", "", "only service names matching this glob, e.g. 'http*'")
	f.StringVar(&o.kinds, "kind", "", "only these kinds of change: added, removed, changed, renamed")
	f.StringVar(&o.statuses, "status", "", "only status transitions from or to these (Assigned, Reserved, Unassigned, Deregistered), and the changes with that status or covering their ports")
	f.BoolVar(&o.exitCode, "exit-code", false, "exit 1 when the versions differ, 0 when they do not (as git diff --exit-code)")
	f.StringVar(&o.color, "color", "auto", colorFlag)
}

// setVersions sets from and to from one or two arguments.
func (o *diffOptions) setVersions(args []string) {
	o.from, o.to = args[0], "latest"
	if len(args) == 2 {
		o.to = args[1]
	}
}

func newDiffCmd(g *globals) *cobra.Command {
	o := &diffOptions{globals: g, hint: "`regdiff log` lists the versions stored"}
	cmd := &cobra.Command{
		Use:   "diff FROM [TO]",
		Short: "Say what changed in a registry between two versions",
		Long: `Compare two versions record by record: records added, removed, changed (field
by field, old → new) and renamed, and every port whose status changed
(Unassigned → Assigned, Assigned → Reserved, …), per transport, as ranges.
With one version, TO is latest. FROM newer than TO shows the changes in
reverse. "regdiff FROM TO" is short for "regdiff diff FROM TO".

Port status, per transport: the records covering a port are those whose
number or range contains it, with that protocol or none. A covering record is
Deregistered when its description starts with De-registered, Removed,
Decommissioned or Deprecated; otherwise Assigned when it has a service name;
otherwise Reserved or Unassigned when its description starts so. The port
takes the first of Assigned, Deregistered, Reserved, Unassigned that any
covering record has; a port no record covers is Unassigned.

Filters: a change is kept when it meets every filter given. --status S keeps
the transitions from or to S (within --port and --protocol) and the changes
whose record has status S or covers a port of such a transition on its
transport, such as the range removed when one of its ports became S.
--name drops the transitions; --kind leaves them as they are.

` + exitCodesHelp,
		Example: `  regdiff 2019 2024
  regdiff diff 2023-06 --port 0-1023 --protocol tcp
  regdiff diff first latest --kind renamed --format md
  regdiff diff latest~1 latest --json | jq .summary
  regdiff diff 2024-01 latest --exit-code >/dev/null || echo changed`,
		Args: cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.setVersions(args)
			return runDiff(cmd.Context(), o)
		},
	}
	addDiffFlags(cmd, o)
	return cmd
}

func runDiff(ctx context.Context, o *diffOptions) error {
	if o.json {
		o.format = "json"
	}
	if !slices.Contains(diffFormats, o.format) && o.format != "markdown" {
		return withCode(exitError, fmt.Errorf("unknown --format %q: use text, md or json", o.format))
	}
	color, err := o.globals.color(o.color)
	if err != nil {
		return err
	}
	var f diff.Filter
	if o.ports != "" {
		if f.Ports, err = diff.ParsePorts(o.ports); err != nil {
			return withCode(exitError, err)
		}
	}
	if o.protocols != "" {
		if f.Protocols, err = diff.ParseProtocols(o.protocols); err != nil {
			return withCode(exitError, err)
		}
	}
	if o.kinds != "" {
		if f.Kinds, err = diff.ParseKinds(o.kinds); err != nil {
			return withCode(exitError, err)
		}
	}
	if o.statuses != "" {
		if f.Statuses, err = diff.ParseStatuses(o.statuses); err != nil {
			return withCode(exitError, err)
		}
	}
	f.Name = o.name
	if err := f.Validate(); err != nil {
		return withCode(exitError, err)
	}

	s, vs, err := o.openVersions()
	if err != nil {
		return err
	}
	fi, err := snapshots.Resolve(vs, o.from)
	if err != nil {
		return withCode(exitError, err, o.hint)
	}
	ti, err := snapshots.Resolve(vs, o.to)
	if err != nil {
		return withCode(exitError, err, o.hint)
	}
	a, b := vs[fi], vs[ti]
	res, err := diff.Between(s, a, b, f)
	if err != nil {
		return err
	}
	res.Reversed = fi > ti
	// A warning is part of the diff, in every format; it is said on
	// standard error too, where whoever redirected the output sees it
	// (not on a terminal that shows the text already).
	if o.format != "text" || !o.io.OutTTY {
		for _, w := range res.Warnings() {
			fmt.Fprintf(o.io.Err, "regdiff: warning: %s\n", w)
		}
	}
	switch o.format {
	case "json":
		err = diff.WriteJSON(o.io.Out, res)
	case "md", "markdown":
		err = diff.WriteMarkdown(o.io.Out, res)
	default:
		err = diff.WriteText(o.io.Out, res, color)
	}
	if err != nil {
		return err
	}
	if o.exitCode && !res.Empty() {
		return silent{exitDiffers}
	}
	return nil
}
