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

const defaultMemoryLimit = 272 << 20

func main() {
	// Imports read and write hundreds of 4 MB files; without a limit the
	// heap grows to several times what is live before a collection. A soft
	// limit keeps peak memory near the working set; GOMEMLIMIT overrides it.
	// An import of every registry holds about 190 MB live (the delta bases
	// of some 600 registries' files): at 192 MiB it collected without end
	// and took twice as long as at 272 MiB.
	// An import of many files raises it (raiseMemoryLimit).
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(defaultMemoryLimit)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	io := &streams{
		Out:       os.Stdout,
		Err:       os.Stderr,
		OutTTY:    term.IsTerminal(int(os.Stdout.Fd())),
		ErrTTY:    term.IsTerminal(int(os.Stderr.Fd())),
		Getenv:    os.Getenv,
		LookupEnv: os.LookupEnv,
		HomeDir:   os.UserHomeDir,
	}
	os.Exit(run(ctx, io, os.Args[1:]))
}
