package snapshots

import "testing"

// Registry ids become ref and file names: IANA's own ids pass (two of them
// start with '_'), nothing that could leave the store or read as a flag does.
func TestValidID(t *testing.T) {
	for _, tc := range []struct {
		id string
		ok bool
	}{
		{"service-names-port-numbers", true},
		{"_6tisch", true},
		{"_6lowpan-parameters", true},
		{"ipv4-address-space", true},
		{"dns-sec-alg-numbers.v2", true},
		{"", false},
		{"-rf", false},
		{".hidden", false},
		{"a/b", false},
		{"../../etc", false},
		{"a..b", false},
		{"x.lock", false},
		{"trailing.", false},
		{"with space", false},
		{"HEAD", false}, // git's own names, in any case
		{"head", false},
		{"FETCH_HEAD", false},
		{"orig_head", false},
		{"AUTO_MERGE", false},
		{"stash", false},
		{"headers", true},
		{"message-headers", true},
	} {
		if got := ValidID(tc.id); got != tc.ok {
			t.Errorf("ValidID(%q) = %v, want %v", tc.id, got, tc.ok)
		}
	}
}
