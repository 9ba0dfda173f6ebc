package history

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/regdiff/regdiff/diff"
)

// TestRealNameEventsAreTheWholeDiffs: the events of a name's history are
// the changes that the whole comparison of each pair of consecutive
// versions (diff.Between, which reads no index) finds for that name; the
// history reads only the files and records where the name is.
func TestRealNameEventsAreTheWholeDiffs(t *testing.T) {
	s, _ := realStore(t)
	vs, err := s.Versions(ports)
	if err != nil {
		t.Fatal(err)
	}
	whole := make([][]diff.Change, len(vs))
	for i := 1; i < len(vs); i++ {
		r, err := diff.Between(s, vs[i-1], vs[i], diff.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		whole[i] = r.Changes
	}
	show := func(version string, c diff.Change) string {
		var fields []string
		for f, fc := range c.Fields {
			fields = append(fields, fmt.Sprintf("%s: %q → %q", f, fc.From, fc.To))
		}
		slices.Sort(fields)
		return fmt.Sprintf("%s %s %v (was %v) %s", version, c.Kind, c.Key, c.OldKey, strings.Join(fields, "; "))
	}
	ix := NewIndex(s)
	for _, q := range []Query{{Name: "ssh"}, {Name: "http"}, {Name: "www-http"}, {Name: "mqtt"}, {Name: "ibm-mqisdp"}, {Name: "la-maint"}, {Name: "HTTPS"}, {Name: "ssh", Protocol: "sctp"}} {
		t.Run(q.Name+"/"+q.Protocol, func(t *testing.T) {
			h, err := Build(context.Background(), ix, ports, q)
			if err != nil {
				t.Fatal(err)
			}
			var got, want []string
			for _, e := range h.Events {
				got = append(got, show(e.Version, e.Change))
			}
			for i, cs := range whole {
				for _, c := range cs {
					named := strings.EqualFold(c.Key.Name, q.Name) || c.Kind == diff.Renamed && strings.EqualFold(c.OldKey.Name, q.Name)
					if named && (q.Protocol == "" || c.Key.Protocol == q.Protocol) {
						want = append(want, show(vs[i].Name, c))
					}
				}
			}
			slices.Sort(got)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("events:\ngot  %q\nwant %q", got, want)
			}
			t.Logf("%d events", len(got))
		})
	}
}
