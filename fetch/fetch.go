// Package fetch downloads one registry file over HTTP and checks that the
// transfer is complete. It does not parse, hash or store what it gets; the
// caller does.
//
// # Behaviour
//
// [Get] makes a conditional GET from the [Validators] of the previous
// successful fetch and reports a 304 answer as [Result.NotModified].
// Only http and https URLs are accepted, for the first request and for
// each of at most 5 redirects.
//
// Failures that may go away by themselves are retried with exponential
// backoff and jitter: 5xx, 408 and 429 answers (honouring Retry-After),
// connection errors, timeouts and bodies cut short. Other answers, bodies
// over [Options.MaxBytes] ([ErrTooLarge]), refused URLs ([ErrUnsupportedURL])
// certificate errors and a host name that does not exist (DNS "no such
// host": offline, or a typo) are not retried. Cancelling the context stops
// at once.
//
// A gzip Content-Encoding is decoded, and the size limit applies to the
// decoded bytes.
//
// # Errors
//
// Every error names the URL, as in
//
//	fetch https://www.iana.org/x.xml: server answered 503 Service Unavailable after 4 attempts
//
// Callers branch with errors.Is on [ErrTooLarge], [ErrUnsupportedURL] and
// the context errors, and with errors.As on [*StatusError].
package fetch

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"runtime/debug"
	"strconv"
	"strings"
	"time"
)

// Validators are the response headers that make the next fetch conditional.
type Validators struct {
	ETag         string // sent back as If-None-Match
	LastModified string // sent back as If-Modified-Since
}

// Options tune [Get]. The zero value gives the defaults.
type Options struct {
	// Client makes the requests. Nil means a new client with a 30 s connect
	// timeout, a 10 s TLS handshake timeout, a 60 s wait for response
	// headers and a 2 min limit on each attempt as a whole. A given client
	// keeps its own timeouts; Get adds its redirect rules to a copy of it.
	Client *http.Client
	// Timeout limits each attempt as a whole when Client is nil; 0 means
	// 2 min.
	Timeout time.Duration
	// UserAgent defaults to "regdiff/VERSION (+https://github.com/regdiff/regdiff)",
	// with VERSION from the build information.
	UserAgent string
	// MaxBytes limits the decoded body; 0 means 64 MiB.
	MaxBytes int64
	// Retries is how many times a failed attempt is repeated; 0 means 3,
	// a negative number means none.
	Retries int
	// Backoff is the wait before the first retry, doubled for each later one
	// (up to 1 min) and spread by ±50% jitter; 0 means 1 s.
	Backoff time.Duration
	// Total bounds the whole download of one URL, every attempt and wait
	// included, so that a server sending a byte a second costs Total, not
	// Retries+1 times Timeout; 0 means 5 min, or Timeout when longer.
	Total time.Duration
	// Progress, if set, is called as the body arrives with the bytes read so
	// far in this attempt and the expected total (-1 when unknown). A retry
	// starts again from 0.
	Progress func(done, total int64)
}

// Defaults of [Options].
const (
	DefaultMaxBytes = 64 << 20
	DefaultRetries  = 3
	DefaultBackoff  = time.Second
	DefaultTotal    = 5 * time.Minute
)

const (
	maxRedirects = 5
	maxBackoff   = time.Minute
	// maxRetryAfter is the longest Retry-After honoured; a server asking
	// for a longer wait gets no retry.
	maxRetryAfter = 2 * time.Minute
)

// Result is a completed fetch.
type Result struct {
	URL         string     // as requested
	FinalURL    string     // after redirects
	NotModified bool       // the server answered 304; Body is nil
	Body        []byte     // decoded body of a 200 answer
	ContentType string     // Content-Type header of the answer
	Validators  Validators // for the next fetch; on 304, prev's unless the server sent new ones
	Status      int        // 200 or 304
	FetchedAt   time.Time  // when the answer's headers arrived, in UTC
	Attempts    int        // 1 when the first attempt succeeded
}

// ErrUnsupportedURL is returned for a URL, or a redirect target, that is not
// http or https with a host.
var ErrUnsupportedURL = errors.New("unsupported URL")

// ErrTooLarge is returned when a body exceeds [Options.MaxBytes].
var ErrTooLarge = errors.New("body too large")

// StatusError is returned when the server answers with a status other than
// 200 or 304.
type StatusError struct {
	Code       int           // e.g. 404
	Status     string        // e.g. "404 Not Found"
	RetryAfter time.Duration // from a Retry-After header, 0 if none
}

func (e *StatusError) Error() string {
	return "server answered " + e.Status
}

