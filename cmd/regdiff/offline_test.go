package main

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/regdiff/regdiff/snapshots"
)

// offlineClient fails every request the way a machine with no network
// does: the host name does not resolve.
func offlineClient(dials *atomic.Int32) *http.Client {
	return &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			dials.Add(1) // downloads run a few at a time
			host, _, _ := net.SplitHostPort(addr)
			return nil, &net.OpError{Op: "dial", Net: network, Err: &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}}
		},
	}}
}

// Offline, fetch tries each registry once, says so in one line with a
// hint, exits 5, and leaves no store behind that it created.
func TestFetchOffline(t *testing.T) {
	store := filepath.Join(t.TempDir(), "store")
	g, out, errb := testGlobals(t, store)
	var dials atomic.Int32
	o := &fetchOptions{globals: g, client: offlineClient(&dials), timeout: time.Minute, maxSize: 1 << 20, retries: 3,
		backoff: time.Millisecond, jobs: 4, index: "http://unused.example/"}
	err := runFetch(context.Background(), o)
	var s silent
	if !errors.As(err, &s) || s.code != exitNetwork {
		t.Fatalf("runFetch: %v, want exit %d", err, exitNetwork)
	}
	lines := strings.Split(strings.TrimSpace(errb.String()), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], "www.iana.org does not resolve: 2 registries not fetched") ||
		!strings.HasPrefix(lines[1], "hint: ") || !strings.Contains(lines[1], "regdiff import") {
		t.Errorf("stderr:\n%s\nwant one line naming the host and the 2 registries, then one hint pointing to regdiff import", errb)
	}
	if out.Len() != 0 {
		t.Errorf("stdout %q, want nothing", out)
	}
	if n := dials.Load(); n != 2 {
		t.Errorf("%d dials for 2 registries; a name that does not resolve is not retried", n)
	}
	if _, err := os.Stat(store); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the store this fetch created is still there (%v)", err)
	}
}

// A store that existed before an offline fetch stays, as it was.
func TestFetchOfflineKeepsExistingStore(t *testing.T) {
	c := newCLI(t)
	c.mustRun("import", "testdata/ports-2019.xml")
	before := snapshot(t, c.store)
	g, _, _ := testGlobals(t, c.store)
	var dials atomic.Int32
	o := &fetchOptions{globals: g, client: offlineClient(&dials), timeout: time.Minute, maxSize: 1 << 20, retries: 3,
		backoff: time.Millisecond, jobs: 4}
	if err := runFetch(context.Background(), o); err == nil {
		t.Fatal("offline fetch succeeded")
	}
	if !sameFiles(before, snapshot(t, c.store)) {
		t.Error("an offline fetch changed an existing store")
	}
}

// A fetch holds the store's lock only to save: while a server is slow to
// answer, another writer gets the lock at once.
func TestFetchHoldsNoLockWhileDownloading(t *testing.T) {
	body, err := os.ReadFile("testdata/ports-2019.xml")
	if err != nil {
		t.Fatal(err)
	}
	asked, answer := make(chan struct{}, 8), make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		asked <- struct{}{}
		<-answer
		w.Write(body)
	}))
	defer srv.Close()
	c := newCLI(t)
	c.mustRun("import", "testdata/ports-2019.xml") // the store exists
	done := make(chan int, 1)
	go func() {
		code, _, _ := c.run("fetch", srv.URL+"/service-names-port-numbers/service-names-port-numbers.xml")
		done <- code
	}()
	<-asked
	s, err := snapshots.Open(c.store)
	if err != nil {
		t.Fatal(err)
	}
	unlock, err := s.Lock(context.Background(), 0)
	if err != nil {
		t.Errorf("a writer could not lock the store while fetch was downloading: %v", err)
	} else {
		unlock()
	}
	close(answer)
	if code := <-done; code != exitOK {
		t.Errorf("fetch: exit %d", code)
	}
}

// --total bounds one registry's whole download, retries included.
func TestFetchTotalBound(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable) // retried, with backoff, until the bound
	}))
	defer srv.Close()
	c := newCLI(t)
	code, _, errs := c.run("fetch", "--total", "300ms", "--backoff", "100ms", "--retries", "50", srv.URL+"/service-names-port-numbers/service-names-port-numbers.xml")
	if code != exitNetwork || !strings.Contains(errs, "no complete answer in 300ms, attempts and waits together") {
		t.Errorf("exit %d, stderr %q; want %d and the bound named", code, errs, exitNetwork)
	}
}
