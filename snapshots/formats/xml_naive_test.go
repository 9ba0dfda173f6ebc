package formats

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/regdiff/regdiff/snapshots/record"
)

// This file holds a deliberately naive reader of IANA XML registries, built
// on encoding/xml and sharing no code with ParseXML, so that tests can check
// ParseXML against an independent reading of the same rules: it reads the
// whole document into a tree of nodes, then walks the tree.

type naiveNode struct {
	name  string
	attrs []xml.Attr
	kids  []any // *naiveNode or string (character data)
}

// naiveTree reads data into a tree with encoding/xml's RawToken, which keeps
// namespace prefixes as written.
func naiveTree(data []byte) (*naiveNode, error) {
	d := xml.NewDecoder(bytes.NewReader(data))
	d.Strict = true
	var root *naiveNode
	var stack []*naiveNode
	for {
		tok, err := d.RawToken()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			n := &naiveNode{name: naiveName(t.Name), attrs: t.Attr}
			if len(stack) > 0 {
				top := stack[len(stack)-1]
				top.kids = append(top.kids, n)
			} else if root != nil {
				return nil, errors.New("second root element")
			} else {
				root = n
			}
			stack = append(stack, n)
		case xml.EndElement:
			if len(stack) == 0 || stack[len(stack)-1].name != naiveName(t.Name) {
				return nil, fmt.Errorf("unexpected end tag %s", naiveName(t.Name))
			}
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				top := stack[len(stack)-1]
				top.kids = append(top.kids, string(t))
			}
		case xml.Directive:
			return nil, errors.New("directive")
		}
	}
	if len(stack) > 0 {
		return nil, errors.New("unclosed element")
	}
	if root == nil {
		return nil, errors.New("no root element")
	}
	return root, nil
}

func naiveName(n xml.Name) string {
	if n.Space != "" {
		return n.Space + ":" + n.Local
	}
	return n.Local
}

func (n *naiveNode) elements() []*naiveNode {
	var out []*naiveNode
	for _, k := range n.kids {
		if e, ok := k.(*naiveNode); ok {
			out = append(out, e)
		}
	}
	return out
}

// attr returns the collapsed value of an attribute without prefix.
func (n *naiveNode) attr(name string) string {
	for _, a := range n.attrs {
		if a.Name.Space == "" && a.Name.Local == name {
			return naiveCollapse(a.Value)
		}
	}
	return ""
}

func naiveCollapse(s string) string {
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool {
		return r == ' ' || r == '\t' || r == '\r' || r == '\n'
	}), " ")
}

// naiveJoin joins the non-empty strings with a space.
func naiveJoin(ss []string) string {
	var out []string
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return strings.Join(out, " ")
}

// text is the element's text by ParseXML's rules.
func (n *naiveNode) text() (string, error) {
	var b strings.Builder
	if err := n.rawText(&b); err != nil {
		return "", err
	}
	return naiveCollapse(b.String()), nil
}

