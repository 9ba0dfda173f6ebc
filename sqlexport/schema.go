package sqlexport

// schemaVersion is the database's PRAGMA user_version. A file written with
// another schema is rebuilt whole, never patched. (2: the indexes that
// look up a name, number or port lead with it, not with the registry.)
const schemaVersion = 2

// applicationID is the database's PRAGMA application_id ("rgdf"), so that
// an export never writes into a SQLite file that some other program owns.
const applicationID = 0x72676466

// Schema is the SQL that creates an empty export. The indexes that look
// up a name, a number or a port lead with it: queries seldom name the
// registry (a name or a port is mostly in one), and an index that leads
// with the registry is of no use to one that does not. Versions are numbered
// per registry by seq, 0 for the oldest; every other table names versions
// by seq, and the views join in their names and dates.
const Schema = `
CREATE TABLE meta (
  registry    TEXT PRIMARY KEY,
  versions    INTEGER NOT NULL, -- versions exported: seq 0 to versions-1
  last_commit TEXT NOT NULL,    -- commit of the newest exported version
  ports       INTEGER NOT NULL  -- 1 when port_periods holds the registry
);
CREATE TABLE versions (
  registry TEXT NOT NULL,
  seq      INTEGER NOT NULL,
  name     TEXT NOT NULL,  -- 2024-03-18, or 2024-03-18.2
  date     TEXT NOT NULL,  -- the registry's <updated> date
  title    TEXT NOT NULL,
  format   TEXT NOT NULL,
  sha256   TEXT NOT NULL,  -- of the raw file
  records  INTEGER NOT NULL,
  commit_hash TEXT NOT NULL,
  PRIMARY KEY (registry, seq)
);
CREATE UNIQUE INDEX versions_name ON versions (name, registry);
CREATE INDEX versions_date ON versions (date);
CREATE TABLE records (
  registry TEXT NOT NULL,
  tbl      TEXT NOT NULL,  -- the nested registry's id, '' for the root's records
  name     TEXT NOT NULL,
  protocol TEXT NOT NULL,
  number   TEXT NOT NULL,  -- as written: 22, 249-255, 0x13,0x01
  lo       INTEGER,        -- number as a range, NULL when it is none
  hi       INTEGER,
  description  TEXT,
  refs         TEXT,       -- JSON arrays of "type:data"
  assignee     TEXT,
  contact      TEXT,
  registered   TEXT,
  modified     TEXT,
  note         TEXT,
  unauthorized TEXT,
  service_code TEXT,
  other        TEXT,       -- JSON object of any further element
  first_seq INTEGER NOT NULL, -- the record held in this form from first_seq
  last_seq  INTEGER NOT NULL  -- to last_seq, in every version between
);
CREATE INDEX records_number ON records (number, registry);
CREATE INDEX records_range ON records (lo, hi);
CREATE INDEX records_name ON records (name, registry);
CREATE INDEX records_seq ON records (registry, last_seq, first_seq);
CREATE TABLE changes (
  registry TEXT NOT NULL,
  from_seq INTEGER NOT NULL,
  to_seq   INTEGER NOT NULL, -- from_seq + 1
  kind     TEXT NOT NULL,    -- added, removed, changed, renamed
  tbl      TEXT NOT NULL,
  name     TEXT NOT NULL,
  protocol TEXT NOT NULL,
  number   TEXT NOT NULL,
  extra    TEXT NOT NULL,    -- further key elements, as diff names them
  old_name     TEXT,         -- renamed only
  key_json     TEXT NOT NULL, -- the key as regdiff diff --json writes it
  old_key_json TEXT,
  fields       TEXT NOT NULL  -- {"field": {"from": …, "to": …}, …}
);
CREATE INDEX changes_seq ON changes (registry, to_seq);
CREATE INDEX changes_number ON changes (number, registry);
CREATE INDEX changes_name ON changes (name, registry);
CREATE TABLE item_changes (
  registry TEXT NOT NULL,
  from_seq INTEGER NOT NULL,
  to_seq   INTEGER NOT NULL,
  kind     TEXT NOT NULL,
  tbl      TEXT NOT NULL,
  element  TEXT NOT NULL,
  key      TEXT NOT NULL,
  old_text TEXT NOT NULL,
  new_text TEXT NOT NULL
);
CREATE INDEX item_changes_seq ON item_changes (registry, to_seq);
CREATE TABLE people_changes (
  registry  TEXT NOT NULL,
  from_seq  INTEGER NOT NULL,
  to_seq    INTEGER NOT NULL,
  kind      TEXT NOT NULL,
  person_id TEXT NOT NULL,
  fields    TEXT NOT NULL
);
CREATE INDEX people_changes_seq ON people_changes (registry, to_seq);
CREATE TABLE transitions (
  registry TEXT NOT NULL,
  from_seq INTEGER NOT NULL,
  to_seq   INTEGER NOT NULL,
  protocol TEXT NOT NULL,
  lo       INTEGER NOT NULL,
  hi       INTEGER NOT NULL,
  from_status TEXT NOT NULL,
  to_status   TEXT NOT NULL
);
CREATE INDEX transitions_seq ON transitions (registry, to_seq);
CREATE INDEX transitions_port ON transitions (lo, hi, protocol);
CREATE TABLE port_periods (
  registry TEXT NOT NULL,
  protocol TEXT NOT NULL,  -- tcp, udp, sctp, dccp
  lo       INTEGER NOT NULL,
  hi       INTEGER NOT NULL,
  status   TEXT NOT NULL,  -- Assigned, Deregistered, Reserved, Unassigned
  from_seq INTEGER NOT NULL,
  to_seq   INTEGER NOT NULL
);
CREATE INDEX port_periods_port ON port_periods (lo, hi, protocol);
CREATE INDEX port_periods_status ON port_periods (status, from_seq);
CREATE INDEX port_periods_open ON port_periods (registry, to_seq);

CREATE VIEW port_history AS
  SELECT p.registry, p.protocol, p.lo, p.hi, p.status,
         f.name AS from_version, f.date AS from_date,
         t.name AS to_version, t.date AS to_date,
         p.from_seq, p.to_seq, p.to_seq - p.from_seq + 1 AS versions
  FROM port_periods p
  JOIN versions f ON f.registry = p.registry AND f.seq = p.from_seq
  JOIN versions t ON t.registry = p.registry AND t.seq = p.to_seq;
CREATE VIEW record_history AS
  SELECT r.*, f.name AS first_version, f.date AS first_date,
         l.name AS last_version, l.date AS last_date
  FROM records r
  JOIN versions f ON f.registry = r.registry AND f.seq = r.first_seq
  JOIN versions l ON l.registry = r.registry AND l.seq = r.last_seq;
CREATE VIEW change_history AS
  SELECT c.*, f.name AS from_version, t.name AS to_version, t.date AS to_date
  FROM changes c
  JOIN versions f ON f.registry = c.registry AND f.seq = c.from_seq
  JOIN versions t ON t.registry = c.registry AND t.seq = c.to_seq;
`

// tables are the tables that hold a registry's rows, deleted to rebuild it.
var tables = []string{"versions", "records", "changes", "item_changes", "people_changes", "transitions", "port_periods", "meta"}
