package diff

import (
	"bufio"
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/regdiff/regdiff/snapshots/record"

	"github.com/sergi/go-diff/diffmatchpatch"
)

// ANSI colours for WriteText.
const (
	ansiReset  = "\x1b[0m"
	ansiBold   = "\x1b[1m"
	ansiRed    = "\x1b[31m"
	ansiGreen  = "\x1b[32m"
	ansiYellow = "\x1b[33m"
	ansiCyan   = "\x1b[36m"
)

var kindTitles = map[string]string{Added: "Added", Removed: "Removed", Changed: "Changed", Renamed: "Renamed"}

// header is the first line: "registry: FROM → TO".
func header(r *Result) string {
	h := r.From.Name + " → " + r.To.Name
	if r.Registry != "" {
		h = r.Registry + ": " + h
	}
	return h
}

// formatNote explains a comparison across source formats, or is "".
func formatNote(r *Result) string {
	if r.From.Format == r.To.Format || r.From.Format == "" || r.To.Format == "" {
		return ""
	}
	note := fmt.Sprintf("formats differ: %s is from %s, %s from %s", r.From.Name, r.From.Format, r.To.Name, r.To.Format)
	if len(r.Ignored) > 0 {
		note += "; not compared, as one format cannot carry them: " + strings.Join(r.Ignored, ", ")
	} else {
		note += "; fields one format cannot carry show as changes"
	}
	return note
}

// summaryLine is "389 added, 102 removed, 149 changed, 3 renamed; ports: 95
// Unassigned → Assigned, ...", or "no differences".
func summaryLine(r *Result) string {
	if r.Empty() {
		return "no differences"
	}
	parts := []string{"no record changes"}
	if len(r.Changes) > 0 {
		parts[0] = fmt.Sprintf("%d added, %d removed, %d changed, %d renamed", r.Added, r.Removed, r.Changed, r.Renamed)
	}
	if len(r.Transitions) > 0 {
		parts = append(parts, "ports: "+strings.Join(portSummary(r.Transitions), ", "))
	}
	if o := OutsideSummary(r); o != "" {
		parts = append(parts, o)
	}
	return strings.Join(parts, "; ")
}

// OutsideSummary is the part of a summary line for the changes outside the
// records: "registry: 1 changed; people: 2 added, 1 changed", or "".
func OutsideSummary(r *Result) string {
	var parts []string
	if len(r.Items) > 0 {
		parts = append(parts, "registry: "+kindCounts(len(r.Items), func(i int) string { return r.Items[i].Kind }))
	}
	if len(r.People) > 0 {
		parts = append(parts, "people: "+kindCounts(len(r.People), func(i int) string { return r.People[i].Kind }))
	}
	return strings.Join(parts, "; ")
}

// kindCounts is "1 added, 2 changed": the n changes counted by kind.
func kindCounts(n int, kind func(i int) string) string {
	var out []string
	for _, k := range Kinds {
		c := 0
		for i := range n {
			if kind(i) == k {
				c++
			}
		}
		if c > 0 {
			out = append(out, fmt.Sprintf("%d %s", c, k))
		}
	}
	return strings.Join(out, ", ")
}

// ItemLabel names an item: "note", "footnote 1", "xref rfc:rfc6335",
// "[protocol-numbers-1] title".
func ItemLabel(c ItemChange) string {
	l := c.Element
	switch {
	case strings.ContainsAny(c.Key, " \t"):
		l += " " + strconv.Quote(c.Key)
	case c.Key != "":
		l += " " + c.Key
	}
	if c.Table != "" {
		l = "[" + c.Table + "] " + l
	}
	return l
}

// PersonText shows a person's fields in one line: "Jon Postel, mailto:…".
func personText(fs map[string]FieldChange, side func(FieldChange) string) string {
	var parts []string
	for _, n := range (&PersonChange{Fields: fs}).FieldNames() {
		if v := side(fs[n]); v != "" {
			parts = append(parts, v)
		}
	}
	return strings.Join(parts, ", ")
}