// Get downloads url. prev holds the validators of the previous successful
// fetch, or is zero for an unconditional one. On error the Result is nil.
func Get(ctx context.Context, url string, prev Validators, opts Options) (*Result, error) {
	if err := checkURL(url); err != nil {
		return nil, fmt.Errorf("fetch %s: %w", url, err)
	}
	opts = opts.withDefaults()
	client, cleanup := opts.client()
	defer cleanup()
	parent := ctx
	ctx, cancel := context.WithTimeoutCause(ctx, opts.Total, fmt.Errorf("%w: no complete answer in %s, attempts and waits together", context.DeadlineExceeded, opts.Total))
	defer cancel()
	// gaveUp is the error once ctx is done: the caller's, or Total's.
	gaveUp := func() error {
		if parent.Err() != nil {
			return parent.Err()
		}
		return context.Cause(ctx)
	}

	backoff := opts.Backoff
	for attempt := 1; ; attempt++ {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("fetch %s: %w%s", url, gaveUp(), after(attempt-1))
		}
		res, err := get(ctx, client, url, prev, opts)
		if err == nil {
			res.Attempts = attempt
			return res, nil
		}
		if ctx.Err() != nil {
			return nil, fmt.Errorf("fetch %s: %w%s (last: %v)", url, gaveUp(), after(attempt), err)
		}
		var se *StatusError
		if errors.As(err, &se) && se.RetryAfter > maxRetryAfter {
			return nil, fmt.Errorf("fetch %s: %w%s; not retrying: Retry-After %s is over the %s limit",
				url, err, after(attempt), se.RetryAfter, maxRetryAfter)
		}
		if attempt > opts.Retries || !retryable(err) {
			return nil, fmt.Errorf("fetch %s: %w%s", url, err, after(attempt))
		}

		wait := jitter(backoff)
		backoff = min(2*backoff, maxBackoff)
		if se != nil && se.RetryAfter > wait {
			wait = se.RetryAfter
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, fmt.Errorf("fetch %s: %w%s (last: %v)", url, gaveUp(), after(attempt), err)
		case <-t.C:
		}
	}
}

func after(attempts int) string {
	if attempts <= 1 {
		return ""
	}
	return fmt.Sprintf(" after %d attempts", attempts)
}

// jitter spreads d uniformly over [d/2, 3d/2).
func jitter(d time.Duration) time.Duration {
	if d <= 1 {
		return d
	}
	return d/2 + rand.N(d)
}

// checkURL refuses what is not an http or https URL with a host.
func checkURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return fmt.Errorf("%w: %v", ErrUnsupportedURL, err)
	}
	switch {
	case u.Scheme == "":
		return fmt.Errorf("%w: no scheme, want http or https", ErrUnsupportedURL)
	case u.Scheme != "http" && u.Scheme != "https":
		return fmt.Errorf("%w: scheme %q, want http or https", ErrUnsupportedURL, u.Scheme)
	case u.Hostname() == "":
		return fmt.Errorf("%w: no host", ErrUnsupportedURL)
	}
	return nil
}

var errTooManyRedirects = fmt.Errorf("stopped after %d redirects", maxRedirects)

func (o Options) withDefaults() Options {
	if o.UserAgent == "" {
		o.UserAgent = "regdiff/" + version() + " (+https://github.com/regdiff/regdiff)"
	}
	if o.MaxBytes <= 0 {
		o.MaxBytes = DefaultMaxBytes
	}
	switch {
	case o.Retries == 0:
		o.Retries = DefaultRetries
	case o.Retries < 0:
		o.Retries = 0
	}
	if o.Backoff <= 0 {
		o.Backoff = DefaultBackoff
	}
	if o.Total <= 0 {
		o.Total = max(DefaultTotal, o.Timeout) // a longer --timeout keeps at least one whole attempt
	}
	return o
}

func version() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "devel"
}

// client returns the client to use, with Get's redirect rules, and a
// function that releases what Get created.
func (o Options) client() (*http.Client, func()) {
	var c http.Client
	cleanup := func() {}
	if o.Client != nil {
		c = *o.Client
	} else {
		tr := &http.Transport{
			Proxy: http.ProxyFromEnvironment,
			DialContext: (&net.Dialer{
				Timeout:   30 * time.Second,
				KeepAlive: 30 * time.Second,
			}).DialContext,
			ForceAttemptHTTP2:     true,
			TLSHandshakeTimeout:   10 * time.Second,
			ResponseHeaderTimeout: 60 * time.Second,
			ExpectContinueTimeout: time.Second,
			IdleConnTimeout:       90 * time.Second,
		}
		timeout := o.Timeout
		if timeout <= 0 {
			timeout = 2 * time.Minute
		}
		c = http.Client{Transport: tr, Timeout: timeout}
		cleanup = tr.CloseIdleConnections
	}
	theirs := c.CheckRedirect
	c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if len(via) > maxRedirects {
			return errTooManyRedirects
		}
		if err := checkURL(req.URL.String()); err != nil {
			return fmt.Errorf("redirect to %s: %w", req.URL, err)
		}
		if theirs != nil {
			return theirs(req, via)
		}
		return nil
	}
	return &c, cleanup
}

