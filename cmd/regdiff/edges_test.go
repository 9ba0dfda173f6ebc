package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"io"
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/regdiff/regdiff/internal/realstore"
	"github.com/regdiff/regdiff/internal/shareddata"
)

var rootUpdated = regexp.MustCompile(`<updated>\s*(\d{4}-\d{2}-\d{2})\s*</updated>`)

// TestFetchRefusesRewrite serves, on loopback, a real version of the port
// registry that the real store lacks and that is dated before its latest
// version (one the hourly mirror saw and the other archive missed): fetch
// refuses it with exit 4, names what it would rewrite, even with --quiet,
// and leaves the store as it was; --force archives it in its place.
func TestFetchRefusesRewrite(t *testing.T) {
	dir := realstore.Copy(t)
	c := &cli{t: t, store: dir}
	var log []versionJSON
	if err := json.Unmarshal([]byte(c.mustRun("log", "--json")), &log); err != nil {
		t.Fatal(err)
	}
	stored := map[string]bool{}
	for _, v := range log {
		stored[v.SHA256] = true
	}
	latest := log[0]
	// The newest mirror version dated before the latest stored one and not
	// stored, found with a regexp over the raw XML.
	var body []byte
	var date string
	vs := shareddata.MirrorVersions(t)["service-names-port-numbers/service-names-port-numbers.xml"]
	for i := len(vs) - 1; i >= 0 && body == nil; i-- {
		data := shareddata.ReadBlob(t, vs[i].Blob)
		sum := sha256.Sum256(data)
		m := rootUpdated.FindSubmatch(data)
		if m != nil && string(m[1]) < latest.Date && !stored[hex.EncodeToString(sum[:])] {
			body, date = data, string(m[1])
		}
	}
	if body == nil {
		t.Fatal("no mirror version older than the latest stored and missing from the store")
	}
	later := 0
	for _, v := range log {
		if v.Date > date {
			later++
		}
	}
	srv := newIANA(t)
	srv.set("service-names-port-numbers", body)
	before := snapshot(t, dir)
	code, out, errs := c.run("fetch", "service-names-port-numbers", "--quiet", "--mirror", srv.URL, "--backoff", "1ms")
	if code != exitRefused {
		t.Fatalf("fetch of a version dated %s: exit %d, want %d\n%s%s", date, code, exitRefused, out, errs)
	}
	for _, want := range []string{"dated " + date, "before the latest stored version " + latest.Version, "--force"} {
		if !strings.Contains(errs, want) {
			t.Errorf("stderr does not say %q:\n%s", want, errs)
		}
	}
	if !sameFiles(before, snapshot(t, dir)) {
		t.Error("a refused fetch changed the store")
	}
	code, out, errs = c.run("fetch", "service-names-port-numbers", "--json", "--mirror", srv.URL, "--backoff", "1ms")
	var j fetchJSON
	if err := json.Unmarshal([]byte(out), &j); err != nil || code != exitRefused {
		t.Fatalf("fetch --json: exit %d, %v\n%s%s", code, err, out, errs)
	}
	if len(j.WouldRewrite) < later {
		t.Errorf("would_rewrite names %d versions, want at least the %d dated after %s", len(j.WouldRewrite), later, date)
	}
	code, out, errs = c.run("fetch", "service-names-port-numbers", "--force", "--mirror", srv.URL, "--backoff", "1ms")
	if code != exitOK || !strings.Contains(out, "archived "+date) || !strings.Contains(out, "were rewritten") {
		t.Errorf("fetch --force: exit %d\n%s%s", code, out, errs)
	}
}

// TestReindexCurrentStore reindexes a copy of the real store, which this
// code wrote: nothing changes, and verify says no reindex is due.
func TestReindexCurrentStore(t *testing.T) {
	dir := realstore.Copy(t)
	c := &cli{t: t, store: dir}
	before := snapshot(t, dir)
	out := c.mustRun("reindex", "--json")
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var r reindexJSON
		if err := json.Unmarshal([]byte(line), &r); err != nil || r.Versions == 0 || r.Changed != 0 || len(r.Renamed) != 0 {
			t.Errorf("reindex of a current store: %v %s", err, line)
		}
	}
	refs := func(files map[string]string) string { return files[dir+"/packed-refs"] }
	if refs(before) != refs(snapshot(t, dir)) {
		t.Error("reindex of a current store moved refs")
	}
	if out := c.mustRun("verify"); strings.Contains(out, "reindex due") {
		t.Errorf("verify of a current store:\n%s", out)
	}
}

