package sqlexport

import (
	"cmp"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/regdiff/regdiff/diff"
	"github.com/regdiff/regdiff/snapshots/record"
)

// forms are the record forms open at the newest version read: a form is a
// record's whole content, and a row of records is one form held over a
// run of consecutive versions. A version may hold the same form twice;
// each copy is a row of its own.
type forms struct {
	open map[string][]openForm // by formKey, oldest first
}

type openForm struct {
	first int
	rec   record.Record
}

// closedForm is a row of records.
type closedForm struct {
	rec         record.Record
	first, last int
}

// formKey is a record's whole content: two records are one form when
// every field is equal. The JSON of record.Record is that, since its
// maps marshal sorted and empty fields are left out.
func formKey(r *record.Record) (string, error) {
	b, err := json.Marshal(r)
	return string(b), err
}

func (f *forms) add(seq int, recs []record.Record) error {
	for i := range recs {
		k, err := formKey(&recs[i])
		if err != nil {
			return err
		}
		f.open[k] = append(f.open[k], openForm{seq, recs[i]})
	}
	return nil
}

// apply moves the forms to version seq, given the records of the files
// that differ from version seq-1 (old) to seq (new): the files that do not
// differ hold the same forms on both sides. It returns the rows that end
// at seq-1. When a form has fewer copies, the copies that began last end.
func (f *forms) apply(seq int, old, new []record.Record) ([]closedForm, error) {
	delta := map[string]int{}
	recs := map[string]*record.Record{}
	for i := range old {
		k, err := formKey(&old[i])
		if err != nil {
			return nil, err
		}
		delta[k]--
	}
	for i := range new {
		k, err := formKey(&new[i])
		if err != nil {
			return nil, err
		}
		delta[k]++
		recs[k] = &new[i]
	}
	var closed []closedForm
	for _, k := range sortedKeys(delta) {
		d := delta[k]
		switch os := f.open[k]; {
		case d < 0 && len(os) < -d:
			return nil, fmt.Errorf("%w: version %d removes a record the export does not hold open: %.200s", errDisagrees, seq, k)
		case d < 0:
			for _, o := range os[len(os)+d:] {
				closed = append(closed, closedForm{o.rec, o.first, seq - 1})
			}
			if len(os)+d == 0 {
				delete(f.open, k)
			} else {
				f.open[k] = os[:len(os)+d]
			}
		case d > 0:
			for range d {
				f.open[k] = append(f.open[k], openForm{seq, *recs[k]})
			}
		}
	}
	return closed, nil
}

// flush ends every open form at last.
func (f *forms) flush(last int) []closedForm {
	var out []closedForm
	for _, k := range sortedKeys(f.open) {
		for _, o := range f.open[k] {
			out = append(out, closedForm{o.rec, o.first, last})
		}
	}
	return out
}

// periods are the port status periods open at the newest version read:
// for each transport and port, its status and the version since which it
// has had it.
type periods struct {
	status [4][]diff.Status
	since  [4][]int32
}

// periodRow is a row of port_periods: every port from lo to hi had status
// from version from to version to, and not at the versions either side.
type periodRow struct {
	transport int
	lo, hi    int
	status    diff.Status
	from, to  int
}

func (p *periods) alloc() {
	for t := range diff.Transports {
		p.status[t] = make([]diff.Status, diff.MaxPort+1)
		p.since[t] = make([]int32, diff.MaxPort+1)
	}
}

func (p *periods) start(st *diff.Statuses) {
	p.alloc()
	for t, proto := range diff.Transports {
		for _, s := range st.Segments(proto) {
			for port := s.Lo; port <= s.Hi; port++ {
				p.status[t][port] = s.Status
			}
		}
	}
}

type closedPort struct {
	transport, port int
	status          diff.Status
	since           int32
}

// apply moves the periods to version seq by the transitions diff found
// from seq-1 to seq, and returns the periods that end at seq-1.
func (p *periods) apply(seq int, ts []diff.Transition) ([]periodRow, error) {
	var closed []closedPort
	for _, tr := range ts {
		t := slices.Index(diff.Transports, tr.Protocol)
		if t < 0 || tr.Lo < 0 || tr.Hi > diff.MaxPort || tr.Lo > tr.Hi {
			return nil, fmt.Errorf("transition on %s %d-%d is outside the ports", tr.Protocol, tr.Lo, tr.Hi)
		}
		for port := tr.Lo; port <= tr.Hi; port++ {
			if p.status[t][port] != tr.From {
				return nil, fmt.Errorf("%w: diff says %d/%s went from %s, the export had it %s", errDisagrees, port, tr.Protocol, tr.From, p.status[t][port])
			}
			closed = append(closed, closedPort{t, port, tr.From, p.since[t][port]})
			p.status[t][port], p.since[t][port] = tr.To, int32(seq)
		}
	}
	slices.SortFunc(closed, func(a, b closedPort) int {
		return cmp.Or(cmp.Compare(a.transport, b.transport), cmp.Compare(a.port, b.port))
	})
	var rows []periodRow
	for i, c := range closed {
		if n := len(rows); i > 0 && rows[n-1].transport == c.transport && rows[n-1].hi == c.port-1 &&
			rows[n-1].status == c.status && rows[n-1].from == int(c.since) {
			rows[n-1].hi = c.port
			continue
		}
		rows = append(rows, periodRow{c.transport, c.port, c.port, c.status, int(c.since), seq - 1})
	}
	return rows, nil
}

// flush ends every open period at last.
func (p *periods) flush(last int) []periodRow {
	var rows []periodRow
	for t := range diff.Transports {
		for port := 0; port <= diff.MaxPort; port++ {
			s, since := p.status[t][port], int(p.since[t][port])
			if n := len(rows); port > 0 && rows[n-1].transport == t && rows[n-1].status == s && rows[n-1].from == since {
				rows[n-1].hi = port
				continue
			}
			rows = append(rows, periodRow{t, port, port, s, since, last})
		}
	}
	return rows
}

