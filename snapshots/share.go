package snapshots

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/revlist"
	"github.com/go-git/go-git/v5/plumbing/transport"
	"github.com/go-git/go-git/v5/storage/filesystem/dotgit"
	"github.com/go-git/go-git/v5/storage/memory"
)

// Sharing a store is git's job: the store is a bare repository, and what a
// second machine needs of it is its refs and their objects.
//
//	refs/heads/ID           a registry's versions
//	refs/tags/ID/VERSION    one tag per version
//	refs/regdiff/meta       provenance: sources, fetch times, validators
//
// What lives beside the refs is either rebuilt or not wanted elsewhere:
// the marker file is written by the clone (it is a store by construction
// once verified), cache/ is rebuilt by the commands that read it
// (cache/versions by Versions, cache/history.idx by a history query), and
// regdiff.lock, packed-refs.lock and the pack layout are this machine's.

// ErrNonFastForward is returned by [Store.Push] when a remote ref is not an
// ancestor of the store's: pushing would drop what the remote holds.
var ErrNonFastForward = errors.New("the remote holds history the store lacks")

// ErrUnreachable wraps a failure to reach a remote at all (connection
// refused, a name that does not resolve) or an answer that ends too soon
// (a connection cut mid-transfer, a truncated pack): trying again later
// may succeed.
var ErrUnreachable = errors.New("remote unreachable, or its answer cut short")

// ErrStoreExists is returned by [Clone] when its target is a folder that is
// not empty.
var ErrStoreExists = errors.New("the folder exists and is not empty")

// ErrBadPack is wrapped by Clone's error when the pack the remote sent
// does not read as a whole (a damaged entry, delta or checksum, a base it
// lacks): damaged on the way, or in the remote's repository.
var ErrBadPack = errors.New("the remote sent a damaged pack")

