package sqlexport_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/regdiff/regdiff/snapshots"
	"github.com/regdiff/regdiff/sqlexport"
)

// Two versions of a tiny port registry: in 2025 port 81 becomes Reserved.
var exampleVersions = []string{`<registry xmlns="http://www.iana.org/assignments" id="service-names-port-numbers">
  <title>Service Name and Transport Protocol Port Number Registry</title>
  <updated>2024-03-18</updated>
  <record><name>http</name><protocol>tcp</protocol><description>World Wide Web HTTP</description><number>80</number></record>
  <record><name>newsvc</name><protocol>tcp</protocol><description>A new service</description><number>81</number></record>
</registry>`, `<registry xmlns="http://www.iana.org/assignments" id="service-names-port-numbers">
  <title>Service Name and Transport Protocol Port Number Registry</title>
  <updated>2025-06-30</updated>
  <record><name>http</name><protocol>tcp</protocol><description>World Wide Web HTTP</description><number>80</number></record>
  <record><protocol>tcp</protocol><description>Reserved</description><number>81</number></record>
</registry>`}

func Example() {
	dir, _ := os.MkdirTemp("", "sqlexport-example-")
	defer os.RemoveAll(dir)
	ctx := context.Background()

	// A store with the two versions, imported as regdiff import does.
	var files []string
	for i, x := range exampleVersions {
		f := filepath.Join(dir, fmt.Sprintf("v%d.xml", i))
		os.WriteFile(f, []byte(x), 0o644)
		files = append(files, f)
	}
	s, _ := snapshots.Create(filepath.Join(dir, "store"))
	unlock, _ := s.Lock(ctx, time.Second)
	inputs, _, done, _ := snapshots.Collect(ctx, files, snapshots.CollectOptions{})
	s.Import(ctx, inputs, snapshots.ImportOptions{})
	done()
	unlock()

	path := filepath.Join(dir, "iana.db")
	regs, err := sqlexport.Export(ctx, s, path, sqlexport.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%+v\n", regs[0])

	db, _ := sql.Open("sqlite", "file:"+filepath.ToSlash(path)+"?mode=ro")
	defer db.Close()
	rows, _ := db.Query(`SELECT t.protocol, t.lo, t.from_status, v.name
		FROM transitions t JOIN versions v ON v.registry = t.registry AND v.seq = t.to_seq
		WHERE t.to_status = 'Reserved' AND v.date >= '2025' AND v.date < '2026'`)
	defer rows.Close()
	for rows.Next() {
		var proto, was, version string
		var port int
		rows.Scan(&proto, &port, &was, &version)
		fmt.Printf("%d/%s became Reserved in %s (was %s)\n", port, proto, version, was)
	}
	// Output:
	// {Registry:service-names-port-numbers Added:2 Versions:2 Rebuilt:false Removed:false}
	// 81/tcp became Reserved in 2025-06-30 (was Assigned)
}
