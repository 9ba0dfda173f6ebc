package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/regdiff/regdiff/internal/realstore"
	"github.com/regdiff/regdiff/snapshots"
	"github.com/regdiff/regdiff/web"
)

// serveFixture is a store of the two port fixtures and protocol-numbers,
// served by the web handler on loopback.
func serveFixture(t *testing.T, extra ...string) (store string, srv *httptest.Server) {
	t.Helper()
	store = filepath.Join(t.TempDir(), "store")
	g, _, _ := testGlobals(t, store)
	inputs := append([]string{"testdata/ports-2019.xml", "testdata/ports-2024.xml", "testdata/protocols.xml"}, extra...)
	if err := runImport(context.Background(), &importOptions{globals: g, inputs: inputs, quiet: true}); err != nil {
		t.Fatal(err)
	}
	return store, startServer(t, store)
}

func startServer(t testing.TB, store string) *httptest.Server {
	s, err := snapshots.Open(store)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(web.New(s, web.Options{}))
	t.Cleanup(srv.Close)
	return srv
}

func get(t testing.TB, url string, hdr ...string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

// TestServePages: status, content type, cache headers and redirects of
// each kind of page, good and bad.
func TestServePages(t *testing.T) {
	_, srv := serveFixture(t)
	const P = "/service-names-port-numbers"
	tests := []struct {
		path, accept string
		status       int
		ctype        string
		location     string // for redirects
		cache        string // substring of Cache-Control
	}{
		{"/", "", 200, "text/html", "", "no-cache"},
		{"/index.json", "", 200, "application/json", "", "no-cache"},
		{"/", "application/json", 200, "application/json", "", "no-cache"},
		{P + "/", "", 200, "text/html", "", "no-cache"},
		{P + "/index.json", "", 200, "application/json", "", "no-cache"},
		{P + "/feed.atom", "", 200, "application/atom+xml", "", "no-cache"},
		{P + "/feed.atom", "application/json", 200, "application/atom+xml", "", "no-cache"},
		{P + "/changelog.html", "", 200, "text/html", "", "no-cache"},
		{P + "/2024-03-18/", "", 200, "text/html", "", "immutable"},
		{P + "/2024-03-18", "", 200, "text/html", "", "immutable"},
		{P + "/2024-03-18.json", "", 200, "application/json", "", "immutable"},
		{P + "/2024-03-18/raw.xml", "", 200, "application/xml", "", "immutable"},
		{P + "/2024-03-18/?q=ssh", "", 200, "text/html", "", "immutable"},
		{P + "/2024-03-18/?q=ssh", "application/json", 200, "application/json", "", "immutable"},
		{P + "/2024-03-18/raw.csv", "", 404, "text/html", "", "no-cache"},
		{P + "/latest", "", 302, "", P + "/2024-03-18/", "no-cache"},
		{P + "/latest.json", "", 302, "", P + "/2024-03-18/index.json", "no-cache"},
		{P + "/latest/raw.xml", "", 302, "", P + "/2024-03-18/raw.xml", "no-cache"},
		{P + "/diff/2019..2024", "", 302, "", P + "/diff/2019-12-31..2024-03-18/", "no-cache"},
		{P + "/diff/2019-12-31..2024-03-18/", "", 200, "text/html", "", "immutable"},
		{P + "/diff/2019-12-31..2024-03-18/index.json", "", 200, "application/json", "", "immutable"},
		{P + "/diff/2019-12-31..2024-03-18", "application/json", 200, "application/json", "", "immutable"},
		{P + "/diff/2019", "", 400, "text/html", "", "no-cache"},
		{P + "/diff/2019..bogus", "", 400, "text/html", "", "no-cache"},
		{P + "/diff/2019..bogus", "application/json", 400, "application/json", "", "no-cache"},
		{P + "/history/81/", "", 200, "text/html", "", "no-cache"},
		{P + "/history/81/tcp/", "", 200, "text/html", "", "no-cache"},
		{P + "/history/81.json", "", 200, "application/json", "", "no-cache"},
		{P + "/history/?q=22", "", 302, "", P + "/history/22/", "no-cache"},
		{P + "/history/not%20a%20query!/", "", 400, "text/html", "", "no-cache"},
		{P + "/history/nosuchname/", "", 404, "text/html", "", "no-cache"},
		{"/protocol-numbers/history/6/", "", 200, "text/html", "", "no-cache"},
		{"/nope/", "", 404, "text/html", "", "no-cache"},
		{"/nope/latest", "", 404, "text/html", "", "no-cache"},
		{"/..%2f/", "", 404, "text/html", "", "no-cache"},
		{P + "/2030-01-01..x/", "", 400, "text/html", "", "no-cache"},
		{P + "/1990/", "", 404, "text/html", "", "no-cache"},
		{P + "/0123456789abcdef0123456789abcdef01234567/", "", 404, "text/html", "", "no-cache"},
		{P + "/2024-03-18/a/b/c", "", 404, "text/html", "", "no-cache"},
	}
	for _, tt := range tests {
		t.Run(tt.path+" "+tt.accept, func(t *testing.T) {
			resp, body := get(t, srv.URL+tt.path, "Accept", tt.accept)
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tt.status, body)
			}
			if ct := resp.Header.Get("Content-Type"); tt.ctype != "" && !strings.HasPrefix(ct, tt.ctype) {
				t.Errorf("Content-Type %q, want %s", ct, tt.ctype)
			}
			if loc := resp.Header.Get("Location"); loc != tt.location {
				t.Errorf("Location %q, want %q", loc, tt.location)
			}
			if cc := resp.Header.Get("Cache-Control"); !strings.Contains(cc, tt.cache) {
				t.Errorf("Cache-Control %q, want %s", cc, tt.cache)
			}
			if strings.HasPrefix(tt.ctype, "application/json") && !json.Valid(body) {
				t.Errorf("not JSON: %s", body)
			}
			if tt.status == 200 && tt.cache == "immutable" {
				etag := resp.Header.Get("ETag")
				resp2, _ := get(t, srv.URL+tt.path, "Accept", tt.accept, "If-None-Match", etag)
				if etag == "" || resp2.StatusCode != http.StatusNotModified {
					t.Errorf("ETag %q: a second request gave %d, want 304", etag, resp2.StatusCode)
				}
			}
		})
	}
	for _, m := range []string{"POST", "PUT", "DELETE"} {
		req, _ := http.NewRequest(m, srv.URL+"/", nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != "GET, HEAD" {
			t.Errorf("%s: %d, Allow %q", m, resp.StatusCode, resp.Header.Get("Allow"))
		}
	}
}

