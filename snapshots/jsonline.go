package snapshots

import (
	"slices"
	"unicode/utf8"
)

// appendRecordJSON appends r as one line of JSON, with the fields and
// order encoding/json gives Record (its tags), but without escaping <, >
// and &, which keeps `git log -p` readable. Written by hand because
// reflection-based encoding of every record was a sixth of import time;
// TestAppendRecordJSON checks it against encoding/json.
func appendRecordJSON(b []byte, r *Record) []byte {
	b = append(b, '{')
	first := true
	str := func(key, v string) {
		if v == "" {
			return
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		b = appendJSONString(append(b, '"'), key)
		b = append(b, '"', ':')
		b = appendJSONString(append(b, '"'), v)
		b = append(b, '"')
	}
	list := func(key string, vs []string) {
		if len(vs) == 0 {
			return
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		b = append(b, '"')
		b = append(b, key...)
		b = append(b, '"', ':', '[')
		for i, v := range vs {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(append(b, '"'), v)
			b = append(b, '"')
		}
		b = append(b, ']')
	}
	str("table", r.Table)
	str("name", r.Name)
	str("protocol", r.Protocol)
	str("number", r.Number)
	str("description", r.Description)
	list("refs", r.Refs)
	list("assignee", r.Assignee)
	list("contact", r.Contact)
	str("registered", r.Registered)
	str("modified", r.Modified)
	str("note", r.Note)
	str("unauthorized", r.Unauthorized)
	str("service_code", r.ServiceCode)
	if len(r.Other) > 0 {
		if !first {
			b = append(b, ',')
		}
		b = append(b, `"other":{`...)
		keys := make([]string, 0, len(r.Other))
		for k := range r.Other {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for i, k := range keys {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(append(b, '"'), k)
			b = append(b, '"', ':', '"')
			b = appendJSONString(b, r.Other[k])
			b = append(b, '"')
		}
		b = append(b, '}')
	}
	return append(b, '}')
}

const hexDigits = "0123456789abcdef"

// appendJSONString appends s escaped for the inside of a JSON string:
// quotes, backslashes and control characters escaped, invalid UTF-8
// replaced by U+FFFD as encoding/json does.
func appendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c == '\n':
				b = append(b, '\\', 'n')
			case c == '\r':
				b = append(b, '\\', 'r')
			case c == '\t':
				b = append(b, '\\', 't')
			case c < 0x20:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
		default:
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return b
}

// parseRecordJSON decodes a line written by appendRecordJSON, several
// times faster than encoding/json: reading versions is what diff, history
// and changelog spend their time on. It reports false on anything it does
// not expect, and the caller falls back to encoding/json, so a line written
// by another tool or by hand still reads.
func parseRecordJSON(line string, r *Record) bool {
	p := jsonScanner{b: line}
	if !p.byte('{') {
		return false
	}
	if p.peek() == '}' {
		p.i++
		return p.end()
	}
	for {
		key, ok := p.str()
		if !ok || !p.byte(':') {
			return false
		}
		switch key {
		case "refs", "assignee", "contact":
			list, ok := p.strList()
			if !ok {
				return false
			}
			switch key {
			case "refs":
				r.Refs = list
			case "assignee":
				r.Assignee = list
			default:
				r.Contact = list
			}
		case "other":
			m, ok := p.strMap()
			if !ok {
				return false
			}
			r.Other = m
		default:
			v, ok := p.str()
			if !ok {
				return false
			}
			switch key {
			case "table":
				r.Table = v
			case "name":
				r.Name = v
			case "protocol":
				r.Protocol = v
			case "number":
				r.Number = v
			case "description":
				r.Description = v
			case "registered":
				r.Registered = v
			case "modified":
				r.Modified = v
			case "note":
				r.Note = v
			case "unauthorized":
				r.Unauthorized = v
			case "service_code":
				r.ServiceCode = v
			default:
				return false
			}
		}
		switch p.next() {
		case ',':
		case '}':
			return p.end()
		default:
			return false
		}
	}
}

// jsonScanner reads a string so that unescaped values are substrings of
// it: decoding a file costs one allocation for its text, not one per field.
type jsonScanner struct {
	b string
	i int
}

func (p *jsonScanner) peek() byte {
	if p.i < len(p.b) {
		return p.b[p.i]
	}
	return 0
}

func (p *jsonScanner) next() byte {
	c := p.peek()
	p.i++
	return c
}

func (p *jsonScanner) byte(c byte) bool { return p.next() == c }

func (p *jsonScanner) end() bool { return p.i == len(p.b) }

func (p *jsonScanner) str() (string, bool) {
	if !p.byte('"') {
		return "", false
	}
	start := p.i
	for p.i < len(p.b) {
		switch c := p.b[p.i]; {
		case c == '"':
			if !utf8.ValidString(p.b[start:p.i]) {
				return "", false // encoding/json replaces bad bytes; let it
			}
			s := p.b[start:p.i]
			p.i++
			return s, true
		case c == '\\':
			return p.escaped(start)
		case c < 0x20:
			return "", false
		}
		p.i++
	}
	return "", false
}

// escaped finishes a string that holds escapes, from its start.
func (p *jsonScanner) escaped(start int) (string, bool) {
	buf := append([]byte(nil), p.b[start:p.i]...)
	for p.i < len(p.b) {
		c := p.b[p.i]
		switch {
		case c == '"':
			p.i++
			if !utf8.Valid(buf) {
				return "", false
			}
			return string(buf), true
		case c < 0x20:
			return "", false
		case c != '\\':
			buf = append(buf, c)
			p.i++
			continue
		}
		if p.i+1 >= len(p.b) {
			return "", false
		}
		e := p.b[p.i+1]
		p.i += 2
		switch e {
		case '"', '\\', '/':
			buf = append(buf, e)
		case 'n':
			buf = append(buf, '\n')
		case 'r':
			buf = append(buf, '\r')
		case 't':
			buf = append(buf, '\t')
		case 'b':
			buf = append(buf, '\b')
		case 'f':
			buf = append(buf, '\f')
		case 'u':
			if p.i+4 > len(p.b) {
				return "", false
			}
			var v rune
			for _, h := range []byte(p.b[p.i : p.i+4]) {
				v <<= 4
				switch {
				case h >= '0' && h <= '9':
					v |= rune(h - '0')
				case h >= 'a' && h <= 'f':
					v |= rune(h - 'a' + 10)
				case h >= 'A' && h <= 'F':
					v |= rune(h - 'A' + 10)
				default:
					return "", false
				}
			}
			if v >= 0xd800 && v < 0xe000 {
				return "", false // surrogate pairs: leave them to encoding/json
			}
			p.i += 4
			buf = utf8.AppendRune(buf, v)
		default:
			return "", false
		}
	}
	return "", false
}

func (p *jsonScanner) strList() ([]string, bool) {
	if !p.byte('[') {
		return nil, false
	}
	out := []string{} // as encoding/json gives for []
	if p.peek() == ']' {
		p.i++
		return out, true
	}
	for {
		s, ok := p.str()
		if !ok {
			return nil, false
		}
		out = append(out, s)
		switch p.next() {
		case ',':
		case ']':
			return out, true
		default:
			return nil, false
		}
	}
}

func (p *jsonScanner) strMap() (map[string]string, bool) {
	if !p.byte('{') {
		return nil, false
	}
	m := map[string]string{}
	if p.peek() == '}' {
		p.i++
		return m, true
	}
	for {
		k, ok := p.str()
		if !ok || !p.byte(':') {
			return nil, false
		}
		v, ok := p.str()
		if !ok {
			return nil, false
		}
		m[k] = v
		switch p.next() {
		case ',':
		case '}':
			return m, true
		default:
			return nil, false
		}
	}
}
