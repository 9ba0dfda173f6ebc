package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/regdiff/regdiff/snapshots"

	"github.com/spf13/cobra"
)

type cloneOptions struct {
	*globals
	remote string
	dir    string // "" for the default store
	json   bool
}

func newCloneCmd(g *globals) *cobra.Command {
	o := &cloneOptions{globals: g}
	cmd := &cobra.Command{
		Use:   "clone REMOTE [STORE]",
		Short: "Make a working store from a remote that a store was pushed to",
		Long: `Copy the archive that "regdiff push" sent to REMOTE (a path to a bare
repository, or a file://, http(s):// or ssh:// URL) into STORE, which must
be missing or an empty folder. STORE defaults to the store every command
uses (--store, $REGDIFF_STORE, $XDG_DATA_HOME/regdiff,
~/.local/share/regdiff).

Nothing is written at STORE until the copy is known good: the remote's refs
must be a store's, it is fetched into a temporary folder beside STORE, and
"regdiff verify"'s checks must find no problem; then the folder is renamed
into place in one step. Of what lives beside the refs, the marker is
written, the version lists (cache/versions) are built, and the history
cache is built by the first history queries as on any store: a diff or a
history query answers at once.

A remote that is not a regdiff store, or that fails the checks, is refused
with exit 4; one that cannot be reached, or stops answering, exits 5; a
STORE that is not empty exits 7. None leaves anything behind.

` + exitCodesHelp,
		Example: `  regdiff clone /srv/git/iana.git
  regdiff clone https://github.com/me/iana-archive.git ./iana-store
  regdiff --store ./iana-store 2019 2024`,
		Args: cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.remote = args[0]
			if len(args) == 2 {
				o.dir = args[1]
			}
			return runClone(cmd.Context(), o)
		},
	}
	cmd.Flags().BoolVar(&o.json, "json", false, "print what was cloned as JSON")
	return cmd
}

func runClone(ctx context.Context, o *cloneOptions) error {
	g := o.globals
	dir := o.dir
	if dir == "" {
		var err error
		if dir, err = g.storeDir(); err != nil {
			return err
		}
	}
	p := g.progress("cloning", o.json)
	if p.on {
		p.status("cloning " + o.remote)
	}
	res, err := snapshots.Clone(ctx, o.remote, dir, nil)
	p.done()
	if err != nil {
		switch {
		case errors.Is(err, snapshots.ErrStoreExists):
			return withCode(exitStore, err, "clone into a new folder, or remove this one first")
		case errors.Is(err, snapshots.ErrUnreachable):
			return withCode(exitNetwork, err)
		case errors.Is(err, snapshots.ErrBadPack):
			return withCode(exitRefused, err, "try again; if it happens again, the remote's repository may be damaged (git fsck there)")
		case errors.Is(err, snapshots.ErrNotStore):
			return withCode(exitRefused, err, "REMOTE must be a repository that `regdiff push` wrote to")
		case errors.Is(err, context.Canceled), writeFailed(err):
			return err
		}
		return withCode(exitRefused, err)
	}
	if o.json {
		return writeJSON(g.io.Out, res)
	}
	fmt.Fprintf(g.io.Out, "cloned %d version(s) of %d registr%s (%d refs) from %s into %s\n",
		res.Versions, len(res.Registries), plural(len(res.Registries), "y", "ies"), res.Refs, res.Remote, res.Store)
	return nil
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