// TestServeJSONIsTheCommands: each page's JSON is byte for byte what the
// command prints with --json for the same spec, run here through runX.
func TestServeJSONIsTheCommands(t *testing.T) {
	store, srv := serveFixture(t)
	ctx := context.Background()
	const P = "/service-names-port-numbers"
	raw, err := os.ReadFile("testdata/ports-2024.xml")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		path string
		run  func(g *globals) error
	}{
		{P + "/diff/2019-12-31..2024-03-18.json", func(g *globals) error {
			return runDiff(ctx, &diffOptions{globals: g, from: "2019", to: "2024", json: true, color: "never"})
		}},
		{P + "/diff/2024-03-18..2019-12-31.json", func(g *globals) error {
			return runDiff(ctx, &diffOptions{globals: g, from: "2024", to: "2019", json: true, color: "never"})
		}},
		{P + "/history/81.json", func(g *globals) error {
			return runHistory(ctx, &historyOptions{globals: g, query: "81", json: true, color: "never"})
		}},
		{P + "/history/ssh/tcp.json", func(g *globals) error {
			return runHistory(ctx, &historyOptions{globals: g, query: "ssh/tcp", json: true, color: "never"})
		}},
		{"/protocol-numbers/history/6.json", func(g *globals) error {
			g.registry = "protocol-numbers"
			return runHistory(ctx, &historyOptions{globals: g, query: "6", json: true, color: "never"})
		}},
		{P + "/2019-12-31.json", func(g *globals) error {
			return runShow(ctx, &showOptions{globals: g, version: "2019", json: true})
		}},
		{P + "/index.json", func(g *globals) error {
			return runChangelog(ctx, &changelogOptions{globals: g, format: "json"})
		}},
		{"/index.json", func(g *globals) error { return runRegistries(ctx, &registriesOptions{globals: g, json: true}) }},
		{P + "/2024-03-18/raw.xml", func(g *globals) error { _, err := g.io.Out.Write(raw); return err }},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			g, out, _ := testGlobals(t, store)
			if err := tt.run(g); err != nil {
				t.Fatal(err)
			}
			resp, body := get(t, srv.URL+tt.path)
			if resp.StatusCode != 200 || !bytes.Equal(body, out.Bytes()) {
				t.Errorf("status %d; the server sent\n%s\nthe command printed\n%s", resp.StatusCode, body, out)
			}
		})
	}
}

