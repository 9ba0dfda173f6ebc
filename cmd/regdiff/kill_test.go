package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/regdiff/regdiff/internal/shareddata"
	"github.com/regdiff/regdiff/snapshots"
	"github.com/regdiff/regdiff/snapshots/record"
)

// TestMain lets a test run this binary as regdiff itself, for tests that
// need a real process to kill.
func TestMain(m *testing.M) {
	if os.Getenv("REGDIFF_TEST_AS_MAIN") == "1" {
		main()
		return
	}
	os.Exit(shareddata.Main(m))
}

func regdiffProcess(ctx context.Context, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, os.Args[0], args...)
	cmd.Env = append(os.Environ(), "REGDIFF_TEST_AS_MAIN=1")
	return cmd
}

// runKilled starts cmd and sends it SIGKILL after delay. It reports whether
// the kill landed (a process that exited by itself first was not killed,
// and must not be counted as if it had been) and how long the process ran.
func runKilled(t *testing.T, cmd *exec.Cmd, delay time.Duration) (killed bool, ran time.Duration) {
	t.Helper()
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	select {
	case <-exited:
	case <-time.After(delay):
		cmd.Process.Kill()
		<-exited
	}
	ran = time.Since(start)
	ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus)
	return ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL, ran
}

// nextRange moves the range of kill delays toward a little over the run
// time of a process that ended before its kill: a machine busy with other
// work when the range was measured would otherwise leave it too wide, and
// most processes would end unkilled.
func nextRange(d, ran time.Duration) time.Duration {
	return (d + ran + ran/10) / 2
}

// timed runs cmd to the end and returns its output and how long it took,
// which sets the range of kill delays for the same work.
func timed(t *testing.T, cmd *exec.Cmd) (string, time.Duration) {
	t.Helper()
	start := time.Now()
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", strings.Join(cmd.Args[1:], " "), err, out)
	}
	return string(out), time.Since(start)
}

// storeChecker verifies a store after each kill, reading each version in
// full only once.
type storeChecker struct {
	t       *testing.T
	dir     string
	checked map[record.Hash]bool // commits whose raw file and records were read back
}

func newStoreChecker(t *testing.T, dir string) *storeChecker {
	return &storeChecker{t: t, dir: dir, checked: map[record.Hash]bool{}}
}

// check verifies what a kill must never break: the store opens, every
// version lists, no registry holds the same content twice, each version's
// raw file matches its recorded sha256, its normalized records read back
// with the recorded count, and git fsck finds nothing. It returns the
// versions by registry, or nil when the kill came before the store existed.
//
// A version whose commit an earlier check read in full is not read again:
// git fsck re-hashes every object each time, so objects already checked
// cannot have changed unnoticed, and a check after each of many kills costs
// what the kill could have added rather than the whole store.
func (c *storeChecker) check() map[string][]record.Version {
	t := c.t
	t.Helper()
	s, err := snapshots.Open(c.dir)
	if err != nil {
		if _, statErr := os.Stat(filepath.Join(c.dir, "regdiff-store")); os.IsNotExist(statErr) {
			return nil
		}
		t.Fatalf("store does not open after a kill: %v", err)
	}
	regs, err := s.Registries()
	if err != nil {
		t.Fatalf("refs unreadable after a kill: %v", err)
	}
	all := map[string][]record.Version{}
	for _, reg := range regs {
		vs, err := s.Versions(reg)
		if err != nil {
			t.Fatalf("versions of %s after a kill: %v", reg, err)
		}
		seen := map[string]string{}
		for _, v := range vs {
			if other, dup := seen[v.SHA256]; dup {
				t.Fatalf("%s: versions %s and %s hold the same content (sha256 %s)", reg, other, v.Name, v.SHA256)
			}
			seen[v.SHA256] = v.Name
			if c.checked[v.Commit] {
				continue
			}
			raw, err := s.Raw(v)
			if err != nil {
				t.Fatalf("version %s: %v", v.Name, err)
			}
			sum := sha256.Sum256(raw)
			if hex.EncodeToString(sum[:]) != v.SHA256 {
				t.Fatalf("version %s: raw file does not match its sha256", v.Name)
			}
			recs, err := s.Records(v)
			if err != nil || len(recs) != v.Records {
				t.Fatalf("version %s: %d records read back (%v), %d recorded", v.Name, len(recs), err, v.Records)
			}
			c.checked[v.Commit] = true
		}
		all[reg] = vs
	}
	if _, err := exec.LookPath("git"); err == nil {
		out, err := exec.Command("git", "-C", c.dir, "fsck", "--no-progress", "--no-dangling").CombinedOutput()
		var bad []string
		for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			if l != "" && !strings.HasPrefix(l, "notice:") {
				bad = append(bad, l)
			}
		}
		if err != nil || len(bad) > 0 {
			t.Fatalf("git fsck after a kill: %v\n%s", err, out)
		}
	}
	return all
}

