package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/regdiff/regdiff/changelog"
	"github.com/spf13/cobra"
)

type changelogOptions struct {
	*globals
	format, out, feedURL, htmlURL string
	win                           window
	all                           bool
}

// changelogFormats are the values of changelog's --format (and
// "markdown", md's other name), which completion offers.
var changelogFormats = []string{"md", "html", "json", "atom"}

func newChangelogCmd(g *globals) *cobra.Command {
	o := &changelogOptions{globals: g}
	cmd := &cobra.Command{
		Use:   "changelog",
		Short: "Write the registry's changelog: Markdown, HTML, JSON or an Atom feed",
		Long: `Write one entry per version, newest first, each with its date, summary counts,
port status transitions and grouped changes (the diff against the previous
version).

  md     Markdown, for people and pull requests
  html   one self-contained page (inline CSS and SVG, no JavaScript), with a
         chart of Assigned, Reserved and Unassigned tcp ports over time
  json   an array of diff objects, as "regdiff diff --json" writes them
  atom   an Atom 1.0 feed; entry ids depend only on each version's content,
         so regenerating it after each fetch never repeats an entry

With -o the file is written atomically (a temporary file renamed into place),
so a web server never serves half a page.

` + windowHelp + `

With --all, one changelog of every registry in the store: the entries of
all of them, newest first, each headed by its registry and version; the
window applies to each registry (a version-spec bound, latest~3, is
resolved in each).

The entry of the oldest version in the window is its diff against the
version before it. A window with no version gives a valid empty document
(an empty JSON array, a feed with no entries) and a line on standard error
that says so.

` + exitCodesHelp,
		Example: `  regdiff changelog --since 2023 > CHANGES.md      # every version dated 2023 or later
  regdiff changelog --since 2019 --until 2020-06   # from 2019-01-01 to 2020-06-30
  regdiff changelog --since latest --format json   # the newest version's entry
  regdiff changelog --format html -o /var/www/ports/index.html
  regdiff changelog --all --since 2024-03-11        # what changed at IANA that week
  regdiff fetch --quiet && regdiff changelog --format atom --feed-url https://example.org/ports.atom -o /var/www/ports.atom`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runChangelog(cmd.Context(), o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.format, "format", "md", "md, html, json or atom")
	f.StringVarP(&o.out, "output", "o", "", "write to this file, atomically, instead of standard output")
	f.StringVar(&o.feedURL, "feed-url", "", "URL the Atom feed is served at (its self link and id)")
	f.StringVar(&o.htmlURL, "html-url", "", "URL of the HTML changelog, for links from feed entries")
	f.BoolVar(&o.all, "all", false, "one changelog of every registry in the store")
	addWindowFlags(cmd, &o.win)
	return cmd
}

func runChangelog(ctx context.Context, o *changelogOptions) error {
	g, win, format := o.globals, o.win, o.format
	if !slices.Contains(changelogFormats, format) && format != "markdown" {
		return withCode(exitError, fmt.Errorf("unknown --format %q: use md, html, json or atom", format))
	}
	if format == "markdown" {
		format = "md"
	}
	if o.all {
		return runChangelogAll(ctx, o, format)
	}
	s, vs, err := g.openVersions()
	if err != nil {
		return err
	}
	lo, hi, err := win.resolve(vs)
	if err != nil {
		return err
	}
	if lo == hi {
		win.sayEmpty(g, vs[0].Name, vs[len(vs)-1].Name)
	}
	p := g.progress("comparing versions", false)
	c, err := changelog.Build(ctx, s, g.registry, vs, changelog.Options{
		Since: lo, Until: hi - 1, Progress: p.update,
	})
	p.done()
	if errors.Is(err, changelog.ErrRange) {
		return withCode(exitError, err)
	}
	if err != nil {
		return err
	}
	return o.write(c, format)
}

func (o *changelogOptions) write(c *changelog.Changelog, format string) error {
	feed := changelog.Feed{Self: o.feedURL, Alternate: o.htmlURL}
	if o.out != "" {
		return changelog.WriteFile(o.out, c, format, feed)
	}
	return changelog.Write(o.io.Out, c, format, feed)
}

// runChangelogAll builds each registry's changelog over the window and
// writes them as one.
func runChangelogAll(ctx context.Context, o *changelogOptions, format string) error {
	g := o.globals
	s, regs, err := g.openRegistries()
	if err != nil {
		return err
	}
	p := g.progress("comparing versions", false)
	defer p.done()
	var cs []*changelog.Changelog
	var firstErr error
	unresolved := 0
	for i, reg := range regs {
		vs, err := s.Versions(reg)
		if err != nil {
			return err
		}
		lo, hi, err := o.win.resolve(vs)
		if err != nil {
			// A version-spec bound (latest~3, a tag) need not exist in
			// every registry: such a registry is left out. A bound that
			// fails in all of them is the user's error.
			firstErr = cmp.Or(firstErr, err)
			unresolved++
			continue
		}
		if lo == hi {
			continue
		}
		c, err := changelog.Build(ctx, s, reg, vs, changelog.Options{Since: lo, Until: hi - 1})
		if err != nil {
			return err
		}
		cs = append(cs, c)
		p.update(i+1, len(regs))
	}
	p.done()
	if unresolved == len(regs) {
		return firstErr
	}
	if unresolved > 0 {
		fmt.Fprintf(g.io.Err, "regdiff: the window %s does not resolve in %d of %d registries; they are left out\n", &o.win, unresolved, len(regs))
	}
	all := changelog.Merge(cs)
	if len(all.Entries) == 0 {
		fmt.Fprintf(g.io.Err, "regdiff: no version of any registry in the window %s\n", &o.win)
	}
	return o.write(all, format)
}
