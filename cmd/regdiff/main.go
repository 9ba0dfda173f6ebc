// Command regdiff keeps the history of IANA registries and says what
// changed, when. See README.md and `regdiff help`.
package main

import (
	"context"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"

	"golang.org/x/term"
)

func main() {
	// Imports read and write hundreds of 4 MB files; without a limit the
	// heap grows to several times what is live before a collection. A soft
	// limit keeps peak memory near the working set; GOMEMLIMIT overrides it.
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(192 << 20)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	io := &streams{
		Out:     os.Stdout,
		Err:     os.Stderr,
		OutTTY:  term.IsTerminal(int(os.Stdout.Fd())),
		ErrTTY:  term.IsTerminal(int(os.Stderr.Fd())),
		Getenv:  os.Getenv,
		HomeDir: os.UserHomeDir,
	}
	os.Exit(run(ctx, io, os.Args[1:]))
}
