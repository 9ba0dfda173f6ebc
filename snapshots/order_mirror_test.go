package snapshots_test

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/regdiff/regdiff/internal/shareddata"
	"github.com/regdiff/regdiff/snapshots"
	"github.com/regdiff/regdiff/snapshots/record"
)

// batch serves the blobs of the mirror in the order given, from one git
// cat-file --batch: Import reads its inputs one at a time, in order.
type batch struct {
	cmd *exec.Cmd
	r   *bufio.Reader
}

func newBatch(t *testing.T, blobs []string) *batch {
	cmd := exec.Command("git", "-C", shareddata.MirrorClone(t), "cat-file", "--batch")
	cmd.Stdin = strings.NewReader(strings.Join(blobs, "\n") + "\n")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	return &batch{cmd: cmd, r: bufio.NewReaderSize(out, 1<<20)}
}

func (b *batch) next(blob string) ([]byte, error) {
	header, err := b.r.ReadString('\n')
	if err != nil {
		return nil, err
	}
	f := strings.Fields(header)
	if len(f) != 3 || f[0] != blob {
		return nil, fmt.Errorf("cat-file gave %q, want %s", header, blob)
	}
	n, _ := strconv.Atoi(f[2])
	data := make([]byte, n+1)
	if _, err := io.ReadFull(b.r, data); err != nil {
		return nil, err
	}
	return data[:n], nil
}

// TestSameDateOrderMirror imports every registry of the hourly mirror as
// plain files, with no times, and checks that each group of versions
// sharing a date stands in the order the mirror saw them.
func TestSameDateOrderMirror(t *testing.T) {
	all := shareddata.MirrorVersions(t)
	var paths []string
	for p := range all {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	var blobs []string
	var inputs []snapshots.Input
	firstSeen := map[string]int{} // sha256 → index in its file's mirror order
	blobOf := map[string]string{} // sha256 → mirror blob
	b := (*batch)(nil)
	for _, p := range paths {
		for i, v := range all[p] {
			blobs = append(blobs, v.Blob)
			v, i := v, i
			inputs = append(inputs, snapshots.Input{
				Source: snapshots.Source{Kind: "file", Location: "/mirror/" + v.Path + "@" + v.Blob[:12]},
				Read: func() ([]byte, error) {
					data, err := b.next(v.Blob)
					if err == nil {
						sum := sha256.Sum256(data)
						firstSeen[hex.EncodeToString(sum[:])] = i
						blobOf[hex.EncodeToString(sum[:])] = v.Blob
					}
					return data, err
				},
			})
		}
	}
	b = newBatch(t, blobs)
	s, err := snapshots.Create(filepath.Join(t.TempDir(), "store"))
	if err != nil {
		t.Fatal(err)
	}
	sum, err := s.Import(context.Background(), inputs, snapshots.ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	tied := map[string]bool{}
	for _, r := range sum.Reports {
		for _, tie := range r.Ties {
			tied[r.Registry+" "+tie.Date] = true
		}
	}
	regs, _ := s.Registries()
	groups, agree, ties, tieAgree := 0, 0, 0, 0
	var wrong []string
	for _, reg := range regs {
		vs, err := s.Versions(reg)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < len(vs); {
			j := i + 1
			for j < len(vs) && vs[j].Date == vs[i].Date {
				j++
			}
			if j-i > 1 {
				groups++
				ok := true
				for k := i + 1; k < j; k++ {
					ok = ok && firstSeen[vs[k-1].SHA256] < firstSeen[vs[k].SHA256]
				}
				switch {
				case tied[reg+" "+vs[i].Date]:
					ties++
					if ok {
						tieAgree++
					}
				case ok:
					agree++
				default:
					// The content chose another order than the mirror saw: that
					// is only right when the mirror's order has a revert,
					// which no order made from the content can tell.
					seq := slices.Clone(vs[i:j])
					sort.Slice(seq, func(a, b int) bool { return firstSeen[seq[a].SHA256] < firstSeen[seq[b].SHA256] })
					if i > 0 {
						seq = append([]record.Version{vs[i-1]}, seq...)
					}
					if j < len(vs) {
						seq = append(seq, vs[j])
					}
					var blobs []string
					for _, v := range seq {
						blobs = append(blobs, blobOf[v.SHA256])
					}
					if !hasRevert(t, blobs) {
						t.Errorf("%s %s: %d versions out of the mirror's order, and the mirror's order has no revert", reg, vs[i].Date, j-i)
					}
					wrong = append(wrong, fmt.Sprintf("%s %s (%d versions)", reg, vs[i].Date, j-i))
				}
			}
			i = j
		}
	}
	t.Logf("%d same-date groups in %d registries; %d ordered by their content: %d in the mirror's order, %d not; %d by a tie-break (%d in the mirror's order); %d inputs refused",
		groups, len(regs), groups-ties, agree, len(wrong), ties, tieAgree, len(sum.Refused))
	for _, w := range wrong {
		t.Log("out of the mirror's order, with a revert:", w)
	}
	if groups < 500 || float64(agree) < 0.95*float64(groups-ties) {
		t.Errorf("want at least 95%% of the groups ordered by their content in the mirror's order")
	}
}

// hasRevert reports whether, along a sequence of versions, the number of
// times some line of the raw files (trailing white space aside) occurs goes
// up and then down, or down and then up.
func hasRevert(t *testing.T, blobs []string) bool {
	var counts []map[string]int
	shareddata.ReadBlobs(t, blobs, func(_ string, data []byte) {
		c := map[string]int{}
		for _, l := range strings.Split(string(data), "\n") {
			c[strings.TrimRight(l, " \t\r")]++
		}
		counts = append(counts, c)
	})
	all := map[string]bool{}
	for _, c := range counts {
		for l := range c {
			all[l] = true
		}
	}
	for l := range all {
		up, down := false, false
		for k := 1; k < len(counts); k++ {
			switch d := counts[k][l] - counts[k-1][l]; {
			case d > 0:
				up = true
			case d < 0:
				down = true
			}
		}
		if up && down {
			return true
		}
	}
	return false
}