func countVersions(m map[string][]record.Version) (n int) {
	for _, vs := range m {
		n += len(vs)
	}
	return n
}

func hasContent(vs []record.Version, sha string) bool {
	return slices.ContainsFunc(vs, func(v record.Version) bool { return v.SHA256 == sha })
}

func sha(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// verifyStore runs `regdiff verify`, which also checks what storeChecker does
// not: date order, names and tags.
func verifyStore(t *testing.T, store string) {
	t.Helper()
	out, err := regdiffProcess(t.Context(), "--store", store, "verify").CombinedOutput()
	if err != nil {
		t.Errorf("regdiff verify after the kills: %v\n%s", err, out)
	}
}

// TestKillDuringImport kills regdiff import at random moments and checks
// that each time the store is whole, and that a rerun finishes the job.
func TestKillDuringImport(t *testing.T) {
	vs := shareddata.Versions(t, "service-names-port-numbers")
	// A dozen versions keep each import short; what finds a moment where a
	// kill breaks the store is the number of kills, not the import's size.
	kills, step := 12, len(vs)/12
	if testing.Short() {
		kills, step = 4, len(vs)/4
	}
	vs = shareddata.Sample(vs, step)
	src := t.TempDir()
	for _, v := range vs {
		os.WriteFile(filepath.Join(src, v.Commit[:12]+".xml"), shareddata.Read(t, v), 0o644)
	}
	base := t.TempDir()
	_, d := timed(t, regdiffProcess(t.Context(), "--store", filepath.Join(base, "unkilled"), "import", src))
	t.Logf("an import of %d versions takes %v unkilled", len(vs), d.Round(time.Millisecond))

	stores := 0
	store := filepath.Join(base, "store0")
	chk := newStoreChecker(t, store)
	landed := 0
	left := map[string]int{} // what kills left stored
	for attempt := 0; landed < kills && attempt < 3*kills; attempt++ {
		delay := rand.N(d)
		killed, ran := runKilled(t, regdiffProcess(t.Context(), "--store", store, "import", src), delay)
		n := countVersions(chk.check())
		if killed {
			landed++
			t.Logf("kill %d after %v: %d of %d versions whole", landed, delay.Round(time.Millisecond), n, len(vs))
			switch n {
			case 0:
				left["nothing"]++
			case len(vs):
				left["everything"]++
			default:
				left["part (a checkpoint)"]++
			}
		} else {
			t.Logf("import finished in %v, before the kill at %v: %d versions", ran.Round(time.Millisecond), delay.Round(time.Millisecond), n)
			d = nextRange(d, ran)
		}
		if n == len(vs) {
			// Nothing is left for a kill to interrupt here: go on in an
			// empty store.
			stores++
			store = filepath.Join(base, fmt.Sprintf("store%d", stores))
			chk = newStoreChecker(t, store)
		}
	}
	if landed < kills {
		t.Fatalf("only %d of %d kills landed before the import finished", landed, kills)
	}
	t.Logf("%d kills; they left stored: %v", landed, left)
	cmd := regdiffProcess(t.Context(), "--store", store, "import", src)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("rerun after kills: %v\n%s", err, out)
	}
	if n := countVersions(chk.check()); n != len(vs) {
		t.Errorf("after the rerun: %d versions, want %d\n%s", n, len(vs), out)
	}
	if !strings.Contains(string(out), fmt.Sprintf("%d refused", 0)) {
		t.Errorf("rerun summary: %s", out)
	}
	verifyStore(t, store)
}

// killIANA is a loopback stand-in for www.iana.org/assignments that serves
// whatever body the test chose for each registry, in 128 KiB chunks with a
// pause between them, like a slow link, so that kills also land
// mid-download. It counts the requests it received and the answers it sent
// in full, which tells where a kill landed.
type killIANA struct {
	pause time.Duration

	mu       sync.Mutex
	bodies   map[string][]byte // registry id → body
	started  map[string]int    // registry id → requests received
	answered map[string]int    // registry id → answers sent in full
	*httptest.Server
}