// retryable tells whether another attempt may succeed where this one failed
// with err.
func retryable(err error) bool {
	var se *StatusError
	if errors.As(err, &se) {
		return se.Code >= 500 || se.Code == http.StatusTooManyRequests || se.Code == http.StatusRequestTimeout
	}
	var cert *tls.CertificateVerificationError
	var dns *net.DNSError
	if errors.As(err, &dns) && dns.IsNotFound {
		return false // a name that does not exist will not exist in a second either
	}
	return !errors.Is(err, ErrTooLarge) &&
		!errors.Is(err, ErrUnsupportedURL) &&
		!errors.Is(err, errTooManyRedirects) &&
		!errors.Is(err, errEncoding) &&
		!errors.As(err, &cert)
}

var errEncoding = errors.New("unsupported Content-Encoding")

// get makes one attempt.
func get(ctx context.Context, client *http.Client, rawURL string, prev Validators, opts Options) (*Result, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("User-Agent", opts.UserAgent)
	if prev.ETag != "" {
		req.Header.Set("If-None-Match", prev.ETag)
	}
	if prev.LastModified != "" {
		req.Header.Set("If-Modified-Since", prev.LastModified)
	}
	conditional := prev != Validators{}

	resp, err := client.Do(req)
	if err != nil {
		// *url.Error repeats the URL, which the caller's message already has.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, err
	}
	defer resp.Body.Close()

	res := &Result{
		URL:         rawURL,
		FinalURL:    resp.Request.URL.String(),
		ContentType: resp.Header.Get("Content-Type"),
		Validators: Validators{
			ETag:         resp.Header.Get("ETag"),
			LastModified: resp.Header.Get("Last-Modified"),
		},
		Status:    resp.StatusCode,
		FetchedAt: time.Now().UTC(),
	}
	switch {
	case resp.StatusCode == http.StatusNotModified && conditional:
		res.NotModified = true
		if res.Validators.ETag == "" {
			res.Validators.ETag = prev.ETag
		}
		if res.Validators.LastModified == "" {
			res.Validators.LastModified = prev.LastModified
		}
		return res, nil
	case resp.StatusCode != http.StatusOK:
		// Read a little so that the connection can be reused.
		_, _ = io.CopyN(io.Discard, resp.Body, 4<<10)
		status := resp.Status
		if status == "" {
			status = strconv.Itoa(resp.StatusCode) + " " + http.StatusText(resp.StatusCode)
		}
		return nil, &StatusError{
			Code:       resp.StatusCode,
			Status:     status,
			RetryAfter: retryAfter(resp.Header.Get("Retry-After"), res.FetchedAt),
		}
	}

	res.Body, err = readBody(resp, opts)
	if err != nil {
		return nil, err
	}
	return res, nil
}

// retryAfter parses a Retry-After header, in seconds or as an HTTP date.
func retryAfter(h string, now time.Time) time.Duration {
	if h == "" {
		return 0
	}
	if s, err := strconv.ParseInt(strings.TrimSpace(h), 10, 64); err == nil {
		if s <= 0 {
			return 0
		}
		// Cap before converting so that huge values cannot overflow.
		return time.Duration(min(s, int64(24*time.Hour/time.Second))) * time.Second
	}
	if t, err := http.ParseTime(h); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// readBody reads a 200 answer's body, decoding gzip if the transport did
// not, within opts.MaxBytes.
func readBody(resp *http.Response, opts Options) ([]byte, error) {
	total := resp.ContentLength
	if total > opts.MaxBytes {
		return nil, fmt.Errorf("%w: Content-Length %d is over the limit of %s", ErrTooLarge, total, size(opts.MaxBytes))
	}

	raw := &countingReader{r: resp.Body}
	var r io.Reader = raw
	switch enc := strings.ToLower(resp.Header.Get("Content-Encoding")); enc {
	case "", "identity":
	case "gzip", "x-gzip":
		zr, err := gzip.NewReader(raw)
		if err != nil {
			return nil, fmt.Errorf("read gzip body: %w", err)
		}
		defer zr.Close()
		r = zr
		total = -1
	default:
		return nil, fmt.Errorf("%w %q", errEncoding, enc)
	}

	var buf bytes.Buffer
	if total > 0 {
		buf.Grow(int(total))
	}
	lr := io.LimitReader(r, opts.MaxBytes+1)
	chunk := make([]byte, 32<<10)
	for {
		n, err := lr.Read(chunk)
		buf.Write(chunk[:n])
		if n > 0 && opts.Progress != nil {
			opts.Progress(int64(buf.Len()), total)
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			if errors.Is(err, io.ErrUnexpectedEOF) && resp.ContentLength >= 0 {
				return nil, fmt.Errorf("body cut short at %d of %d bytes: %w", raw.n, resp.ContentLength, err)
			}
			return nil, fmt.Errorf("read body: %w", err)
		}
	}
	if int64(buf.Len()) > opts.MaxBytes {
		return nil, fmt.Errorf("%w: over the limit of %s", ErrTooLarge, size(opts.MaxBytes))
	}
	if resp.ContentLength >= 0 && raw.n != resp.ContentLength {
		return nil, fmt.Errorf("body has %d bytes, Content-Length says %d: %w", raw.n, resp.ContentLength, io.ErrUnexpectedEOF)
	}
	return buf.Bytes(), nil
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// size formats a byte count for messages: "64 MiB", or "1000 bytes".
func size(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}
