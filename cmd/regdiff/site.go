package main

import (
	"context"
	"fmt"

	"github.com/regdiff/regdiff/web"
	"github.com/spf13/cobra"
)

type siteOptions struct {
	*globals
	dir     string
	base    string
	feedURL string
	json    bool
}

func newSiteCmd(g *globals) *cobra.Command {
	o := &siteOptions{globals: g}
	cmd := &cobra.Command{
		Use:   "site DIR",
		Short: "Write the pages regdiff serve shows as static files, for any web host",
		Long: `Write the pages of every registry into DIR, each rendered by the handler
that "regdiff serve" runs: DIR/index.html, DIR/ID/index.html (versions and
changelog), DIR/ID/feed.atom, DIR/ID/changelog.html, DIR/ID/VERSION/index.html
(records) and raw.FORMAT (the raw file as published), DIR/ID/diff/PREV..VERSION/
for each pair of consecutive versions, and beside each page its JSON as
index.json. No history page is written: there is one for every value.

Links are root-relative: serve DIR at the root of a host, or give --base
for a sub-folder. A re-run writes only what changed: the pages of a version
already exported (listed with its commit in DIR/.regdiff-site.json) are
skipped, the rest rendered, and a file is replaced (through a temporary file
and a rename) only when its bytes differ. Pages of a version no longer in
the store are left alone. Progress is shown on a terminal.

` + exitCodesHelp,
		Example: `  regdiff site /var/www/regdiff
  regdiff site public --base /regdiff --feed-url https://example.org
  regdiff site public --json | jq .written`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.dir = args[0]
			return runSite(cmd.Context(), o)
		},
	}
	cmd.Flags().StringVar(&o.base, "base", "", "path prefix the site is served under, e.g. /regdiff")
	cmd.Flags().StringVar(&o.feedURL, "feed-url", "", "the site's absolute URL, for links in the Atom feeds, e.g. https://example.org")
	cmd.Flags().BoolVar(&o.json, "json", false, "print a JSON summary (files written, unchanged, skipped)")
	return cmd
}

func runSite(ctx context.Context, o *siteOptions) error {
	s, err := o.openStore()
	if err != nil {
		return err
	}
	opts := web.SiteOptions{Base: o.base, FeedURL: o.feedURL}
	if o.io.ErrTTY {
		opts.Progress = func(done, total int) {
			if done%20 == 0 || done == total {
				fmt.Fprintf(o.io.Err, "\rregdiff: site: %d/%d pages", done, total)
			}
			if done == total {
				fmt.Fprintln(o.io.Err)
			}
		}
	}
	sum, err := web.Site(ctx, s, o.dir, opts)
	if err != nil {
		if writeFailed(err) {
			return withCode(exitWrite, err)
		}
		return err
	}
	if o.json {
		return writeJSON(o.io.Out, sum)
	}
	fmt.Fprintf(o.io.Out, "%d files written, %d unchanged, %d skipped (exported before)\n", sum.Written, sum.Unchanged, sum.Skipped)
	return nil
}
