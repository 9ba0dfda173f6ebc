package history

import (
	"slices"
	"strings"
	"testing"
)

func TestParseQuery(t *testing.T) {
	tests := []struct {
		in      string
		want    Query
		wantErr string // substring of the error; "" for none
	}{
		{in: "253", want: Query{Lo: 253, Hi: 253}},
		{in: " 253/tcp ", want: Query{Lo: 253, Hi: 253, Protocol: "tcp"}},
		{in: "253/TCP", want: Query{Lo: 253, Hi: 253, Protocol: "tcp"}},
		{in: "0", want: Query{}},
		{in: "65535/dccp", want: Query{Lo: 65535, Hi: 65535, Protocol: "dccp"}},
		{in: "249-255", want: Query{Lo: 249, Hi: 255}},
		{in: "249 - 255/udp", want: Query{Lo: 249, Hi: 255, Protocol: "udp"}},
		{in: "007", want: Query{Lo: 7, Hi: 7}},
		{in: "ssh", want: Query{Name: "ssh"}},
		{in: "SSH/sctp", want: Query{Name: "SSH", Protocol: "sctp"}},
		{in: "3com-tsmux", want: Query{Name: "3com-tsmux"}},
		{in: "z39.50", want: Query{Name: "z39.50"}},
		{in: "subntbcst_tftp", want: Query{Name: "subntbcst_tftp"}},
		{in: "", wantErr: "empty query"},
		{in: "   ", wantErr: "empty query"},
		{in: "65536", wantErr: "port 65536 is out of range: ports go from 0 to 65535"},
		{in: "1-99999", wantErr: "port 99999 is out of range"},
		{in: "99999999999999999999", wantErr: "out of range"},
		{in: "255-249", wantErr: "range 255-249 is backwards: write 249-255"},
		{in: "253/icmp", wantErr: `unknown transport "icmp" in query "253/icmp"`},
		{in: "ssh/", wantErr: `unknown transport ""`},
		{in: "/tcp", wantErr: "names a transport but no port or name"},
		{in: "1-2-3", wantErr: "not a port, a range or a service name"},
		{in: "-5", wantErr: "not a port, a range or a service name"},
		{in: "ss h", wantErr: "not a port, a range or a service name"},
		{in: "a/b/tcp", wantErr: "not a port, a range or a service name"},
		{in: "ssh\n", want: Query{Name: "ssh"}},
		{in: "héllo", wantErr: "not a port, a range or a service name"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseQuery(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("got %+v, %v; want an error containing %q", got, err, tt.wantErr)
				}
				if strings.Contains(err.Error(), "\n") {
					t.Errorf("got a multi-line error %q, want one line", err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("got %+v, %v; want %+v", got, err, tt.want)
			}
		})
	}
}

func TestQueryString(t *testing.T) {
	for in, want := range map[string]string{
		"253": "253", "253/TCP": "253/tcp", "249 - 255": "249-255", "007/udp": "7/udp", "SSH/sctp": "SSH/sctp",
	} {
		t.Run(in, func(t *testing.T) {
			q, err := ParseQuery(in)
			if err != nil {
				t.Fatal(err)
			}
			if got := q.String(); got != want {
				t.Errorf("got %q, want %q", got, want)
			}
		})
	}
}

// FuzzParseQuery checks that ParseQuery never panics, that its errors are
// one line, and that a parsed query's String parses back to the same query.
func FuzzParseQuery(f *testing.F) {
	for _, s := range []string{"253", "253/tcp", "249-255", "249 - 255/udp", "ssh", "ssh/TCP", "65536", "255-249", "3com-tsmux", "/", "-", "1-", "x/y/z"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q, err := ParseQuery(s)
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("ParseQuery(%q): multi-line error %q", s, err)
			}
			return
		}
		if q.check() != nil {
			t.Fatalf("ParseQuery(%q) = %+v, which Build would refuse: %v", s, q, q.check())
		}
		again, err := ParseQuery(q.String())
		if err != nil || again != q {
			t.Fatalf("ParseQuery(%q) = %+v; its String %q parses to %+v, %v", s, q, q.String(), again, err)
		}
	})
}

func TestSuggest(t *testing.T) {
	names := []string{"ssh", "sshell", "ssh-mgmt", "http", "https", "http-alt", "www-http", "echo", "Echo", "telnet", "SSH"}
	tests := []struct {
		name string
		want []string
	}{
		{"shh", []string{"ssh"}},
		{"htp", []string{"http"}},
		{"https", []string{"http"}},
		{"ECHOO", []string{"echo"}},
		{"telnetd", []string{"telnet"}},
		{"ss", []string{"ssh", "sshell", "ssh-mgmt"}},
		{"zzzzzz", nil},
		{"", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Suggest(names, tt.name); !slices.Equal(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
	t.Run("at most five", func(t *testing.T) {
		many := []string{"a1", "a2", "a3", "a4", "a5", "a6", "a7"}
		if got := Suggest(many, "a"); len(got) != 5 {
			t.Errorf("got %q, want 5 names", got)
		}
	})
}
