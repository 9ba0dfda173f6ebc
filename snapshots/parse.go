package snapshots

import (
	"bytes"
	"errors"
	"fmt"
	"unicode/utf8"
)

// ErrUnknownFormat is returned for input that is in none of the formats
// regdiff reads.
var ErrUnknownFormat = errors.New("not a registry file regdiff can read")

// Parse recognizes a registry file by its content and parses it: IANA's
// XML, its CSV and 2013–2014 plain-text renderings, the old port-numbers and
// protocol-numbers text files, and the Assigned Numbers RFCs' port tables.
// A format that gives no date of its own leaves Registry.Updated empty.
func Parse(data []byte) (*Registry, error) {
	head := bytes.TrimLeft(data[:min(len(data), 4096)], "\ufeff \t\r\n")
	switch {
	case len(data) == 0:
		return nil, errors.New("empty file")
	case bytes.HasPrefix(head, []byte("<")):
		if looksHTML(head) {
			return nil, errors.New("this is an HTML page, not a registry (an error page served in place of the file?)")
		}
		return ParseXML(data)
	case looksCSV(head):
		return ParseCSV(data)
	case looksTextRendering(head):
		return ParseTextRendering(data)
	case looksPortNumbers(head):
		return ParsePortNumbers(data)
	case looksProtocolNumbersText(head):
		return ParseProtocolNumbersText(data)
	case looksRFC(head):
		return ParseRFC(data)
	case !utf8.Valid(head[:max(0, len(head)-utf8.UTFMax)]):
		return nil, fmt.Errorf("%w: binary data", ErrUnknownFormat)
	}
	return nil, fmt.Errorf("%w: not IANA's XML, CSV or text rendering, the port-numbers or protocol-numbers text file, or an Assigned Numbers RFC", ErrUnknownFormat)
}

func looksHTML(head []byte) bool {
	h := bytes.ToLower(head)
	return bytes.HasPrefix(h, []byte("<!doctype html")) || bytes.HasPrefix(h, []byte("<html"))
}
