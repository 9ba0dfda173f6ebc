// Command server serves one file over HTTP on loopback with an ETag and
// answers conditional requests with 304, for timing `regdiff fetch`; given
// a folder, it serves the folder's files by path (a mirror of IANA's
// layout), answering If-Modified-Since with 304.
package main

import (
	"crypto/sha256"
	"fmt"
	"net"
	"net/http"
	"os"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: server FILE|FOLDER ADDRFILE  (serves FILE at every path, or FOLDER's files, on 127.0.0.1; writes the address to ADDRFILE)")
		os.Exit(2)
	}
	if fi, err := os.Stat(os.Args[1]); err == nil && fi.IsDir() {
		ln := listen(os.Args[2])
		http.Serve(ln, http.FileServer(http.Dir(os.Args[1])))
		return
	}
	body, err := os.ReadFile(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	etag := fmt.Sprintf(`"%x"`, sha256.Sum256(body))
	ln := listen(os.Args[2])
	http.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("If-None-Match") == etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", etag)
		w.Write(body)
	}))
}

// listen opens a loopback port and writes its URL to addrFile.
func listen(addrFile string) net.Listener {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := os.WriteFile(addrFile, []byte("http://"+ln.Addr().String()), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	return ln
}
