package fetch_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/regdiff/regdiff/fetch"
)

// A fetch keeps the validators of its answer so that the next one is
// conditional and costs nothing while the registry is unchanged.
func Example() {
	// A stand-in for www.iana.org.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("ETag", `"v1"`)
		if r.Header.Get("If-None-Match") == `"v1"` {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		fmt.Fprint(w, "<registry/>")
	}))
	defer srv.Close()
	ctx := context.Background()

	res, err := fetch.Get(ctx, srv.URL+"/reg.xml", fetch.Validators{}, fetch.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%d %s etag=%s\n", res.Status, res.Body, res.Validators.ETag)

	res, err = fetch.Get(ctx, srv.URL+"/reg.xml", res.Validators, fetch.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%d not modified=%t etag=%s\n", res.Status, res.NotModified, res.Validators.ETag)

	_, err = fetch.Get(ctx, "file:///etc/passwd", fetch.Validators{}, fetch.Options{})
	fmt.Println(err)
	// Output:
	// 200 <registry/> etag="v1"
	// 304 not modified=true etag="v1"
	// fetch file:///etc/passwd: unsupported URL: scheme "file", want http or https
}
