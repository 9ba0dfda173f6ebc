package main

import (
	"time"

	"github.com/regdiff/regdiff/snapshots"
	"github.com/spf13/cobra"
)

func newRoot(io *streams) *cobra.Command {
	g := &globals{io: io}
	root := &cobra.Command{
		Use:   "regdiff [FROM [TO]]",
		Short: "Keep the history of IANA registries and say what changed, when",
		Long: `regdiff archives versions of IANA registries (the Service Name and Transport
Protocol Port Number Registry, Protocol Numbers, and any registry in IANA's
XML format) in a git repository it owns, one commit per published version,
and compares them.

With one or two version specs and no command, regdiff runs "regdiff diff".

Version specs: YYYY, YYYY-MM, YYYY-MM-DD (the latest version on or before
the end of that period), latest, first, a version name (2024-03-18.2), a tag
or commit, and SPEC~N (N versions before SPEC).

The store is --store, else $REGDIFF_STORE, else $XDG_DATA_HOME/regdiff, else
~/.local/share/regdiff.

` + exitCodesHelp,
		Example: `  regdiff fetch                      # archive the current registries (cron-friendly)
  regdiff import ~/iana-archive.git  # backfill from a repository that scraped the files
  regdiff log                        # the versions stored
  regdiff 2019 2024                  # what changed between the end of 2019 and of 2024`,
		Args:          cobra.RangeArgs(0, 2),
		SilenceUsage:  true,
		SilenceErrors: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return cmd.Help()
			}
			return runDiffArgs(cmd, g, args)
		},
	}
	pf := root.PersistentFlags()
	pf.StringVar(&g.store, "store", "", "store folder (default $REGDIFF_STORE, $XDG_DATA_HOME/regdiff or ~/.local/share/regdiff)")
	pf.StringVar(&g.registry, "registry", snapshots.DefaultRegistry, "registry to act on")
	pf.DurationVar(&g.wait, "wait", 2*time.Minute, "how long a writer waits for another regdiff to release the store")
	root.AddCommand(newImportCmd(g), newFetchCmd(g), newLogCmd(g), newShowCmd(g), newDiffCmd(g), newHistoryCmd(g), newChangelogCmd(g), newVerifyCmd(g), newReindexCmd(g))
	addDiffFlags(root, g)
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return withCode(exitError, err, "see `"+c.CommandPath()+" --help`")
	})
	return root
}