// outside is what a version holds outside its records, read from the raw
// XML with encoding/xml, sharing no code with regdiff's parser: people by
// id, and the registry-level elements as "table|element|key" → texts.
type outside struct {
	people map[string]string   // id → its fields' texts, in order
	items  map[string][]string // table|element|key → texts
}

func readOutside(t *testing.T, data []byte) outside {
	t.Helper()
	o := outside{people: map[string]string{}, items: map[string][]string{}}
	d := xml.NewDecoder(bytes.NewReader(data))
	type frame struct {
		name, table, key string
		registry         bool
		text             *strings.Builder // the item or person field being read
		person           string
	}
	var stack []frame
	space := func(s string) string {
		return strings.Join(strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == '\t' || r == '\n' || r == '\r' }), " ")
	}
	attr := func(e xml.StartElement, name string) string {
		for _, a := range e.Attr {
			if a.Name.Local == name {
				return space(a.Value)
			}
		}
		return ""
	}
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		top := func() *frame { return &stack[len(stack)-1] }
		switch tk := tok.(type) {
		case xml.StartElement:
			f := frame{name: tk.Name.Local}
			if len(stack) > 0 {
				p := top()
				f.table, f.text, f.person = p.table, p.text, p.person
				switch {
				case p.registry && f.name == "registry":
					o.items[f.table+"|registry|"+attr(tk, "id")] = append(o.items[f.table+"|registry|"+attr(tk, "id")], "")
				case p.registry && f.name != "record" && f.name != "people":
					key := attr(tk, "type") + ":" + attr(tk, "data")
					if f.name != "xref" {
						var vals []string
						for _, a := range tk.Attr {
							if v := space(a.Value); v != "" {
								vals = append(vals, v)
							}
						}
						key = strings.Join(vals, " ")
					}
					f.key, f.text = key, &strings.Builder{}
				case p.name == "people" && f.name == "person":
					f.person = attr(tk, "id")
				case p.name == "person":
					f.text = &strings.Builder{}
				case f.text != nil && f.name == "br":
					f.text.WriteString(" ")
				case f.text != nil && f.name == "xref" && attr(tk, "data") != "":
					f.text.WriteString("[" + attr(tk, "data") + "]")
					f.text = nil // its content does not count
				}
			}
			if f.name == "registry" {
				f.registry, f.table = true, attr(tk, "id")
				if len(stack) == 0 {
					f.table = ""
				}
			}
			stack = append(stack, f)
		case xml.EndElement:
			f := *top()
			stack = stack[:len(stack)-1]
			if len(stack) == 0 {
				continue
			}
			p := top()
			switch {
			case p.registry && f.key != "" || p.registry && f.text != nil && f.name != "registry":
				k := f.table + "|" + f.name + "|" + f.key
				o.items[k] = append(o.items[k], space(f.text.String()))
			case p.name == "person" && f.text != nil:
				o.people[f.person] += f.name + "=" + space(f.text.String()) + ";"
			case f.name == "br" && p.text != nil:
				p.text.WriteString(" ")
			}
		case xml.CharData:
			if len(stack) > 0 && top().text != nil {
				top().text.Write(tk)
			}
		}
	}
	return o
}

