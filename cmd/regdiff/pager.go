package main

import (
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"

	"github.com/spf13/cobra"
)

// The pager, as git's: output longer than a screen is paged, on a terminal
// only.
//
//   - Only the commands of pagedCommands page, and only when standard output
//     is a terminal (streams.OutTTY) and --no-pager is not given.
//   - The pager is $REGDIFF_PAGER, else $PAGER, else "less -FRX"; a pager
//     that is empty (set, but to nothing) or "cat" means no pager.
//   - It starts on the first write to standard output, so a command that
//     fails before it prints, or writes to a file (changelog -o), never
//     starts one. It gets LESS=FRX and LV=-c when they are unset (as git
//     does: less quits when the text fits on one screen, keeps colours, and
//     leaves the text on the screen).
//   - A pager with shell metacharacters runs through sh -c; any other is
//     split on white space and run directly. When it cannot be started,
//     the output goes to standard output as it would have without one.
//   - regdiff waits for the pager to exit before it prints an error or
//     exits. When the pager quits before the output ends (q in less),
//     the rest of the output is dropped: no "broken pipe" error, and the
//     exit status is the command's own (diff --exit-code still says
//     whether the versions differ).

// pagedCommands are the commands that page, by name ("regdiff" is the root,
// which runs diff); the value lists the --format values that page, "*" for
// every output. Progress and cron output (fetch, import, verify, reindex)
// never page.
var pagedCommands = map[string]string{
	"regdiff":    "*",
	"diff":       "*",
	"history":    "*",
	"log":        "*",
	"show":       "*",
	"registries": "*",
	"changelog":  "md,markdown",
}

// defaultPager is the pager when neither $REGDIFF_PAGER nor $PAGER is set.
const defaultPager = "less -FRX"

// pagerFor returns the pager command line for a command's output, or "" for
// none: the decision, apart from the command (see pages).
func pagerFor(tty, noPager bool, lookup func(string) (string, bool)) string {
	if !tty || noPager {
		return ""
	}
	p, ok := lookup("REGDIFF_PAGER")
	if !ok {
		p, ok = lookup("PAGER")
	}
	if !ok {
		p = defaultPager
	}
	if p = strings.TrimSpace(p); p == "cat" {
		return ""
	}
	return p
}

// pages reports whether cmd pages its output, as pagedCommands says.
func pages(cmd *cobra.Command) bool {
	formats, ok := pagedCommands[cmd.Name()]
	if !ok {
		return false
	}
	if formats == "*" {
		return true
	}
	f := cmd.Flags().Lookup("format")
	return f != nil && strings.Contains(","+formats+",", ","+f.Value.String()+",")
}

// addPager adds --no-pager to root and starts the pager, when the command
// run pages, in its PersistentPreRunE; run stops it (streams.stopPager).
func addPager(root *cobra.Command, g *globals) {
	var noPager bool
	root.PersistentFlags().BoolVar(&noPager, "no-pager", false, "do not page the output (default: page through $REGDIFF_PAGER, $PAGER or less -FRX on a terminal)")
	root.PersistentPreRunE = func(cmd *cobra.Command, args []string) error {
		if pages(cmd) {
			g.io.startPager(pagerFor(g.io.OutTTY, noPager, g.io.lookupEnv))
		}
		return nil
	}
}

// lookupEnv is os.LookupEnv through the streams: LookupEnv when set, else
// Getenv, where a variable set to nothing is taken for unset.
func (s *streams) lookupEnv(k string) (string, bool) {
	if s.LookupEnv != nil {
		return s.LookupEnv(k)
	}
	v := s.getenv(k)
	return v, v != ""
}

// startPager puts a pager running command line between the command and
// standard output; "" does nothing.
func (s *streams) startPager(line string) {
	if line == "" || s.pager != nil {
		return
	}
	s.pager = &pager{line: line, out: s.Out, errw: s.Err, lookup: s.lookupEnv}
	s.Out = s.pager
}

// stopPager ends the output to the pager, waits for it to exit and puts
// standard output back.
func (s *streams) stopPager() {
	if s.pager == nil {
		return
	}
	s.pager.close()
	s.Out = s.pager.out
	s.pager = nil
}

// pager is the writer a paged command writes to: it starts the pager on
// the first write, writes to out itself when the pager cannot start, and
// drops what is written after the pager has quit.
type pager struct {
	line   string
	out    io.Writer // standard output, the pager's own
	errw   io.Writer // standard error, the pager's own
	lookup func(string) (string, bool)

	once  sync.Once
	cmd   *exec.Cmd
	stdin io.WriteCloser
	w     io.Writer // where writes go: stdin, out, or io.Discard
}

func (p *pager) Write(b []byte) (int, error) {
	p.once.Do(p.start)
	n, err := p.w.Write(b)
	if err != nil && p.cmd != nil {
		// The pager quit (EPIPE, or a closed pipe): the user has read
		// enough. The rest goes nowhere, and the command ends as it would.
		p.w = io.Discard
		return len(b), nil
	}
	return n, err
}

func (p *pager) start() {
	p.w = p.out
	argv := pagerArgv(p.line)
	if len(argv) == 0 {
		return
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdout, cmd.Stderr = p.out, p.errw
	cmd.Env = os.Environ()
	for _, kv := range [][2]string{{"LESS", "FRX"}, {"LV", "-c"}} {
		if _, ok := p.lookup(kv[0]); !ok {
			cmd.Env = append(cmd.Env, kv[0]+"="+kv[1])
		}
	}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return
	}
	if err := cmd.Start(); err != nil {
		stdin.Close()
		return // no pager: write directly, as without one
	}
	p.cmd, p.stdin, p.w = cmd, stdin, stdin
}

// close ends the pager's input and waits for it to exit. Its exit status
// says nothing about regdiff's output and is ignored.
func (p *pager) close() {
	if p.cmd == nil {
		return
	}
	p.stdin.Close()
	p.cmd.Wait()
}

// pagerArgv splits a pager command line as git does: through sh -c when it
// holds shell metacharacters, else on white space.
func pagerArgv(line string) []string {
	if strings.ContainsAny(line, "|&;<>()$`\\\"'*?[#~=%\n") {
		return []string{"/bin/sh", "-c", line}
	}
	return strings.Fields(line)
}