func newKillIANA(t *testing.T, pause time.Duration) *killIANA {
	s := &killIANA{pause: pause, bodies: map[string][]byte{}}
	s.reset()
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

func (s *killIANA) serve(w http.ResponseWriter, r *http.Request) {
	id, _, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	s.mu.Lock()
	body, ok := s.bodies[id]
	s.started[id]++
	s.mu.Unlock()
	if !ok {
		http.NotFound(w, r)
		return
	}
	done := func() {
		s.mu.Lock()
		s.answered[id]++
		s.mu.Unlock()
	}
	// The ETag names the content, so that a conditional GET after a kill
	// gets a 304 exactly when the served version did not change.
	etag := `"` + sha(body)[:16] + `"`
	if r.Header.Get("If-None-Match") == etag {
		w.WriteHeader(http.StatusNotModified)
		done()
		return
	}
	w.Header().Set("ETag", etag)
	w.Header().Set("Content-Type", "application/xml")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	const chunk = 128 << 10
	for off := 0; off < len(body); off += chunk {
		if off > 0 && s.pause > 0 {
			select {
			case <-r.Context().Done():
				return
			case <-time.After(s.pause):
			}
		}
		if _, err := w.Write(body[off:min(off+chunk, len(body))]); err != nil {
			return
		}
		w.(http.Flusher).Flush()
	}
	done()
}

func (s *killIANA) set(id string, body []byte) {
	s.mu.Lock()
	s.bodies[id] = body
	s.mu.Unlock()
}

func (s *killIANA) reset() {
	s.mu.Lock()
	s.started, s.answered = map[string]int{}, map[string]int{}
	s.mu.Unlock()
}

// stage names where in a fetch of the known registries a kill landed, from
// what the server saw and whether each served version got stored. fetch
// handles the registries one after the other, in the order of
// snapshots.Known.
func (s *killIANA) stage(stored func(id string) bool) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	before := "start, lock, read fetch state"
	for _, k := range snapshots.Known {
		switch {
		case s.started[k.ID] == 0:
			return before
		case s.answered[k.ID] == 0:
			return k.ID + ": download"
		case !stored(k.ID):
			return k.ID + ": parse, check and write"
		}
		before = k.ID + ": after its commit"
	}
	return before
}

// stages lists the stages in the order a fetch goes through them.
func stages() []string {
	out := []string{"start, lock, read fetch state"}
	for _, k := range snapshots.Known {
		out = append(out, k.ID+": download", k.ID+": parse, check and write", k.ID+": after its commit")
	}
	return append(out, "exited before the kill")
}

// served is one registry's versions, in the order a test serves them.
type served struct {
	id     string
	bodies [][]byte
}

// readServed reads versions of a registry in pairs swapped (1, 0, 3, 2, …),
// so that every second fetch archives a version older than the newest
// stored and rewrites later commits. Neighbouring versions have nearly the
// same record count, so fetch's 90% check never refuses one.
func readServed(t *testing.T, id string, vs []shareddata.Version) served {
	s := served{id: id}
	for i := range vs {
		j := i ^ 1
		if j >= len(vs) {
			j = i
		}
		s.bodies = append(s.bodies, shareddata.Read(t, vs[j]))
	}
	return s
}

// left counts the bodies not stored yet.
func (s served) left(stored map[string][]record.Version) (n int) {
	for _, b := range s.bodies {
		if !hasContent(stored[s.id], sha(b)) {
			n++
		}
	}
	return n
}

// next is the first body not stored yet, or nil when all are.
func (s served) next(stored map[string][]record.Version) []byte {
	for _, b := range s.bodies {
		if !hasContent(stored[s.id], sha(b)) {
			return b
		}
	}
	return nil
}

