package main

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net"
	"net/http"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/regdiff/regdiff/fetch"
	"github.com/regdiff/regdiff/snapshots"
	"github.com/regdiff/regdiff/snapshots/record"
	"github.com/spf13/cobra"
)

type fetchOptions struct {
	*globals
	targets  []string // registry names or URLs; none: the known registries
	force    bool
	exitCode bool
	quiet    bool
	json     bool
	timeout  time.Duration
	maxSize  int64
	retries  int
	mirror   string
	backoff  time.Duration
	all      bool
	index    string
	jobs     int
	delay    time.Duration
	total    time.Duration
	client   *http.Client // nil: fetch's default; tests give one that fails as they need
}

func newFetchCmd(g *globals) *cobra.Command {
	o := &fetchOptions{globals: g}
	cmd := &cobra.Command{
		Use:   "fetch [--all] [ID|URL...]",
		Short: "Download registries and archive each new version",
		Long: `Download registries from IANA and archive each version not stored yet.
With no arguments, fetch every registry the store holds and the known ones
(service-names-port-numbers, protocol-numbers): each from the URL its
latest fetched version came from, or else from IANA's place for its id. An
ID is any IANA registry's id (tls-parameters), fetched from
https://www.iana.org/assignments/ID/ID.xml, or from --mirror; a URL is any
registry in IANA's XML format, stored under the registry's own id and
fetched from that URL again by a plain fetch. --all adds every registry
linked from IANA's index of protocol registries (--index), some 680.

Several registries are downloaded --jobs at a time, a --delay apart, and
stored one at a time in order.

fetch sends a conditional GET (the ETag and Last-Modified of the last fetch),
retries timeouts and server errors with backoff, refuses bodies over
--max-size, and validates the body before writing anything: it must parse as
the registry expected, and a version with under 90% of the records of the
latest stored one is refused as suspicious unless --force, and so is one
dated more than two days in the future or before 1970, and a version that
would go before stored ones (dated before the latest, or put
before a version of the same date by its content): archiving it would
rewrite their commits, and a version older than the latest is more often a
stale mirror than a late publication. Downloads run without the store's
lock (each registry's bounded by --total, retries included); the lock is
taken to save each new version, and another writer waits up to --wait.

` + exitCodesHelp,
		Example: `  regdiff fetch                         # from cron: archive what changed
  regdiff fetch --quiet --exit-code      # exit 3 when nothing new, print nothing
  regdiff fetch tls-parameters           # any registry, by its id
  regdiff fetch --all --quiet            # every registry IANA lists
  regdiff fetch https://www.iana.org/assignments/media-types/media-types.xml`,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.targets = args
			return runFetch(cmd.Context(), o)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&o.force, "force", false, "store a version even when it looks suspicious (far fewer records, dated in the future or before 1970, or older than stored ones)")
	f.BoolVar(&o.exitCode, "exit-code", false, "exit 3 when nothing new was archived")
	f.BoolVarP(&o.quiet, "quiet", "q", false, "print nothing unless something was archived or failed")
	f.BoolVar(&o.json, "json", false, "print one JSON object per registry")
	f.DurationVar(&o.timeout, "timeout", 2*time.Minute, "time allowed for one download attempt")
	f.DurationVar(&o.total, "total", fetch.DefaultTotal, "time allowed for one registry's download, every attempt and wait included")
	f.Int64Var(&o.maxSize, "max-size", 64<<20, "largest body accepted, in bytes")
	f.IntVar(&o.retries, "retries", 3, "retries after a failed attempt")
	f.StringVar(&o.mirror, "mirror", "", "fetch registries from this base URL, laid out as IANA's, instead of "+snapshots.IANABase)
	f.DurationVar(&o.backoff, "backoff", time.Second, "wait before the first retry, doubled for each later one")
	f.BoolVar(&o.all, "all", false, "fetch every registry on IANA's index (--index) besides those the store tracks")
	f.StringVar(&o.index, "index", fetch.IANAIndex, "the page whose links to …/assignments/ID/ID.xhtml list the registries for --all")
	f.IntVar(&o.jobs, "jobs", 4, "downloads at a time (at most 8)")
	f.DurationVar(&o.delay, "delay", 250*time.Millisecond, "pause between the starts of two downloads, to spare the server")
	f.MarkHidden("backoff")
	cmd.Flags().SortFlags = false
	return cmd
}

