package diff_test

import (
	"fmt"
	"os"

	"github.com/regdiff/regdiff/diff"
	"github.com/regdiff/regdiff/snapshots/record"
)

func Example() {
	old := []record.Record{
		{Protocol: "tcp", Number: "1000-1002", Description: "Unassigned"},
		{Name: "ssh", Protocol: "tcp", Number: "22", Description: "SSH"},
	}
	new := []record.Record{
		{Protocol: "tcp", Number: "1000-1002", Description: "Unassigned"},
		{Name: "ssh", Protocol: "tcp", Number: "22", Description: "The Secure Shell (SSH) Protocol"},
		{Name: "demo", Protocol: "tcp", Number: "1001", Description: "Demo service"},
	}
	r := diff.Compare(old, new)
	r.Registry = "service-names-port-numbers"
	r.From, r.To = diff.Version{Name: "2019-12-31"}, diff.Version{Name: "2024-03-18"}
	diff.WriteText(os.Stdout, r, false)
	// Output:
	// service-names-port-numbers: 2019-12-31 → 2024-03-18
	// 1 added, 0 removed, 1 changed, 0 renamed; ports: 1 Unassigned → Assigned
	//
	// Added (1):
	// + demo 1001/tcp  Demo service
	//
	// Changed (1):
	// ~ ssh 22/tcp
	//     description: SSH → The Secure Shell (SSH) Protocol
	//
	// Port status (1):
	//   tcp 1001  Unassigned → Assigned
}

func ExamplePortStatuses() {
	recs := []record.Record{
		{Number: "1000-1010", Description: "Unassigned"},
		{Name: "demo", Protocol: "tcp", Number: "1005"},
	}
	s := diff.PortStatuses(recs)
	// Runs of ports with one status cover every port; a port no record
	// covers is Unassigned too.
	for _, seg := range s.Segments("tcp") {
		fmt.Println(seg.Lo, seg.Hi, seg.Status)
	}
	// Output:
	// 0 1004 Unassigned
	// 1005 1005 Assigned
	// 1006 65535 Unassigned
}
