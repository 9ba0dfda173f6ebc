package history

import (
	"math"
	"strconv"
	"strings"

	"github.com/regdiff/regdiff/snapshots/record"
)

// A value query asks about a code point of any registry other than the
// port registry: a number in the registry's own notation ("6", "0x00FF",
// "0x13,0x01", "-260", "1.3.6.1.5"), or a text key ("application/json",
// "Accept-Language", "A").
//
// A key text is read as a tuple of components, each a number or a range of
// numbers: "0x13,0x08-FF" is the pairs 0x13,0x08 to 0x13,0xFF;
// "-65536..-262" a range of negative numbers; "1.3.6.1" a dotted tuple.
// Components are separated by commas (or dots, when there is no comma and
// no ".." range); a range is "lo-hi", "lo..hi" or "lo to hi"; a number is
// decimal, or hex with "0x" (an upper bound without "0x" takes its lower
// bound's base, as in "0x13,0x08-FF"); "*" is any number. Braces, a
// trailing note in parentheses and the spaces IANA writes around
// separators are ignored. Anything else is text.

// span is the numbers one component of a key covers.
type span struct{ lo, hi int64 }

// tuple is a key text read as numbers: one span per component.
type tuple []span

// parseTuple reads s as a tuple, or returns false when s is text.
func parseTuple(s string) (tuple, bool) { return parseTupleBase(s, false) }

// parseTupleBase is parseTuple for a table that writes hex without "0x"
// (hex true): unprefixed numbers are then hex.
func parseTupleBase(s string, hex bool) (tuple, bool) {
	s = strings.TrimSpace(s)
	// A trailing note is no part of the key: "257 (0x0101)",
	// "0x0003(deprecated)".
	if i := strings.IndexByte(s, '('); i > 0 && strings.HasSuffix(s, ")") {
		s = strings.TrimSpace(s[:i])
	}
	s = strings.NewReplacer("{", "", "}", "").Replace(s) // "{0x00, 0x1C-1D}", "241.{12-25}"
	if s == "" {
		return nil, false
	}
	sep := ","
	if !strings.Contains(s, ",") && !strings.Contains(s, "..") && strings.Contains(s, ".") {
		sep = "."
	}
	parts := strings.Split(s, sep)
	if len(parts) == 1 && s == "*" {
		return nil, false // "any" alone is no number: a key of a table keyed otherwise
	}
	t := make(tuple, 0, len(parts))
	for _, p := range parts {
		sp, ok := parseSpan(strings.TrimSpace(p), hex)
		if !ok {
			return nil, false
		}
		t = append(t, sp)
	}
	return t, true
}

// parseSpan reads one component: "7", "0x0A", "-3", "26-63", "26 - 63",
// "-65536..-262", "0x0003-0xfeff", "1 to 5", or "*" for any number (TLS's
// "0x01-55,*").
func parseSpan(s string, hexDefault bool) (span, bool) {
	switch s {
	case "":
		return span{}, false
	case "*":
		return span{math.MinInt64, math.MaxInt64}, true
	}
	a, b, isRange := cutRange(s)
	lo, hex, ok := parseNumber(a, hexDefault)
	if !ok {
		return span{}, false
	}
	if !isRange {
		return span{lo, lo}, true
	}
	hi, _, ok := parseNumber(b, hex)
	if !ok || hi < lo {
		return span{}, false
	}
	return span{lo, hi}, true
}

// cutRange splits a component at its range separator; a dash that starts a
// bound is the bound's sign.
func cutRange(s string) (a, b string, ok bool) {
	if a, b, ok := strings.Cut(s, ".."); ok {
		return strings.TrimSpace(a), strings.TrimSpace(b), true
	}
	if a, b, ok := strings.Cut(s, " to "); ok {
		return strings.TrimSpace(a), strings.TrimSpace(b), true
	}
	if i := strings.IndexByte(s[1:], '-'); i >= 0 {
		return strings.TrimSpace(s[:i+1]), strings.TrimSpace(s[i+2:]), true
	}
	return s, "", false
}

// parseNumber reads a decimal or 0x-prefixed hex number, with an optional
// sign; hexDefault reads unprefixed digits as hex.
func parseNumber(s string, hexDefault bool) (n int64, hex, ok bool) {
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	base := 10
	if len(s) > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') {
		s, base, hex = s[2:], 16, true
	} else if hexDefault {
		base, hex = 16, true
	}
	if s == "" || len(s) > 16 {
		return 0, false, false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('0' <= c && c <= '9' || base == 16 && ('a' <= c|0x20 && c|0x20 <= 'f')) {
			return 0, false, false
		}
	}
	u, err := strconv.ParseInt(s, base, 64)
	if err != nil {
		return 0, false, false
	}
	if neg {
		u = -u
	}
	return u, hex, true
}