// sharedRef reports whether a ref is one a store keeps and shares.
func sharedRef(name string) bool {
	for _, p := range []string{"refs/heads/", "refs/tags/", "refs/regdiff/"} {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}

// RefUpdate is one ref a push changed on the remote.
type RefUpdate struct {
	Name string `json:"ref"`
	Old  string `json:"old,omitempty"` // "" for a ref the remote did not hold
	New  string `json:"new"`
}

// PushResult says what [Store.Push] did.
type PushResult struct {
	Remote  string      `json:"remote"`
	Updated []RefUpdate `json:"updated"`
	// UpToDate counts the refs the remote already held at the store's value.
	UpToDate int `json:"up_to_date"`
	// Objects counts the objects sent: those reachable from the updated
	// refs and not from any ref the remote held.
	Objects int `json:"objects"`
	// Refused lists the refs whose remote value is not an ancestor of the
	// store's (nothing is pushed then, unless Force).
	Refused []string `json:"refused,omitempty"`
	// RemoteOnly lists the refs the remote holds and the store lacks: push
	// leaves them as they are (a clone of the remote will hold them).
	RemoteOnly []string `json:"remote_only,omitempty"`
}

// PushOptions are [Store.Push]'s options.
type PushOptions struct {
	// Force updates refs whose remote value the store's does not descend
	// from, dropping the remote's history there.
	Force bool
	// Progress, when set, gets the remote's progress messages.
	Progress io.Writer
}

// Push sends every branch, tag and regdiff ref of the store to remote (a
// path, file://, http(s):// or ssh:// URL), and the objects they need that
// the remote lacks.
//
// It takes no lock: it reads the refs once, from packed-refs, which every
// writer replaces whole by a rename, so the set pushed is one that some
// moment of the store held, however a concurrent fetch or import goes on.
// An import or fetch that installs, merges or drops packs while the push
// reads can move an object from under it; the push then starts again from
// the refs as they are, up to three times (see descends). The remote
// updates its refs only once it has every object, and only from the values
// it advertised (atomically where it can), so a failed push changes no ref.
//
// A remote ref that is not an ancestor of the store's refuses the whole
// push with [ErrNonFastForward], unless o.Force. Refs that only the remote
// holds are left alone and listed.
func (s *Store) Push(ctx context.Context, remote string, o PushOptions) (*PushResult, error) {
	ep, err := remoteURL(remote)
	if err != nil {
		return nil, err
	}
	var res *PushResult
	for attempt := 0; ; attempt++ {
		st := open(s.dir) // a fresh view of the packs, taken after the refs below
		res, err = st.push(ctx, ep, o)
		if err == nil || attempt == 2 || !vanished(err) {
			break
		}
	}
	if res != nil {
		res.Remote = remote
	}
	return res, err
}

// vanished reports whether err is an object or a pack gone from the store
// while it was read.
func vanished(err error) bool {
	return errors.Is(err, plumbing.ErrObjectNotFound) || errors.Is(err, fs.ErrNotExist) || errors.Is(err, dotgit.ErrPackfileNotFound)
}

func (s *Store) push(ctx context.Context, ep string, o PushOptions) (*PushResult, error) {
	all, err := s.readRefs()
	if err != nil {
		return nil, err
	}
	local := map[string]plumbing.Hash{}
	for name, h := range all {
		if sharedRef(name) {
			local[name] = h
		}
	}
	if len(local) == 0 {
		return nil, fmt.Errorf("push: store %s holds no versions: %w", s.dir, ErrEmpty)
	}
	theirs, err := listRemote(ctx, ep)
	if err != nil {
		return nil, fmt.Errorf("push to %s: %w", ep, err)
	}
	res := &PushResult{Updated: []RefUpdate{}}
	names := make([]string, 0, len(local))
	for name := range local {
		names = append(names, name)
	}
	sort.Strings(names)
	var specs []config.RefSpec
	var news []plumbing.Hash
	for _, name := range names {
		h := local[name]
		old, ok := theirs[name]
		if ok && old == h {
			res.UpToDate++
			continue
		}
		forward := !ok
		if ok {
			if forward, err = s.descends(h, old); err != nil {
				return nil, fmt.Errorf("push: read %s in store %s: %w", name, s.dir, err)
			}
		}
		if !forward {
			res.Refused = append(res.Refused, name)
			if !o.Force {
				continue
			}
		}
		u := RefUpdate{Name: name, New: h.String()}
		if ok {
			u.Old = old.String()
		}
		res.Updated = append(res.Updated, u)
		// Forced on go-git's side: the check is made above, and the remote
		// still compares each ref with the value it advertised.
		specs = append(specs, config.RefSpec("+"+h.String()+":"+name))
		news = append(news, h)
	}
	for name := range theirs {
		if _, ok := local[name]; !ok && name != "HEAD" {
			res.RemoteOnly = append(res.RemoteOnly, name)
		}
	}
	sort.Strings(res.RemoteOnly)
	if len(res.Refused) > 0 && !o.Force {
		res.Updated = []RefUpdate{}
		return res, fmt.Errorf("push to %s: %w at %d ref(s) (%s): nothing was pushed", ep, ErrNonFastForward, len(res.Refused), listSome(res.Refused))
	}
	if len(specs) == 0 {
		return res, nil
	}
	var haves []plumbing.Hash
	for _, h := range theirs {
		if s.has(h) {
			haves = append(haves, h)
		}
	}
	objs, err := revlist.Objects(s.st, news, haves)
	if err != nil {
		return nil, fmt.Errorf("push to %s: list objects: %w", ep, err)
	}
	res.Objects = len(objs)
	repo, err := git.Open(s.st, nil)
	if err != nil {
		return nil, fmt.Errorf("push: open store %s: %w", s.dir, err)
	}
	r, err := repo.CreateRemoteAnonymous(anonymous(ep))
	if err != nil {
		return nil, fmt.Errorf("push to %s: %w", ep, err)
	}
	err = r.PushContext(ctx, &git.PushOptions{RemoteName: "anonymous", RefSpecs: specs, Progress: o.Progress, Atomic: true})
	if err != nil && !errors.Is(err, git.NoErrAlreadyUpToDate) {
		return nil, fmt.Errorf("push to %s: %w", ep, classify(err))
	}
	return res, nil
}

// anonymous is the remote go-git pushes to or fetches from. Its fetch
// refspec names a ref regdiff never pushes: go-git records each pushed ref
// as a remote-tracking ref under it, and the default one
// (refs/remotes/anonymous/*) would write loose refs into the store.
func anonymous(ep string) *config.RemoteConfig {
	const none = "refs/regdiff/push-tracks-nothing"
	return &config.RemoteConfig{Name: "anonymous", URLs: []string{ep}, Fetch: []config.RefSpec{none + ":" + none}}
}

// has reports whether the store holds object h.
func (s *Store) has(h plumbing.Hash) bool { return s.st.HasEncodedObject(h) == nil }

// descends reports whether commit old is new or one of its ancestors. An
// old commit the store does not hold is not. Any other failure to read an
// object is returned: a concurrent import drops its checkpoint packs once
// its own pack is in place, and a push that listed the packs before then
// finds one gone, which says nothing of the remote's history (Push starts
// again from a fresh view).
func (s *Store) descends(new, old plumbing.Hash) (bool, error) {
	err := s.st.HasEncodedObject(old)
	if errors.Is(err, plumbing.ErrObjectNotFound) {
		// The packs listed may predate the one that holds old: look again.
		s.st.Reindex()
		err = s.st.HasEncodedObject(old)
	}
	if errors.Is(err, plumbing.ErrObjectNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	c, err := object.GetCommit(s.st, new)
	if err != nil {
		return false, err
	}
	found := false
	err = object.NewCommitPreorderIter(c, nil, nil).ForEach(func(c *object.Commit) error {
		if c.Hash == old {
			found = true
			return errStopWalk
		}
		return nil
	})
	if err != nil && !errors.Is(err, errStopWalk) {
		return false, err
	}
	return found, nil
}

var errStopWalk = errors.New("stop")

func listSome(names []string) string {
	if len(names) > 3 {
		return strings.Join(names[:3], ", ") + fmt.Sprintf(", and %d more", len(names)-3)
	}
	return strings.Join(names, ", ")
}

// remoteURL returns the URL go-git is given for remote: URLs as they are,
// a path made absolute (go-git reads a relative one against no folder).
func remoteURL(remote string) (string, error) {
	if remote == "" {
		return "", errors.New("no remote given")
	}
	if isURL(remote) || strings.HasPrefix(strings.ToLower(remote), "file://") {
		return remote, nil
	}
	if strings.Contains(remote, "@") && strings.Contains(remote, ":") && !filepath.IsAbs(remote) {
		return remote, nil // scp-like: git@host:path
	}
	abs, err := filepath.Abs(remote)
	if err != nil {
		return "", fmt.Errorf("remote %s: %w", remote, err)
	}
	return abs, nil
}

// listRemote returns the refs a remote advertises (none for an empty
// repository).
func listRemote(ctx context.Context, ep string) (map[string]plumbing.Hash, error) {
	r := git.NewRemote(memory.NewStorage(), &config.RemoteConfig{Name: "origin", URLs: []string{ep}})
	refs, err := r.ListContext(ctx, &git.ListOptions{})
	if errors.Is(err, transport.ErrEmptyRemoteRepository) {
		return map[string]plumbing.Hash{}, nil
	}
	if err != nil {
		return nil, classify(err)
	}
	out := map[string]plumbing.Hash{}
	for _, ref := range refs {
		if ref.Type() == plumbing.HashReference {
			out[ref.Name().String()] = ref.Hash()
		}
	}
	return out, nil
}

// classify marks the errors that say the remote could not be reached, or
// stopped answering, with [ErrUnreachable].
func classify(err error) error {
	var dns *net.DNSError
	var op *net.OpError
	var ue *url.Error
	switch {
	case errors.As(err, &dns), errors.As(err, &op), errors.As(err, &ue),
		errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return fmt.Errorf("%w: %w", ErrUnreachable, err)
	}
	return err
}

// CloneResult says what [Clone] made.
type CloneResult struct {
	Remote     string   `json:"remote"`
	Store      string   `json:"store"`
	Refs       int      `json:"refs"`
	Registries []string `json:"registries"`
	Versions   int      `json:"versions"`
}

// Clone makes a store at dir from remote (a path, file://, http(s):// or
// ssh:// URL) that another store was pushed to. dir must be missing or an
// empty folder.
//
// Nothing is written at dir until the copy is known good: the remote's
// refs must all be a store's (branches named as registries, tags, regdiff
// refs, and at least one branch), it is fetched into a temporary folder
// beside dir, and [Store.Verify] must find no problem there; only then is
// the folder renamed into place, in one step. A remote that fails any of
// this is refused with an error wrapping [ErrNotStore] and leaves nothing
// behind; one that cannot be reached wraps [ErrUnreachable].
func Clone(ctx context.Context, remote, dir string, progress io.Writer) (*CloneResult, error) {
	ep, err := remoteURL(remote)
	if err != nil {
		return nil, err
	}
	entries, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return nil, fmt.Errorf("clone into %s: %w", dir, err)
	case len(entries) > 0:
		return nil, fmt.Errorf("clone into %s: %w", dir, ErrStoreExists)
	}
	theirs, err := listRemote(ctx, ep)
	if err != nil {
		return nil, fmt.Errorf("clone %s: %w", remote, err)
	}
	if err := storeRefs(theirs); err != nil {
		return nil, fmt.Errorf("clone %s: %w: %s", remote, ErrNotStore, err)
	}
	parent := filepath.Dir(filepath.Clean(dir))
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return nil, fmt.Errorf("clone into %s: %w", dir, err)
	}
	tmp, err := os.MkdirTemp(parent, ".regdiff-clone-")
	if err != nil {
		return nil, fmt.Errorf("clone into %s: %w", dir, err)
	}
	defer os.RemoveAll(tmp) // empty once renamed
	work := filepath.Join(tmp, "store")
	s, err := Create(work)
	if err != nil {
		return nil, fmt.Errorf("clone into %s: %w", dir, err)
	}
	// The pack the fetch receives is indexed by regdiff (receiving).
	repo, err := git.Open(receiving{Storage: s.st, ctx: ctx, dir: filepath.Join(work, "objects", "pack"), workers: runtime.GOMAXPROCS(0)}, nil)
	if err != nil {
		return nil, fmt.Errorf("clone into %s: %w", dir, err)
	}
	r, err := repo.CreateRemoteAnonymous(anonymous(ep))
	if err != nil {
		return nil, fmt.Errorf("clone %s: %w", remote, err)
	}
	err = r.FetchContext(ctx, &git.FetchOptions{
		RemoteName: "anonymous",
		RefSpecs:   []config.RefSpec{"+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*", "+refs/regdiff/*:refs/regdiff/*"},
		Tags:       git.NoTags,
		Progress:   progress,
	})
	if err != nil && !errors.Is(err, git.NoErrAlreadyUpToDate) {
		if err = classify(err); !errors.Is(err, ErrUnreachable) && !errors.Is(err, context.Canceled) && !errors.Is(err, ErrBadPack) {
			err = fmt.Errorf("%w: %w", ErrNotStore, err)
		}
		return nil, fmt.Errorf("clone %s: %w", remote, err)
	}
	// go-git wrote loose refs; regdiff keeps them in packed-refs only.
	refs, err := s.readRefs()
	if err != nil {
		return nil, fmt.Errorf("clone into %s: %w", dir, err)
	}
	if err := s.writeRefs(nil, refs); err != nil {
		return nil, fmt.Errorf("clone into %s: %w", dir, err)
	}
	s = open(work) // forget what was read before the refs moved
	problems, err := s.Verify(ctx, nil)
	if err != nil {
		if errors.Is(err, context.Canceled) {
			return nil, err
		}
		return nil, fmt.Errorf("clone %s: %w: verify: %w", remote, ErrNotStore, err)
	}
	if len(problems) > 0 {
		msgs := make([]string, 0, min(3, len(problems)))
		for _, p := range problems[:min(3, len(problems))] {
			msgs = append(msgs, p.String())
		}
		return nil, fmt.Errorf("clone %s: %w: verify found %d problem(s): %s", remote, ErrNotStore, len(problems), strings.Join(msgs, "; "))
	}
	res := &CloneResult{Remote: remote, Store: dir, Refs: len(refs)}
	if res.Registries, err = s.Registries(); err != nil {
		return nil, err
	}
	for _, reg := range res.Registries {
		vs, err := s.Versions(reg) // and writes cache/versions
		if err != nil {
			return nil, fmt.Errorf("clone %s: %w", remote, err)
		}
		res.Versions += len(vs)
	}
	// os.Rename will not replace a folder, even an empty one; a folder
	// made meanwhile by someone else is theirs (the rename then fails).
	os.Remove(dir)
	if err := os.Rename(work, dir); err != nil {
		return nil, fmt.Errorf("clone into %s: %w", dir, err)
	}
	return res, nil
}

// storeRefs checks that refs are a store's: branches named as registries,
// tags under a registry, regdiff's own refs, and one branch at least.
func storeRefs(refs map[string]plumbing.Hash) error {
	if len(refs) == 0 {
		return errors.New("the remote holds no refs (an empty repository)")
	}
	var bad []string
	branches := 0
	for name := range refs {
		switch {
		case name == "HEAD":
		case strings.HasPrefix(name, "refs/heads/"):
			if !ValidID(strings.TrimPrefix(name, "refs/heads/")) {
				bad = append(bad, name)
			}
			branches++
		case strings.HasPrefix(name, "refs/tags/"):
			id, _, ok := strings.Cut(strings.TrimPrefix(name, "refs/tags/"), "/")
			if !ok || !ValidID(id) {
				bad = append(bad, name)
			}
		case strings.HasPrefix(name, "refs/regdiff/"):
		default:
			bad = append(bad, name)
		}
	}
	sort.Strings(bad)
	switch {
	case len(bad) > 0:
		return fmt.Errorf("its refs are not a store's (%s)", listSome(bad))
	case branches == 0:
		return errors.New("it holds no registry branch")
	}
	return nil
}
