package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// panicWriter panics on every write, as a bug in a command would.
type panicWriter struct{}

func (panicWriter) Write([]byte) (int, error) { panic("write on a broken writer") }

// TestPanicIsOneLine checks that a panic inside a command ends in an
// error line and a hint, with exit status 2 and no stack trace, and that
// REGDIFF_TRACEBACK=1 lets the panic through.
func TestPanicIsOneLine(t *testing.T) {
	for _, traceback := range []string{"", "1"} {
		var errb bytes.Buffer
		io := &streams{Out: panicWriter{}, Err: &errb,
			Getenv: func(k string) string {
				if k == "REGDIFF_TRACEBACK" {
					return traceback
				}
				return ""
			},
			HomeDir: func() (string, error) { return t.TempDir(), nil }}
		var code int
		panicked := func() (p any) {
			defer func() { p = recover() }()
			code = run(context.Background(), io, []string{"version"})
			return nil
		}()
		if traceback != "" {
			if panicked == nil {
				t.Errorf("REGDIFF_TRACEBACK=1: the panic was recovered (exit %d, stderr %q)", code, errb.String())
			}
			continue
		}
		if panicked != nil {
			t.Fatalf("panic not recovered: %v", panicked)
		}
		got := errb.String()
		if code != exitError || !strings.HasPrefix(got, "regdiff: internal error: write on a broken writer\n") ||
			!strings.Contains(got, "hint: this is a bug in regdiff") || strings.Contains(got, "goroutine") {
			t.Errorf("exit %d, stderr:\n%s", code, got)
		}
	}
}
