package web

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/regdiff/regdiff/snapshots"
	"github.com/regdiff/regdiff/snapshots/formats"
)

// TestHistoryKeptByTip: a history page asked again, at the same registry
// tip, is served without being worked out again (the handler's history
// index is taken away after the first request), and answers its ETag with
// 304.
func TestHistoryKeptByTip(t *testing.T) {
	s, err := snapshots.Create(filepath.Join(t.TempDir(), "store"))
	if err != nil {
		t.Fatal(err)
	}
	raw := []byte(`<?xml version="1.0" encoding="UTF-8"?>
<registry xmlns="http://www.iana.org/assignments" id="service-names-port-numbers">
  <title>Service Name and Transport Protocol Port Number Registry</title>
  <updated>2020-01-01</updated>
  <record><name>ssh</name><protocol>tcp</protocol><number>22</number><description>The Secure Shell (SSH) Protocol</description></record>
</registry>
`)
	reg, err := formats.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	p, err := s.Prepare(raw, reg, snapshots.Source{Kind: "file", Location: "t.xml"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Commit([]snapshots.Prepared{p}); err != nil {
		t.Fatal(err)
	}
	h := New(s, Options{})
	get := func(inm string) *httptest.ResponseRecorder {
		req := httptest.NewRequest("GET", "/service-names-port-numbers/history/22/", nil)
		if inm != "" {
			req.Header.Set("If-None-Match", inm)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		return w
	}
	first := get("")
	if first.Code != 200 || first.Header().Get("ETag") == "" {
		t.Fatalf("first request: %d, ETag %q: %s", first.Code, first.Header().Get("ETag"), first.Body)
	}
	h.ix = nil // working the history out again would now fail
	again := get("")
	if again.Code != 200 || !bytes.Equal(again.Body.Bytes(), first.Body.Bytes()) {
		t.Errorf("asked again: %d, same body %v", again.Code, bytes.Equal(again.Body.Bytes(), first.Body.Bytes()))
	}
	if w := get(first.Header().Get("ETag")); w.Code != http.StatusNotModified {
		t.Errorf("with its ETag: %d, want 304", w.Code)
	}
}
