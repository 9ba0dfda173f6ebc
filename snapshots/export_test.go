package snapshots

// UseNormalizer1 makes Prepare write what regdiff wrote before it kept
// items and people (normalizer 1: the records only), until restore is
// called.
func UseNormalizer1() (restore func()) {
	normalizer, encodeVersion = 1, func(reg *Registry) (map[string][]byte, error) { return encodeRecords(reg.Records) }
	return func() { normalizer, encodeVersion = Normalizer, encode }
}