// TestServeEscapes: registry text with markup is shown as text on every
// page, never as markup.
func TestServeEscapes(t *testing.T) {
	src, err := os.ReadFile("testdata/ports-2024.xml")
	if err != nil {
		t.Fatal(err)
	}
	const evil = `&lt;script&gt;alert(1)&lt;/script&gt;"&gt;&lt;img src=x onerror=alert(2)&gt;`
	hostile := strings.Replace(string(src), "<description>World Wide Web HTTP</description>", "<description>"+evil+"</description>", 1)
	hostile = strings.Replace(hostile, "<name>ssh</name>", "<name>ss&lt;b&gt;h</name>", 1)
	if hostile == string(src) {
		t.Fatal("fixture did not change")
	}
	file := filepath.Join(t.TempDir(), "ports-2025.xml")
	hostile = strings.Replace(hostile, "2024-03-18", "2025-01-02", -1)
	if err := os.WriteFile(file, []byte(hostile), 0o644); err != nil {
		t.Fatal(err)
	}
	_, srv := serveFixture(t, file)
	const P = "/service-names-port-numbers"
	for _, path := range []string{"/", P + "/", P + "/latest", P + "/2025-01-02/?q=script", P + "/diff/2024-03-18..2025-01-02/", P + "/history/80/", P + "/history/ss%3Cb%3Eh/", P + "/changelog.html", P + "/diff/%3Cscript%3E..x/", "/%3Cscript%3E/"} {
		resp, body := get(t, srv.URL+path)
		if resp.StatusCode == 302 {
			resp, body = get(t, srv.URL+resp.Header.Get("Location"))
		}
		for _, bad := range []string{"<script>alert", "<img", "<b>"} {
			if bytes.Contains(body, []byte(bad)) {
				t.Errorf("%s (%d) holds raw %q", path, resp.StatusCode, bad)
			}
		}
		t.Logf("%s: %d, %d bytes", path, resp.StatusCode, len(body))
	}
	_, body := get(t, srv.URL+P+"/2025-01-02/?q=onerror")
	if !bytes.Contains(body, []byte("&lt;script&gt;alert(1)")) {
		t.Errorf("the search for the hostile record did not show it escaped")
	}
}

