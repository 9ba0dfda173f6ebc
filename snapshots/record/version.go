package record

import "encoding/hex"

// Version is one stored version of a registry.
type Version struct {
	Registry string
	Name     string // "2024-03-18"; "2024-03-18.2" for a second version of that date
	Date     string // the registry's date: "2024-03-18", or "1990-03"
	Title    string
	Format   string // source format: "xml", "csv", ...
	SHA256   string // of the raw file
	Records  int
	RawFile  string // path of the raw file in the commit's tree
	// Normalizer is the version of the normalized form the commit holds
	// (see snapshots.Normalizer); 1 for commits that do not say.
	Normalizer int
	Commit     Hash
	Tree       Hash
}

// HasItems reports whether a version's normalized form holds its items and
// people: versions stored before regdiff kept them (normalizer 1) hold
// records only, and their items are unknown, not absent.
func (v Version) HasItems() bool { return v.Normalizer >= 2 }

// Hash names an object of the store: a commit, a tree or a file's content.
// It is git's object id, declared here so that reading a version's name
// and place needs no git library.
type Hash [20]byte

// HashSize is the length of a Hash in bytes.
const HashSize = len(Hash{})

// String is the hash in hex, as git prints it.
func (h Hash) String() string { return hex.EncodeToString(h[:]) }

// IsZero reports whether h is the zero hash, which names nothing.
func (h Hash) IsZero() bool { return h == Hash{} }

// Listed is a version as scripts see it in a list (log, import and fetch
// with --json).
type Listed struct {
	Registry string `json:"registry"`
	Version  string `json:"version"`
	Date     string `json:"date"`
	Commit   string `json:"commit"`
	Records  int    `json:"records"`
	Format   string `json:"format"`
	SHA256   string `json:"sha256"`
}

// List makes the Listed of a version.
func List(v Version) Listed {
	return Listed{v.Registry, v.Name, v.Date, v.Commit.String(), v.Records, v.Format, v.SHA256}
}

// Shown is a version with what it holds, as scripts see it: the object
// `regdiff show --json` prints and the web view serves as a version's
// JSON, so the two cannot drift apart.
type Shown struct {
	Listed
	Title   string   `json:"title"`
	Entries []Record `json:"entries"`
	Items   []Item   `json:"registry_items"`
	People  []Person `json:"people"`
}

// Show makes the Shown of a version; no items or people are [] rather
// than null.
func Show(v Version, recs []Record, items []Item, people []Person) Shown {
	if items == nil {
		items = []Item{}
	}
	if people == nil {
		people = []Person{}
	}
	return Shown{List(v), v.Title, recs, items, people}
}
