package snapshots

// Fields are the comparable fields of a record, by the names the diff
// uses (Record's JSON tags). Other child elements are compared by their own
// names and carried by XML only.
var Fields = []string{"description", "refs", "assignee", "contact", "registered", "modified", "note", "unauthorized", "service_code"}

// carried lists, for each source format other than XML (which carries
// everything), the fields it can hold. A comparison across formats leaves
// out the fields either side cannot carry: their absence says nothing
// about the registry.
var carried = map[string][]string{
	"csv":                   {"description", "refs", "assignee", "contact", "registered", "modified", "note", "unauthorized", "service_code"},
	"text-rendering":        {"description", "refs", "assignee", "contact", "registered", "modified", "note", "unauthorized", "service_code"},
	"port-numbers":          {"description", "refs", "contact", "registered"},
	"rfc":                   {"description", "refs", "contact"},
	"protocol-numbers-text": {"description", "refs", "contact"},
}

// Carries reports whether a source format can hold a field.
func Carries(format, field string) bool {
	fields, ok := carried[format]
	if !ok {
		return true // xml, or a format regdiff does not know: assume it can
	}
	for _, f := range fields {
		if f == field {
			return true
		}
	}
	return false
}

// FoldsNames reports whether a format wrote service names in a case of its
// own (the Assigned Numbers RFCs wrote them upper case), so that names must
// be compared ignoring case against other formats.
func FoldsNames(format string) bool { return format == "rfc" }
