package fetch

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// regBody stands for a registry file.
var regBody = []byte(strings.Repeat("<record><name>http</name><number>80</number></record>\n", 200))

// server is a loopback test server that counts and records its requests.
type server struct {
	*httptest.Server
	hits atomic.Int32
	mu   sync.Mutex
	reqs []*http.Request // clones, without bodies
}

// newServer starts a server whose handler gets the 1-based number of each
// request.
func newServer(t *testing.T, h func(n int, w http.ResponseWriter, r *http.Request)) *server {
	t.Helper()
	s := &server{}
	s.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := int(s.hits.Add(1))
		s.mu.Lock()
		s.reqs = append(s.reqs, r.Clone(context.Background()))
		s.mu.Unlock()
		h(n, w, r)
	}))
	s.Config.ErrorLog = log.New(io.Discard, "", 0)
	s.Start()
	t.Cleanup(s.Close)
	return s
}

func (s *server) requests() []*http.Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*http.Request(nil), s.reqs...)
}

func serve(w http.ResponseWriter, body []byte) {
	w.Header().Set("Content-Type", "application/xml")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.Write(body)
}

func gzipped(t testing.TB, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// resetAfter answers 200 with the full Content-Length of body, sends part
// of it, and resets the connection.
func resetAfter(t *testing.T, w http.ResponseWriter, body []byte, part int) {
	conn, rw, err := http.NewResponseController(w).Hijack()
	if err != nil {
		t.Errorf("hijack: %v", err)
		return
	}
	fmt.Fprintf(rw, "HTTP/1.1 200 OK\r\nContent-Type: application/xml\r\nContent-Length: %d\r\n\r\n", len(body))
	rw.Write(body[:part])
	rw.Flush()
	time.Sleep(20 * time.Millisecond) // let the client read the part first
	if tc, ok := conn.(*net.TCPConn); ok {
		tc.SetLinger(0) // close with RST rather than FIN
	}
	conn.Close()
}

func TestGet(t *testing.T) {
	t.Parallel()
	bomb := gzipped(t, make([]byte, 8<<20)) // 8 KiB that decode to 8 MiB
	gzBody := gzipped(t, regBody)

	tests := []struct {
		name    string
		handler func(t *testing.T, n int, w http.ResponseWriter, r *http.Request)
		prev    Validators
		opts    Options // Backoff 0 becomes 1ms
		// want has "{URL}" in URL and FinalURL for the requested URL and
		// "{BASE}" for the server; FetchedAt is checked separately.
		want     *Result
		wantErr  string // exact, with the same placeholders
		wantIs   error
		wantCode int // of a *StatusError
		wantHits int
		check    func(t *testing.T, reqs []*http.Request)
	}{
		{
			name: "200 with body",
			handler: func(t *testing.T, n int, w http.ResponseWriter, r *http.Request) {
				w.Header().Set("ETag", `"abc"`)
				w.Header().Set("Last-Modified", "Tue, 01 Apr 2025 10:00:00 GMT")
				serve(w, regBody)
			},
			want: &Result{URL: "{URL}", FinalURL: "{URL}", Body: regBody, ContentType: "application/xml",
				Validators: Validators{`"abc"`, "Tue, 01 Apr 2025 10:00:00 GMT"}, Status: 200, Attempts: 1},
			wantHits: 1,
			check: func(t *testing.T, reqs []*http.Request) {
				for _, h := range []string{"If-None-Match", "If-Modified-Since"} {
					if got := reqs[0].Header.Get(h); got != "" {
						t.Errorf("unconditional request has %s %q, want none", h, got)
					}
				}
			},
		},
		{
			name: "200 drops old validators",
			prev: Validators{`"old"`, "Mon, 01 Jan 2024 00:00:00 GMT"},
			handler: func(t *testing.T, n int, w http.ResponseWriter, r *http.Request) {
				serve(w, regBody)
			},
			want: &Result{URL: "{URL}", FinalURL: "{URL}", Body: regBody, ContentType: "application/xml",
				Status: 200, Attempts: 1},
			wantHits: 1,
		},
		{
			name: "304 with new validators",
			prev: Validators{`"v1"`, "Mon, 01 Jan 2024 00:00:00 GMT"},
			handler: func(t *testing.T, n int, w http.ResponseWriter, r *http.Request) {
				w.Header().Set("ETag", `"v2"`)
				w.WriteHeader(http.StatusNotModified)
			},
			want: &Result{URL: "{URL}", FinalURL: "{URL}", NotModified: true,
				Validators: Validators{`"v2"`, "Mon, 01 Jan 2024 00:00:00 GMT"}, Status: 304, Attempts: 1},
			wantHits: 1,
			check: func(t *testing.T, reqs []*http.Request) {
				if got, want := reqs[0].Header.Get("If-None-Match"), `"v1"`; got != want {
					t.Errorf("If-None-Match = %q, want %q", got, want)
				}
				if got, want := reqs[0].Header.Get("If-Modified-Since"), "Mon, 01 Jan 2024 00:00:00 GMT"; got != want {
					t.Errorf("If-Modified-Since = %q, want %q", got, want)
				}
			},
		},
		{
			name: "304 without validators keeps prev",
			prev: Validators{ETag: `W/"v1"`},
			handler: func(t *testing.T, n int, w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(http.StatusNotModified)
			},
			want: &Result{URL: "{URL}", FinalURL: "{URL}", NotModified: true,
				Validators: Validators{ETag: `W/"v1"`}, Status: 304, Attempts: 1},
			wantHits: 1,
			check: func(t *testing.T, reqs []*http.Request) {
				if got, want := reqs[0].Header.Get("If-None-Match"), `W/"v1"`; got != want {
					t.Errorf("If-None-Match = %q, want %q", got, want)
				}
				if got := reqs[0].Header.Get("If-Modified-Since"); got != "" {
					t.Errorf("If-Modified-Since = %q, want none", got)
				}
			},
		},
		{
			name: "304 to an unconditional request",
			handler: func(t *testing.T, n int, w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(http.StatusNotModified)
			},
			wantErr:  "fetch {URL}: server answered 304 Not Modified",
			wantCode: 304,
			wantHits: 1,
		},
		{
			name: "500 500 200",
			handler: func(t *testing.T, n int, w http.ResponseWriter, r *http.Request) {
				if n < 3 {
					http.Error(w, "busy", http.StatusInternalServerError)
					return
				}
				serve(w, regBody)
			},
			want: &Result{URL: "{URL}", FinalURL: "{URL}", Body: regBody, ContentType: "application/xml",
				Status: 200, Attempts: 3},
			wantHits: 3,
		},
		{
			name: "503 forever",
			opts: Options{Retries: 2},
			handler: func(t *testing.T, n int, w http.ResponseWriter, r *http.Request) {
				http.Error(w, "down", http.StatusServiceUnavailable)
			},
			wantErr:  "fetch {URL}: server answered 503 Service Unavailable after 3 attempts",
			wantCode: 503,
			wantHits: 3,
		},
		{
			name: "500 forever with default retries",
			handler: func(t *testing.T, n int, w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(http.StatusInternalServerError)
			},
			wantErr:  "fetch {URL}: server answered 500 Internal Server Error after 4 attempts",
			wantCode: 500,
			wantHits: 4,
		},
		{
			name: "500 with retries off",
			opts: Options{Retries: -1},
			handler: func(t *testing.T, n int, w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(http.StatusInternalServerError)
			},
			wantErr:  "fetch {URL}: server answered 500 Internal Server Error",
			wantCode: 500,
			wantHits: 1,
		},
		{
			name: "404 not retried",
			handler: func(t *testing.T, n int, w http.ResponseWriter, r *http.Request) {
				http.NotFound(w, r)
			},
			wantErr:  "fetch {URL}: server answered 404 Not Found",
			wantCode: 404,
			wantHits: 1,
		},
		{
			name: "429 with Retry-After 0 retried",
			handler: func(t *testing.T, n int, w http.ResponseWriter, r *http.Request) {
				if n == 1 {
					w.Header().Set("Retry-After", "0")
					w.WriteHeader(http.StatusTooManyRequests)
					return
				}
				serve(w, regBody)
			},
			want: &Result{URL: "{URL}", FinalURL: "{URL}", Body: regBody, ContentType: "application/xml",
				Status: 200, Attempts: 2},
			wantHits: 2,
		},
		{
			name: "429 asking for too long a wait",
			handler: func(t *testing.T, n int, w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Retry-After", "3600")
				w.WriteHeader(http.StatusTooManyRequests)
			},
			wantErr:  "fetch {URL}: server answered 429 Too Many Requests; not retrying: Retry-After 1h0m0s is over the 2m0s limit",
			wantCode: 429,
			wantHits: 1,
		},
		{
			name: "slow answer hits the attempt timeout, then succeeds",
			opts: Options{Client: &http.Client{Timeout: 100 * time.Millisecond}},
			handler: func(t *testing.T, n int, w http.ResponseWriter, r *http.Request) {
				if n == 1 {
					select {
					case <-r.Context().Done():
					case <-time.After(5 * time.Second):
						t.Error("client did not give up on the slow answer")
					}
					return
				}
				serve(w, regBody)
			},
			want: &Result{URL: "{URL}", FinalURL: "{URL}", Body: regBody, ContentType: "application/xml",
				Status: 200, Attempts: 2},
			wantHits: 2,
		},
		{
			name: "connection reset mid-body retried",
			handler: func(t *testing.T, n int, w http.ResponseWriter, r *http.Request) {
				if n == 1 {
					resetAfter(t, w, regBody, len(regBody)/2)
					return
				}
				serve(w, regBody)
			},
			want: &Result{URL: "{URL}", FinalURL: "{URL}", Body: regBody, ContentType: "application/xml",
				Status: 200, Attempts: 2},
			wantHits: 2,
		},
		{
			name: "body shorter than Content-Length",
			opts: Options{Retries: 2},
			handler: func(t *testing.T, n int, w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Length", "100")
				w.Write(regBody[:50])
			},
			wantErr:  "fetch {URL}: body cut short at 50 of 100 bytes: unexpected EOF after 3 attempts",
			wantIs:   io.ErrUnexpectedEOF,
			wantHits: 3,
		},
		{
			name: "Content-Length over MaxBytes",
			opts: Options{MaxBytes: 1000},
			handler: func(t *testing.T, n int, w http.ResponseWriter, r *http.Request) {
				serve(w, regBody[:2000])
			},
			wantErr:  "fetch {URL}: body too large: Content-Length 2000 is over the limit of 1000 bytes",
			wantIs:   ErrTooLarge,
			wantHits: 1,
		},
		{
			name: "chunked body over MaxBytes",
			opts: Options{MaxBytes: 1000},
			handler: func(t *testing.T, n int, w http.ResponseWriter, r *http.Request) {
				w.Write(regBody[:600])
				w.(http.Flusher).Flush() // no Content-Length from here on
				w.Write(regBody[600:1200])
			},
			wantErr:  "fetch {URL}: body too large: over the limit of 1000 bytes",
			wantIs:   ErrTooLarge,
			wantHits: 1,
		},
		{
			name: "chunked body of exactly MaxBytes",
			opts: Options{MaxBytes: 1000},
			handler: func(t *testing.T, n int, w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/xml")
				w.Write(regBody[:600])
				w.(http.Flusher).Flush()
				w.Write(regBody[600:1000])
			},
			want: &Result{URL: "{URL}", FinalURL: "{URL}", Body: regBody[:1000], ContentType: "text/xml",
				Status: 200, Attempts: 1},
			wantHits: 1,
		},
		{
			name: "gzip decoded",
			handler: func(t *testing.T, n int, w http.ResponseWriter, r *http.Request) {
				if !strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
					serve(w, regBody)
					return
				}
				w.Header().Set("Content-Encoding", "gzip")
				serve(w, gzBody)
			},
			want: &Result{URL: "{URL}", FinalURL: "{URL}", Body: regBody, ContentType: "application/xml",
				Status: 200, Attempts: 1},
			wantHits: 1,
			check: func(t *testing.T, reqs []*http.Request) {
				if got := reqs[0].Header.Get("Accept-Encoding"); got != "gzip" {
					t.Errorf("Accept-Encoding = %q, want gzip (else the body did not travel compressed)", got)
				}
			},
		},
		{
			name: "gzip bomb",
			opts: Options{MaxBytes: 1 << 20},
			handler: func(t *testing.T, n int, w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Encoding", "gzip")
				serve(w, bomb)
			},
			wantErr:  "fetch {URL}: body too large: over the limit of 1 MiB",
			wantIs:   ErrTooLarge,
			wantHits: 1,
		},
		{
			name: "gzip sent unasked is decoded",
			opts: Options{Client: &http.Client{Transport: &http.Transport{DisableCompression: true}}},
			handler: func(t *testing.T, n int, w http.ResponseWriter, r *http.Request) {
				if got := r.Header.Get("Accept-Encoding"); got != "" {
					t.Errorf("Accept-Encoding = %q, want none", got)
				}
				w.Header().Set("Content-Encoding", "gzip")
				serve(w, gzBody)
			},
			want: &Result{URL: "{URL}", FinalURL: "{URL}", Body: regBody, ContentType: "application/xml",
				Status: 200, Attempts: 1},
			wantHits: 1,
		},
		{
			name: "gzip bomb sent unasked",
			opts: Options{MaxBytes: 1 << 20, Client: &http.Client{Transport: &http.Transport{DisableCompression: true}}},
			handler: func(t *testing.T, n int, w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Encoding", "gzip")
				serve(w, bomb)
			},
			wantErr:  "fetch {URL}: body too large: over the limit of 1 MiB",
			wantIs:   ErrTooLarge,
			wantHits: 1,
		},
		{
			name: "unknown Content-Encoding",
			opts: Options{Client: &http.Client{Transport: &http.Transport{DisableCompression: true}}},
			handler: func(t *testing.T, n int, w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Encoding", "br")
				serve(w, regBody)
			},
			wantErr:  `fetch {URL}: unsupported Content-Encoding "br"`,
			wantHits: 1,
		},
		{
			name: "redirect followed",
			handler: func(t *testing.T, n int, w http.ResponseWriter, r *http.Request) {
				if r.URL.Path != "/new.xml" {
					http.Redirect(w, r, "/new.xml", http.StatusMovedPermanently)
					return
				}
				serve(w, regBody)
			},
			want: &Result{URL: "{URL}", FinalURL: "{BASE}/new.xml", Body: regBody, ContentType: "application/xml",
				Status: 200, Attempts: 1},
			wantHits: 2,
		},
		{
			name: "redirect to file refused",
			handler: func(t *testing.T, n int, w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, "file:///etc/passwd", http.StatusFound)
			},
			wantErr:  `fetch {URL}: redirect to file:///etc/passwd: unsupported URL: scheme "file", want http or https`,
			wantIs:   ErrUnsupportedURL,
			wantHits: 1,
		},
		{
			name: "redirect loop",
			handler: func(t *testing.T, n int, w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, fmt.Sprintf("/loop%d", n), http.StatusFound)
			},
			wantErr:  "fetch {URL}: stopped after 5 redirects",
			wantHits: 6,
		},
		{
			name: "custom User-Agent",
			opts: Options{UserAgent: "test-agent/1"},
			handler: func(t *testing.T, n int, w http.ResponseWriter, r *http.Request) {
				serve(w, regBody)
			},
			want: &Result{URL: "{URL}", FinalURL: "{URL}", Body: regBody, ContentType: "application/xml",
				Status: 200, Attempts: 1},
			wantHits: 1,
			check: func(t *testing.T, reqs []*http.Request) {
				if got, want := reqs[0].Header.Get("User-Agent"), "test-agent/1"; got != want {
					t.Errorf("User-Agent = %q, want %q", got, want)
				}
			},
		},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) { tt.handler(t, n, w, r) })
			url := srv.URL + "/reg.xml"
			fill := strings.NewReplacer("{URL}", url, "{BASE}", srv.URL).Replace
			opts := tt.opts
			if opts.Backoff == 0 {
				opts.Backoff = time.Millisecond
			}

			before := time.Now()
			got, err := Get(context.Background(), url, tt.prev, opts)
			afterGet := time.Now()

			if tt.wantErr != "" {
				if err == nil {
					t.Fatalf("Get succeeded with status %d, want error %q", got.Status, fill(tt.wantErr))
				}
				if got != nil {
					t.Errorf("Get returned a Result with its error: %+v", got)
				}
				if err.Error() != fill(tt.wantErr) {
					t.Errorf("error:\n got %q\nwant %q", err, fill(tt.wantErr))
				}
			} else if err != nil {
				t.Fatalf("Get: %v", err)
			}
			if tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
				t.Errorf("errors.Is(%v, %v) = false, want true", err, tt.wantIs)
			}
			if tt.wantCode != 0 {
				var se *StatusError
				if !errors.As(err, &se) {
					t.Errorf("error %v is not a *StatusError", err)
				} else if se.Code != tt.wantCode {
					t.Errorf("StatusError.Code = %d, want %d", se.Code, tt.wantCode)
				}
			}
			if tt.want != nil {
				if got.FetchedAt.Before(before) || got.FetchedAt.After(afterGet) || got.FetchedAt.Location() != time.UTC {
					t.Errorf("FetchedAt = %v, want a UTC time between %v and %v", got.FetchedAt, before, afterGet)
				}
				want := *tt.want
				want.URL, want.FinalURL = fill(want.URL), fill(want.FinalURL)
				g := *got
				g.FetchedAt = time.Time{}
				if !reflect.DeepEqual(g, want) {
					g.Body, want.Body = summarize(g.Body), summarize(want.Body)
					t.Errorf("Result:\n got %+v\nwant %+v", g, want)
				}
			}
			if got := int(srv.hits.Load()); got != tt.wantHits {
				t.Errorf("server got %d requests, want %d", got, tt.wantHits)
			}
			if tt.check != nil {
				tt.check(t, srv.requests())
			}
		})
	}
}

