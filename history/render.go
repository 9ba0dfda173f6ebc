package history

import (
	"bufio"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/regdiff/regdiff/diff"
	"github.com/regdiff/regdiff/snapshots/record"
)

// ANSI colours for WriteText.
const (
	ansiReset  = "\x1b[0m"
	ansiBold   = "\x1b[1m"
	ansiDim    = "\x1b[2m"
	ansiRed    = "\x1b[31m"
	ansiGreen  = "\x1b[32m"
	ansiYellow = "\x1b[33m"
	ansiCyan   = "\x1b[36m"
)

var statusColors = map[string]string{
	"Assigned": ansiGreen, "Deregistered": ansiRed, "Reserved": ansiYellow, "Unassigned": ansiDim, Mixed: ansiCyan,
	diff.CodeDeprecated: ansiRed, diff.CodeObsolete: ansiRed, diff.CodeExperimental: ansiYellow,
	diff.CodePrivateUse: ansiYellow, diff.CodeUnlisted: ansiDim,
}

// Verdicts returns the history's opening lines. For a port query there is
// one per transport, telling the status of the last period:
//
//	253/tcp: Reserved since 2013-02-18 (oldest version on record) — in range 249-255, 359 versions
//
// For a name query there is one per number and transport the name holds in
// the newest version, or one line telling where it was last seen. In a
// window ([History.Window]) the verdicts are about its newest version and
// the periods that hold it, told whole.
func (h *History) Verdicts() []string {
	if h.Query.IsValue() {
		return h.valueVerdicts()
	}
	if h.Query.IsName() {
		return h.nameVerdicts()
	}
	var out []string
	for _, proto := range h.Query.transports() {
		var last *Period
		for i := range h.Periods {
			if h.Periods[i].Protocol == proto {
				last = &h.Periods[i]
			}
		}
		if last == nil {
			continue
		}
		details := recordLabels(h.Query, last)
		details = append(details, plural(last.Versions, "version"))
		out = append(out, fmt.Sprintf("%s/%s: %s %s — %s", h.Query.Ports(), proto, statusText(last), h.since(last), strings.Join(details, ", ")))
	}
	return out
}

func (h *History) since(p *Period) string {
	s := "since " + p.From
	if p.From == h.First {
		s += " (oldest version on record)"
	}
	return s
}

func (h *History) nameVerdicts() []string {
	var out []string
	var lastSeen []*Period
	for i := range h.Periods {
		p := &h.Periods[i]
		if p.first < h.hi && p.last >= h.hi-1 {
			out = append(out, fmt.Sprintf("%s %s: %s %s, %s", displayName(h.Query, p), slotText(p), p.Status, h.since(p), plural(p.Versions, "version")))
			continue
		}
		switch {
		case len(lastSeen) == 0 || p.last > lastSeen[0].last:
			lastSeen = []*Period{p}
		case p.last == lastSeen[0].last:
			lastSeen = append(lastSeen, p)
		}
	}
	if len(out) == 0 && len(lastSeen) == 0 && h.Versions > 0 {
		return []string{fmt.Sprintf("%s: in no record of the window's %s (%s … %s)", h.Query.Name, plural(h.Versions, "version"), h.From, h.To)}
	}
	if len(out) > 0 || len(lastSeen) == 0 {
		return out
	}
	var held []string
	for _, p := range lastSeen {
		held = append(held, slotText(p)+" ("+p.Status+")")
	}
	newest := "the newest version"
	if h.windowed() {
		newest += " in the window"
	}
	return []string{fmt.Sprintf("%s: in no record of %s (%s); last held %s in %s",
		displayName(h.Query, lastSeen[0]), newest, h.To, strings.Join(held, ", "), lastSeen[0].To)}
}

// displayName is the name as the registry writes it.
func displayName(q Query, p *Period) string {
	if len(p.Records) > 0 && p.Records[0].Name != "" {
		return p.Records[0].Name
	}
	return q.Name
}

// slotText shows what a name period holds: "22/tcp", "1000-1010/udp",
// "tcp, no number".
func slotText(p *Period) string {
	switch {
	case p.Number == "" && p.Protocol == "":
		return "no number"
	case p.Protocol == "":
		return p.Number
	case p.Number == "":
		return p.Protocol + ", no number"
	}
	return p.Number + "/" + p.Protocol
}

func statusText(p *Period) string {
	if p.Status != Mixed {
		return p.Status
	}
	parts := make([]string, len(p.Parts))
	for i, pt := range p.Parts {
		parts[i] = pt.Ports + " " + pt.Status
	}
	return Mixed + " (" + strings.Join(parts, ", ") + ")"
}

