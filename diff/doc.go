// Package diff reports what changed between two versions of a registry:
// records added, removed, changed field by field and renamed, and the ports
// whose status changed. It is pure functions over [record.Record] values;
// the only I/O is writing a [Result] to an [io.Writer] as text
// ([WriteText]), Markdown ([WriteMarkdown]) or JSON ([WriteJSON]).
//
// # Matching records
//
// A record is identified by its [record.Key]: (table, name, protocol,
// number), each absent part empty. In a table where some record has none
// of the three (registries keyed by a code, a label, an organization, or
// nothing), the further elements that identify its records are worked out
// from both versions at once, so that the key is the same on both sides:
// greedily, the element of Record.Other (or, on a tie, the description,
// where some registries keep a label) that leaves the fewest records
// with an empty key, then the fewest duplicate keys, while adding one
// helps; those elements become Key.Extra ("code=0x01"), and a record that
// still has an empty key is keyed by a digest of its whole content.
// [Result.Keys] says which tables were keyed so and by what, and the text
// and Markdown say so in a note. A table whose every record has a name or
// a number keeps its key (the port registry's keys never change).
//
// A table whose key structure differs between the versions (a part of
// the key held by most of its records in one version and by none in the
// other, as when a registry starts giving its records a <name>) is keyed
// instead by what records of both versions hold, for every record alike,
// so that its records still pair; name, protocol and number are then
// fields, and [Result.Warnings] says so.
//
// Keys are not always unique (80/tcp has three names, DHCP options repeat
// codes), so records are matched as a multiset: records that share a key
// pair up with an equal record first, then in slice order (the k-th
// remaining old record with a key with the k-th remaining new one). No
// record is ever dropped or counted twice.
//
// A matched pair is changed when any of these fields differs after every
// run of white space is collapsed to one space: description, refs,
// assignee, contact, registered, modified, note, unauthorized, service_code,
// and each key k of Record.Other as a field named k. Refs, assignee and
// contact are compared as multisets, since the order of child elements never
// counts; they are shown sorted and joined with ", ".
//
// White space is collapsed by [record.Collapse], the one rule every
// parser applies too: white space is ASCII only (space, tab, LF, CR, form
// feed, vertical tab). A no-break space (U+00A0) and every other non-ASCII
// character is text, so a change between a space and a no-break space is
// a change, and the leading white space skipped before a status word
// (below) is ASCII only as well.
//
// A removed record and an added record with the same table, protocol and
// (non-empty) number, and two different non-empty names, form one renamed
// change, whose Fields list the other fields that changed too. Candidates
// are paired in name order, preferring pairs with equal descriptions. A
// record without a name replaced by a named one (an Unassigned port being
// assigned) is not a rename: it stays one removed and one added change, and
// the port status transition tells the story.
//
// Text and Markdown list the changes of each kind under a heading per
// table (when some change is in a nested registry), with the table's
// title from [Result.Titles]; JSON names each key's table as "registry"
// and its elements by name (see [WriteJSON]).
//
// Every change lists in Fields each field whose value differs between the
// old and the new record; for an added record the old one counts as empty,
// so Fields holds every non-empty field of the new record (and likewise for
// a removed one).
//
// # Port status
//
// For each transport (tcp, udp, sctp, dccp) each port 0–65535 has a status
// in each version ([Status]). The records covering a port are those whose
// number range contains it and whose protocol is that transport or empty.
// Each covering record counts as
//
//   - Deregistered when its description starts, ignoring case, with
//     "De-registered", "Deregistered", "Removed", "Decommissioned" or
//     "Deprecated";
//   - otherwise Assigned when it has a name;
//   - otherwise Reserved when its description starts with "Reserved";
//   - otherwise Unassigned when its description starts with "Unassigned";
//   - otherwise (no name, some other text, such as "any private mail
//     system" or "Decomissioned Port") it has no status and does not
//     decide the port.
//
// The port takes the first of Assigned, Deregistered, Reserved, Unassigned
// that any covering record has. A port that no record covers, or whose
// covering records all have no status, is Unassigned.
//
// Port status is computed only when one of the two versions has a record
// with a protocol (the port registries); protocol-numbers has no
// transitions. [Result.Transitions] lists every port whose status differs,
// compressed into maximal runs of consecutive ports with the same protocol,
// old status and new status, ordered by transport (tcp, udp, sctp, dccp) and
// then by port.
//
// # Order
//
// Changes are ordered like the records of a normalized version
// ([record.Compare] on the new key, or the old one for a removal), then
// by kind; output is the same for the same input, byte for byte.
package diff