// summarize shortens a body for messages.
func summarize(b []byte) []byte {
	if len(b) <= 40 {
		return b
	}
	return fmt.Appendf(nil, "%s… (%d bytes)", b[:40], len(b))
}

// noRequests is a transport that fails the test if it is ever used.
type noRequests struct{ t *testing.T }

func (rt noRequests) RoundTrip(r *http.Request) (*http.Response, error) {
	rt.t.Errorf("request made to %s", r.URL)
	return nil, errors.New("no requests allowed")
}

func TestGetRefusesURLs(t *testing.T) {
	t.Parallel()
	tests := []struct {
		url  string
		want string
	}{
		{"file:///etc/passwd", `fetch file:///etc/passwd: unsupported URL: scheme "file", want http or https`},
		{"ftp://ftp.iana.org/reg.xml", `fetch ftp://ftp.iana.org/reg.xml: unsupported URL: scheme "ftp", want http or https`},
		{"www.iana.org/assignments/x.xml", `fetch www.iana.org/assignments/x.xml: unsupported URL: no scheme, want http or https`},
		{"", `fetch : unsupported URL: no scheme, want http or https`},
		{"http:///x.xml", `fetch http:///x.xml: unsupported URL: no host`},
		{"https://:443/x.xml", `fetch https://:443/x.xml: unsupported URL: no host`},
		{"mailto:iana@iana.org", `fetch mailto:iana@iana.org: unsupported URL: scheme "mailto", want http or https`},
		{"http://[::1/x", `fetch http://[::1/x: unsupported URL: missing ']' in host`},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			opts := Options{Client: &http.Client{Transport: noRequests{t}}}
			res, err := Get(context.Background(), tt.url, Validators{}, opts)
			if err == nil {
				t.Fatalf("Get succeeded: %+v", res)
			}
			if err.Error() != tt.want {
				t.Errorf("error:\n got %q\nwant %q", err, tt.want)
			}
			if !errors.Is(err, ErrUnsupportedURL) {
				t.Errorf("errors.Is(%v, ErrUnsupportedURL) = false", err)
			}
		})
	}
}