// overlaps reports whether every component of q overlaps the same
// component of t: for a query of single numbers, whether t covers it.
func (t tuple) overlaps(q tuple) bool {
	if len(t) != len(q) {
		return false
	}
	for i := range t {
		if q[i].hi < t[i].lo || q[i].lo > t[i].hi {
			return false
		}
	}
	return true
}

// valueMatcher decides which records cover a value query.
type valueMatcher struct {
	text string
	num  tuple // nil when the query is text
	// hex holds the tables whose keys are hex without "0x" (see
	// hexTable): their numbers are read as hex.
	hex map[string]bool
}

func newValueMatcher(value string) *valueMatcher {
	m := &valueMatcher{text: strings.TrimSpace(value)}
	if t, ok := parseTuple(m.text); ok {
		m.num = t
	}
	return m
}

// covers reports whether r covers the query. A record's key is its number
// (<value> or <number>) and its name; a record with neither is keyed by
// its other elements and its description, as the diff keys it, and
// covers a number only by an element that holds code points
// ([keyElements]). A number
// query is covered by a key whose tuple holds it (a range covers every
// value in it); any query by a key equal to it as text, ignoring ASCII
// case, or by "TABLE/NAME" (media types: "application/json"); a text query
// also by any other element of the record equal to it (the type "AAAA" of
// a DNS record keyed by its value).
func (m *valueMatcher) covers(r *record.Record) bool {
	keyed := r.Number != "" || r.Name != ""
	if m.num != nil {
		if m.numIn(r.Number, m.hex[r.Table]) {
			return true
		}
		if !keyed {
			for k, v := range r.Other {
				if ok, hex := keyElement(k); ok && m.numIn(v, hex || m.hex[r.Table]) {
					return true
				}
			}
			if m.numIn(r.Description, false) {
				return true
			}
		}
	}
	if equalFold(record.Collapse(r.Number), m.text) || equalFold(r.Name, m.text) {
		return true
	}
	if r.Name != "" && r.Table != "" && len(m.text) == len(r.Table)+1+len(r.Name) &&
		m.text[len(r.Table)] == '/' && equalFold(m.text[:len(r.Table)], r.Table) && equalFold(m.text[len(r.Table)+1:], r.Name) {
		return true
	}
	// A numbered record's other elements are its data ("length": "5"),
	// but a name in one of them is what people ask for ("type": "AAAA").
	if m.num == nil || !keyed {
		for _, v := range r.Other {
			if equalFold(record.Collapse(v), m.text) {
				return true
			}
		}
	}
	return !keyed && equalFold(record.Collapse(r.Description), m.text)
}

// keyElements are the elements that hold a code point in records with no
// <value>, <number> or <name>: a number in any other element ("size":
// "8-32") is data, not a key.
var keyElements = map[string]bool{
	"code": true, "codepoint": true, "type": true, "prefix": true, "tag": true, "bit": true, "bits": true,
	"id": true, "identifier": true, "index": true, "range": true, "label": true, "flag": true,
}

// keyElement tells whether an element holds code points: one of
// keyElements, alone or qualified ("type_decimal" and "type_hex" in
// ieee-802-numbers), and whether it holds them in hex without "0x" (a name
// ending in "hex").
func keyElement(name string) (ok, hex bool) {
	base, _, _ := strings.Cut(strings.ReplaceAll(name, "-", "_"), "_")
	return keyElements[name] || keyElements[base], strings.HasSuffix(name, "hex")
}

// numIn reports whether key text s, read as a tuple, covers the query.
func (m *valueMatcher) numIn(s string, hex bool) bool {
	if s == "" {
		return false
	}
	t, ok := parseTupleBase(s, hex)
	return ok && t.overlaps(m.num)
}

// hexTable tells from a table's keys whether it writes hex without "0x",
// as ppp-numbers does ("0021", "c021"): some key is made only of hex
// digits (and range dashes) with both a digit and a letter among them (a
// word such as "add" is text), and none uses "0x".
// Read as decimal, "0021" would be 21, and 0x0021 would find "0033".
func hexTable(keys []string) bool {
	letter := false
	for _, k := range keys {
		k = strings.TrimSpace(k)
		if strings.Contains(k, "0x") || strings.Contains(k, "0X") {
			return false
		}
		digitsOnly, hasLetter, hasDigit := k != "", false, false
		for i := 0; i < len(k); i++ {
			c := k[i] | 0x20
			switch {
			case '0' <= k[i] && k[i] <= '9':
				hasDigit = true
			case k[i] == '-' && i > 0:
			case 'a' <= c && c <= 'f':
				hasLetter = true
			default:
				digitsOnly = false
			}
		}
		letter = letter || digitsOnly && hasLetter && hasDigit
	}
	return letter
}