// TestKillDuringFetch kills regdiff fetch at random moments, from process
// start to the last write, and checks that each time the store is whole;
// then that a rerun archives what the kills left undone. Each fetch is
// served versions not stored yet, so that every kill interrupts real work.
func TestKillDuringFetch(t *testing.T) {
	ports := shareddata.Versions(t, "service-names-port-numbers")
	protos := shareddata.Versions(t, "protocol-numbers")
	target, perRound := 40, 10
	if testing.Short() {
		target, perRound = 6, 6
	}
	// Each round kills fetches into a new store until perRound kills landed
	// or the versions to serve run out (a fetch that ends before its kill
	// also uses one), and keeps one version for the rerun.
	const perStore = 14
	protoServed := readServed(t, "protocol-numbers", protos[:min(perStore, len(protos))])
	srv := newKillIANA(t, 2*time.Millisecond)
	fetchArgs := func(store string) []string {
		// --force: every second version served is older than the newest
		// stored, which fetch refuses without it; a rewrite is the work a
		// kill should interrupt.
		return []string{"--store", store, "fetch", "--force", "--mirror", srv.URL, "--backoff", "1ms"}
	}
	// Each round uses other port versions, spread over the whole history.
	portsFor := func(round int) served {
		var vs []shareddata.Version
		stride := len(ports) / perStore
		for i := range perStore {
			vs = append(vs, ports[(round*7+i*stride)%len(ports)])
		}
		return readServed(t, "service-names-port-numbers", vs)
	}
	base := t.TempDir()

	// Two fetches unkilled, the second into a store that has versions (as
	// most kills will), set the range of kill delays. It reaches a little
	// past the end, so that kills also land as the process exits.
	ports0 := portsFor(0)
	var d time.Duration
	for i := range 2 {
		srv.set(ports0.id, ports0.bodies[i])
		srv.set(protoServed.id, protoServed.bodies[i])
		out, took := timed(t, regdiffProcess(t.Context(), fetchArgs(filepath.Join(base, "unkilled"))...))
		if strings.Count(out, ": archived ") != 2 {
			t.Fatalf("unkilled fetch did not archive both registries:\n%s", out)
		}
		d = max(d, took)
	}
	d += d / 10
	t.Logf("a fetch of both registries takes up to %v unkilled", d.Round(time.Millisecond))

	landed := map[string]int{}
	total := 0
	for round := 0; total < target; round++ {
		if round == 3*(target+perRound-1)/perRound {
			t.Fatalf("only %d of %d kills landed in %d rounds", total, target, round)
		}
		set := []served{portsFor(round), protoServed}
		if round == 0 {
			set[0] = ports0
		}
		store := filepath.Join(base, fmt.Sprintf("store%d", round))
		chk := newStoreChecker(t, store)
		stored := chk.check()
		// give sets each registry's next version on the server and
		// remembers it; it reports false when one has none left.
		want := map[string]map[string]bool{}
		serving := map[string]string{} // registry id → sha256 of the body served now
		give := func() bool {
			for _, s := range set {
				b := s.next(stored)
				if b == nil {
					return false
				}
				srv.set(s.id, b)
				serving[s.id] = sha(b)
				if want[s.id] == nil {
					want[s.id] = map[string]bool{}
				}
				want[s.id][sha(b)] = true
			}
			return true
		}
		// spare tells whether every registry has a version to serve now
		// and one more for the rerun.
		spare := func() bool {
			for _, s := range set {
				if s.left(stored) < 2 {
					return false
				}
			}
			return true
		}
		kills := 0
		for kills < perRound && total+kills < target && spare() {
			give()
			srv.reset()
			cmd := regdiffProcess(t.Context(), fetchArgs(store)...)
			var outb bytes.Buffer
			cmd.Stdout, cmd.Stderr = &outb, &outb
			delay := rand.N(d)
			killed, ran := runKilled(t, cmd, delay)
			stored = chk.check()
			if !killed {
				d = nextRange(d, ran)
				if code := cmd.ProcessState.ExitCode(); code != exitOK || strings.Count(outb.String(), ": archived ") != 2 {
					t.Fatalf("fetch that ended before its kill: exit %d, want %d and two versions archived:\n%s", code, exitOK, &outb)
				}
				landed["exited before the kill"]++
				t.Logf("round %d: fetch finished in %v, before the kill at %v: %d versions", round, ran.Round(time.Millisecond), delay.Round(time.Millisecond), countVersions(stored))
				continue
			}
			kills++
			stage := srv.stage(func(id string) bool {
				return hasContent(stored[id], serving[id])
			})
			landed[stage]++
			t.Logf("round %d kill %d after %v (%s): %d versions whole", round, kills, delay.Round(time.Millisecond), stage, countVersions(stored))
		}
		total += kills

		// The rerun is served what the last kill interrupted, or the next
		// version when that one got stored: either way it must archive.
		if !give() {
			t.Fatalf("round %d: no version left for the rerun", round)
		}
		out, _ := timed(t, regdiffProcess(t.Context(), fetchArgs(store)...))
		for _, s := range set {
			if !strings.Contains(out, s.id+": archived ") {
				t.Errorf("round %d: rerun did not archive %s:\n%s", round, s.id, out)
			}
		}
		stored = chk.check()
		for _, s := range set {
			var got []string
			for _, v := range stored[s.id] {
				got = append(got, v.SHA256)
				if !want[s.id][v.SHA256] {
					t.Errorf("round %d: %s: version %s was never served", round, s.id, v.Name)
				}
			}
			if len(got) != len(want[s.id]) {
				t.Errorf("round %d: %s: %d versions stored, want the %d served", round, s.id, len(got), len(want[s.id]))
			}
		}
		if total >= target {
			verifyStore(t, store)
		}
	}

	var dist []string
	for _, st := range stages() {
		if landed[st] > 0 {
			dist = append(dist, fmt.Sprintf("%s %d", st, landed[st]))
		}
	}
	t.Logf("%d kills; where they landed: %s", total, strings.Join(dist, ", "))
	// Without kills in the download and in the write the test would not be
	// testing what it says; a broken calibration shows here.
	if !testing.Short() {
		for _, st := range []string{"service-names-port-numbers: download", "service-names-port-numbers: parse, check and write"} {
			if landed[st] == 0 {
				t.Errorf("no kill landed in %q", st)
			}
		}
	}
}