func TestGetAcceptsUpperCaseScheme(t *testing.T) {
	t.Parallel()
	srv := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) { serve(w, regBody) })
	url := "HTTP://" + strings.TrimPrefix(srv.URL, "http://") + "/reg.xml"
	res, err := Get(context.Background(), url, Validators{}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(res.Body, regBody) {
		t.Errorf("got body of %d bytes, want %d", len(res.Body), len(regBody))
	}
}

func TestGetConnectionResetMidBody(t *testing.T) {
	t.Parallel()
	srv := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
		resetAfter(t, w, regBody, len(regBody)/2)
	})
	var done int64
	progress := func(d, _ int64) { done = d }
	_, err := Get(context.Background(), srv.URL, Validators{}, Options{Retries: -1, Progress: progress})
	if !errors.Is(err, syscall.ECONNRESET) {
		t.Fatalf("error = %v, want connection reset", err)
	}
	if want := "fetch " + srv.URL + ": read body: "; !strings.HasPrefix(err.Error(), want) {
		t.Errorf("error = %q, want prefix %q", err, want)
	}
	if done != int64(len(regBody)/2) {
		t.Errorf("read %d bytes before the reset, want %d", done, len(regBody)/2)
	}
}

func TestGetRetryAfter(t *testing.T) {
	t.Parallel()
	var first atomic.Int64 // UnixNano of the first request
	srv := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
		if n == 1 {
			first.Store(time.Now().UnixNano())
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		if waited := time.Since(time.Unix(0, first.Load())); waited < time.Second {
			t.Errorf("retried after %v, want at least the 1s of Retry-After", waited)
		}
		serve(w, regBody)
	})
	res, err := Get(context.Background(), srv.URL, Validators{}, Options{Backoff: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if res.Attempts != 2 {
		t.Errorf("Attempts = %d, want 2", res.Attempts)
	}
}

func TestGetCancelDuringBackoff(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	srv := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
		time.AfterFunc(50*time.Millisecond, cancel)
	})

	start := time.Now()
	res, err := Get(ctx, srv.URL, Validators{}, Options{Backoff: 10 * time.Second})
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("Get took %v after cancellation, want it to return promptly", took)
	}
	if err == nil {
		t.Fatalf("Get succeeded: %+v", res)
	}
	if !errors.Is(err, context.Canceled) {
		t.Errorf("errors.Is(%v, context.Canceled) = false", err)
	}
	want := "fetch " + srv.URL + ": context canceled (last: server answered 503 Service Unavailable)"
	if err.Error() != want {
		t.Errorf("error:\n got %q\nwant %q", err, want)
	}
	if got := srv.hits.Load(); got != 1 {
		t.Errorf("server got %d requests, want 1", got)
	}
}