// maxTextRecords bounds the records WriteText shows per period: a wide
// range query covers thousands.
const maxTextRecords = 12

// maxLabels bounds the records a verdict names.
const maxLabels = 3

// recordLabels names the records that decide a port period's status: a
// name, "in range 249-255" for a range other than the query, "at 250" for a
// single port within a range query.
func recordLabels(q Query, p *Period) []string {
	var labels []string
	deciding := 0
	for i := range p.Records {
		r := &p.Records[i]
		st := diff.RecordStatus(r)
		if st == 0 || p.Status != Mixed && st.String() != p.Status {
			continue
		}
		deciding++
		var parts []string
		if r.Name != "" {
			parts = append(parts, r.Name)
		}
		if lo, hi, ok := r.Range(); ok && (lo != q.Lo || hi != q.Hi) {
			if lo == hi {
				parts = append(parts, "at "+r.Number)
			} else {
				parts = append(parts, "in range "+r.Number)
			}
		}
		if l := strings.Join(parts, " "); l != "" && !slices.Contains(labels, l) {
			labels = append(labels, l)
		}
	}
	if deciding == 0 && p.Status == "Unassigned" {
		return []string{"no record assigns it"}
	}
	if len(labels) > maxLabels {
		labels = append(labels[:maxLabels], fmt.Sprintf("and %d more", len(labels)-maxLabels))
	}
	return labels
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.Itoa(n) + " " + word + "s"
}

// keyText shows a key as "ssh 22/tcp", "249-255" or "ssh".
func keyText(k record.Key) string {
	port := k.Number
	if k.Protocol != "" {
		port = strings.TrimPrefix(port+"/"+k.Protocol, "/")
	}
	s := strings.TrimSpace(strings.TrimSpace(k.Name+" "+k.Extra) + " " + port)
	if s == "" {
		return "(empty key)"
	}
	return s
}

