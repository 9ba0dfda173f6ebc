package history

import "github.com/regdiff/regdiff/snapshots"

// Window returns the history of h within the versions that a since and an
// until bound keep, as [snapshots.ResolveWindow] reads them (git's --since
// and --until: dates are calendar windows, anything else a version spec),
// over every version h was built from:
//
//   - the periods that overlap the window, each shown whole, with its true
//     first and last version and its number of versions, so that a verdict
//     such as "Reserved since 2013-02-18 (oldest version on record)" stays
//     true of a window that starts in 2023;
//   - the events of the versions in the window only; the oldest version
//     in it keeps its events, which are against the version before it;
//   - Versions, From and To of the window, and First and Last of the record.
//
// The verdicts ([History.Verdicts]) are then about the newest period in the
// window. A window that holds no version gives a history with no periods
// and no events, Versions 0 and empty From and To; it is no error. A bad
// bound is a [*snapshots.WindowError]. h itself is left as it is.
func (h *History) Window(since, until string) (*History, error) {
	lo, hi, err := snapshots.ResolveWindow(h.vs, since, until)
	if err != nil {
		return nil, err
	}
	return h.clip(lo, hi), nil
}

// clip is the history of the versions vs[lo:hi].
func (h *History) clip(lo, hi int) *History {
	w := *h
	w.lo, w.hi, w.Versions = lo, hi, hi-lo
	w.From, w.To = "", ""
	if hi > lo {
		w.From, w.To = h.vs[lo].Name, h.vs[hi-1].Name
	}
	w.Periods = nil
	for _, p := range h.Periods {
		if p.first < hi && p.last >= lo {
			w.Periods = append(w.Periods, p)
		}
	}
	w.Events = nil
	for _, e := range h.Events {
		if e.at >= lo && e.at < hi {
			w.Events = append(w.Events, e)
		}
	}
	return &w
}

// windowed reports whether h is a window narrower than its record.
func (h *History) windowed() bool { return h.lo > 0 || h.hi < len(h.vs) }