func TestGetCancelledContext(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	opts := Options{Client: &http.Client{Transport: noRequests{t}}}
	_, err := Get(ctx, "https://www.iana.org/x.xml", Validators{}, opts)
	if want := "fetch https://www.iana.org/x.xml: context canceled"; err == nil || err.Error() != want {
		t.Errorf("error = %v, want %q", err, want)
	}
	if !errors.Is(err, context.Canceled) {
		t.Errorf("errors.Is(%v, context.Canceled) = false", err)
	}
}

func TestGetConnectionRefused(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close() // nothing listens there any more

	_, err := Get(context.Background(), url, Validators{}, Options{Retries: 2, Backoff: time.Millisecond})
	if !errors.Is(err, syscall.ECONNREFUSED) {
		t.Fatalf("error = %v, want connection refused", err)
	}
	if !strings.HasPrefix(err.Error(), "fetch "+url+": ") || !strings.HasSuffix(err.Error(), " after 3 attempts") {
		t.Errorf("error = %q, want it to name the URL and end with the 3 attempts", err)
	}
}

func TestGetCertificateErrorNotRetried(t *testing.T) {
	t.Parallel()
	var hits atomic.Int32
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
	}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	defer srv.Close()

	// The default client does not trust the test certificate.
	_, err := Get(context.Background(), srv.URL, Validators{}, Options{Backoff: time.Millisecond})
	if err == nil {
		t.Fatal("Get succeeded against an untrusted certificate")
	}
	if !strings.HasPrefix(err.Error(), "fetch "+srv.URL+": tls: failed to verify certificate") {
		t.Errorf("error = %q, want a certificate error naming the URL", err)
	}
	if strings.Contains(err.Error(), "attempts") {
		t.Errorf("error = %q, want no retries", err)
	}
	if hits.Load() != 0 {
		t.Errorf("server got %d requests, want 0", hits.Load())
	}
}

