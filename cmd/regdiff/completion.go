package main

import (
	"slices"
	"strings"

	"github.com/regdiff/regdiff/diff"
	"github.com/spf13/cobra"
)

// Shell completion (regdiff completion bash|zsh|fish|powershell) completes,
// beside commands and flags:
//
//   - version specs (diff's and the root's FROM and TO, show's VERSION,
//     --since and --until): the names of the stored versions of --registry,
//     and latest and first;
//   - registry ids (--registry, fetch's IDs): the registries of the store,
//     as `regdiff registries` lists them;
//   - the values of --format, --color, --kind, --status and --protocol, from
//     the lists those flags are checked against; the last three take lists,
//     so "added,ch" completes to "added,changed".
//
// Completion only reads the store (snapshots.Open never creates one), and
// says nothing on any error: with no store, or no versions, it offers the
// static words (latest, first, the flag values) alone.

// versionWords are the version specs offered whatever the store holds.
var versionWords = []string{"latest", "first"}

// addCompletion registers the completion of root's commands' arguments
// and flag values.
func addCompletion(root *cobra.Command, g *globals) {
	specs := func(max int) cobra.CompletionFunc {
		return func(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
			if len(args) >= max {
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
			return g.completeVersions(toComplete), cobra.ShellCompDirectiveNoFileComp
		}
	}
	flagSpecs := func(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		return g.completeVersions(toComplete), cobra.ShellCompDirectiveNoFileComp
	}
	registries := func(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		return g.completeRegistries(toComplete), cobra.ShellCompDirectiveNoFileComp
	}
	none := func(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	var statuses []string
	for st := diff.Assigned; st <= diff.Unassigned; st++ {
		statuses = append(statuses, st.String())
	}
	values := map[string][]string{
		"color":    colorValues,
		"kind":     diff.Kinds,
		"status":   statuses,
		"protocol": diff.Transports,
	}
	lists := map[string]bool{"kind": true, "status": true, "protocol": true}

	root.RegisterFlagCompletionFunc("registry", registries)
	root.MarkPersistentFlagDirname("store")
	for _, cmd := range append(root.Commands(), root) {
		switch cmd.Name() {
		case "regdiff", "diff":
			cmd.ValidArgsFunction = specs(2)
		case "show":
			cmd.ValidArgsFunction = specs(1)
		case "fetch":
			cmd.ValidArgsFunction = registries
		case "import":
			// files, folders, repositories: the shell's own completion
		default:
			cmd.ValidArgsFunction = none
		}
		formats := diffFormats
		if cmd.Name() == "changelog" {
			formats = changelogFormats
		}
		if cmd.Flags().Lookup("format") != nil {
			cmd.RegisterFlagCompletionFunc("format", fixed(formats, false))
		}
		for name, vs := range values {
			if cmd.Flags().Lookup(name) != nil {
				cmd.RegisterFlagCompletionFunc(name, fixed(vs, lists[name]))
			}
		}
		for _, name := range []string{"since", "until"} {
			if cmd.Flags().Lookup(name) != nil {
				cmd.RegisterFlagCompletionFunc(name, flagSpecs)
			}
		}
	}
}

// fixed completes one of words or, with list, a comma-separated list of
// them: the word after the last comma, the ones before it kept.
func fixed(words []string, list bool) cobra.CompletionFunc {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		prefix, last := "", toComplete
		if i := strings.LastIndexByte(toComplete, ','); list && i >= 0 {
			prefix, last = toComplete[:i+1], toComplete[i+1:]
		}
		given := strings.Split(strings.ToLower(prefix), ",")
		var out []cobra.Completion
		for _, w := range words {
			if strings.HasPrefix(strings.ToLower(w), strings.ToLower(last)) && !slices.Contains(given, strings.ToLower(w)) {
				out = append(out, prefix+w)
			}
		}
		return out, cobra.ShellCompDirectiveNoFileComp
	}
}

// completeVersions returns the version specs that start with prefix: latest
// and first, then the stored versions of --registry, newest first.
func (g *globals) completeVersions(prefix string) []cobra.Completion {
	words := slices.Clone(versionWords)
	if s, err := g.openStore(); err == nil {
		if vs, err := s.Versions(g.registry); err == nil {
			for i := len(vs) - 1; i >= 0; i-- {
				words = append(words, vs[i].Name)
			}
		}
	}
	return withPrefix(words, prefix)
}

// completeRegistries returns the ids of the store's registries that start
// with prefix.
func (g *globals) completeRegistries(prefix string) []cobra.Completion {
	s, err := g.openStore()
	if err != nil {
		return nil
	}
	ids, err := s.Registries()
	if err != nil {
		return nil
	}
	return withPrefix(ids, prefix)
}

func withPrefix(words []string, prefix string) []cobra.Completion {
	var out []cobra.Completion
	for _, w := range words {
		if strings.HasPrefix(w, prefix) {
			out = append(out, w)
		}
	}
	return out
}
