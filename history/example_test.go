package history_test

import (
	"fmt"

	"github.com/regdiff/regdiff/history"
)

func ExampleParseQuery() {
	for _, s := range []string{"253", "249-255/UDP", "ssh/tcp", "65536", "ssh/icmp"} {
		q, err := history.ParseQuery(s)
		if err != nil {
			fmt.Println("error:", err)
			continue
		}
		fmt.Printf("%s: name %q, ports %d-%d, transport %q\n", q, q.Name, q.Lo, q.Hi, q.Protocol)
	}
	// Output:
	// 253: name "", ports 253-253, transport ""
	// 249-255/udp: name "", ports 249-255, transport "udp"
	// ssh/tcp: name "ssh", ports 0-0, transport "tcp"
	// error: port 65536 is out of range: ports go from 0 to 65535
	// error: unknown transport "icmp" in query "ssh/icmp": want tcp, udp, sctp or dccp
}

func ExampleSuggest() {
	fmt.Println(history.Suggest([]string{"ssh", "sshell", "http", "https", "echo"}, "shh"))
	fmt.Println(history.Suggest([]string{"ssh", "sshell", "http", "https", "echo"}, "htt"))
	// Output:
	// [ssh]
	// [http https]
}
