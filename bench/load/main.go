// Command load sends N GET requests, C at a time, to BASEURL followed by
// each PATH in turn, and prints the number of requests, of errors (a
// failed request or a status other than 200), and the p50, p99 and max
// latency at the client, in seconds: `regdiff serve`'s figures in
// bench/run.
package main

import (
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"sync"
	"time"
)

func main() {
	c := flag.Int("c", 200, "concurrent requests")
	n := flag.Int("n", 2000, "requests in all")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: load [-c 200] [-n 2000] BASEURL PATH...")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() < 2 || *c < 1 || *n < 1 {
		flag.Usage()
		os.Exit(2)
	}
	base, paths := flag.Arg(0), flag.Args()[1:]
	// As many connections as concurrent requests would overflow the
	// listen queue, and a dropped SYN is retried a second later: the
	// latency would be the kernel's.
	client := &http.Client{Transport: &http.Transport{MaxConnsPerHost: 64, MaxIdleConnsPerHost: 64}, Timeout: time.Minute}
	times := make([]time.Duration, *n)
	var errs int
	var mu sync.Mutex
	next := make(chan int)
	var wg sync.WaitGroup
	for range *c {
		wg.Go(func() {
			for i := range next {
				start := time.Now()
				err := get(client, base+paths[i%len(paths)])
				times[i] = time.Since(start)
				if err != nil {
					mu.Lock()
					if errs < 5 {
						fmt.Fprintln(os.Stderr, err)
					}
					errs++
					mu.Unlock()
				}
			}
		})
	}
	for i := range *n {
		next <- i
	}
	close(next)
	wg.Wait()
	slices.Sort(times)
	at := func(q int) float64 { return times[min(len(times)-1, len(times)*q/100)].Seconds() }
	fmt.Printf("%d %d %.4f %.4f %.4f\n", *n, errs, at(50), at(99), times[len(times)-1].Seconds())
	if errs > 0 {
		os.Exit(1)
	}
}

func get(client *http.Client, url string) error {
	resp, err := client.Get(url)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		return fmt.Errorf("%s: %w", url, err)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: %s", url, resp.Status)
	}
	return nil
}
