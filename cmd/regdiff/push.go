package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/regdiff/regdiff/snapshots"

	"github.com/spf13/cobra"
)

type pushOptions struct {
	*globals
	remote string
	force  bool
	json   bool
}

func newPushCmd(g *globals) *cobra.Command {
	o := &pushOptions{globals: g}
	cmd := &cobra.Command{
		Use:   "push REMOTE",
		Short: "Send the archive to a git remote",
		Long: `Push every registry branch (refs/heads/ID), every version tag
(refs/tags/ID/VERSION) and the provenance ref (refs/regdiff/meta) to REMOTE:
a path to a bare repository, or a file://, http(s):// or ssh:// URL. Only the
objects the remote lacks are sent, so a second push after one new version
sends that version.

The push takes no lock: the refs are read once, as some moment of the store
held them, so a fetch or an import running meanwhile neither blocks it nor
makes it push half a version.

A remote ref that the store's does not descend from (the remote holds
versions the store lacks) refuses the whole push, exit 4, unless --force,
which replaces it. Refs that only the remote holds are left as they are and
listed. A clone of REMOTE ("regdiff clone REMOTE") is a working store.

` + exitCodesHelp,
		Example: `  regdiff push /srv/git/iana.git
  regdiff push git@github.com:me/iana-archive.git
  regdiff push https://git.example.org/iana.git --json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.remote = args[0]
			return runPush(cmd.Context(), o)
		},
	}
	cmd.Flags().BoolVar(&o.force, "force", false, "replace remote refs that the store's do not descend from")
	cmd.Flags().BoolVar(&o.json, "json", false, "print what was pushed as JSON")
	return cmd
}

func runPush(ctx context.Context, o *pushOptions) error {
	g := o.globals
	s, err := g.openStore()
	if err != nil {
		return err
	}
	opts := snapshots.PushOptions{Force: o.force}
	if g.io.ErrTTY && !o.json {
		opts.Progress = g.io.Err
	}
	res, err := s.Push(ctx, o.remote, opts)
	if err != nil {
		switch {
		case errors.Is(err, snapshots.ErrNonFastForward):
			return withCode(exitRefused, err, "fetch the remote's versions first (`regdiff clone` it elsewhere and compare), or replace them with --force")
		case errors.Is(err, snapshots.ErrUnreachable):
			return withCode(exitNetwork, err)
		case errors.Is(err, snapshots.ErrEmpty):
			return withCode(exitStore, err, "run `regdiff fetch` or `regdiff import PATH` first")
		case errors.Is(err, context.Canceled):
			return err
		}
		return withCode(exitRefused, err)
	}
	if o.json {
		return writeJSON(g.io.Out, res)
	}
	if len(res.Updated) == 0 {
		fmt.Fprintf(g.io.Out, "%s is up to date (%d refs)\n", res.Remote, res.UpToDate)
	} else {
		fmt.Fprintf(g.io.Out, "pushed %d ref(s) and %d object(s) to %s; %d ref(s) were up to date\n",
			len(res.Updated), res.Objects, res.Remote, res.UpToDate)
	}
	if len(res.Refused) > 0 {
		fmt.Fprintf(g.io.Out, "forced %d ref(s) the store's did not descend from\n", len(res.Refused))
	}
	if n := len(res.RemoteOnly); n > 0 {
		fmt.Fprintf(g.io.Out, "left alone: %d ref(s) that only the remote holds (first: %s)\n", n, res.RemoteOnly[0])
	}
	return nil
}
