// Package history tells the story of a port, a range of ports or a service
// name across every stored version of a registry: since when it has been
// what it is, and what happened to it.
//
//	q, err := history.ParseQuery("253/tcp")       // or "249-255", "ssh", "ssh/udp"
//	ix, _ := history.OpenIndex(store, indexFile)  // optional; a bad file is ignored
//	h, err := history.Build(ctx, ix, registry, q) // or Build(ctx, store, ...)
//	ix.Save()
//	history.WriteText(os.Stdout, h, isTerminal)   // or WriteJSON
//
// # Periods
//
// A port's status in a version follows the rule of package diff (see
// [diff.RecordStatus]): the records covering the port on a transport decide
// it, Assigned before Deregistered before Reserved before Unassigned, and a
// port no record decides is Unassigned. A [Period] is a maximal run of
// consecutive versions in which the query has the same status on one
// transport (tcp, udp, sctp, dccp; only the one asked for with /proto). For
// a range query the status is that of every port in it; when the ports
// differ the period's status is "mixed" and its Parts give each sub-range,
// so a period ends whenever any port of the range changes status. A period
// lists the records that covered the query in its last version.
//
// For a name query, a period is a run of consecutive versions in which the
// name (compared ignoring the case of ASCII letters) held one number on one
// transport with the same record status (Assigned or, once its description
// says De-registered, Removed, ..., Deregistered). A name that moves to
// another number or is renamed ends its period there.
//
// # Events
//
// An [Event] is a record covering the query (any port of it, on a
// transport asked about or without protocol), or having the queried name,
// that was added, removed, changed or renamed from one version to the next,
// with the fields that changed, as [diff.Compare] reports them; events are
// listed even when no status changed, e.g. a new contact on a Reserved
// range. The oldest version has no events: history starts there.
//
// # Windows
//
// [History.Window] narrows a history to the versions published between a
// since and an until bound, as git's --since and --until ([snapshots.ResolveWindow]):
// the periods that overlap the window, each whole (its true first and last
// version), and the events of the versions in it, the oldest of which
// keeps its events against the version before it. The verdicts are then
// about the newest version of the window.
//
// # Speed
//
// A port's status depends only on the records of the two files that
// [snapshots.FilesCovering] names, so a port query reads those two files
// per version, and only decodes a file whose blob differs from the
// previous version's. An [Index] keeps, across runs, each version tree's
// file list and each file's record lines, all keyed by git object hashes:
// with it, `history 253` over 359 versions reads no tree and no blob. It
// holds the trees column-wise, so a port query reads two paths' columns,
// not every tree's entries, and a file as its few changed lines against
// the file before it, so a port query works out what covers the port from
// the previous answer and those lines: at 5,000 versions the query costs
// under twice what it does at 359.
package history
