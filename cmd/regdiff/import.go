package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"github.com/regdiff/regdiff/snapshots"
	"github.com/regdiff/regdiff/snapshots/record"

	"github.com/spf13/cobra"
)

type importOptions struct {
	*globals
	inputs []string
	paths  []string
	ref    string
	date   string
	json   bool
	quiet  bool
	force  bool
}

func newImportCmd(g *globals) *cobra.Command {
	o := &importOptions{globals: g}
	cmd := &cobra.Command{
		Use:   "import PATH...",
		Short: "Backfill versions from files, folders and git repositories",
		Long: `Import registry versions into the store. PATH may be:

  a registry file            service-names-port-numbers.xml
  a folder                   every file in it, recursively (hidden ones skipped)
  a git repository           every distinct content of its *.xml files, at any path
  a git bundle               the same, from a .bundle file
  a repository URL           cloned to a temporary folder first

Registries are told from other files by their content: in a folder or a git
history, a file that is no registry is skipped and counted, and a malformed
registry is refused with its line; --path follows only the files named. A
registry without an <updated> date is dated by the commit that first holds
it (a file needs --date). A version already stored is left as it is; a
version older than the newest stored is put in its place
(later commits are rewritten deterministically) and the summary says so. A
version dated more than two days in the future, or before 1970, is refused
(exit 4) unless --force: it would pass for the latest version.

` + exitCodesHelp,
		Example: `  regdiff import service-names-port-numbers.xml
  regdiff import ./archive/                       # a folder of saved copies
  regdiff import ~/src/iana-etc --path data/service-names-port-numbers.xml
  regdiff import iana-history.bundle --ref main
  regdiff import iana-registries.bundle           # a mirror of every registry`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.inputs = args
			return runImport(cmd.Context(), o)
		},
	}
	f := cmd.Flags()
	f.StringArrayVar(&o.paths, "path", nil, "file to follow inside git repositories (repeatable)")
	f.StringVar(&o.ref, "ref", "", "git ref to walk (default HEAD, or the only branch)")
	f.StringVar(&o.date, "date", "", "date to give every imported version (YYYY-MM-DD or YYYY-MM), for files that carry none")
	f.BoolVar(&o.json, "json", false, "print the summary as JSON")
	f.BoolVarP(&o.quiet, "quiet", "q", false, "print nothing but errors")
	f.BoolVar(&o.force, "force", false, "store versions dated in the future or before 1970")
	return cmd
}

