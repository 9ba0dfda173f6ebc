package history

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/regdiff/regdiff/diff"
)

// Query is what a history is asked about: in the port registry a port or a
// range of ports, or a service name, optionally on one transport; in any
// other registry a value ([ValueQuery]).
type Query struct {
	// Lo and Hi are the ports asked about (Lo == Hi for one port); both are
	// 0 for a name query.
	Lo, Hi int
	// Name is the service name asked about, or "" for a port query.
	Name string
	// Protocol is "tcp", "udp", "sctp" or "dccp", or "" for every transport.
	Protocol string
	// Value is a value query's code point or text key, as given; "" for a
	// port or name query.
	Value string
	// Table limits a value query to one sub-registry: the id of its
	// innermost <registry>, or the registry's own id for the records
	// directly under it. "" asks about every sub-registry.
	Table string
}

// ValueQuery is the query for a value in any registry other than the port
// registry: a number in the registry's notation ("6", "0x00FF",
// "0x13,0x01", "-260", "1.3.6.1"), a range ("0x0A-0x0F"), or a text key
// ("application/json", "Accept-Language"), in the sub-registry table, or
// in every one for "".
func ValueQuery(value, table string) (Query, error) {
	v := strings.TrimSpace(value)
	if v == "" {
		return Query{}, &queryError{"empty query: want a value of the registry, such as 6, 0x00FF, 0x13,0x01 or a name"}
	}
	if len(v) > 1024 || strings.ContainsFunc(v, func(r rune) bool { return r < ' ' || r == 0x7f }) {
		return Query{}, &queryError{fmt.Sprintf("query %q is not a value: too long, or holds control characters", truncateQuery(v))}
	}
	return Query{Value: v, Table: strings.TrimSpace(table)}, nil
}

func truncateQuery(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

// IsValue reports whether q asks about a value of a registry other than
// the port registry.
func (q Query) IsValue() bool { return q.Value != "" }

// IsName reports whether q asks about a service name.
func (q Query) IsName() bool { return q.Name != "" }

// Ports is the port part of a port query: "253" or "249-255".
func (q Query) Ports() string {
	if q.Lo == q.Hi {
		return strconv.Itoa(q.Lo)
	}
	return strconv.Itoa(q.Lo) + "-" + strconv.Itoa(q.Hi)
}

// String is the query's canonical form, which [ParseQuery] reads back:
// "253", "249-255/udp", "ssh/tcp".
func (q Query) String() string {
	if q.IsValue() {
		return q.Value
	}
	s := q.Name
	if !q.IsName() {
		s = q.Ports()
	}
	if q.Protocol != "" {
		s += "/" + q.Protocol
	}
	return s
}

// transports lists the transports the query covers, in output order.
func (q Query) transports() []string {
	if q.Protocol != "" {
		return []string{q.Protocol}
	}
	return diff.Transports
}

// queryError is the one error type ParseQuery returns.
type queryError struct{ msg string }

func (e *queryError) Error() string { return e.msg }

const queryHint = "want a port (253), a range (249-255) or a service name (ssh), optionally followed by /tcp, /udp, /sctp or /dccp"

// ParseQuery reads a query: a port ("253"), a port range ("249-255"), or a
// service name ("ssh"), each optionally followed by a transport ("253/tcp",
// "ssh/udp"). A query made only of digits and one dash is a port or range;
// anything else with at least one letter is a name (IANA names such as
// "3com-tsmux" may start with a digit). Names keep their case here; Build
// compares them ignoring case.
func ParseQuery(s string) (Query, error) {
	fail := func(format string, args ...any) (Query, error) {
		return Query{}, &queryError{fmt.Sprintf(format, args...)}
	}
	text := strings.TrimSpace(s)
	if text == "" {
		return fail("empty query: %s", queryHint)
	}
	var q Query
	main := text
	if i := strings.LastIndexByte(text, '/'); i >= 0 {
		main, q.Protocol = strings.TrimSpace(text[:i]), strings.ToLower(strings.TrimSpace(text[i+1:]))
		known := false
		for _, t := range diff.Transports {
			known = known || q.Protocol == t
		}
		if !known {
			return fail("unknown transport %q in query %q: want tcp, udp, sctp or dccp", text[i+1:], text)
		}
		if main == "" {
			return fail("query %q names a transport but no port or name: %s", text, queryHint)
		}
	}
	if lo, hi, isNum, err := parsePorts(main); isNum {
		if err != nil {
			return fail("%v", err)
		}
		q.Lo, q.Hi = lo, hi
		return q, nil
	}
	if !validName(main) {
		return fail("query %q is not a port, a range or a service name: %s", text, queryHint)
	}
	q.Name = main
	return q, nil
}

// parsePorts parses "253" or "249-255" (spaces around the dash allowed).
// isNum is false when s is not made of digits and at most one dash, so that
// the caller tries it as a name.
func parsePorts(s string) (lo, hi int, isNum bool, err error) {
	a, b, isRange := strings.Cut(s, "-")
	a, b = strings.TrimSpace(a), strings.TrimSpace(b)
	if !digits(a) || isRange && !digits(b) {
		return 0, 0, false, nil
	}
	if lo, err = port(a); err != nil {
		return 0, 0, true, err
	}
	if !isRange {
		return lo, lo, true, nil
	}
	if hi, err = port(b); err != nil {
		return 0, 0, true, err
	}
	if hi < lo {
		return 0, 0, true, fmt.Errorf("range %d-%d is backwards: write %d-%d", lo, hi, hi, lo)
	}
	return lo, hi, true, nil
}

func digits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func port(s string) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil || n > diff.MaxPort {
		return 0, fmt.Errorf("port %s is out of range: ports go from 0 to %d", s, diff.MaxPort)
	}
	return n, nil
}

// validName accepts what service names in the registry are made of
// (letters, digits, '-', and in old records '.', '_', '+', '*'), with at
// least one letter.
func validName(s string) bool {
	if len(s) > 128 {
		return false
	}
	letter := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z':
			letter = true
		case c >= '0' && c <= '9', c == '-', c == '.', c == '_', c == '+', c == '*':
		default:
			return false
		}
	}
	return letter
}

// check validates a Query that did not come from ParseQuery.
func (q Query) check() error {
	if q.IsValue() {
		if q.Name != "" || q.Protocol != "" || q.Lo != 0 || q.Hi != 0 {
			return &queryError{"a value query has no port, name or transport"}
		}
		return nil
	}
	if q.Protocol != "" && transportRank(q.Protocol) == len(diff.Transports) {
		return &queryError{fmt.Sprintf("unknown transport %q: want tcp, udp, sctp or dccp", q.Protocol)}
	}
	if q.IsName() {
		return nil
	}
	if q.Lo < 0 || q.Hi > diff.MaxPort || q.Lo > q.Hi {
		return &queryError{fmt.Sprintf("ports %d-%d are not a range within 0-%d", q.Lo, q.Hi, diff.MaxPort)}
	}
	return nil
}