// TestServePicksUpNewVersions: a version imported while the server runs
// is served at once, and latest moves to it.
func TestServePicksUpNewVersions(t *testing.T) {
	store := filepath.Join(t.TempDir(), "store")
	g, _, _ := testGlobals(t, store)
	ctx := context.Background()
	if err := runImport(ctx, &importOptions{globals: g, inputs: []string{"testdata/ports-2019.xml"}, quiet: true}); err != nil {
		t.Fatal(err)
	}
	srv := startServer(t, store)
	const P = "/service-names-port-numbers"
	if resp, _ := get(t, srv.URL+P+"/latest"); resp.Header.Get("Location") != P+"/2019-12-31/" {
		t.Fatalf("latest is %q", resp.Header.Get("Location"))
	}
	get(t, srv.URL+P+"/") // builds the changelog of one version
	// A history page is kept by the registry's tip: asked again it is the
	// same, a 304 to its ETag, until a version is added.
	const H = P + "/history/81/"
	resp, before := get(t, srv.URL+H)
	etag := resp.Header.Get("ETag")
	if resp, again := get(t, srv.URL+H); !bytes.Equal(again, before) || resp.Header.Get("ETag") != etag || etag == "" {
		t.Fatalf("history asked twice: ETag %q then %q, bodies equal %v", etag, resp.Header.Get("ETag"), bytes.Equal(again, before))
	}
	if resp, _ := get(t, srv.URL+H, "If-None-Match", etag); resp.StatusCode != http.StatusNotModified {
		t.Fatalf("history with its ETag: %d, want 304", resp.StatusCode)
	}
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for range 4 { // readers during the import
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				resp, body := get(t, srv.URL+P+"/")
				if resp.StatusCode != 200 {
					t.Errorf("during import: %d %s", resp.StatusCode, body)
					return
				}
			}
		}()
	}
	err := runImport(ctx, &importOptions{globals: g, inputs: []string{"testdata/ports-2024.xml"}, quiet: true})
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	if resp, _ := get(t, srv.URL+P+"/latest"); resp.Header.Get("Location") != P+"/2024-03-18/" {
		t.Errorf("after import, latest is %q", resp.Header.Get("Location"))
	}
	if _, body := get(t, srv.URL+P+"/"); !bytes.Contains(body, []byte("2024-03-18")) {
		t.Errorf("the registry page does not list the new version")
	}
	resp, after := get(t, srv.URL+H, "If-None-Match", etag)
	if resp.StatusCode != 200 || resp.Header.Get("ETag") == etag || bytes.Contains(before, []byte("2024-03-18")) || !bytes.Contains(after, []byte("2024-03-18")) {
		t.Errorf("history after the import, with the old ETag: %d, ETag %q (was %q); the new version shown: before %v, after %v",
			resp.StatusCode, resp.Header.Get("ETag"), etag, bytes.Contains(before, []byte("2024-03-18")), bytes.Contains(after, []byte("2024-03-18")))
	}
}

// TestServeClientGone: clients that hang up mid-request or mid-page leave
// the server answering the next one.
func TestServeClientGone(t *testing.T) {
	_, srv := serveFixture(t)
	addr := strings.TrimPrefix(srv.URL, "http://")
	for range 20 {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(c, "GET /service-names-port-numbers/diff/2019-12-31..2024-03-18/ HTTP/1.1\r\nHost: x\r\n\r\n")
		c.Read(make([]byte, 10)) // the first bytes, then gone
		c.Close()
		c, _ = net.Dial("tcp", addr)
		fmt.Fprintf(c, "GET /service-names-port-numbers/ HT") // half a request
		c.Close()
	}
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+"/service-names-port-numbers/history/22/", nil)
	cancel()
	if _, err := http.DefaultClient.Do(req); err == nil {
		t.Error("a cancelled request succeeded")
	}
	if resp, body := get(t, srv.URL+"/service-names-port-numbers/history/22/"); resp.StatusCode != 200 {
		t.Errorf("after the clients left: %d %s", resp.StatusCode, body)
	}
}

