package history

import (
	"bytes"
	"cmp"
	"context"
	"encoding/xml"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/regdiff/regdiff/internal/shareddata"
	"github.com/regdiff/regdiff/snapshots"
	"github.com/regdiff/regdiff/snapshots/record"
)

// valueRegistries are the mirror's registries the value tests read: keys
// in decimal and ranges, hex pairs with ranges and wildcards, text keys
// under a protocol, DNS types beside their numbers, media types by
// table/name, address prefixes.
var valueRegistries = []string{"protocol-numbers", "tls-parameters", "dns-parameters", "message-headers", "media-types", "ipv4-address-space"}

var mirrorStore struct {
	once sync.Once
	dir  string
	err  error
}

// valueStore returns a store of valueRegistries imported from the mirror
// bundle through regdiff's own import path, built once per test binary.
func valueStore(tb testing.TB) *snapshots.Store {
	tb.Helper()
	bundle := shareddata.MirrorPath(tb) // skips without the data
	mirrorStore.once.Do(func() {
		tmp, err := shareddata.TempDir("regdiff-values-")
		if err != nil {
			mirrorStore.err = err
			return
		}
		mirrorStore.dir = filepath.Join(tmp, "store")
		var paths []string
		for _, id := range valueRegistries {
			paths = append(paths, id+"/"+id+".xml")
		}
		ctx := context.Background()
		inputs, refused, done, err := snapshots.Collect(ctx, []string{bundle}, snapshots.CollectOptions{Paths: paths})
		defer done()
		if err != nil || len(refused) > 0 {
			mirrorStore.err = fmt.Errorf("collect %s: %v %v", bundle, err, refused)
			return
		}
		s, err := snapshots.Create(mirrorStore.dir)
		if err != nil {
			mirrorStore.err = err
			return
		}
		if _, err := s.Import(ctx, inputs, snapshots.ImportOptions{}); err != nil {
			mirrorStore.err = err
		}
	})
	if mirrorStore.err != nil {
		tb.Fatal(mirrorStore.err)
	}
	s, err := snapshots.Open(mirrorStore.dir)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// rawRecord is a record of a raw registry file as encoding/xml reads it:
// the innermost registry holding it, its key texts, and its whole content
// in a canonical form.
type rawRecord struct {
	table       string // innermost <registry> id
	value, name string // <value> or <number>, and <name>, white space collapsed
	prefix      string // <prefix>, the key of address registries
	canon       string
}

// rawRecords reads every record of a raw registry file with
// encoding/xml alone. Two rules of regdiff's model (formats.ParseXML) are
// applied so that the check is of the history, not of them: an <xref> with
// a data attribute is its type and data (its text is dropped), and an
// element with neither text nor attributes is absent.
func rawRecords(data []byte) ([]rawRecord, error) {
	d := xml.NewDecoder(bytes.NewReader(data))
	var ids []string
	var out []rawRecord
	var cur *rawRecord
	var elem []string // inside a record: the open children
	var text strings.Builder
	var parts []string
	var attrs string
	for {
		tok, err := d.Token()
		if err != nil {
			if err.Error() == "EOF" {
				return out, nil
			}
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch {
			case cur != nil:
				elem = append(elem, t.Name.Local)
				if len(elem) == 1 {
					text.Reset()
					attrs = rawAttrs(t.Attr)
				}
			case t.Name.Local == "registry":
				id := ""
				for _, a := range t.Attr {
					if a.Name.Local == "id" {
						id = a.Value
					}
				}
				ids = append(ids, id)
			case t.Name.Local == "record":
				cur = &rawRecord{table: ids[len(ids)-1]}
				parts = []string{"record" + rawAttrs(t.Attr)}
			}
		case xml.CharData:
			if cur != nil && len(elem) > 0 {
				text.Write(t)
			}
		case xml.EndElement:
			switch {
			case cur != nil && len(elem) > 0:
				if len(elem) == 1 {
					name, txt := elem[0], strings.Join(strings.Fields(text.String()), " ")
					if name == "xref" && strings.Contains(attrs, " data=") {
						txt = ""
					}
					if txt != "" || attrs != "" {
						parts = append(parts, name+attrs+"("+txt+")")
					}
					switch name {
					case "value", "number":
						cur.value = txt
					case "name":
						cur.name = txt
					case "prefix":
						cur.prefix = txt
					}
				}
				elem = elem[:len(elem)-1]
			case cur != nil && t.Name.Local == "record":
				// regdiff compares fields by name and references as
				// sets (see the diff package's documentation): the
				// order of the children is no content.
				slices.Sort(parts[1:])
				cur.canon = strings.Join(parts, "\x00")
				out = append(out, *cur)
				cur = nil
			case t.Name.Local == "registry":
				ids = ids[:len(ids)-1]
			}
		}
	}
}

func rawAttrs(as []xml.Attr) string {
	var s []string
	for _, a := range as {
		s = append(s, a.Name.Local+"="+a.Value)
	}
	slices.Sort(s)
	if len(s) == 0 {
		return ""
	}
	return " " + strings.Join(s, " ")
}

// TestValueHistoryCrossCheck checks value histories of six registries of
// the mirror against encoding/xml reading each stored version's raw file:
// for queries that are some record's exact key (sampled from every
// version), the versions with an event whose key is the query must be
// exactly those where the naive reading's records with that key changed,
// per sub-registry, and the value is never Unlisted in a version where a
// record with that key exists.
func TestValueHistoryCrossCheck(t *testing.T) {
	s := valueStore(t)
	ctx := context.Background()
	ix := NewIndex(s)
	for _, reg := range valueRegistries {
		vs, err := s.Versions(reg)
		if err != nil || len(vs) < 2 {
			t.Fatalf("%s: %d versions, %v", reg, len(vs), err)
		}
		// Every version, read naively once.
		naive := make([][]rawRecord, len(vs))
		for i, v := range vs {
			raw, err := s.Raw(v)
			if err != nil {
				t.Fatal(err)
			}
			if naive[i], err = rawRecords(raw); err != nil {
				t.Fatalf("%s %s: %v", reg, v.Name, err)
			}
		}
		// keyOf is a naive record's key text: its value or number, else
		// its name, else its prefix.
		keyOf := func(r rawRecord) string { return cmp.Or(r.value, r.name, r.prefix) }
		// byKey holds, per version, the canonical texts of the records
		// of each key, per table.
		byKey := make([]map[string]map[string][]string, len(vs))
		for i := range naive {
			byKey[i] = map[string]map[string][]string{}
			for _, r := range naive[i] {
				k := keyOf(r)
				if r.value == "" && r.name != "" {
					k = strings.ToLower(k) // names are matched ignoring case
				}
				if byKey[i][k] == nil {
					byKey[i][k] = map[string][]string{}
				}
				byKey[i][k][r.table] = append(byKey[i][k][r.table], r.canon)
			}
			for _, m := range byKey[i] {
				for _, l := range m {
					slices.Sort(l)
				}
			}
		}
		// Queries: keys sampled across all versions, so that some come
		// and go.
		seen := map[string]bool{}
		var queries []string
		for i := range naive {
			for j, r := range naive[i] {
				if k := keyOf(r); k != "" && !seen[k] && (i*7+j)%97 == 0 {
					seen[k] = true
					queries = append(queries, k)
				}
			}
		}
		if len(queries) > 40 {
			queries = queries[:40]
		}
		t.Logf("%s: %d versions, %d queries", reg, len(vs), len(queries))
		for _, q := range queries {
			h, err := Build(ctx, ix, reg, Query{Value: q})
			if err != nil {
				t.Errorf("%s history %q: %v", reg, q, err)
				continue
			}
			// keyed returns, per table, the records of version i whose
			// key is the query.
			keyed := func(i int) map[string][]string {
				m := map[string][]string{}
				for _, k := range []string{q, strings.ToLower(q)} {
					for tb, l := range byKey[i][k] {
						m[tb] = append(m[tb], l...)
					}
					if k == strings.ToLower(q) {
						break
					}
				}
				return m
			}
			want := map[string]bool{} // "version|table"
			for i := 1; i < len(vs); i++ {
				a, b := keyed(i-1), keyed(i)
				for _, tb := range unionKeys(a, b) {
					if !slices.Equal(a[tb], b[tb]) {
						want[vs[i].Name+"|"+tb] = true
					}
				}
			}
			// exact tells whether a record of an event has the query as
			// its key, by the naive rule.
			exact := func(r *record.Record) bool {
				switch {
				case r == nil:
					return false
				case r.Number != "":
					return r.Number == q
				case r.Name != "":
					return strings.EqualFold(r.Name, q)
				}
				return r.Other["prefix"] == q
			}
			got := map[string]bool{}
			for _, e := range h.Events {
				if exact(e.Old) || exact(e.New) {
					got[e.Version+"|"+h.tableLabel(e.Key.Table)] = true
				}
			}
			for k := range want {
				if !got[k] {
					t.Errorf("%s %q: the raw files' records keyed %q change at %s, but history has no event for it", reg, q, q, k)
				}
			}
			for k := range got {
				if !want[k] {
					t.Errorf("%s %q: history has an event at %s, but the raw files' records keyed %q do not change there", reg, q, k, q)
				}
			}
			// Never Unlisted where a record has the key.
			for _, p := range h.Periods {
				if p.Status != "Unlisted" {
					continue
				}
				for i := p.first; i <= p.last; i++ {
					if len(keyed(i)[h.tableLabel(p.Table)]) > 0 {
						t.Errorf("%s %q: Unlisted in %s at %s, where a record has that key", reg, q, h.tableLabel(p.Table), vs[i].Name)
						break
					}
				}
			}
		}
	}
}

func unionKeys(a, b map[string][]string) []string {
	return slices.Compact(slices.Sorted(func(yield func(string) bool) {
		for _, m := range []map[string][]string{a, b} {
			for k := range m {
				if !yield(k) {
					return
				}
			}
		}
	}))
}