type fetchJSON struct {
	Registry string       `json:"registry"`
	URL      string       `json:"url"`
	Status   string       `json:"status"` // archived, unchanged, not-modified, skipped, error
	Version  *versionJSON `json:"version,omitempty"`
	Error    string       `json:"error,omitempty"`
	// WouldRewrite names the stored versions a refused fetch would have
	// rewritten.
	WouldRewrite []string `json:"would_rewrite,omitempty"`
}

func runFetch(ctx context.Context, o *fetchOptions) error {
	g, args := o.globals, o.targets
	var targets []fetch.Target
	for _, a := range args {
		if strings.Contains(a, "://") {
			targets = append(targets, fetch.Target{URL: a})
			continue
		}
		t, err := fetch.TargetFor(a, o.mirror)
		if err != nil {
			return withCode(exitError, err, "name a registry by its id (service-names-port-numbers, tls-parameters, …) or by its URL")
		}
		targets = append(targets, t)
	}
	// The store's lock is held only while each new version is saved, so a
	// slow server never keeps another regdiff waiting, and the store is
	// created only then: an offline run, or one that finds nothing new in
	// a store that does not exist yet, leaves none behind.
	dir, err := g.storeDir()
	if err != nil {
		return err
	}
	var s *snapshots.Store
	if _, err := os.Stat(dir); err == nil {
		if s, err = g.openStore(); err != nil {
			return err
		}
	}
	if len(args) == 0 {
		if targets, err = fetch.Tracked(s, o.mirror); err != nil {
			return err
		}
	}
	archived := 0
	get := fetch.Options{Backoff: o.backoff, Client: o.client, Total: o.total}
	get.MaxBytes = o.maxSize
	get.Retries = o.retries
	if o.retries == 0 {
		get.Retries = -1 // fetch.Options reads 0 as "the default"
	}
	get.Timeout = o.timeout
	if o.all {
		listed, err := fetch.Index(ctx, o.index, o.mirror, get)
		if err != nil {
			c, hint := fetchErrorCode(err)
			return withCode(c, err, hint)
		}
		targets = fetch.Merge(targets, listed)
	}
	code := exitOK
	worse := func(c int) {
		if code == exitOK || c > code {
			code = c
		}
	}
	var writeErr error
	var hints []string                  // said once, after the errors
	unresolved := map[string][]string{} // host → registries
	unresolvedErr := map[string]error{} // host → one of its errors
	report := func(out *fetch.Outcome, err error) {
		t := out.Target
		name := out.Registry
		if name == "" {
			name = t.URL
		}
		j := fetchJSON{Registry: out.Registry, URL: t.URL, Status: out.Status}
		if err != nil {
			c, hint := fetchErrorCode(err)
			worse(c)
			j.Status, j.Error = "error", err.Error()
			var rw *fetch.RewriteError
			if errors.As(err, &rw) {
				for _, v := range rw.Rewrites {
					j.WouldRewrite = append(j.WouldRewrite, v.Name)
				}
			}
			var dns *net.DNSError
			switch {
			case o.json:
				writeErr = writeJSONLine(g.io.Out, j)
			case errors.As(err, &dns) && dns.IsNotFound:
				// Said once per host at the end: offline, every
				// registry fails alike.
				if !slices.Contains(unresolved[dns.Name], name) {
					unresolved[dns.Name] = append(unresolved[dns.Name], name)
				}
				unresolvedErr[dns.Name] = err
			case errors.Is(err, snapshots.ErrLocked):
				// The store's, not the registry's: said once, as
				// the fetch stops there.
				fmt.Fprintf(g.io.Err, "regdiff: %s\n", record.Printable(err.Error()))
			default:
				fmt.Fprintf(g.io.Err, "regdiff: %s: %s\n", record.Printable(name), record.Printable(err.Error()))
				if hint != "" && !slices.Contains(hints, hint) {
					hints = append(hints, hint)
				}
			}
			return
		}
		if out.Version != nil {
			v := toVersionJSON(*out.Version, nil)
			j.Version = &v
		}
		if o.json {
			writeErr = writeJSONLine(g.io.Out, j)
			if out.Status == "archived" {
				archived++
			}
			return
		}
		switch out.Status {
		case "archived":
			archived++
			fmt.Fprintf(g.io.Out, "%s: archived %s (%d records)\n", name, out.Version.Name, out.Version.Records)
			if out.Rebuilt != "" {
				fmt.Fprintf(g.io.Out, "%s: it is older than versions already stored; commits from %s on were rewritten\n", name, out.Rebuilt)
			}
		case "unchanged":
			if !o.quiet {
				fmt.Fprintf(g.io.Out, "%s: unchanged (same content as %s)\n", name, out.Version.Name)
			}
		case "not-modified":
			if !o.quiet {
				fmt.Fprintf(g.io.Out, "%s: unchanged (server says not modified)\n", name)
			}
		case "skipped":
			if !o.quiet {
				fmt.Fprintf(g.io.Out, "%s: skipped: the index links to it, but it is no registry\n", name)
			}
		}
	}
	lock := func(ctx context.Context) (*snapshots.Store, func(), error) { return g.lockStore(ctx) }
	locked := false // another writer held the store past --wait: stop, as each save would wait as long
	fetch.ArchiveAll(ctx, s, targets, fetch.ArchiveOptions{Get: get, Force: o.force, Lock: lock}, fetch.Pace{Jobs: o.jobs, Delay: o.delay}, func(out *fetch.Outcome, err error) bool {
		report(out, err)
		locked = locked || errors.Is(err, snapshots.ErrLocked)
		return writeErr == nil && !locked // output that cannot be written stops the fetch
	})
	for _, host := range slices.Sorted(maps.Keys(unresolved)) {
		names := unresolved[host]
		if len(names) == 1 {
			fmt.Fprintf(g.io.Err, "regdiff: %s: %s\n", names[0], record.Printable(unresolvedErr[host].Error()))
		} else {
			fmt.Fprintf(g.io.Err, "regdiff: %s does not resolve: %d registries not fetched (%s)\n", host, len(names), strings.Join(names, ", "))
		}
		_, hint := fetchErrorCode(unresolvedErr[host])
		if !slices.Contains(hints, hint) {
			hints = append(hints, hint)
		}
	}
	for _, h := range hints {
		fmt.Fprintf(g.io.Err, "hint: %s\n", h)
	}
	if writeErr != nil {
		return writeErr
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if code != exitOK {
		return silent{code}
	}
	if o.exitCode && archived == 0 {
		return silent{exitUnchanged}
	}
	return nil
}

// fetchErrorCode maps a fetch failure to an exit code and a hint.
func fetchErrorCode(err error) (int, string) {
	var dnsErr *net.DNSError
	var opErr *net.OpError
	var status *fetch.StatusError
	switch {
	case errors.Is(err, fetch.ErrSuspicious), errors.Is(err, fetch.ErrRewrite):
		return exitRefused, ""
	case errors.Is(err, fetch.ErrInvalid), errors.Is(err, fetch.ErrTooLarge):
		return exitRefused, "the store is unchanged; the server may have sent an error page"
	case errors.Is(err, fetch.ErrUnsupportedURL):
		return exitError, "give an http or https URL"
	case errors.Is(err, snapshots.ErrLocked):
		return exitLocked, ""
	case writeFailed(err):
		return exitWrite, "free space in the store's file system (or check its quota and mount); the store is as it was"
	case errors.As(err, &dnsErr) && dnsErr.IsNotFound:
		return exitNetwork, "the name does not resolve: no network here, or a mistyped host; backfill offline from files or an existing archive with `regdiff import PATH`"
	case errors.As(err, &dnsErr), errors.As(err, &opErr):
		return exitNetwork, "the network cannot be reached from here; backfill from files or an existing archive with `regdiff import PATH`"
	case errors.As(err, &status) && status.Code == 404:
		return exitNetwork, "nothing is published at that URL: check the registry's id (the last part of its URL at https://www.iana.org/assignments/)"
	case errors.As(err, &status):
		return exitNetwork, ""
	}
	return exitNetwork, ""
}
