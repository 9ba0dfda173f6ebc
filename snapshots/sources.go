package snapshots

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// CollectOptions say how to find versions in the paths given to import.
type CollectOptions struct {
	// Paths are the files to follow in git histories; default: every file
	// named *.xml, at any path.
	Paths []string
	// Ref is the git ref to walk; default HEAD, or the only branch.
	Ref string
	// Date overrides the date of every input.
	Date string
	// Progress reports long steps (unpacking a bundle) on a terminal.
	Status func(msg string)
}

// maxFileSize bounds what import reads from one file: the largest real
// registry files are a few MB.
const maxFileSize = 256 << 20

// Collect turns import arguments (files, folders, git repositories, bundles,
// repository URLs) into inputs. Arguments that cannot be used at all are
// returned as refusals; the caller must call done when finished with the
// inputs.
func Collect(ctx context.Context, locs []string, opts CollectOptions) (inputs []Input, refused []Refusal, done func(), err error) {
	var closers []func()
	done = func() {
		for _, c := range closers {
			c()
		}
	}
	paths := opts.Paths // none: every *.xml, told apart by content
	for _, loc := range locs {
		if ctx.Err() != nil {
			return nil, nil, done, ctx.Err()
		}
		switch {
		case hasScheme(loc) && !isURL(loc):
			refused = append(refused, Refusal{Location: loc, Err: fmt.Errorf("import reads repositories over https, http, git and ssh, and local paths; give a file:// location as a plain path")})
			continue
		case IsGitSource(loc):
			if opts.Status != nil {
				opts.Status("reading git history of " + loc)
			}
			g, err := OpenGit(ctx, loc)
			if err != nil {
				refused = append(refused, Refusal{Location: loc, Err: err})
				continue
			}
			closers = append(closers, g.Close)
			files, err := g.Files(ctx, opts.Ref, paths)
			if err != nil {
				refused = append(refused, Refusal{Location: loc, Err: err})
				continue
			}
			if len(files) == 0 {
				what := strings.Join(paths, " or ")
				if len(paths) == 0 {
					what = "a file named *.xml"
				}
				refused = append(refused, Refusal{Location: loc, Err: fmt.Errorf("no commit holds %s; name the file with --path", what)})
				continue
			}
			for _, f := range files {
				inputs = append(inputs, Input{
					Source: Source{Kind: "git", Location: fmt.Sprintf("%s@%s:%s", loc, f.Commit.String()[:12], f.Path), Seen: f.Seen.When.UTC()},
					Read:   f.Read,
					Date:   opts.Date,
					Found:  len(paths) == 0,
				})
			}
		default:
			fi, err := os.Stat(loc)
			if err != nil {
				refused = append(refused, Refusal{Location: loc, Err: noSuchInput(err)})
				continue
			}
			if !fi.IsDir() && !fi.Mode().IsRegular() {
				// A device or a pipe never ends (/dev/zero) or blocks
				// forever (a FIFO nobody writes), holding the lock.
				refused = append(refused, Refusal{Location: loc, Err: fmt.Errorf("not a regular file (%s); import reads files, folders and git repositories", fileKind(fi.Mode()))})
				continue
			}
			if !fi.IsDir() {
				inputs = append(inputs, fileInput(loc, opts.Date))
				continue
			}
			var files []string
			err = filepath.WalkDir(loc, func(p string, d fs.DirEntry, err error) error {
				if err != nil {
					return err
				}
				if strings.HasPrefix(d.Name(), ".") && p != loc {
					if d.IsDir() {
						return filepath.SkipDir
					}
					return nil
				}
				if d.Type().IsRegular() {
					files = append(files, p)
				}
				return nil
			})
			if err != nil {
				refused = append(refused, Refusal{Location: loc, Err: err})
				continue
			}
			if len(files) == 0 {
				refused = append(refused, Refusal{Location: loc, Err: fmt.Errorf("folder holds no files")})
			}
			sort.Strings(files)
			for _, f := range files {
				in := fileInput(f, opts.Date)
				in.Found = true
				inputs = append(inputs, in)
			}
		}
	}
	return inputs, refused, done, nil
}

// hasScheme reports whether loc starts like a URL ("scheme://"), so that
// file:// and other schemes get a clear refusal rather than "no such file".
func hasScheme(loc string) bool {
	scheme, _, ok := strings.Cut(loc, "://")
	if !ok || scheme == "" {
		return false
	}
	for i, c := range scheme {
		letter := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
		if !letter && (i == 0 || !(c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.')) {
			return false
		}
	}
	return true
}

// ErrNoInput is the refusal of an import path that does not exist.
var ErrNoInput = errors.New("no such file or folder")

func noSuchInput(err error) error {
	if os.IsNotExist(err) {
		return ErrNoInput
	}
	return err
}

// fileKind names a file mode that is not a regular file's.
func fileKind(m fs.FileMode) string {
	switch {
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeDevice != 0:
		return "a device"
	}
	return "mode " + m.String()
}

func fileInput(path, date string) Input {
	abs, err := filepath.Abs(path)
	if err != nil {
		abs = path
	}
	return Input{
		Source: Source{Kind: "file", Location: abs},
		Date:   date,
		Read: func() ([]byte, error) {
			f, err := os.Open(path)
			if err != nil {
				return nil, noSuchInput(err)
			}
			defer f.Close()
			fi, err := f.Stat()
			if err != nil {
				return nil, err
			}
			if !fi.Mode().IsRegular() {
				return nil, fmt.Errorf("not a regular file (%s)", fileKind(fi.Mode()))
			}
			if fi.Size() > maxFileSize {
				return nil, fmt.Errorf("file is %d bytes, over the %d-byte limit for a registry", fi.Size(), maxFileSize)
			}
			// Read through a limit all the same: the file may grow after
			// the stat.
			data, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
			if err == nil && len(data) > maxFileSize {
				err = fmt.Errorf("file is over the %d-byte limit for a registry", maxFileSize)
			}
			return data, err
		},
	}
}
