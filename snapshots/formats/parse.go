package formats

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/regdiff/regdiff/snapshots/record"
)

// ErrUnknownFormat is returned for input that is in none of the formats
// regdiff reads.
var ErrUnknownFormat = errors.New("not a registry file regdiff can read")

// ErrEmpty and ErrHTML are returned for an empty file and for an HTML
// page: no registry, and, in place of a registry's download, the sign of
// an error page.
var (
	ErrEmpty = errors.New("empty file")
	ErrHTML  = errors.New("this is an HTML page, not a registry (an error page served in place of the file?)")
)

// Parse recognizes a registry file by its content, by the rows of the
// table of formats in order, and parses it. A format that gives no date of
// its own leaves Registry.Updated empty.
func Parse(data []byte) (*record.Registry, error) {
	if len(data) == 0 {
		return nil, ErrEmpty
	}
	head := bytes.TrimLeft(data[:min(len(data), 4096)], "\ufeff \t\r\n")
	if looksHTML(head) {
		return nil, ErrHTML
	}
	for _, f := range table {
		if f.Looks(head) {
			return f.Parse(data)
		}
	}
	if !utf8.Valid(head[:max(0, len(head)-utf8.UTFMax)]) {
		return nil, fmt.Errorf("%w: binary data", ErrUnknownFormat)
	}
	titles := make([]string, len(table))
	for i, f := range table {
		titles[i] = f.Title
	}
	return nil, fmt.Errorf("%w: not %s", ErrUnknownFormat, strings.Join(titles, ", "))
}

func looksXML(head []byte) bool { return bytes.HasPrefix(head, []byte("<")) }

func looksHTML(head []byte) bool {
	h := bytes.ToLower(head)
	return bytes.HasPrefix(h, []byte("<!doctype html")) || bytes.HasPrefix(h, []byte("<html"))
}
