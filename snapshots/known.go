package snapshots

// Known are the registries regdiff knows by name. Any other IANA XML
// registry can be fetched by URL and is stored under its own id.
var Known = []KnownRegistry{
	{ID: "service-names-port-numbers"},
	{ID: "protocol-numbers"},
}

// DefaultRegistry is the registry commands act on when none is named.
const DefaultRegistry = "service-names-port-numbers"

// KnownRegistry is a registry regdiff knows by name.
type KnownRegistry struct{ ID string }

// IANABase is where IANA publishes its registries.
const IANABase = "https://www.iana.org/assignments"

// URL is where IANA publishes the registry.
func (k KnownRegistry) URL() string {
	return IANABase + "/" + k.ID + "/" + k.File()
}

// File is the registry's file name, as scrapers usually keep it.
func (k KnownRegistry) File() string { return k.ID + ".xml" }

// Lookup finds a known registry by id.
func Lookup(id string) (KnownRegistry, bool) {
	for _, k := range Known {
		if k.ID == id {
			return k, true
		}
	}
	return KnownRegistry{}, false
}
