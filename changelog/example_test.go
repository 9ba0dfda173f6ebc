package changelog_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/regdiff/regdiff/changelog"
	"github.com/regdiff/regdiff/snapshots"
	"github.com/regdiff/regdiff/snapshots/record"
)

func Example() {
	dir, err := os.MkdirTemp("", "regdiff-example-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	s, err := snapshots.Create(filepath.Join(dir, "store"))
	if err != nil {
		log.Fatal(err)
	}
	// Two versions: 1000/tcp is assigned out of an Unassigned range.
	versions := []*record.Registry{
		{ID: "service-names-port-numbers", Title: "Ports", Updated: "2024-01-05", Records: []record.Record{
			{Name: "ssh", Protocol: "tcp", Number: "22", Description: "SSH"},
			{Number: "1000-1009", Description: "Unassigned"},
		}},
		{ID: "service-names-port-numbers", Title: "Ports", Updated: "2024-02-19", Records: []record.Record{
			{Name: "ssh", Protocol: "tcp", Number: "22", Description: "SSH"},
			{Name: "demo", Protocol: "tcp", Number: "1000", Description: "Demo"},
			{Number: "1001-1009", Description: "Unassigned"},
		}},
	}
	var ps []snapshots.Prepared
	for _, reg := range versions {
		p, err := s.Prepare([]byte("raw file of "+reg.Updated), reg, snapshots.Source{Kind: "file"})
		if err != nil {
			log.Fatal(err)
		}
		ps = append(ps, p)
	}
	if _, err := s.Commit(ps); err != nil {
		log.Fatal(err)
	}

	vs, err := s.Versions("service-names-port-numbers")
	if err != nil {
		log.Fatal(err)
	}
	c, err := changelog.Build(context.Background(), s, "service-names-port-numbers", vs, changelog.Options{Since: 0, Until: len(vs) - 1})
	if err != nil {
		log.Fatal(err)
	}
	for _, p := range c.Series {
		fmt.Printf("%s: %d tcp ports assigned\n", p.Version, p.Assigned)
	}
	fmt.Println()
	changelog.WriteMarkdown(os.Stdout, c)
	// Output:
	// 2024-01-05: 1 tcp ports assigned
	// 2024-02-19: 2 tcp ports assigned
	//
	// # Ports: changelog
	//
	// Registry service-names-port-numbers: 2 versions from 2024-01-05 to 2024-02-19, newest first.
	//
	// ## 2024-02-19
	//
	// Changes since 2024-01-05 · 3 records.
	//
	// **2 added, 1 removed, 0 changed, 0 renamed**; ports: 1 Unassigned → Assigned
	//
	// ### Added (2)
	//
	// | Name | Port | Description |
	// | --- | --- | --- |
	// | demo | 1000/tcp | Demo |
	// |  | 1001-1009 | Unassigned |
	//
	// ### Removed (1)
	//
	// | Name | Port | Description |
	// | --- | --- | --- |
	// |  | 1000-1009 | Unassigned |
	//
	// ### Port status (1)
	//
	// | Protocol | Ports | From | To |
	// | --- | --- | --- | --- |
	// | tcp | 1000 | Unassigned | Assigned |
	//
	// ## 2024-01-05
	//
	// First version on record, 2 records.
}
