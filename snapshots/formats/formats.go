// Package formats reads the source formats of IANA registries into the
// record model: IANA's XML, its CSV and 2013–2014 plain-text renderings,
// the old port-numbers and protocol-numbers text files, and the Assigned
// Numbers RFCs' port tables. [Parse] recognizes a file by its content.
//
// A new format is one file, holding its parser and the test of its head,
// and one row in [table].
package formats

import (
	"slices"

	"github.com/regdiff/regdiff/snapshots/record"
)

// Format is one source format regdiff reads.
type Format struct {
	// Name is the format's name as versions record it (record.Registry's
	// and record.Version's Format); its parser sets it.
	Name string
	// Title names the format for people, in an error that lists them all.
	Title string
	// Looks reports whether a file is in this format, from its head: up to
	// its first 4 KB, less a leading byte order mark and white space. Rows
	// are tried in order, and the first that looks right parses the file.
	Looks func(head []byte) bool
	Parse func(data []byte) (*record.Registry, error)
	// Fields lists the record fields ([record.Fields]) the format can hold,
	// or is nil for a format that holds every field and every other child
	// element. A comparison across formats leaves out the fields either
	// side cannot hold: their absence says nothing about the registry.
	Fields []string
	// FoldsNames is set for a format that wrote service names in a case of
	// its own (the Assigned Numbers RFCs wrote them upper case), so that
	// names compare ignoring case against other formats.
	FoldsNames bool
}

var table = []Format{
	{Name: "xml", Title: "IANA's XML", Looks: looksXML, Parse: ParseXML},
	{Name: "csv", Title: "IANA's CSV", Looks: looksCSV, Parse: ParseCSV, Fields: record.Fields},
	{Name: "text-rendering", Title: "IANA's text rendering", Looks: looksTextRendering, Parse: ParseTextRendering, Fields: record.Fields},
	{Name: "port-numbers", Title: "the port-numbers text file", Looks: looksPortNumbers, Parse: ParsePortNumbers, Fields: []string{"description", "refs", "contact", "registered"}},
	{Name: "protocol-numbers-text", Title: "the protocol-numbers text file", Looks: looksProtocolNumbersText, Parse: ParseProtocolNumbersText, Fields: []string{"description", "refs", "contact"}},
	{Name: "rfc", Title: "an Assigned Numbers RFC's port table", Looks: looksRFC, Parse: ParseRFC, Fields: []string{"description", "refs", "contact"}, FoldsNames: true},
}

// All returns the formats regdiff reads, in the order [Parse] tries them.
func All() []Format { return slices.Clone(table) }

// Lookup finds a format by name.
func Lookup(name string) (Format, bool) {
	i := slices.IndexFunc(table, func(f Format) bool { return f.Name == name })
	if i < 0 {
		return Format{}, false
	}
	return table[i], true
}

// Carries reports whether a source format can hold a field; a format
// regdiff does not know is assumed to hold everything.
func Carries(format, field string) bool {
	f, ok := Lookup(format)
	return !ok || f.Fields == nil || slices.Contains(f.Fields, field)
}

// FoldsNames reports whether a format wrote service names in a case of its
// own (see [Format.FoldsNames]).
func FoldsNames(format string) bool {
	f, ok := Lookup(format)
	return ok && f.FoldsNames
}
