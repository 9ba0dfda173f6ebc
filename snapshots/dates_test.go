package snapshots

import (
	"errors"
	"testing"
	"time"
)

func TestCheckDate(t *testing.T) {
	now := time.Date(2026, 12, 2, 18, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		date string
		ok   bool
	}{
		{"2024-03-18", true},
		{"1990-03", true},
		{"1970-01-01", true},
		{"2026-12-04", true}, // two days ahead: a time zone away
		{"2026-12-05", false},
		{"2099-12-31", false},
		{"2099-12", false},
		{"1969-12-31", false},
		{"0000-01-01", false},
		{"", true}, // dated by when it was seen
	} {
		err := CheckDate(tt.date, now)
		if (err == nil) != tt.ok || err != nil && !errors.Is(err, ErrImplausibleDate) {
			t.Errorf("CheckDate(%q) = %v, want ok %v", tt.date, err, tt.ok)
		}
	}
}