// TestDiffOutsideRecords compares consecutive real versions of the port
// registry and checks the diff's people and registry items against a
// reading of the raw XML with encoding/xml: a person is in "people" when
// its fields differ or it is on one side only, and an element in
// "registry_items" when its texts differ; --exit-code exits 1 whenever
// either differs, even with no record change (2024-01-25 changed only an
// e-mail address).
func TestDiffOutsideRecords(t *testing.T) {
	dir, want := realstore.Store(t)
	c := &cli{t: t, store: dir}
	vs := want["service-names-port-numbers"]
	step := 10
	if testing.Short() {
		step = 8
	}
	var log []versionJSON
	if err := json.Unmarshal([]byte(c.mustRun("log", "--json")), &log); err != nil {
		t.Fatal(err)
	}
	slices.Reverse(log)
	if len(log) != len(vs) {
		t.Fatalf("log lists %d versions, the bundle %d", len(log), len(vs))
	}
	pairs, outsideOnly := 0, 0
	for i := 1; i < len(vs); i++ {
		if i%step != 0 && vs[i].Date != "2024-01-25" {
			continue
		}
		prev, cur := readOutside(t, shareddata.Read(t, vs[i-1])), readOutside(t, shareddata.Read(t, vs[i]))
		wantPeople := map[string]bool{}
		for id, f := range cur.people {
			if prev.people[id] != f {
				wantPeople[id] = true
			}
		}
		for id := range prev.people {
			if _, ok := cur.people[id]; !ok {
				wantPeople[id] = true
			}
		}
		wantItems := map[string]bool{}
		for k, texts := range cur.items {
			if !sameMultiset(texts, prev.items[k]) {
				wantItems[k] = true
			}
		}
		for k := range prev.items {
			if _, ok := cur.items[k]; !ok {
				wantItems[k] = true
			}
		}
		a, b := log[i-1].Version, log[i].Version
		code, out, errs := c.run("diff", a, b, "--json", "--exit-code")
		var res struct {
			Summary map[string]int              `json:"summary"`
			People  []struct{ ID, Kind string } `json:"people"`
			Items   []struct {
				Table, Element, Key string
			} `json:"registry_items"`
		}
		if err := json.Unmarshal([]byte(out), &res); err != nil {
			t.Fatalf("diff %s %s: %v\n%s", a, b, err, errs)
		}
		gotPeople, gotItems := map[string]bool{}, map[string]bool{}
		for _, p := range res.People {
			gotPeople[p.ID] = true
		}
		for _, it := range res.Items {
			gotItems[it.Table+"|"+it.Element+"|"+it.Key] = true
		}
		if !maps.Equal(gotPeople, wantPeople) {
			t.Errorf("diff %s %s: people %v, the raw XML says %v", a, b, keysOf(gotPeople), keysOf(wantPeople))
		}
		if !maps.Equal(gotItems, wantItems) {
			t.Errorf("diff %s %s: registry items %v, the raw XML says %v", a, b, keysOf(gotItems), keysOf(wantItems))
		}
		records := res.Summary["added"] + res.Summary["removed"] + res.Summary["changed"] + res.Summary["renamed"]
		if (len(wantPeople) > 0 || len(wantItems) > 0) && code != exitDiffers {
			t.Errorf("diff %s %s --exit-code: exit %d with people or items changed", a, b, code)
		}
		if records == 0 && len(wantPeople)+len(wantItems) > 0 {
			outsideOnly++
		}
		pairs++
	}
	t.Logf("%d pairs compared, %d with changes outside the records only", pairs, outsideOnly)
	if pairs < 5 {
		t.Fatalf("only %d pairs compared", pairs)
	}
}

func sameMultiset(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

func keysOf(m map[string]bool) []string { return slices.Sorted(maps.Keys(m)) }

// TestChangelogOutsideRecords: an entry whose version changed only people
// (2024-01-25 changed an e-mail address and nothing else) says so in every
// format, rather than "no record changes".
func TestChangelogOutsideRecords(t *testing.T) {
	dir, want := realstore.Store(t)
	found := false
	for _, v := range want["service-names-port-numbers"] {
		found = found || v.Date == "2024-01-25"
	}
	if !found {
		t.Skip("2024-01-25 is not in the real store's sample (-short)")
	}
	c := &cli{t: t, store: dir}
	args := []string{"changelog", "--since", "2024-01-25", "--until", "2024-01-25"}
	md := c.mustRun(append(args, "--format", "md")...)
	html := c.mustRun(append(args, "--format", "html")...)
	atom := c.mustRun(append(args, "--format", "atom")...)
	js := c.mustRun(append(args, "--format", "json")...)
	for name, ok := range map[string]bool{
		"md people section":   strings.Contains(md, "### People (2)") && strings.Contains(md, "Kip\\_Warner"),
		"md summary":          strings.Contains(md, "**no record changes**; registry: 1 changed; people: 2 changed"),
		"html people section": strings.Contains(html, "<h3>People (2)</h3>") && strings.Contains(html, "Kip_Warner"),
		"atom headline":       strings.Contains(atom, "no record changes; registry: 1 changed; people: 2 changed"),
		"json people":         strings.Contains(js, `"id": "Kip_Warner"`),
	} {
		if !ok {
			t.Errorf("%s: not so", name)
		}
	}
}
