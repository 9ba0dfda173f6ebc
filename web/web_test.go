package web

import (
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/regdiff/regdiff/snapshots"
)

// FuzzServe: any path, on a store without versions, gets one of the
// statuses the package documents, and never its own text back unescaped.
func FuzzServe(f *testing.F) {
	for _, p := range []string{"/", "/index.json", "/x/", "/x/latest", "/x/diff/a..b/", "/x/history/22/tcp/", "/%2F/", "/x/y/raw.xml", "/<script>/"} {
		f.Add(p, "")
		f.Add(p, "application/json")
	}
	s, err := snapshots.Create(filepath.Join(f.TempDir(), "store"))
	if err != nil {
		f.Fatal(err)
	}
	h := New(s, Options{Base: "/b"})
	f.Fuzz(func(t *testing.T, path, accept string) {
		req, err := http.NewRequest("GET", "http://x/b"+path, nil)
		if err != nil {
			return
		}
		req.Header.Set("Accept", accept)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		switch w.Code {
		case 200, 302, 400, 404:
		default:
			t.Fatalf("%q: status %d: %s", path, w.Code, w.Body)
		}
		if strings.HasPrefix(w.Header().Get("Content-Type"), "text/html") && strings.Contains(w.Body.String(), "<script>") {
			t.Fatalf("%q: raw <script> in %s", path, w.Body)
		}
	})
}
