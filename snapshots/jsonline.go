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