// recordText shows a record on one line: key, description, then its
// references and people.
func recordText(r *record.Record) string {
	s := keyText(r.Key())
	if d := record.Collapse(r.Description); d != "" {
		s += "  " + d
	}
	var extra []string
	add := func(name string, vals ...string) {
		var vs []string
		for _, v := range vals {
			if v != "" {
				vs = append(vs, v)
			}
		}
		if len(vs) > 0 {
			extra = append(extra, name+": "+strings.Join(vs, ", "))
		}
	}
	add("refs", r.Refs...)
	add("assignee", r.Assignee...)
	add("contact", r.Contact...)
	add("registered", r.Registered)
	add("modified", r.Modified)
	for _, k := range slices.Sorted(maps.Keys(r.Other)) {
		add(k, r.Other[k])
	}
	if len(extra) > 0 {
		s += "  (" + strings.Join(extra, "; ") + ")"
	}
	return s
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

// WriteText writes h for people to read: a header, the verdicts, the
// periods and the events. Port transports whose periods are the same
// (a range without protocol covers all four) are shown once. color adds
// ANSI colours.
func WriteText(w io.Writer, h *History, color bool) error {
	bw := bufio.NewWriter(w)
	paint := func(code, s string) string {
		if !color || s == "" || code == "" {
			return s
		}
		return code + s + ansiReset
	}
	// Every text from the registry or the query passes through pr before
	// it is painted: the data is escaped, not the colours.
	pr := record.Printable
	if h.Versions == 0 {
		fmt.Fprintln(bw, paint(ansiBold, pr(fmt.Sprintf("%s: history of %s: no version in the window (%s on record, %s … %s)",
			h.Registry, h.Query, plural(len(h.vs), "version"), h.First, h.Last))))
		return bw.Flush()
	}
	head := fmt.Sprintf("%s: history of %s, %s (%s … %s)", h.Registry, h.Query, plural(h.Versions, "version"), h.From, h.To)
	if h.windowed() {
		head += fmt.Sprintf(", a window of the %s on record (%s … %s)", plural(len(h.vs), "version"), h.First, h.Last)
	}
	fmt.Fprintln(bw, paint(ansiBold, pr(head)))
	fmt.Fprintln(bw)
	for _, v := range h.Verdicts() {
		fmt.Fprintln(bw, pr(v))
	}

	fmt.Fprintf(bw, "\n%s\n", paint(ansiBold, "Periods:"))
	for _, g := range groupPeriods(h) {
		fmt.Fprintf(bw, "%s:\n", pr(g.title))
		width := 0
		for _, p := range g.periods {
			width = max(width, len(p.From)+len(p.To))
		}
		for _, p := range g.periods {
			pad := strings.Repeat(" ", width-len(p.From)-len(p.To))
			fmt.Fprintf(bw, "  %s … %s%s  %s  (%s)\n", p.From, p.To, pad, paint(statusColors[p.Status], pr(statusText(p))), plural(p.Versions, "version"))
			for i := range p.Records[:min(len(p.Records), maxTextRecords)] {
				fmt.Fprintf(bw, "      %s\n", pr(recordText(&p.Records[i])))
			}
			if n := len(p.Records) - maxTextRecords; n > 0 {
				fmt.Fprintf(bw, "      … and %s (the JSON form lists all)\n", plural(n, "more record"))
			}
		}
	}

	if len(h.Events) == 0 {
		fmt.Fprintf(bw, "\n%s none\n", paint(ansiBold, "Events:"))
		return bw.Flush()
	}
	fmt.Fprintf(bw, "\n%s\n", paint(ansiBold, fmt.Sprintf("Events (%d):", len(h.Events))))
	marks := map[string]string{diff.Added: "+", diff.Removed: "-", diff.Changed: "~", diff.Renamed: ">"}
	colors := map[string]string{diff.Added: ansiGreen, diff.Removed: ansiRed, diff.Changed: ansiYellow, diff.Renamed: ansiCyan}
	for i := range h.Events {
		e := &h.Events[i]
		line := e.Kind + " " + keyText(e.Key)
		if e.Kind == diff.Renamed {
			line = e.Kind + " " + e.OldKey.Name + " → " + keyText(e.Key)
		}
		fmt.Fprintf(bw, "%s  %s\n", pr(e.Version), paint(colors[e.Kind], pr(marks[e.Kind]+" "+line)))
		if e.Kind == diff.Added || e.Kind == diff.Removed {
			r := e.New
			if r == nil {
				r = e.Old
			}
			if r != nil && r.Description != "" {
				fmt.Fprintf(bw, "      %s\n", pr(record.Collapse(r.Description)))
			}
			continue
		}
		for _, name := range e.FieldNames() {
			fc := e.Fields[name]
			from, to := pr(orNone(fc.From)), pr(orNone(fc.To))
			if color {
				from, to = paint(ansiRed, from), paint(ansiGreen, to)
			}
			fmt.Fprintf(bw, "      %s: %s → %s\n", pr(name), from, to)
		}
	}
	return bw.Flush()
}

type periodGroup struct {
	title   string
	periods []*Period
}

// groupPeriods groups periods for display: for a name query by what the
// name held, for a port query by transport, merging transports whose
// periods are identical.
func groupPeriods(h *History) []periodGroup {
	var groups []periodGroup
	keys := map[string]int{}
	if h.Query.IsName() {
		for i := range h.Periods {
			p := &h.Periods[i]
			t := slotText(p)
			k, ok := keys[t]
			if !ok {
				k = len(groups)
				keys[t] = k
				groups = append(groups, periodGroup{title: t})
			}
			groups[k].periods = append(groups[k].periods, p)
		}
		return groups
	}
	if h.Query.IsValue() {
		for i := range h.Periods {
			p := &h.Periods[i]
			k, ok := keys[p.Table]
			if !ok {
				k = len(groups)
				keys[p.Table] = k
				groups = append(groups, periodGroup{title: h.tableTitle(p.Table)})
			}
			groups[k].periods = append(groups[k].periods, p)
		}
		return groups
	}
	var titles [][]string
	for _, proto := range h.Query.transports() {
		var ps []*Period
		var sig strings.Builder
		for i := range h.Periods {
			p := &h.Periods[i]
			if p.Protocol != proto {
				continue
			}
			ps = append(ps, p)
			fmt.Fprintf(&sig, "%s|%s|%s|%s|%d|", statusText(p), p.From, p.To, p.Number, p.Versions)
			for j := range p.Records {
				sig.WriteString(recordText(&p.Records[j]) + "|")
			}
			sig.WriteString("\n")
		}
		if len(ps) == 0 {
			continue
		}
		if k, ok := keys[sig.String()]; ok {
			titles[k] = append(titles[k], proto)
			continue
		}
		keys[sig.String()] = len(groups)
		groups = append(groups, periodGroup{periods: ps})
		titles = append(titles, []string{proto})
	}
	for k := range groups {
		groups[k].title = strings.Join(titles[k], ", ")
	}
	return groups
}

// The JSON form; see WriteJSON.
type (
	jsonHistory struct {
		Query    string       `json:"query"`
		Registry string       `json:"registry"`
		Versions int          `json:"versions"`
		Periods  []jsonPeriod `json:"periods"`
		Events   []jsonEvent  `json:"events"`
	}
	jsonPeriod struct {
		Registry string       `json:"registry,omitempty"`
		Protocol string       `json:"protocol"`
		Number   string       `json:"number,omitempty"`
		Status   string       `json:"status"`
		Parts    []jsonPart   `json:"parts,omitempty"`
		From     string       `json:"from"`
		To       string       `json:"to"`
		Versions int          `json:"versions"`
		Records  []jsonRecord `json:"records"`
	}
	jsonPart struct {
		Ports  string `json:"ports"`
		Status string `json:"status"`
	}
	// jsonRecord is a record.Record with its key and description always
	// present.
	jsonRecord struct {
		Name         string            `json:"name"`
		Protocol     string            `json:"protocol"`
		Number       string            `json:"number"`
		Description  string            `json:"description"`
		Refs         []string          `json:"refs,omitempty"`
		Assignee     []string          `json:"assignee,omitempty"`
		Contact      []string          `json:"contact,omitempty"`
		Registered   string            `json:"registered,omitempty"`
		Modified     string            `json:"modified,omitempty"`
		Note         string            `json:"note,omitempty"`
		Unauthorized string            `json:"unauthorized,omitempty"`
		ServiceCode  string            `json:"service_code,omitempty"`
		Other        map[string]string `json:"other,omitempty"`
	}
	jsonEvent struct {
		Version string               `json:"version"`
		Kind    string               `json:"kind"`
		Key     any                  `json:"key"` // record.Key, or a value query's key as the diff writes it
		OldKey  any                  `json:"old_key,omitempty"`
		Fields  map[string]jsonField `json:"fields"`
	}
	jsonField struct {
		From string `json:"from"`
		To   string `json:"to"`
	}
)

// WriteJSON writes h as one indented JSON object:
//
//	{"query": "253", "registry": "...", "versions": 359,
//	 "periods": [{"protocol": "tcp", "status": "Reserved", "from": "2013-02-18", "to": "2024-03-18",
//	              "versions": 359, "records": [{"name": "", "protocol": "", "number": "249-255",
//	                                            "description": "Reserved", "contact": [...], ...}]}],
//	 "events": [{"version": "...", "kind": "added|removed|changed|renamed",
//	             "key": {"name": "", "protocol": "", "number": ""},
//	             "old_key": {...},                            (renamed only)
//	             "fields": {"description": {"from": "...", "to": "..."}, ...}}]}
//
// A mixed period (a range whose ports differ) has "status": "mixed" and
// "parts": [{"ports": "247-248", "status": "Assigned"}, ...]. For a name
// query each period has "number": the number the name held, when it held one.
// For a value query each period has "registry": the id of the sub-registry
// (the innermost <registry>) it is about, and a status of
// diff.CodeStatuses; each event's key is as the diff's JSON writes it,
// naming its sub-registry as "registry".
func WriteJSON(w io.Writer, h *History) error {
	out := jsonHistory{
		Query: h.Query.String(), Registry: h.Registry, Versions: h.Versions,
		Periods: make([]jsonPeriod, 0, len(h.Periods)), Events: make([]jsonEvent, 0, len(h.Events)),
	}
	for _, p := range h.Periods {
		jp := jsonPeriod{Protocol: p.Protocol, Number: p.Number, Status: p.Status, From: p.From, To: p.To,
			Versions: p.Versions, Records: make([]jsonRecord, 0, len(p.Records))}
		if h.Query.IsValue() {
			jp.Registry = h.tableLabel(p.Table)
		}
		for _, pt := range p.Parts {
			jp.Parts = append(jp.Parts, jsonPart(pt))
		}
		for _, r := range p.Records {
			jp.Records = append(jp.Records, jsonRecord{
				Name: r.Name, Protocol: r.Protocol, Number: r.Number, Description: r.Description,
				Refs: r.Refs, Assignee: r.Assignee, Contact: r.Contact, Registered: r.Registered,
				Modified: r.Modified, Note: r.Note, Unauthorized: r.Unauthorized, ServiceCode: r.ServiceCode,
				Other: r.Other,
			})
		}
		out.Periods = append(out.Periods, jp)
	}
	for _, e := range h.Events {
		je := jsonEvent{Version: e.Version, Kind: e.Kind, Key: e.Key, Fields: make(map[string]jsonField, len(e.Fields))}
		if e.Kind == diff.Renamed {
			k := e.OldKey
			je.OldKey = &k
		}
		if e.key != nil {
			je.Key, je.OldKey = e.key, nil
			if e.oldKey != nil {
				je.OldKey = e.oldKey
			}
		}
		for name, fc := range e.Fields {
			je.Fields[name] = jsonField(fc)
		}
		out.Events = append(out.Events, je)
	}
	return diff.EncodeJSON(w, out)
}
