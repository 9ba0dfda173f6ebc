package fetch

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/regdiff/regdiff/snapshots"
)

// The index is read for its links to registries, whatever its markup:
// fragments and queries aside, each registry once, fetched from the base
// given and never from the link's host; links that name no registry, or
// whose parts are no registry ids, are passed over.
func TestParseIndex(t *testing.T) {
	page, err := os.ReadFile("testdata/protocols.html")
	if err != nil {
		t.Fatal(err)
	}
	got := ParseIndex(page, "http://mirror.test/a/")
	var want []Target
	for _, p := range []string{
		"_6lowpan-parameters/_6lowpan-parameters",
		"aaa-parameters/aaa-parameters",
		"pkix-parameters/pkix-parameters",
		"protocol-numbers/protocol-numbers",
		"service-names-port-numbers/service-names-port-numbers",
		"smi-numbers/ldap-oids",
	} {
		want = append(want, Target{URL: "http://mirror.test/a/" + p + ".xml", Listed: true})
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ParseIndex:\n got %v\nwant %v", got, want)
	}
	if got := ParseIndex(page, ""); got[0].URL != snapshots.IANABase+"/_6lowpan-parameters/_6lowpan-parameters.xml" {
		t.Errorf("default base: %v", got[0])
	}
	if got := ParseIndex([]byte("<html>no links</html>"), ""); len(got) != 0 {
		t.Errorf("a page without links: %v", got)
	}
}

func FuzzParseIndex(f *testing.F) {
	page, _ := os.ReadFile("testdata/protocols.html")
	f.Add(page)
	f.Add([]byte(`<a href='/assignments/x/'>`))
	f.Fuzz(func(t *testing.T, page []byte) {
		for _, tg := range ParseIndex(page, "http://m.test") {
			rest, ok := strings.CutPrefix(tg.URL, "http://m.test/")
			dir, file, _ := strings.Cut(rest, "/")
			if !ok || !snapshots.ValidID(dir) || !snapshots.ValidID(strings.TrimSuffix(file, ".xml")) || tg.Registry != "" || !tg.Listed {
				t.Fatalf("target %+v from %q", tg, page)
			}
		}
	})
}

// regXML is a small registry of id with one record of the given note.
func regXML(id, note string) []byte {
	return []byte(`<?xml version="1.0" encoding="UTF-8"?>
<registry xmlns="http://www.iana.org/assignments" id="` + id + `">
  <title>` + id + `</title>
  <updated>2024-01-02</updated>
  <record><value>1</value><description>` + note + `</description></record>
</registry>
`)
}

// ArchiveAll downloads at most Jobs at a time, starts them Delay apart,
// stores every registry and reports them in the order given; run again, it
// sends conditional GETs and stores nothing.
func TestArchiveAll(t *testing.T) {
	const n, jobs, delay = 12, 3, 15 * time.Millisecond
	var inFlight, most atomic.Int32
	var mu sync.Mutex
	var starts []time.Time
	srv := newServer(t, func(_ int, w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		starts = append(starts, time.Now())
		mu.Unlock()
		cur := inFlight.Add(1)
		defer inFlight.Add(-1)
		for m := most.Load(); cur > m && !most.CompareAndSwap(m, cur); m = most.Load() {
		}
		time.Sleep(20 * time.Millisecond) // so that downloads overlap
		id := strings.TrimSuffix(r.URL.Path[strings.LastIndexByte(r.URL.Path, '/')+1:], ".xml")
		if r.Header.Get("If-None-Match") == `"`+id+`"` {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", `"`+id+`"`)
		serve(w, regXML(id, "note of "+id))
	})
	s, err := snapshots.Create(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	var targets []Target
	for i := range n {
		id := "reg-" + string(rune('a'+i))
		targets = append(targets, Target{Registry: id, URL: srv.URL + "/" + id + "/" + id + ".xml"})
	}
	run := func(pace Pace) (statuses []string, order []string) {
		mu.Lock()
		starts = nil
		mu.Unlock()
		ArchiveAll(context.Background(), s, targets, ArchiveOptions{Get: Options{Backoff: 1}}, pace, func(o *Outcome, err error) bool {
			if err != nil {
				t.Errorf("%s: %v", o.Target.URL, err)
				return true
			}
			statuses = append(statuses, o.Status)
			order = append(order, o.Registry)
			return true
		})
		return statuses, order
	}
	statuses, order := run(Pace{Jobs: jobs})
	for i, tg := range targets {
		if i >= len(order) || order[i] != tg.Registry || statuses[i] != "archived" {
			t.Fatalf("first run: %v %v, want every target archived in order", order, statuses)
		}
	}
	if m := most.Load(); m > jobs || m < 2 {
		t.Errorf("%d downloads at once, want 2 to %d", m, jobs)
	}
	regs, err := s.Registries()
	if err != nil || len(regs) != n {
		t.Errorf("store holds %v (%v), want %d registries", regs, err, n)
	}
	for _, id := range regs {
		vs, err := s.Versions(id)
		if err != nil || len(vs) != 1 {
			t.Fatalf("%s: %v %v", id, vs, err)
		}
		b, err := s.Raw(vs[0])
		if err != nil || !bytes.Equal(b, regXML(id, "note of "+id)) {
			t.Errorf("%s: stored %q (%v), not what was served", id, b, err)
		}
	}

	statuses, _ = run(Pace{Jobs: jobs, Delay: delay})
	for _, st := range statuses {
		if st != "not-modified" {
			t.Fatalf("second run: %v, want all not-modified", statuses)
		}
	}
	// each returning false stops it: nothing after is reported, and the
	// downloads stop within a few of the first.
	before := srv.hits.Load()
	reported := 0
	ArchiveAll(context.Background(), s, targets, ArchiveOptions{Get: Options{Backoff: 1}}, Pace{Jobs: jobs, Delay: delay}, func(*Outcome, error) bool {
		reported++
		return false
	})
	if got := srv.hits.Load() - before; reported != 1 || got > jobs+1 {
		t.Errorf("stopped at once: %d reported, %d downloads, want 1 and at most %d", reported, got, jobs+1)
	}
	mu.Lock()
	defer mu.Unlock()
	starts = starts[:n] // the second run's

	// Arrival times at the server jitter, so the check is on the span: it
	// cannot be shorter than the delays, less one request's jitter.
	if span := starts[len(starts)-1].Sub(starts[0]); span < (n-1)*delay-10*time.Millisecond {
		t.Errorf("%d downloads %v apart, want at least %d × %v", n, span, n-1, delay)
	}
}
