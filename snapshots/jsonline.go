package snapshots

import (
	"slices"
	"unicode/utf8"

	"github.com/regdiff/regdiff/snapshots/record"
)

// appendRecordJSON appends r as one line of JSON, with the fields and
// order encoding/json gives Record (its tags), but without escaping <, >
// and &, which keeps `git log -p` readable. Written by hand because
// reflection-based encoding of every record was a sixth of import time;
// TestAppendRecordJSON checks it against encoding/json.
func appendRecordJSON(b []byte, r *record.Record) []byte {
	o := jsonObject{b: append(b, '{'), first: true}
	o.str("table", r.Table)
	o.str("name", r.Name)
	o.str("protocol", r.Protocol)
	o.str("number", r.Number)
	o.str("description", r.Description)
	o.list("refs", r.Refs)
	o.list("assignee", r.Assignee)
	o.list("contact", r.Contact)
	o.str("registered", r.Registered)
	o.str("modified", r.Modified)
	o.str("note", r.Note)
	o.str("unauthorized", r.Unauthorized)
	o.str("service_code", r.ServiceCode)
	o.strMap("other", r.Other)
	return append(o.b, '}')
}

// appendItemJSON appends it as one line of JSON, as appendRecordJSON does
// for records.
func appendItemJSON(b []byte, it *record.Item) []byte {
	o := jsonObject{b: append(b, '{'), first: true}
	o.str("table", it.Table)
	o.always("element", it.Element)
	o.str("key", it.Key)
	o.str("text", it.Text)
	return append(o.b, '}')
}

// appendPersonJSON appends p as one line of JSON, as appendRecordJSON does
// for records.
func appendPersonJSON(b []byte, p *record.Person) []byte {
	o := jsonObject{b: append(b, '{'), first: true}
	o.always("id", p.ID)
	o.str("name", p.Name)
	o.str("org", p.Org)
	o.str("uri", p.URI)
	o.str("updated", p.Updated)
	o.strMap("other", p.Other)
	return append(o.b, '}')
}

// jsonObject appends the members of a JSON object, omitting empty ones as
// the omitempty tag does.
type jsonObject struct {
	b     []byte
	first bool
}

func (o *jsonObject) key(k string) {
	if !o.first {
		o.b = append(o.b, ',')
	}
	o.first = false
	o.b = append(o.b, '"')
	o.b = appendJSONString(o.b, k)
	o.b = append(o.b, '"', ':')
}

// always appends a string member even when it is empty.
func (o *jsonObject) always(k, v string) {
	o.key(k)
	o.b = append(o.b, '"')
	o.b = appendJSONString(o.b, v)
	o.b = append(o.b, '"')
}

func (o *jsonObject) str(k, v string) {
	if v != "" {
		o.always(k, v)
	}
}

func (o *jsonObject) list(k string, vs []string) {
	if len(vs) == 0 {
		return
	}
	o.key(k)
	o.b = append(o.b, '[')
	for i, v := range vs {
		if i > 0 {
			o.b = append(o.b, ',')
		}
		o.b = append(o.b, '"')
		o.b = appendJSONString(o.b, v)
		o.b = append(o.b, '"')
	}
	o.b = append(o.b, ']')
}

// strMap appends a map member with its keys sorted, as encoding/json does.
func (o *jsonObject) strMap(k string, m map[string]string) {
	if len(m) == 0 {
		return
	}
	o.key(k)
	o.b = append(o.b, '{')
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for i, k := range keys {
		if i > 0 {
			o.b = append(o.b, ',')
		}
		o.b = append(o.b, '"')
		o.b = appendJSONString(o.b, k)
		o.b = append(o.b, '"', ':', '"')
		o.b = appendJSONString(o.b, m[k])
		o.b = append(o.b, '"')
	}
	o.b = append(o.b, '}')
}

const hexDigits = "0123456789abcdef"

// appendJSONString appends s escaped for the inside of a JSON string:
// quotes, backslashes and control characters escaped, invalid UTF-8
// replaced by U+FFFD as encoding/json does.
func appendJSONString(b []byte, s string) []byte {
	// Runs of bytes that need no escape are appended whole: byte by byte,
	// this loop was a tenth of an import's and a verify's time.
	run := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[run:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			run = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[run:i]...)
			b = append(b, `\ufffd`...)
			run = i + size
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[run:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			run = i + size
		}
		i += size
	}
	return append(b, s[run:]...)
}

// parseRecordJSON decodes a line written by appendRecordJSON, several
// times faster than encoding/json: reading versions is what diff, history
// and changelog spend their time on. It reports false on anything it does
// not expect, and the caller falls back to encoding/json, so a line written
// by another tool or by hand still reads.
func parseRecordJSON(line string, r *record.Record) bool {
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