func runImport(ctx context.Context, o *importOptions) error {
	g, args := o.globals, o.inputs
	s, unlock, err := g.lockNewStore(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	p := g.progress("importing", o.quiet || o.json)
	defer p.done()
	inputs, refused, done, err := snapshots.Collect(ctx, args, snapshots.CollectOptions{
		Paths: o.paths, Ref: o.ref, Date: o.date, Status: p.status,
	})
	defer done()
	if err != nil {
		return err
	}
	iopts := snapshots.ImportOptions{Progress: p.update}
	if !o.force {
		now := time.Now()
		iopts.Check = func(reg *record.Registry) error {
			if err := snapshots.CheckDate(reg.Updated, now); err != nil {
				return fmt.Errorf("%w; use --force to store it anyway", err)
			}
			return nil
		}
	}
	raiseMemoryLimit(g, inputs)
	sum, err := s.Import(ctx, inputs, iopts)
	p.done()
	if sum != nil {
		// Inputs are parsed in parallel: refusals are told in the order
		// of the inputs, so that the output is the same every run.
		order := make(map[string]int, len(inputs))
		for i, in := range inputs {
			order[in.Source.Location] = i
		}
		slices.SortStableFunc(sum.Refused, func(a, b snapshots.Refusal) int {
			return cmp.Or(order[a.Location]-order[b.Location], strings.Compare(a.Err.Error(), b.Err.Error()))
		})
		sum.Refused = append(refused, sum.Refused...)
		if o.json {
			if err := writeImportJSON(g, sum); err != nil {
				return err
			}
		} else if !o.quiet {
			writeImportText(g, sum)
		}
	}
	if err != nil {
		return err
	}
	if len(sum.Refused) > 0 {
		code := 0
		for _, rf := range sum.Refused {
			code = max(code, refusalCode(rf.Err))
		}
		if o.json || o.quiet {
			return silent{code}
		}
		var hints []string
		if code == exitWrite {
			hints = append(hints, "free space in the store's file system (or check its quota and mount), then import again")
		}
		return withCode(code, fmt.Errorf("%d input(s) refused; the store holds everything else", len(sum.Refused)), hints...)
	}
	return nil
}

// raiseMemoryLimit lifts main's soft memory limit for an import of many
// files: the import's pack keeps each file's delta bases (about 190 MB for
// the 600-odd registries of iana-registries.bundle), and under 272 MiB the
// collector ran without end. At 400 MiB that import took 89 s of CPU
// against 103 s, at 421 MB peak; an import of a few registries (the ports
// bundle holds two) keeps the limit, and its 300 MB.
func raiseMemoryLimit(g *globals, inputs []snapshots.Input) {
	if g.io.getenv("GOMEMLIMIT") != "" {
		return
	}
	files := map[string]bool{}
	for _, in := range inputs {
		loc := in.Source.Location
		if in.Source.Kind == "git" {
			loc = loc[strings.LastIndex(loc, ":")+1:] // path@commit:file
		}
		files[loc] = true
	}
	if len(files) > manyFiles && debug.SetMemoryLimit(-1) == defaultMemoryLimit {
		debug.SetMemoryLimit(400 << 20)
	}
}

// manyFiles is the number of distinct files past which an import gets
// the higher memory limit.
const manyFiles = 64

func writeImportText(g *globals, sum *snapshots.Summary) {
	w := g.io.Out
	added, existing := sum.Counts()
	for _, r := range sum.Reports {
		if len(r.Added) == 0 {
			continue
		}
		first, last := r.Added[0].Name, r.Added[0].Name
		for _, v := range r.Added {
			first, last = min(first, v.Name), max(last, v.Name)
		}
		fmt.Fprintf(w, "%s: %d new version(s), %s … %s\n", r.Registry, len(r.Added), first, last)
		if r.RebuiltFrom != "" {
			fmt.Fprintf(w, "%s: older versions were inserted before newer ones; commits from %s on were rewritten\n", r.Registry, r.RebuiltFrom)
		}
	}
	for _, r := range sum.Reports {
		writeTies(g, r.Registry, r.Ties)
	}
	for _, rf := range sum.Refused {
		fmt.Fprintf(g.io.Err, "regdiff: refused %s: %s\n", record.Printable(rf.Location), record.Printable(rf.Err.Error()))
	}
	fmt.Fprintf(w, "%d new, %d already stored, %d refused", added, existing, len(sum.Refused))
	if len(sum.Skipped) > 0 {
		fmt.Fprintf(w, ", %d skipped (files that are no registry)", len(sum.Skipped))
	}
	fmt.Fprintln(w)
}

type importJSON struct {
	New      int            `json:"new"`
	Existing int            `json:"existing"`
	Refused  []refusalJSON  `json:"refused"`
	Skipped  []string       `json:"skipped"` // files found that are no registry
	Added    []versionJSON  `json:"added"`
	Rebuilt  map[string]any `json:"rebuilt_from,omitempty"`
	Ties     []tieJSON      `json:"ties,omitempty"`
}

// tieJSON is a group of same-date versions ordered by a tie-break.
type tieJSON struct {
	Registry string   `json:"registry"`
	Date     string   `json:"date"`
	Versions []string `json:"versions"`
	By       string   `json:"by"` // "first seen" or "content hash"
}

type refusalJSON struct {
	Input string `json:"input"`
	Error string `json:"error"`
}

func writeImportJSON(g *globals, sum *snapshots.Summary) error {
	out := importJSON{Refused: []refusalJSON{}, Added: []versionJSON{}, Skipped: sum.Skipped}
	if out.Skipped == nil {
		out.Skipped = []string{}
	}
	out.New, out.Existing = sum.Counts()
	for _, rf := range sum.Refused {
		out.Refused = append(out.Refused, refusalJSON{Input: rf.Location, Error: rf.Err.Error()})
	}
	for _, r := range sum.Reports {
		for _, v := range r.Added {
			out.Added = append(out.Added, toVersionJSON(v, nil))
		}
		for _, t := range r.Ties {
			out.Ties = append(out.Ties, tieJSON{r.Registry, t.Date, t.Versions, t.By})
		}
		if r.RebuiltFrom != "" {
			if out.Rebuilt == nil {
				out.Rebuilt = map[string]any{}
			}
			out.Rebuilt[r.Registry] = r.RebuiltFrom
		}
	}
	return writeJSON(g.io.Out, out)
}

// versionJSON is how every command shows a version to scripts.
type versionJSON struct {
	record.Listed
	Sources []string `json:"sources,omitempty"`
}

func toVersionJSON(v record.Version, srcs []snapshots.Source) versionJSON {
	j := versionJSON{Listed: record.List(v)}
	for _, s := range srcs {
		j.Sources = append(j.Sources, s.Kind+" "+s.Location)
	}
	return j
}

func sourceSummary(srcs []snapshots.Source) string {
	if len(srcs) == 0 {
		return "-"
	}
	s := srcs[0].Kind + " " + srcs[0].Location
	if len(srcs) > 1 {
		s += fmt.Sprintf(" (+%d more)", len(srcs)-1)
	}
	return record.Printable(s) // a file name may hold a tab, a line break, an ESC
}

// refusalCode is the exit code a refused input calls for: 4 for an input
// that is no good registry, unless the cause lies elsewhere. The larger
// code wins when inputs fail differently, so the order of the codes is
// also their weight: a damaged store (8) and a failed write (9) before a
// download (5), before anything about the input itself.
func refusalCode(err error) int {
	var dns *net.DNSError
	var op *net.OpError
	switch {
	case writeFailed(err):
		return exitWrite
	case errors.Is(err, snapshots.ErrDamaged):
		return exitVerify // a stored version this file could not restore
	case errors.As(err, &dns), errors.As(err, &op):
		return exitNetwork // a repository URL that could not be reached
	case errors.Is(err, snapshots.ErrNoInput):
		return exitError // a path that does not exist: a bad argument
	}
	return exitRefused
}
