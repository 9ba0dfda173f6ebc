package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/regdiff/regdiff/web"
	"github.com/spf13/cobra"
)

type serveOptions struct {
	*globals
	addr string
	base string
	// ready, when set, is called with the address listened on (tests ask
	// for port 0).
	ready func(addr string)
}

func newServeCmd(g *globals) *cobra.Command {
	o := &serveOptions{globals: g}
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the store read-only over HTTP: versions, diffs, histories, feeds",
		Long: `Serve the store as web pages, each also as JSON (Accept: application/json,
or .json after the last path segment), rendered by the same code as the
commands:

  /                        the registries, with a sparkline of their records
  /ID/                     versions, newest first, and the changelog
  /ID/feed.atom            the changelog's Atom feed
  /ID/VERSION/             one version's records (?q= searches them)
  /ID/VERSION/raw.xml      the raw file as published, byte for byte
  /ID/diff/FROM..TO/       a diff (any version spec: 2019..2024)
  /ID/history/QUERY/       the life of a port, name or value, as a timeline

A version named by name or commit is a permalink, served as immutable with
its commit as ETag; any other spec (latest, 2019, latest~1) redirects (302)
to one. The server never takes the store's lock: versions a concurrent
fetch or import adds appear without a restart. It stops on Ctrl-C.

` + exitCodesHelp,
		Example: `  regdiff serve
  regdiff serve --addr 127.0.0.1:9000
  curl -H 'Accept: application/json' localhost:8080/service-names-port-numbers/diff/2019..2024/`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return runServe(cmd.Context(), o) },
	}
	cmd.Flags().StringVar(&o.addr, "addr", "127.0.0.1:8080", "address to listen on")
	cmd.Flags().StringVar(&o.base, "base", "", "path prefix the pages live under, e.g. /regdiff (behind a proxy)")
	return cmd
}

func runServe(ctx context.Context, o *serveOptions) error {
	s, err := o.openStore()
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		return withCode(exitError, fmt.Errorf("serve: %w", err), "choose another --addr")
	}
	srv := &http.Server{
		Handler:           web.New(s, web.Options{Base: o.base}),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      2 * time.Minute, // a first changelog of thousands of versions
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		BaseContext:       func(net.Listener) context.Context { return ctx },
	}
	fmt.Fprintf(o.io.Err, "regdiff: serving %s on http://%s%s/\n", s.Dir(), ln.Addr(), o.base)
	if o.ready != nil {
		o.ready(ln.Addr().String())
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shut); err != nil {
		srv.Close()
	}
	if err := <-done; !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	return nil
}
