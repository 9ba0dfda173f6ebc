package diff

import "encoding/json"

// KeyJSON returns the JSON form of c's key and, for a rename, of its old
// key (nil otherwise), as the diff's JSON writes them (see [WriteJSON]),
// so that other JSON about the same changes (a history's events) names
// records alike. c must be one of r's changes.
func (r *Result) KeyJSON(c *Change) (key, oldKey json.Marshaler) {
	key = keyJSON(r, c.Key, c.record())
	if c.Kind == Renamed {
		oldKey = keyJSON(r, c.OldKey, c.Old)
	}
	return key, oldKey
}
