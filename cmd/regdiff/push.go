package main

import (
	"errors"

	"github.com/spf13/cobra"
)

// Stub: to be written (issue 14).
func newPushCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:    "push",
		Short:  "not written yet",
		Hidden: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			return withCode(exitError, errors.New("push: not written yet"))
		},
	}
}
