package snapshots

import (
	"fmt"
	"os"
	"reflect"
	"testing"
)

func TestExploreCSV(t *testing.T) {
	x, _ := os.ReadFile(os.Getenv("XF"))
	c, _ := os.ReadFile(os.Getenv("CF"))
	xr, err := ParseXML(x)
	if err != nil {
		t.Fatal(err)
	}
	cr, err := ParseCSV(c)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Println(len(xr.Records), len(cr.Records), cr.Updated, xr.Updated)
	fields := []string{"Name", "Protocol", "Number", "Description", "Refs", "Assignee", "Contact", "Registered", "Modified", "Note", "Unauthorized", "ServiceCode", "Other"}
	for _, f := range fields {
		bad := 0
		for i := range min(len(xr.Records), len(cr.Records)) {
			a := reflect.ValueOf(xr.Records[i]).FieldByName(f).Interface()
			b := reflect.ValueOf(cr.Records[i]).FieldByName(f).Interface()
			if !reflect.DeepEqual(a, b) {
				if bad < 6 {
					fmt.Printf("  %s %d: xml %q csv %q\n", f, i, a, b)
				}
				bad++
			}
		}
		fmt.Println(f, bad)
	}
}