func fromSide(fc FieldChange) string { return fc.From }
func toSide(fc FieldChange) string   { return fc.To }

// PortCount is how many ports (transport and port pairs) made one kind of
// status transition.
type PortCount struct {
	From, To Status
	Ports    int
}

// CountTransitions counts ports per kind of transition, most frequent
// first: the "ports:" part of a summary line.
func CountTransitions(ts []Transition) []PortCount {
	var out []PortCount
	at := map[[2]Status]int{}
	for _, t := range ts {
		k := [2]Status{t.From, t.To}
		i, ok := at[k]
		if !ok {
			i, at[k] = len(out), len(out)
			out = append(out, PortCount{From: t.From, To: t.To})
		}
		out[i].Ports += t.Count()
	}
	slices.SortFunc(out, func(a, b PortCount) int {
		return cmp.Or(cmp.Compare(b.Ports, a.Ports), cmp.Compare(a.From, b.From), cmp.Compare(a.To, b.To))
	})
	return out
}

func portSummary(ts []Transition) []string {
	var out []string
	for _, c := range CountTransitions(ts) {
		out = append(out, fmt.Sprintf("%d %s → %s", c.Ports, c.From, c.To))
	}
	return out
}

// KeyName is what names a record in a list of changes: its name, or, in a
// table keyed by other elements, those ("code=0x01"), or nothing.
func KeyName(k record.Key) string {
	if k.Name != "" && k.Extra != "" {
		return k.Name + " (" + k.Extra + ")"
	}
	return k.Name + k.Extra
}

// keysNote says how the records of tables without a name or number to go
// by were told apart, or is "".
func keysNote(r *Result) string {
	var parts []string
	for _, k := range r.Keys {
		if k.Changed() {
			continue // a warning says it
		}
		var by []string
		if len(k.Elements) > 0 {
			by = append(by, strings.Join(k.Elements, " and "))
		}
		if k.Content {
			by = append(by, "whole content")
		}
		table := k.Table
		if table == "" {
			table = r.Registry
		}
		parts = append(parts, table+" by "+strings.Join(by, ", then "))
	}
	if len(parts) == 0 {
		return ""
	}
	return "Records with no name or number keyed by their own elements: " + strings.Join(parts, "; ") + "."
}

// keyText shows a key as "ssh 22/tcp", "249-255", "HOPOPT 0" or "ssh".
func keyText(k record.Key, table bool) string {
	port := k.Number
	if k.Protocol != "" {
		if port != "" {
			port += "/" + k.Protocol
		} else {
			port = k.Protocol
		}
	}
	var parts []string
	if table && k.Table != "" {
		parts = append(parts, "["+k.Table+"]")
	}
	for _, p := range []string{k.Name, k.Extra, port} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	if len(parts) == 0 {
		return "(empty key)"
	}
	return strings.Join(parts, " ")
}

// portText is the number and protocol part of a key: "22/tcp", or "".
func portText(k record.Key) string {
	if k.Protocol == "" && k.Number == "" {
		return ""
	}
	return keyText(record.Key{Protocol: k.Protocol, Number: k.Number}, false)
}

// multiTable reports whether the changes span several tables, so that keys
// need their table to be unambiguous.
func multiTable(r *Result) bool {
	for _, c := range r.Changes {
		if c.Key.Table != r.Changes[0].Key.Table || c.OldKey.Table != "" && c.OldKey.Table != c.Key.Table {
			return true
		}
	}
	return false
}

// grouped reports whether changes are listed under a heading per table:
// when some change is in a nested registry.
func grouped(r *Result) bool { return nested(r.Changes) }