func TestGetDefaultUserAgent(t *testing.T) {
	t.Parallel()
	srv := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) { serve(w, regBody) })
	if _, err := Get(context.Background(), srv.URL, Validators{}, Options{}); err != nil {
		t.Fatal(err)
	}
	ua := srv.requests()[0].Header.Get("User-Agent")
	// Test binaries carry no module version.
	if want := "regdiff/devel (+https://github.com/regdiff/regdiff)"; ua != want {
		t.Errorf("User-Agent = %q, want %q", ua, want)
	}
}

func TestGetProgress(t *testing.T) {
	t.Parallel()
	big := bytes.Repeat(regBody, 20) // several reads
	srv := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) { serve(w, big) })

	var calls int
	var last int64
	progress := func(done, total int64) {
		calls++
		if total != int64(len(big)) {
			t.Errorf("Progress total = %d, want %d", total, len(big))
		}
		if done <= last || done > total {
			t.Errorf("Progress done = %d after %d, want increasing up to %d", done, last, total)
		}
		last = done
	}
	if _, err := Get(context.Background(), srv.URL, Validators{}, Options{Progress: progress}); err != nil {
		t.Fatal(err)
	}
	if calls < 2 || last != int64(len(big)) {
		t.Errorf("Progress called %d times ending at %d, want several ending at %d", calls, last, len(big))
	}
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2025, 4, 1, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		header string
		want   time.Duration
	}{
		{"", 0},
		{"0", 0},
		{"-5", 0},
		{"7", 7 * time.Second},
		{" 7 ", 7 * time.Second},
		{"99999999999999999", 24 * time.Hour},
		{"Tue, 01 Apr 2025 10:00:30 GMT", 30 * time.Second},
		{"Tue, 01 Apr 2025 09:00:00 GMT", 0},
		{"soon", 0},
	}
	for _, tt := range tests {
		if got := retryAfter(tt.header, now); got != tt.want {
			t.Errorf("retryAfter(%q) = %v, want %v", tt.header, got, tt.want)
		}
	}
}

func TestJitter(t *testing.T) {
	for range 1000 {
		if got := jitter(time.Second); got < 500*time.Millisecond || got >= 1500*time.Millisecond {
			t.Fatalf("jitter(1s) = %v, want within [0.5s, 1.5s)", got)
		}
	}
}
