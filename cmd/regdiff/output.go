package main

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/regdiff/regdiff/diff"
)

// Every --json output goes through writeJSON ([diff.EncodeJSON], the
// encoding of the diff, history and changelog packages' JSON), or
// writeJSONLine for the commands that print one object per registry
// (fetch, reindex): the same without the indent. A write error is
// returned.

// writeJSON writes v as one JSON document.
func writeJSON(w io.Writer, v any) error {
	if err := diff.EncodeJSON(w, v); err != nil {
		return fmt.Errorf("write JSON: %w", err)
	}
	return nil
}

// writeJSONLine writes v as one line of JSON.
func writeJSONLine(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("write JSON: %w", err)
	}
	return nil
}

// colorFlag is the help of every --color flag.
const colorFlag = "colour text output: auto (on a terminal, unless $NO_COLOR is set), always or never"

// colorValues are the values of every --color flag, which color accepts
// and completion offers.
var colorValues = []string{"auto", "always", "never"}

// color is the one rule for colour: --color always or never, and auto
// colours when standard output is a terminal and $NO_COLOR is unset or
// empty (no-color.org). Any other value is a usage error.
func (g *globals) color(flag string) (bool, error) {
	switch flag {
	case "always":
		return true, nil
	case "never":
		return false, nil
	case "auto":
		return g.io.OutTTY && g.io.getenv("NO_COLOR") == "", nil
	}
	return false, withCode(exitError, fmt.Errorf("unknown --color %q: use auto, always or never", flag))
}

func (s *streams) getenv(k string) string {
	if s.Getenv == nil {
		return ""
	}
	return s.Getenv(k)
}