func (w *writer) addRecords(reg string, rows []closedForm) error {
	for _, c := range rows {
		r := &c.rec
		var lo, hi any
		if l, h, ok := r.Range(); ok {
			lo, hi = l, h
		}
		var js [4]any // refs, assignee, contact, other: JSON, NULL when empty
		for i, v := range []struct {
			v any
			n int
		}{{r.Refs, len(r.Refs)}, {r.Assignee, len(r.Assignee)}, {r.Contact, len(r.Contact)}, {r.Other, len(r.Other)}} {
			if v.n > 0 {
				j, err := marshal(v.v)
				if err != nil {
					return err
				}
				js[i] = j
			}
		}
		if err := w.exec(w.rec, reg, r.Table, r.Name, r.Protocol, r.Number, lo, hi,
			textOrNull(r.Description), js[0], js[1], js[2], textOrNull(r.Registered), textOrNull(r.Modified),
			textOrNull(r.Note), textOrNull(r.Unauthorized), textOrNull(r.ServiceCode), js[3],
			c.first, c.last); err != nil {
			return err
		}
	}
	return nil
}

func textOrNull(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func (w *writer) addPeriods(reg string, rows []periodRow) error {
	for _, r := range rows {
		if r.status == 0 {
			return fmt.Errorf("%s: ports %d-%d/%s have no status", reg, r.lo, r.hi, diff.Transports[r.transport])
		}
		if err := w.exec(w.period, reg, diff.Transports[r.transport], r.lo, r.hi, r.status.String(), r.from, r.to); err != nil {
			return err
		}
	}
	return nil
}

// resume takes up the rows still open at version last (the newest
// exported) into st, and deletes them: they are written again, longer,
// when the export ends.
func (w *writer) resume(st *state, reg string, last, records int, ports bool) error {
	st.records.open = map[string][]openForm{}
	rows, err := w.tx.QueryContext(w.ctx, `SELECT tbl, name, protocol, number, description, refs, assignee, contact,
		registered, modified, note, unauthorized, service_code, other, first_seq
		FROM records WHERE registry = ? AND last_seq = ?`, reg, last)
	if err != nil {
		return w.fail(err)
	}
	for rows.Next() {
		var r record.Record
		var desc, refs, assignee, contact, registered, modified, note, unauth, sc, other sql.NullString
		var first int
		if err := rows.Scan(&r.Table, &r.Name, &r.Protocol, &r.Number, &desc, &refs, &assignee, &contact,
			&registered, &modified, &note, &unauth, &sc, &other, &first); err != nil {
			rows.Close()
			return w.fail(err)
		}
		r.Description, r.Registered, r.Modified = desc.String, registered.String, modified.String
		r.Note, r.Unauthorized, r.ServiceCode = note.String, unauth.String, sc.String
		for _, j := range []struct {
			s  sql.NullString
			to any
		}{{refs, &r.Refs}, {assignee, &r.Assignee}, {contact, &r.Contact}, {other, &r.Other}} {
			if j.s.Valid {
				if err := json.Unmarshal([]byte(j.s.String), j.to); err != nil {
					rows.Close()
					return fmt.Errorf("%w: %s: a record of %s does not read back: %v", errDisagrees, w.name, reg, err)
				}
			}
		}
		k, err := formKey(&r)
		if err != nil {
			rows.Close()
			return err
		}
		st.records.open[k] = append(st.records.open[k], openForm{first, r})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return w.fail(err)
	}
	open := 0
	for _, os := range st.records.open {
		slices.SortStableFunc(os, func(a, b openForm) int { return cmp.Compare(a.first, b.first) })
		open += len(os)
	}
	if open != records {
		return fmt.Errorf("%w: %s holds %d records of %s open at its newest version, which has %d", errDisagrees, w.name, open, reg, records)
	}
	if _, err := w.tx.ExecContext(w.ctx, "DELETE FROM records WHERE registry = ? AND last_seq = ?", reg, last); err != nil {
		return w.fail(err)
	}
	if !ports {
		return nil
	}
	st.ports.alloc()
	rows, err = w.tx.QueryContext(w.ctx, "SELECT protocol, lo, hi, status, from_seq FROM port_periods WHERE registry = ? AND to_seq = ?", reg, last)
	if err != nil {
		return w.fail(err)
	}
	for rows.Next() {
		var proto, status string
		var lo, hi, from int
		if err := rows.Scan(&proto, &lo, &hi, &status, &from); err != nil {
			rows.Close()
			return w.fail(err)
		}
		t := slices.Index(diff.Transports, proto)
		s, err := diff.ParseStatus(status)
		if t < 0 || err != nil || lo < 0 || hi > diff.MaxPort || lo > hi {
			rows.Close()
			return fmt.Errorf("%w: %s: a port period of %s does not read back: %s %d-%d %s", errDisagrees, w.name, reg, proto, lo, hi, status)
		}
		for port := lo; port <= hi; port++ {
			st.ports.status[t][port], st.ports.since[t][port] = s, int32(from)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return w.fail(err)
	}
	for t, proto := range diff.Transports {
		if i := slices.Index(st.ports.status[t], 0); i >= 0 {
			return fmt.Errorf("%w: %s has no period of port %d/%s of %s at its newest version", errDisagrees, w.name, i, proto, reg)
		}
	}
	if _, err := w.tx.ExecContext(w.ctx, "DELETE FROM port_periods WHERE registry = ? AND to_seq = ?", reg, last); err != nil {
		return w.fail(err)
	}
	return nil
}
