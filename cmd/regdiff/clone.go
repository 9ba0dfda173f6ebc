package main

import (
	"errors"

	"github.com/spf13/cobra"
)

// Stub: to be written (issue 14).
func newCloneCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:    "clone",
		Short:  "not written yet",
		Hidden: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			return withCode(exitError, errors.New("clone: not written yet"))
		},
	}
}
