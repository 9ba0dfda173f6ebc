package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"
)

// newManCmd is the hidden `regdiff man DIR`, which writes one man page per
// command (regdiff.1, regdiff-diff.1, …; section 1) into DIR, made from the
// commands' own help by cobra/doc. Packagers run it at build time; it is
// hidden from the help because no one else needs it.
func newManCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:    "man DIR",
		Short:  "Write the man pages, one per command, into DIR",
		Hidden: true,
		Args:   cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return writeManPages(cmd.Root(), args[0])
		},
	}
}

// writeManPages writes root's man pages into dir, creating it.
func writeManPages(root *cobra.Command, dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("man pages: %w", err)
	}
	// No "Auto generated … on DATE" line: the pages depend on the commands
	// alone (cobra dates them by $SOURCE_DATE_EPOCH when set).
	var noTag func(*cobra.Command)
	noTag = func(c *cobra.Command) {
		c.DisableAutoGenTag = true
		for _, sub := range c.Commands() {
			noTag(sub)
		}
	}
	noTag(root)
	header := &doc.GenManHeader{Title: "REGDIFF", Section: "1", Source: version(), Manual: "regdiff manual"}
	if err := doc.GenManTree(root, header, dir); err != nil {
		return fmt.Errorf("man pages: %w", err)
	}
	return nil
}