// TestRunServe: the command listens, serves and stops when its context is
// cancelled.
func TestRunServe(t *testing.T) {
	store, _ := serveFixture(t)
	g, _, errb := testGlobals(t, store)
	ctx, cancel := context.WithCancel(context.Background())
	addrc := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- runServe(ctx, &serveOptions{globals: g, addr: "127.0.0.1:0", ready: func(a string) { addrc <- a }})
	}()
	var addr string
	select {
	case addr = <-addrc:
	case err := <-done:
		t.Fatal(err)
	}
	if resp, _ := get(t, "http://"+addr+"/"); resp.StatusCode != 200 {
		t.Errorf("status %d", resp.StatusCode)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("runServe: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("runServe did not stop")
	}
	if !strings.Contains(errb.String(), "serving") {
		t.Errorf("stderr: %s", errb)
	}
	g, _, _ = testGlobals(t, store)
	if err := runServe(context.Background(), &serveOptions{globals: g, addr: "256.0.0.1:99999"}); err == nil {
		t.Error("a bad --addr was accepted")
	}
}

// TestServeBrowser renders each kind of page in headless Chromium: a
// screenshot (logged) and the DOM, with nothing on the console.
func TestServeBrowser(t *testing.T) {
	const chromium = "/usr/bin/chromium"
	if _, err := os.Stat(chromium); err != nil {
		t.Skipf("no browser at %s: %v", chromium, err)
	}
	if testing.Short() {
		t.Skip("-short: no browser")
	}
	_, srv := serveFixture(t)
	const P = "/service-names-port-numbers"
	dir := t.TempDir()
	for i, path := range []string{"/", P + "/", P + "/2024-03-18/", P + "/diff/2019-12-31..2024-03-18/", P + "/history/81/"} {
		shot := filepath.Join(dir, fmt.Sprintf("page-%d.png", i))
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		cmd := exec.CommandContext(ctx, chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
			"--disable-background-networking", "--disable-component-update", "--disable-sync", "--user-data-dir="+t.TempDir(),
			"--enable-logging=stderr", "--v=0", "--dump-dom", "--screenshot="+shot, "--window-size=1280,900", srv.URL+path)
		var out, errOut bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errOut
		err := cmd.Run()
		cancel()
		if err != nil {
			t.Fatalf("chromium %s: %v\n%s", path, err, errOut.String())
		}
		for _, line := range strings.Split(errOut.String(), "\n") {
			if strings.Contains(line, ":CONSOLE") {
				t.Errorf("%s: console: %s", path, line)
			}
		}
		if _, err := os.Stat(shot); err == nil {
			t.Logf("%s: screenshot %s", path, shot)
		} else if !strings.Contains(out.String(), "</table>") && !strings.Contains(out.String(), "</pre>") {
			t.Errorf("%s: no screenshot and no content: %s", path, out.String())
		}
	}
}

// realServer serves the shared bundle's store; cache is
// web.Options.CacheBytes (-1: every request renders its page).
func realServer(tb testing.TB, cache int) *httptest.Server {
	store, _ := realstore.Store(tb)
	s, err := snapshots.Open(store)
	if err != nil {
		tb.Fatal(err)
	}
	srv := httptest.NewServer(web.New(s, web.Options{CacheBytes: cache}))
	tb.Cleanup(srv.Close)
	return srv
}

