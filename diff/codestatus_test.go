package diff

import (
	"testing"

	"github.com/regdiff/regdiff/snapshots/record"
)

func TestCodeStatus(t *testing.T) {
	tests := []struct {
		rec  record.Record
		want string
	}{
		{record.Record{Number: "6", Name: "TCP", Description: "Transmission Control"}, CodeAssigned},
		{record.Record{Number: "143-252", Description: "Unassigned"}, CodeUnassigned},
		{record.Record{Number: "255", Description: "Reserved"}, CodeReserved},
		{record.Record{Number: "0xFF00-0xFFFF", Description: "Reserved for Private Use"}, CodePrivateUse},
		{record.Record{Number: "65280-65535", Description: "Private Use"}, CodePrivateUse},
		{record.Record{Number: "253", Description: "Reserved for Experimental Use"}, CodeExperimental},
		{record.Record{Number: "10", Description: "Experimental"}, CodeExperimental},
		{record.Record{Number: "0x00,0x1C-1D", Description: "Reserved to avoid conflicts with SSLv3"}, CodeReserved},
		// The status element first, then the name, then the description.
		{record.Record{Number: "Also-Control", Other: map[string]string{"status": "obsoleted"}}, CodeObsolete},
		{record.Record{Number: "X", Other: map[string]string{"status": "deprecated"}, Description: "Reserved"}, CodeDeprecated},
		{record.Record{Number: "1", Other: map[string]string{"type": "Unassigned"}}, CodeUnassigned},
		{record.Record{Number: "3", Name: "Reserved", Description: "an old protocol"}, CodeReserved},
		// Retired entries, marked anywhere in the name or description.
		{record.Record{Number: "5", Description: "DEC Alpha (DEPRECATED)"}, CodeDeprecated},
		{record.Record{Name: "UTF8=ALL (OBSOLETE)"}, CodeObsolete},
		{record.Record{Name: "compression(obsolete)"}, CodeObsolete},
		{record.Record{Number: "7", Description: "Undeprecatedness"}, CodeAssigned}, // not a word
		{record.Record{Number: "8", Other: map[string]string{"status": "current"}}, CodeAssigned},
		{record.Record{Number: "9", Description: "  reserved"}, CodeReserved},
		{record.Record{Number: "9", Description: "\u00a0Reserved"}, CodeAssigned}, // a no-break space is text
	}
	for _, tt := range tests {
		if got := CodeStatus(&tt.rec); got != tt.want {
			t.Errorf("CodeStatus(%+v) = %s, want %s", tt.rec, got, tt.want)
		}
	}
}