func (n *naiveNode) rawText(b *strings.Builder) error {
	for _, k := range n.kids {
		switch k := k.(type) {
		case string:
			b.WriteString(k)
		case *naiveNode:
			switch k.name {
			case "record", "registry":
				return fmt.Errorf("<%s> inside <%s>", k.name, n.name)
			case "br":
				b.WriteString(" ")
				if err := k.rawText(b); err != nil {
					return err
				}
				b.WriteString(" ")
			case "xref":
				if data := k.attr("data"); data != "" {
					b.WriteString("[" + data + "]")
					if err := k.rawText(new(strings.Builder)); err != nil {
						return err
					}
				} else if err := k.rawText(b); err != nil {
					return err
				}
			default:
				if err := k.rawText(b); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// xref returns "type:data", or "type:text" without data.
func (n *naiveNode) xref() (string, error) {
	text, err := n.text()
	if err != nil {
		return "", err
	}
	data := n.attr("data")
	if data == "" {
		data = text
	}
	return n.attr("type") + ":" + data, nil
}

// naiveXML reads a registry by ParseXML's rules.
func naiveXML(data []byte) (*record.Registry, error) {
	root, err := naiveTree(data)
	if err != nil {
		return nil, err
	}
	if root.name != "registry" {
		return nil, fmt.Errorf("root is <%s>", root.name)
	}
	reg := &record.Registry{ID: root.attr("id"), Format: "xml"}
	if reg.ID == "" {
		return nil, errors.New("no id")
	}
	if err := naiveWalk(root, "", true, true, reg); err != nil {
		return nil, err
	}
	var titles, updated []string
	for _, it := range reg.Items {
		switch {
		case it.Table != "":
		case it.Element == "title" && it.Text != "":
			titles = append(titles, it.Text)
		case it.Element == "updated":
			updated = append(updated, it.Text)
		}
	}
	if len(updated) > 1 {
		return nil, fmt.Errorf("%d <updated> elements", len(updated))
	}
	reg.Title = naiveJoin(titles)
	if len(updated) == 0 {
		return reg, nil // dated by the caller
	}
	reg.Updated = updated[0]
	_, err1 := time.Parse("2006-01-02", reg.Updated)
	_, err2 := time.Parse("2006-01", reg.Updated)
	if err1 != nil && err2 != nil {
		return nil, fmt.Errorf("bad date %q", reg.Updated)
	}
	return reg, nil
}

// holds reports whether n has a record or registry at any depth.
func (n *naiveNode) holds() bool {
	for _, e := range n.elements() {
		if e.name == "record" || e.name == "registry" || e.holds() {
			return true
		}
	}
	return false
}

// naiveWalk reads the records, items and people under n; level is set when
// n is a registry, whose other children are items.
func naiveWalk(n *naiveNode, table string, root, level bool, reg *record.Registry) error {
	for _, e := range n.elements() {
		switch {
		case e.name == "record":
			r, err := naiveRecord(e, table)
			if err != nil {
				return err
			}
			reg.Records = append(reg.Records, r)
		case e.name == "registry":
			id := e.attr("id")
			if id == "" {
				return errors.New("nested registry without id")
			}
			if level {
				reg.Items = append(reg.Items, record.Item{Table: table, Element: "registry", Key: id})
			}
			if err := naiveWalk(e, id, false, true, reg); err != nil {
				return err
			}
		case e.name == "people":
			for _, pe := range e.elements() {
				switch pe.name {
				case "person":
					p, err := naivePerson(pe)
					if err != nil {
						return err
					}
					reg.People = append(reg.People, p)
				case "record":
					r, err := naiveRecord(pe, table)
					if err != nil {
						return err
					}
					reg.Records = append(reg.Records, r)
				default:
					if err := naiveWalk(pe, table, false, false, reg); err != nil {
						return err
					}
				}
			}
		case level && (e.name == "title" || e.name == "updated" || !e.holds()):
			it := record.Item{Table: table, Element: e.name}
			if e.name == "xref" {
				it.Key = e.attr("type") + ":" + e.attr("data")
			} else {
				var vals []string
				for _, a := range e.attrs {
					if v := naiveCollapse(a.Value); v != "" {
						vals = append(vals, v)
					}
				}
				it.Key = strings.Join(vals, " ")
			}
			s, err := e.text()
			if err != nil {
				return err
			}
			it.Text = s
			reg.Items = append(reg.Items, it)
		default:
			if err := naiveWalk(e, table, false, false, reg); err != nil {
				return err
			}
		}
	}
	return nil
}

func naivePerson(n *naiveNode) (record.Person, error) {
	p := record.Person{ID: n.attr("id")}
	fields := map[string][]string{}
	for _, e := range n.elements() {
		if e.name == "record" || e.name == "registry" {
			return p, fmt.Errorf("<%s> inside <person>", e.name)
		}
		s, err := e.text()
		if err != nil {
			return p, err
		}
		fields[e.name] = append(fields[e.name], s)
	}
	take := func(name string) string {
		s := naiveJoin(fields[name])
		delete(fields, name)
		return s
	}
	p.Name, p.Org, p.URI, p.Updated = take("name"), take("org"), take("uri"), take("updated")
	if len(fields) > 0 {
		p.Other = map[string]string{}
		for k, v := range fields {
			p.Other[k] = naiveJoin(v)
		}
	}
	return p, nil
}

func naiveRecord(n *naiveNode, table string) (record.Record, error) {
	r := record.Record{Table: table, Registered: n.attr("date"), Modified: n.attr("updated")}
	fields := map[string][]string{}
	for _, e := range n.elements() {
		switch e.name {
		case "record", "registry":
			return r, fmt.Errorf("<%s> inside <record>", e.name)
		case "xref":
			s, err := e.xref()
			if err != nil {
				return r, err
			}
			if e.attr("type") == "person" {
				r.Contact = append(r.Contact, s)
			} else {
				r.Refs = append(r.Refs, s)
			}
		case "assignee":
			for _, x := range e.elements() {
				if x.name == "xref" {
					s, err := x.xref()
					if err != nil {
						return r, err
					}
					r.Assignee = append(r.Assignee, s)
				} else if _, err := x.text(); err != nil {
					return r, err
				}
			}
		default:
			s, err := e.text()
			if err != nil {
				return r, err
			}
			fields[e.name] = append(fields[e.name], s)
		}
	}
	take := func(name string) string {
		s := naiveJoin(fields[name])
		delete(fields, name)
		return s
	}
	r.Name = take("name")
	r.Protocol = take("protocol")
	r.Description = take("description")
	r.Note = take("note")
	r.Unauthorized = take("unauthorized")
	r.ServiceCode = take("sc")
	r.Number = take("number")
	value := take("value")
	if r.Number == "" {
		r.Number = value
	} else if value != "" {
		fields["value"] = []string{value}
	}
	if len(fields) > 0 {
		r.Other = map[string]string{}
		for k, v := range fields {
			r.Other[k] = naiveJoin(v)
		}
	}
	return r, nil
}

// xmlWellFormed reports whether encoding/xml, in strict mode, finds data
// well-formed.
func xmlWellFormed(data []byte) error {
	d := xml.NewDecoder(bytes.NewReader(data))
	d.Strict = true
	for {
		_, err := d.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}
