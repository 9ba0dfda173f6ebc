package main

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/regdiff/regdiff/internal/realstore"
	"github.com/regdiff/regdiff/internal/shareddata"
	"github.com/regdiff/regdiff/snapshots"
)

// registries on the real store, against the bundle read with git: how many
// versions each registry has, its first and latest dates, and the latest
// file's <record> elements and <title>, counted in the raw XML.
func TestRegistriesOnRealData(t *testing.T) {
	c, versions := realCLI(t, false)
	var got []registryJSON
	if err := json.Unmarshal([]byte(c.mustRun("registries", "--json")), &got); err != nil {
		t.Fatal(err)
	}
	if len(got) != len(realstore.Registries) {
		t.Fatalf("%d registries listed, want %d", len(got), len(realstore.Registries))
	}
	title := regexp.MustCompile(`<title>([^<]*)</title>`)
	for i, r := range got {
		if i > 0 && got[i-1].Registry >= r.Registry {
			t.Errorf("%s listed after %s", r.Registry, got[i-1].Registry)
		}
		vs := versions[r.Registry]
		if len(vs) == 0 {
			t.Errorf("%s is not in the bundle", r.Registry)
			continue
		}
		raw := shareddata.Read(t, vs[len(vs)-1])
		want := registryJSON{
			Registry: r.Registry,
			Title:    string(title.FindSubmatch(raw)[1]),
			Versions: len(vs),
			First:    vs[0].Date,
			Latest:   vs[len(vs)-1].Date,
			Records:  bytes.Count(raw, []byte("<record")),
		}
		if r != want {
			t.Errorf("got  %+v\nwant %+v", r, want)
		}
	}
	text := c.mustRun("registries")
	if lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n"); len(lines) != len(got) || !strings.HasPrefix(lines[0], got[0].Registry+"\t") {
		t.Errorf("text on a pipe:\n%s", text)
	}
}

func TestRegistriesOfAnEmptyStore(t *testing.T) {
	store := filepath.Join(t.TempDir(), "store")
	if _, err := snapshots.Create(store); err != nil {
		t.Fatal(err)
	}
	c := &cli{t: t, store: store}
	if got := c.mustRun("registries", "--json"); got != "[]\n" {
		t.Errorf("--json of an empty store: %q", got)
	}
	if got := c.mustRun("registries"); got != "" {
		t.Errorf("text of an empty store: %q", got)
	}
}
