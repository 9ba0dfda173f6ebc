package snapshots

import (
	"errors"
	"fmt"
	"time"
)

// ErrImplausibleDate marks a version whose own date cannot be true: a
// future one would become the latest version and make every real one after
// it look older (refused, or rewriting history), and git dates nothing
// before 1970.
var ErrImplausibleDate = errors.New("implausible date")

// maxAhead is how far past now a version's date may be: IANA dates by its
// own calendar day, which is ahead of some time zones by up to a day.
const maxAhead = 2 * 24 * time.Hour

// CheckDate refuses a registry date (YYYY-MM-DD, or YYYY-MM) before 1970 or
// more than two days after now. An empty date, for a registry dated by when
// it was seen, passes.
func CheckDate(updated string, now time.Time) error {
	if updated == "" {
		return nil
	}
	t, err := time.Parse("2006-01-02", updated)
	if err != nil {
		if t, err = time.Parse("2006-01", updated); err != nil {
			return nil // not a date this check reads; the parser judged it
		}
	}
	switch {
	case t.Year() < 1970:
		return fmt.Errorf("%w: dated %s, before 1970", ErrImplausibleDate, updated)
	case t.After(now.Add(maxAhead)):
		return fmt.Errorf("%w: dated %s, more than two days in the future", ErrImplausibleDate, updated)
	}
	return nil
}