// TestServeLoad: 200 concurrent requests across the kinds of page on the
// real store, with no error; p50 and p99 are logged.
func TestServeLoad(t *testing.T) {
	srv := realServer(t, 0)
	const P = "/service-names-port-numbers"
	paths := []string{"/", P + "/", P + "/latest", P + "/2019-12-31/?q=ssh", P + "/diff/2019..2024", P + "/diff/latest~1..latest",
		P + "/history/253/", P + "/history/22/tcp/", P + "/history/ssh/", "/protocol-numbers/", "/protocol-numbers/history/6/", P + "/feed.atom"}
	for _, p := range paths { // warm: the changelogs and the history cache
		get(t, srv.URL+p)
	}
	const n = 200
	times := make([]time.Duration, n)
	var wg sync.WaitGroup
	// 200 connections dialled at once overflow the listen queue, and a
	// dropped SYN is retried a second later: the latency measured would
	// be the kernel's. 64 connections carry the 200 concurrent requests.
	client := &http.Client{Transport: &http.Transport{MaxConnsPerHost: 64, MaxIdleConnsPerHost: 64}}
	var serverMu sync.Mutex
	var server []time.Duration
	h := srv.Config.Handler
	srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		h.ServeHTTP(w, r)
		serverMu.Lock()
		server = append(server, time.Since(start))
		serverMu.Unlock()
	})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			start := time.Now()
			resp, err := client.Get(srv.URL + paths[i%len(paths)])
			if err != nil {
				t.Error(err)
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			times[i] = time.Since(start)
			if resp.StatusCode != 200 {
				t.Errorf("%s: %d", paths[i%len(paths)], resp.StatusCode)
			}
		}()
	}
	wg.Wait()
	byPath := map[string]time.Duration{}
	for i, d := range times {
		byPath[paths[i%len(paths)]] = max(byPath[paths[i%len(paths)]], d)
	}
	for _, p := range paths {
		t.Logf("slowest %s: %v", p, byPath[p])
	}
	slices.Sort(times)
	t.Logf("%d concurrent requests over %d kinds of page, at the client: p50 %v, p99 %v, max %v", n, len(paths), times[n/2], times[n*99/100], times[n-1])
	slices.Sort(server)
	m := len(server)
	t.Logf("%d requests (redirects included), in the handler: p50 %v, p99 %v, max %v", m, server[m/2], server[m*99/100], server[m-1])
}

func benchServe(b *testing.B, path string) {
	srv := realServer(b, -1)
	h := srv.Config.Handler
	req := httptest.NewRequest("GET", path, nil)
	h.ServeHTTP(httptest.NewRecorder(), req) // warm
	b.ResetTimer()
	for range b.N {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != 200 {
			b.Fatalf("%s: %d", path, w.Code)
		}
	}
}

// BenchmarkServeHistory: history pages (target ≤ 50 ms) of a port, a
// port and transport, a service name and a value of another registry,
// rendered anew each time (no page cache), against BenchmarkCLIHistory,
// runHistory of port 253 to a buffer.
func BenchmarkServeHistory(b *testing.B) {
	for _, p := range []string{"service-names-port-numbers/history/253", "service-names-port-numbers/history/22/tcp", "service-names-port-numbers/history/ssh", "protocol-numbers/history/6"} {
		b.Run(strings.ReplaceAll(p, "/", "_"), func(b *testing.B) { benchServe(b, "/"+p+"/") })
	}
}

func BenchmarkCLIHistory(b *testing.B) {
	store, _ := realstore.Store(b)
	for range b.N {
		var out bytes.Buffer
		g := &globals{store: store, registry: snapshots.DefaultRegistry, io: &streams{Out: &out, Err: io.Discard, Getenv: func(string) string { return "" }}}
		if err := runHistory(context.Background(), &historyOptions{globals: g, query: "253", color: "never"}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkServeDiff: the diff page of 2019..2024 (target ≤ 150 ms),
// rendered anew each time (no page cache),
// against BenchmarkCLIDiff, runDiff of the same versions to a buffer.
func BenchmarkServeDiff(b *testing.B) {
	srv := realServer(b, -1)
	resp, _ := get(b, srv.URL+"/service-names-port-numbers/diff/2019..2024")
	benchServe(b, resp.Header.Get("Location"))
}

func BenchmarkCLIDiff(b *testing.B) {
	store, _ := realstore.Store(b)
	for range b.N {
		var out bytes.Buffer
		g := &globals{store: store, registry: snapshots.DefaultRegistry, io: &streams{Out: &out, Err: io.Discard, Getenv: func(string) string { return "" }}}
		if err := runDiff(context.Background(), &diffOptions{globals: g, from: "2019", to: "2024", format: "text", color: "never"}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkServeVersion: the page of a whole version of the port
// registry (about 14,000 records).
func BenchmarkServeVersion(b *testing.B) {
	srv := realServer(b, -1)
	resp, _ := get(b, srv.URL+"/service-names-port-numbers/2024")
	benchServe(b, resp.Header.Get("Location"))
}
