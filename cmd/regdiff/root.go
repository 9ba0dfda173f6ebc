package main

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/regdiff/regdiff/snapshots"
	"github.com/spf13/cobra"
)

func newRoot(io *streams) *cobra.Command {
	g := &globals{io: io}
	o := &diffOptions{globals: g, hint: "`regdiff FROM TO` compares two versions; `regdiff help` lists the commands"}
	root := &cobra.Command{
		Use:   "regdiff [FROM [TO]]",
		Short: "Keep the history of IANA registries and say what changed, when",
		Long: `regdiff archives versions of IANA registries (the Service Name and Transport
Protocol Port Number Registry, Protocol Numbers, and any registry in IANA's
XML format) in a git repository it owns, one commit per published version,
and compares them.

With one or two version specs and no command, regdiff runs "regdiff diff".

Version specs: latest, first, a version name, YYYY, YYYY-MM, YYYY-MM-DD, a
tag or commit, and SPEC~N (N versions before SPEC). An exact version name
means that version: when two versions were published with one date,
2023-12-27 is the first and 2023-12-27.2 the second. A date that is no
version's name means the latest version on or before the end of that
period: 2019 is the latest version published in 2019 or before. A date that
does not exist (2019-13, 2023-02-29) is an error.

In --since and --until (log, changelog, history) a date is a calendar window
instead, as in git: --since 2023 keeps every version dated 2023-01-01 or
later, --until 2020-06 every version dated 2020-06-30 or earlier; any other
version spec keeps the versions from, or up to, that version.

The store is --store, else $REGDIFF_STORE, else $XDG_DATA_HOME/regdiff, else
~/.local/share/regdiff.

` + exitCodesHelp,
		Example: `  regdiff fetch                      # archive the current registries (cron-friendly)
  regdiff import ~/iana-archive.git  # backfill from a repository that scraped the files
  regdiff log                        # the versions stored
  regdiff 2019 2024                  # what changed between the end of 2019 and of 2024
  regdiff 2023-12-27 2023-12-27.2    # the two versions published on one date
  regdiff changelog --since 2023     # every version dated 2023 or later`,
		Args:          cobra.RangeArgs(0, 2),
		SilenceUsage:  true,
		SilenceErrors: true,
		// SuggestionsFor reads it as it is; cobra's default of 2 is set
		// only on the way to its own "unknown command" error.
		SuggestionsMinimumDistance: 2,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return cmd.Help()
			}
			o.setVersions(args)
			err := runDiff(cmd.Context(), o)
			// A word that is no version spec but is close to a command
			// name is most likely a mistyped command (regdiff histroy 253).
			if use := (*snapshots.UnknownSpecError)(nil); errors.As(err, &use) {
				if s := cmd.SuggestionsFor(use.Spec); len(s) > 0 {
					return withCode(exitError, fmt.Errorf("unknown command or version spec %q", use.Spec),
						"did you mean "+strings.Join(s, " or ")+"? (`regdiff help` lists the commands)")
				}
			}
			return err
		},
	}
	pf := root.PersistentFlags()
	pf.StringVar(&g.store, "store", "", "store folder (default $REGDIFF_STORE, $XDG_DATA_HOME/regdiff or ~/.local/share/regdiff)")
	pf.StringVar(&g.registry, "registry", snapshots.DefaultRegistry, "registry to act on")
	pf.DurationVar(&g.wait, "wait", 2*time.Minute, "how long a writer waits for another regdiff to release the store")
	root.AddCommand(newImportCmd(g), newFetchCmd(g), newLogCmd(g), newShowCmd(g), newDiffCmd(g), newHistoryCmd(g), newChangelogCmd(g), newVerifyCmd(g), newReindexCmd(g), newRegistriesCmd(g), newVersionCmd(g))
	root.AddCommand(newServeCmd(g), newSiteCmd(g), newPushCmd(g), newCloneCmd(g), newExportCmd(g))
	root.Version = version()
	root.SetVersionTemplate("{{.Version}}\n")
	// Defined here so that cobra does not take -v for it.
	root.Flags().Bool("version", false, "print the version and the commit regdiff was built from")
	addDiffFlags(root, o)
	addPager(root, g)
	addCompletion(root, g)
	root.AddCommand(newManCmd(g)) // hidden
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return withCode(exitError, err, "see `"+c.CommandPath()+" --help`")
	})
	return root
}