// TestConcurrentFetchAndImport starts ten fetch and import processes at
// once on one new store. The lock serializes them; each must exit with a
// documented status and say what it did, each version must be stored once,
// and the store must be the one a sequential run builds.
func TestConcurrentFetchAndImport(t *testing.T) {
	ports := shareddata.Versions(t, "service-names-port-numbers")
	protos := shareddata.Versions(t, "protocol-numbers")
	// Neighbouring versions have nearly the same record count, so fetch's
	// 90% check passes whatever order the lock gives.
	mid := len(ports) / 2
	fetched, b, c := ports[mid], ports[mid+1], ports[mid+2]
	srv := newKillIANA(t, 0)
	srv.set("service-names-port-numbers", shareddata.Read(t, fetched))
	// The last protocol-numbers version has the date of the fixture
	// protocols.xml: the two must end up in the same order whoever stores
	// first.
	srv.set("protocol-numbers", shareddata.Read(t, protos[len(protos)-1]))
	dir := t.TempDir()
	file := func(v shareddata.Version) string {
		p := filepath.Join(dir, v.Date+"-"+v.Commit[:8]+".xml")
		if err := os.WriteFile(p, shareddata.Read(t, v), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	fb, fc := file(b), file(c)
	const (
		p2019 = "testdata/ports-2019.xml"
		p2024 = "testdata/ports-2024.xml"
		proto = "testdata/protocols.xml"
	)
	// --force: a fetch that comes after an import of newer versions would
	// rewrite them, which fetch refuses without it, and the end state would
	// depend on the order the runs took the lock in.
	mirror := []string{"--mirror", srv.URL, "--backoff", "1ms", "--force"}
	// A short --wait may find the store locked and exit 6; everything those
	// runs would store, others store too, so the end state is known.
	procs := [][]string{
		append([]string{"fetch"}, mirror...),
		append([]string{"fetch"}, mirror...),
		append([]string{"fetch", "--exit-code"}, mirror...),
		append([]string{"fetch", "--json"}, mirror...),
		append([]string{"fetch", "--wait", "1ms"}, mirror...),
		{"import", p2019, proto},
		{"import", p2024, fb},
		{"import", fb, fc},
		{"import", p2019, p2024, proto, fc},
		{"import", "--wait", "1ms", p2019},
	}
	const wantNewByFetch, wantNewByImport = 2, 5

	store := filepath.Join(dir, "store")
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()
	cmds := make([]*exec.Cmd, len(procs))
	stdouts, stderrs := make([]*bytes.Buffer, len(procs)), make([]*bytes.Buffer, len(procs))
	for i, args := range procs {
		cmds[i] = regdiffProcess(ctx, append([]string{"--store", store}, args...)...)
		stdouts[i], stderrs[i] = &bytes.Buffer{}, &bytes.Buffer{}
		cmds[i].Stdout, cmds[i].Stderr = stdouts[i], stderrs[i]
	}
	for _, cmd := range cmds {
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
	}
	for _, cmd := range cmds {
		cmd.Wait()
	}

	fetchLine := regexp.MustCompile(`^(service-names-port-numbers|protocol-numbers): (archived \S+ \(\d+ records\)|unchanged \(server says not modified\)|unchanged \(same content as \S+\)|it is older than versions already stored; commits from \S+ on were rewritten)$`)
	importSummary := regexp.MustCompile(`(?m)^(\d+) new, (\d+) already stored, 0 refused$`)
	newByFetch, newByImport, locked := 0, 0, 0
	for i, args := range procs {
		code := cmds[i].ProcessState.ExitCode()
		stdout, stderr := stdouts[i].String(), stderrs[i].String()
		name := strings.Join(args, " ")
		report := func(format string, a ...any) {
			t.Errorf("regdiff %s: exit %d: %s\nstdout:\n%sstderr:\n%s", name, code, fmt.Sprintf(format, a...), stdout, stderr)
		}
		short := slices.Contains(args, "--wait")
		if short && code == exitLocked {
			locked++
			if strings.Count(stderr, "\n") != 1 || !strings.HasPrefix(stderr, "regdiff: store is locked by another regdiff process") {
				report("a locked run should say so on stderr, once, and nothing else")
			}
			// fetch takes the lock for each save: what it saved before
			// a save found the store locked is stored, and said.
			for _, line := range strings.Split(strings.TrimSpace(stdout), "\n") {
				if line != "" && (args[0] != "fetch" || !fetchLine.MatchString(line)) {
					report("unexpected line %q", line)
				}
			}
			if args[0] == "fetch" {
				newByFetch += strings.Count(stdout, ": archived ")
			}
			continue
		}
		if stderr != "" {
			report("stderr should be empty")
		}
		switch args[0] {
		case "fetch":
			archived := 0
			if slices.Contains(args, "--json") {
				for _, line := range strings.Split(strings.TrimSpace(stdout), "\n") {
					var j fetchJSON
					if err := json.Unmarshal([]byte(line), &j); err != nil {
						report("not a JSON line: %q", line)
						continue
					}
					switch j.Status {
					case "archived":
						archived++
					case "not-modified", "unchanged":
					default:
						report("status %q", j.Status)
					}
				}
			} else {
				for _, line := range strings.Split(strings.TrimSpace(stdout), "\n") {
					if !fetchLine.MatchString(line) {
						report("unexpected line %q", line)
					}
				}
				archived = strings.Count(stdout, ": archived ")
			}
			if lines := strings.Count(stdout, "\n") - strings.Count(stdout, "it is older"); lines != len(snapshots.Known) {
				report("%d lines, want one per registry", lines)
			}
			want := exitOK
			if slices.Contains(args, "--exit-code") && archived == 0 {
				want = exitUnchanged
			}
			if code != want {
				report("want exit %d", want)
			}
			newByFetch += archived
		case "import":
			m := importSummary.FindStringSubmatch(stdout)
			if code != exitOK || m == nil {
				report("want exit %d and a summary line", exitOK)
				continue
			}
			n, _ := strconv.Atoi(m[1])
			newByImport += n
		}
	}
	t.Logf("%d of the 2 runs with --wait 1ms found the store locked", locked)
	if newByFetch != wantNewByFetch || newByImport != wantNewByImport {
		t.Errorf("fetches archived %d versions and imports %d, want %d and %d: some version was stored twice or lost",
			newByFetch, newByImport, wantNewByFetch, wantNewByImport)
	}
	got := newStoreChecker(t, store).check()
	if n := countVersions(got); n != wantNewByFetch+wantNewByImport {
		t.Errorf("%d versions stored, want %d", n, wantNewByFetch+wantNewByImport)
	}

	// Commits depend only on the set of versions (and which ones carry a
	// first-seen time), never on the order they came in: one run after the
	// other must give the same names and commits.
	seq := newCLI(t)
	seq.mustRun(append([]string{"fetch"}, mirror...)...)
	seq.mustRun("import", p2019, p2024, proto, fb, fc)
	want := newStoreChecker(t, seq.store).check()
	for reg, vs := range want {
		if !slices.EqualFunc(vs, got[reg], func(a, b record.Version) bool { return a.Name == b.Name && a.Commit == b.Commit }) {
			t.Errorf("%s: concurrent runs stored\n%v\nwant, as one run after the other:\n%v", reg, names(got[reg]), names(vs))
		}
	}
}

func names(vs []record.Version) []string {
	var out []string
	for _, v := range vs {
		out = append(out, v.Name+" "+v.Commit.String()[:12])
	}
	return out
}