// tableLabel names a table in a heading: "TLS Cipher Suites
// [tls-parameters-4]", or its id alone when its title is not known.
func tableLabel(r *Result, table string) string {
	id := r.tableName(table)
	if t := r.Titles[table]; t != "" {
		if id == "" {
			return t
		}
		return t + " [" + id + "]"
	}
	if id == "" {
		return "(root registry)"
	}
	return "[" + id + "]"
}

// byTable splits changes (ordered by table, as Compare orders them) into
// runs of one table.
func byTable(cs []*Change) [][]*Change {
	var out [][]*Change
	for i, c := range cs {
		if i == 0 || c.Key.Table != cs[i-1].Key.Table {
			out = append(out, nil)
		}
		out[len(out)-1] = append(out[len(out)-1], c)
	}
	return out
}

func byKind(r *Result, kind string) []*Change {
	var out []*Change
	for i := range r.Changes {
		if r.Changes[i].Kind == kind {
			out = append(out, &r.Changes[i])
		}
	}
	return out
}

// description of the change's record, for added and removed lines.
func description(c *Change) string {
	return visible(record.Collapse(c.record().Description))
}

// visible shows the characters that look like a space, or like nothing,
// as <U+XXXX>: a no-break space is content (see [record.Collapse]), and
// a change from a space to one must not read "a b → a b". Control
// characters are escaped first, as everywhere ([record.Printable]).
func visible(s string) string {
	s = record.Printable(s)
	clean := true
	for _, r := range s {
		if r >= 0x80 && invisible(r) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if r >= 0x80 && invisible(r) {
			fmt.Fprintf(&b, "<U+%04X>", r)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func invisible(r rune) bool {
	return unicode.IsSpace(r) || unicode.Is(unicode.Cf, r) || unicode.Is(unicode.Zs, r)
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

// WriteText writes r for people to read: a header, a summary line, then
// changes grouped by kind and the port transitions. color adds ANSI colours.
func WriteText(w io.Writer, r *Result, color bool) error {
	bw := bufio.NewWriter(w)
	paint := func(code, s string) string {
		if !color || s == "" {
			return s
		}
		return code + s + ansiReset
	}
	// Every text from the registry passes through pr before it is
	// painted: the data is escaped, not the colours.
	pr := record.Printable
	table := multiTable(r)
	group := grouped(r)
	fmt.Fprintln(bw, paint(ansiBold, pr(header(r))))
	if r.Reversed {
		fmt.Fprintln(bw, "(reversed: FROM is newer than TO)")
	}
	if n := formatNote(r); n != "" {
		fmt.Fprintf(bw, "(%s)\n", pr(n))
	}
	if n := keysNote(r); n != "" && len(r.Changes) > 0 {
		fmt.Fprintf(bw, "(%s)\n", pr(n))
	}
	for _, w := range r.Warnings() {
		fmt.Fprintf(bw, "%s %s\n", paint(ansiYellow, "warning:"), pr(w))
	}
	fmt.Fprintln(bw, summaryLine(r))

	marks := map[string]string{Added: "+", Removed: "-", Changed: "~", Renamed: ">"}
	colors := map[string]string{Added: ansiGreen, Removed: ansiRed, Changed: ansiYellow, Renamed: ansiCyan}
	for _, kind := range Kinds {
		cs := byKind(r, kind)
		if len(cs) == 0 {
			continue
		}
		fmt.Fprintf(bw, "\n%s (%d):\n", paint(ansiBold, kindTitles[kind]), len(cs))
		runs, indent := [][]*Change{cs}, ""
		if group {
			// A heading per table, its changes under it without the table.
			runs, indent, table = byTable(cs), "  ", false
		}
		for _, run := range runs {
			if group {
				fmt.Fprintf(bw, "%s (%d):\n", paint(ansiBold, pr(tableLabel(r, run[0].Key.Table))), len(run))
			}
			for _, c := range run {
				line := marks[kind] + " " + keyText(c.Key, table)
				switch kind {
				case Added, Removed:
					if d := description(c); d != "" {
						line += "  " + d
					}
					fmt.Fprintln(bw, indent+paint(colors[kind], pr(line)))
					continue
				case Renamed:
					line = marks[kind] + " " + c.OldKey.Name + " → " + keyText(c.Key, table)
				}
				fmt.Fprintln(bw, indent+paint(colors[kind], pr(line)))
				for _, name := range c.FieldNames() {
					fmt.Fprintf(bw, "%s    %s: %s\n", indent, pr(name), textFieldChange(c.Fields[name], color))
				}
			}
		}
	}
	if len(r.Transitions) > 0 {
		fmt.Fprintf(bw, "\n%s (%d):\n", paint(ansiBold, "Port status"), len(r.Transitions))
		width := 0
		for _, t := range r.Transitions {
			width = max(width, len(t.Protocol)+1+len(t.Ports))
		}
		for _, t := range r.Transitions {
			fmt.Fprintf(bw, "  %-*s  %s → %s\n", width, t.Protocol+" "+t.Ports, t.From, t.To)
		}
	}
	if len(r.Items) > 0 {
		fmt.Fprintf(bw, "\n%s (%d):\n", paint(ansiBold, "Registry"), len(r.Items))
		for _, c := range r.Items {
			line := marks[c.Kind] + " " + ItemLabel(c)
			switch {
			case c.Kind == Added && c.To != "":
				line += ": " + c.To
			case c.Kind == Removed && c.From != "":
				line += ": " + c.From
			}
			if c.Kind != Changed {
				fmt.Fprintln(bw, paint(colors[c.Kind], pr(line)))
				continue
			}
			fmt.Fprintf(bw, "%s: %s\n", paint(colors[c.Kind], pr(line)), textFieldChange(FieldChange{c.From, c.To}, color))
		}
	}
	if len(r.People) > 0 {
		fmt.Fprintf(bw, "\n%s (%d):\n", paint(ansiBold, "People"), len(r.People))
		for _, c := range r.People {
			line := marks[c.Kind] + " " + c.ID
			switch c.Kind {
			case Added:
				fmt.Fprintln(bw, paint(colors[c.Kind], pr(strings.TrimSpace(line+"  "+personText(c.Fields, toSide)))))
				continue
			case Removed:
				fmt.Fprintln(bw, paint(colors[c.Kind], pr(strings.TrimSpace(line+"  "+personText(c.Fields, fromSide)))))
				continue
			}
			fmt.Fprintln(bw, paint(colors[c.Kind], pr(line)))
			for _, name := range c.FieldNames() {
				fmt.Fprintf(bw, "    %s: %s\n", pr(name), textFieldChange(c.Fields[name], color))
			}
		}
	}
	if r.ItemsNote != "" {
		fmt.Fprintf(bw, "\n(%s)\n", pr(r.ItemsNote))
	}
	return bw.Flush()
}

// textFieldChange shows "old → new", or an inline word diff for long text
// ([-removed-]{+inserted+}, or red and green with color).
func textFieldChange(fc FieldChange, color bool) string {
	fc = FieldChange{visible(fc.From), visible(fc.To)}
	if !isLong(fc) {
		if color {
			return ansiRed + orNone(fc.From) + ansiReset + " → " + ansiGreen + orNone(fc.To) + ansiReset
		}
		return orNone(fc.From) + " → " + orNone(fc.To)
	}
	var sb strings.Builder
	for _, d := range wordDiff(fc.From, fc.To) {
		switch {
		case d.Type == diffmatchpatch.DiffEqual:
			sb.WriteString(d.Text)
		case color && d.Type == diffmatchpatch.DiffDelete:
			sb.WriteString(ansiRed + d.Text + ansiReset)
		case color:
			sb.WriteString(ansiGreen + d.Text + ansiReset)
		case d.Type == diffmatchpatch.DiffDelete:
			sb.WriteString("[-" + d.Text + "-]")
		default:
			sb.WriteString("{+" + d.Text + "+}")
		}
	}
	return sb.String()
}

// WriteMarkdown writes r as Markdown, ready to paste into a changelog: a
// heading, the summary, a section per kind and a table of port transitions.
func WriteMarkdown(w io.Writer, r *Result) error {
	bw := bufio.NewWriter(w)
	table := multiTable(r)
	group := grouped(r)
	fmt.Fprintf(bw, "## %s\n\n", md(header(r)))
	if r.Reversed {
		fmt.Fprintf(bw, "> **Reversed:** FROM is newer than TO, so the changes are shown from the newer version back to the older one.\n\n")
	}
	if n := formatNote(r); n != "" {
		fmt.Fprintf(bw, "> **Note:** %s.\n\n", md(n))
	}
	if r.ItemsNote != "" {
		fmt.Fprintf(bw, "> **Note:** %s.\n\n", md(r.ItemsNote))
	}
	if n := keysNote(r); n != "" && len(r.Changes) > 0 {
		fmt.Fprintf(bw, "> **Note:** %s\n\n", md(n))
	}
	for _, w := range r.Warnings() {
		fmt.Fprintf(bw, "> **Warning:** %s.\n\n", md(w))
	}
	if r.Empty() {
		fmt.Fprintf(bw, "No differences.\n")
		return bw.Flush()
	}
	sum := summaryLine(r)
	head, rest, _ := strings.Cut(sum, "; ")
	fmt.Fprintf(bw, "**%s**", md(head))
	if rest != "" {
		fmt.Fprintf(bw, "; %s", md(rest))
	}
	fmt.Fprintf(bw, "\n")

	numberCol := "Number"
	if len(r.Transitions) > 0 || slices.ContainsFunc(r.Changes, func(c Change) bool { return c.Key.Protocol != "" }) {
		numberCol = "Port"
	}
	for _, kind := range Kinds {
		cs := byKind(r, kind)
		if len(cs) == 0 {
			continue
		}
		fmt.Fprintf(bw, "\n### %s (%d)\n", kindTitles[kind], len(cs))
		runs := [][]*Change{cs}
		if group {
			// A heading per table, its changes under it without the table.
			runs, table = byTable(cs), false
		}
		for _, run := range runs {
			if group {
				fmt.Fprintf(bw, "\n#### %s (%d)\n", md(tableLabel(r, run[0].Key.Table)), len(run))
			}
			fmt.Fprintf(bw, "\n")
			writeMarkdownChanges(bw, kind, run, table, numberCol)
		}
	}
	if len(r.Transitions) > 0 {
		fmt.Fprintf(bw, "\n### Port status (%d)\n\n| Protocol | Ports | From | To |\n| --- | --- | --- | --- |\n", len(r.Transitions))
		for _, t := range r.Transitions {
			fmt.Fprintf(bw, "| %s | %s | %s | %s |\n", md(t.Protocol), md(t.Ports), t.From, t.To)
		}
	}
	if len(r.Items) > 0 {
		fmt.Fprintf(bw, "\n### Registry (%d)\n\n", len(r.Items))
		for _, c := range r.Items {
			line := "- " + kindTitles[c.Kind] + " " + md(ItemLabel(c))
			switch {
			case c.Kind == Changed:
				line += ": " + mdFieldChange(FieldChange{c.From, c.To})
			case c.Kind == Added && c.To != "":
				line += ": " + md(c.To)
			case c.Kind == Removed && c.From != "":
				line += ": ~~" + md(c.From) + "~~"
			}
			fmt.Fprintln(bw, line)
		}
	}
	if len(r.People) > 0 {
		fmt.Fprintf(bw, "\n### People (%d)\n\n", len(r.People))
		for _, c := range r.People {
			fmt.Fprintf(bw, "- %s **%s**\n", kindTitles[c.Kind], md(c.ID))
			for _, name := range c.FieldNames() {
				fmt.Fprintf(bw, "  - %s: %s\n", md(name), mdFieldChange(c.Fields[name]))
			}
		}
	}
	return bw.Flush()
}

// writeMarkdownChanges writes changes of one kind: a table of added or
// removed records, a list of the others with their fields.
func writeMarkdownChanges(bw *bufio.Writer, kind string, cs []*Change, table bool, numberCol string) {
	switch kind {
	case Added, Removed:
		if table {
			fmt.Fprintf(bw, "| Table | Name | %s | Description |\n| --- | --- | --- | --- |\n", numberCol)
		} else {
			fmt.Fprintf(bw, "| Name | %s | Description |\n| --- | --- | --- |\n", numberCol)
		}
		for _, c := range cs {
			if table {
				fmt.Fprintf(bw, "| %s ", mdCell(c.Key.Table))
			}
			fmt.Fprintf(bw, "| %s | %s | %s |\n", mdCell(KeyName(c.Key)), mdCell(portText(c.Key)), mdCell(description(c)))
		}
	default:
		for _, c := range cs {
			var title string
			if n := KeyName(c.Key); n != "" {
				title = "**" + md(n) + "**"
			}
			if kind == Renamed {
				title = "**" + md(c.OldKey.Name) + "** → " + title
			}
			port := portText(c.Key)
			if table && c.Key.Table != "" {
				port = "[" + c.Key.Table + "] " + port
			}
			fmt.Fprintf(bw, "- %s\n", strings.TrimSpace(title+" "+md(port)))
			for _, name := range c.FieldNames() {
				fmt.Fprintf(bw, "  - %s: %s\n", md(name), mdFieldChange(c.Fields[name]))
			}
		}
	}
}

// mdFieldChange shows ~~old~~ → **new**, or an inline diff of long text.
func mdFieldChange(fc FieldChange) string {
	fc = FieldChange{visible(fc.From), visible(fc.To)}
	if !isLong(fc) {
		from, to := "*(none)*", "*(none)*"
		if fc.From != "" {
			from = "~~" + md(fc.From) + "~~"
		}
		if fc.To != "" {
			to = "**" + md(fc.To) + "**"
		}
		return from + " → " + to
	}
	var sb strings.Builder
	for _, d := range wordDiff(fc.From, fc.To) {
		if d.Type == diffmatchpatch.DiffEqual {
			sb.WriteString(md(d.Text))
			continue
		}
		// Emphasis markers must touch non-space text: keep the spaces
		// around a changed run outside the markers.
		core := strings.TrimSpace(d.Text)
		if core == "" {
			if d.Type == diffmatchpatch.DiffInsert {
				sb.WriteString(d.Text)
			}
			continue
		}
		lead := d.Text[:strings.Index(d.Text, core)]
		trail := d.Text[len(lead)+len(core):]
		mark := "**"
		if d.Type == diffmatchpatch.DiffDelete {
			mark = "~~"
		}
		sb.WriteString(lead + mark + md(core) + mark + trail)
	}
	return sb.String()
}

var mdEscaper = strings.NewReplacer(
	`\`, `\\`, "`", "\\`", "*", `\*`, "_", `\_`, "~", `\~`, "[", `\[`, "]", `\]`,
	"<", `\<`, ">", `\>`, "|", `\|`, "#", `\#`,
)

// md escapes text for Markdown, control characters first
// ([record.Printable]): every piece of data in Markdown passes through it.
func md(s string) string { return mdEscaper.Replace(record.Printable(s)) }

// mdCell escapes text for a table cell, where a line break would end the
// row.
func mdCell(s string) string { return md(record.Collapse(s)) }

// JSON shape, documented in the README.
type (
	jsonResult struct {
		Registry    string           `json:"registry"`
		From        jsonVersion      `json:"from"`
		To          jsonVersion      `json:"to"`
		Reversed    bool             `json:"reversed,omitempty"`
		Ignored     []string         `json:"ignored_fields,omitempty"`
		Summary     jsonSummary      `json:"summary"`
		Changes     []jsonChange     `json:"changes"`
		Transitions []jsonTransition `json:"transitions"`
		Items       []jsonItem       `json:"registry_items"`
		People      []jsonPerson     `json:"people"`
		ItemsNote   string           `json:"registry_items_note,omitempty"`
		Keys        []TableKey       `json:"keys,omitempty"`
		Warnings    []string         `json:"warnings,omitempty"`
	}
	jsonItem struct {
		Kind    string `json:"kind"`
		Table   string `json:"table"`
		Element string `json:"element"`
		Key     string `json:"key"`
		From    string `json:"from"`
		To      string `json:"to"`
	}
	jsonPerson struct {
		Kind   string               `json:"kind"`
		ID     string               `json:"id"`
		Fields map[string]jsonField `json:"fields"`
	}
	jsonVersion struct {
		Version string `json:"version"`
		Commit  string `json:"commit"`
		Format  string `json:"format,omitempty"`
	}
	jsonSummary struct {
		Added   int `json:"added"`
		Removed int `json:"removed"`
		Changed int `json:"changed"`
		Renamed int `json:"renamed"`
		Items   int `json:"registry_items"`
		People  int `json:"people"`
	}
	jsonChange struct {
		Kind   string               `json:"kind"`
		Key    jsonKey              `json:"key"`
		OldKey jsonKey              `json:"old_key,omitempty"`
		Fields map[string]jsonField `json:"fields"`
	}
	jsonField struct {
		From string `json:"from"`
		To   string `json:"to"`
	}
	jsonTransition struct {
		Protocol string `json:"protocol"`
		Ports    string `json:"ports"`
		From     string `json:"from"`
		To       string `json:"to"`
	}
)

// WriteJSON writes r as one indented JSON object; see the package README
// for its shape. Field values are plain text, without inline diffs.
func WriteJSON(w io.Writer, r *Result) error {
	out := jsonResult{
		Registry:    r.Registry,
		From:        jsonVersion{r.From.Name, r.From.Commit, r.From.Format},
		To:          jsonVersion{r.To.Name, r.To.Commit, r.To.Format},
		Ignored:     r.Ignored,
		Reversed:    r.Reversed,
		Summary:     jsonSummary{r.Added, r.Removed, r.Changed, r.Renamed, len(r.Items), len(r.People)},
		Changes:     make([]jsonChange, 0, len(r.Changes)),
		Transitions: make([]jsonTransition, 0, len(r.Transitions)),
		Items:       make([]jsonItem, 0, len(r.Items)),
		People:      make([]jsonPerson, 0, len(r.People)),
		ItemsNote:   r.ItemsNote,
		Keys:        r.Keys,
		Warnings:    r.Warnings(),
	}
	for _, c := range r.Items {
		out.Items = append(out.Items, jsonItem{c.Kind, c.Table, c.Element, c.Key, c.From, c.To})
	}
	for _, c := range r.People {
		jp := jsonPerson{Kind: c.Kind, ID: c.ID, Fields: make(map[string]jsonField, len(c.Fields))}
		for name, fc := range c.Fields {
			jp.Fields[name] = jsonField{fc.From, fc.To}
		}
		out.People = append(out.People, jp)
	}
	for _, c := range r.Changes {
		jc := jsonChange{Kind: c.Kind, Key: keyJSON(r, c.Key, c.record()), Fields: make(map[string]jsonField, len(c.Fields))}
		if c.Kind == Renamed {
			jc.OldKey = keyJSON(r, c.OldKey, c.Old)
		}
		for name, fc := range c.Fields {
			jc.Fields[name] = jsonField{fc.From, fc.To}
		}
		out.Changes = append(out.Changes, jc)
	}
	for _, t := range r.Transitions {
		out.Transitions = append(out.Transitions, jsonTransition{t.Protocol, t.Ports, t.From.String(), t.To.String()})
	}
	return EncodeJSON(w, out)
}

// jsonKey is a key in JSON: an object whose members come in order.
type jsonKey []jsonMember

type jsonMember struct{ name, value string }

func (k jsonKey) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, m := range k {
		if i > 0 {
			b.WriteByte(',')
		}
		for j, s := range []string{m.name, m.value} {
			if err := writeJSONString(&b, s); err != nil {
				return nil, err
			}
			if j == 0 {
				b.WriteByte(':')
			}
		}
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// writeJSONString writes s as a JSON string as [EncodeJSON] would: no
// HTML escaping.
func writeJSONString(b *bytes.Buffer, s string) error {
	enc := json.NewEncoder(b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(s); err != nil {
		return err
	}
	b.Truncate(b.Len() - 1) // Encode's newline
	return nil
}

// keyJSON is the JSON form of k, the key of rec: "registry", the table's
// id (the registry's for the root registry), then what identifies the
// record. A record keyed by name, protocol and number has all three, ""
// when absent, as every record of the port registry has; one keyed by
// elements of its own (a table of [Result.Keys]) has each element by its
// name with its value, those with no value left out, and "content" with
// the digest where nothing else identifies it. An element named registry
// or content is written as "element:registry" or "element:content".
func keyJSON(r *Result, k record.Key, rec *record.Record) jsonKey {
	out := jsonKey{{"registry", r.tableName(k.Table)}}
	tk := r.tableKey(k.Table)
	if rec == nil || tk == nil || !tk.Changed() && !baseEmpty(rec) {
		return append(out, jsonMember{nameKey, k.Name}, jsonMember{protocolKey, k.Protocol}, jsonMember{numberKey, k.Number})
	}
	if digest, ok := strings.CutPrefix(k.Extra, "#"); ok {
		return append(out, jsonMember{"content", digest})
	}
	for _, e := range tk.Elements {
		if v := keyValue(rec, e); v != "" {
			if e == "registry" || e == "content" {
				e = "element:" + e
			}
			out = append(out, jsonMember{e, v})
		}
	}
	return out
}

// EncodeJSON writes v the way every JSON output of regdiff is written, by
// this package, history, changelog and the command alike: UTF-8 as it is,
// no HTML escaping, indented by two spaces, a trailing newline. Control
// characters are escaped: encoding/json writes C0 ones as \u001b, and
// EncodeJSON DEL and the C1 controls (U+0080 to U+009F, which a terminal
// may obey: U+009B is CSI) too, which it would write raw.
func EncodeJSON(w io.Writer, v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return err
	}
	_, err := w.Write(escapeJSONControls(buf.Bytes()))
	return err
}

// escapeJSONControls writes DEL and the C1 controls of JSON text b (valid
// UTF-8, as encoding/json writes it) as \u escapes. Outside strings JSON is
// plain ASCII with no DEL, and in valid UTF-8 the bytes C2 80 to C2 9F are
// always U+0080 to U+009F, so every match is a character in a string.
func escapeJSONControls(b []byte) []byte {
	i := 0
	for i < len(b) && b[i] != 0x7f && (b[i] != 0xc2 || i+1 == len(b) || b[i+1] > 0x9f) {
		i++
	}
	if i == len(b) {
		return b
	}
	const hex = "0123456789abcdef"
	out := make([]byte, 0, len(b)+16)
	out = append(out, b[:i]...)
	for ; i < len(b); i++ {
		switch {
		case b[i] == 0x7f:
			out = append(out, `\u007f`...)
		case b[i] == 0xc2 && i+1 < len(b) && b[i+1] <= 0x9f:
			out = append(out, '\\', 'u', '0', '0', hex[b[i+1]>>4], hex[b[i+1]&15])
			i++
		default:
			out = append(out, b[i])
		}
	}
	return out
}
