package changelog

import (
	"bytes"
	"context"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

const chromiumPath = "/usr/bin/chromium"

// chromium runs headless Chromium on a local file with the given extra
// flags and returns its stdout and stderr.
func chromium(t *testing.T, file string, flags ...string) (stdout, stderr string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	args := append([]string{
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir=" + t.TempDir(),
	}, flags...)
	args = append(args, "file://"+file)
	var out, errOut bytes.Buffer
	cmd := exec.CommandContext(ctx, chromiumPath, args...)
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium %s: %v\n%s", strings.Join(flags, " "), err, errOut.String())
	}
	return out.String(), errOut.String()
}

// consoleLines returns what the page logged to the console (Chromium
// writes it to stderr as "...:INFO:CONSOLE:1] "message", source: ...").
func consoleLines(stderr string) []string {
	var out []string
	for _, line := range strings.Split(stderr, "\n") {
		if strings.Contains(line, ":CONSOLE") {
			out = append(out, line)
		}
	}
	return out
}

// TestBrowser renders the small store's changelog in headless Chromium: as
// screenshots at a phone's and a desktop's width, and as the DOM it built,
// with nothing logged to the console and nothing wider than a phone
// outside the scrolling tables.
func TestBrowser(t *testing.T) {
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Skipf("no browser at %s (apt-get install chromium) to render the HTML changelog: %v", chromiumPath, err)
	}
	s := newStore(t, smallVersions())
	var page bytes.Buffer
	if err := WriteHTML(&page, build(t, s, 0, -1)); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "changelog.html")
	if err := os.WriteFile(file, page.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}

	for _, width := range []int{412, 1280} {
		t.Run("screenshot "+strconv.Itoa(width), func(t *testing.T) {
			shot := filepath.Join(dir, "screenshot-"+strconv.Itoa(width)+".png")
			chromium(t, file, "--screenshot="+shot, "--window-size="+strconv.Itoa(width)+",900", "--hide-scrollbars")
			data, err := os.ReadFile(shot)
			if err != nil {
				t.Fatalf("no screenshot: %v", err)
			}
			img, err := png.Decode(bytes.NewReader(data))
			if err != nil {
				t.Fatalf("screenshot is not a PNG: %v", err)
			}
			if b := img.Bounds(); b.Dx() != width || b.Dy() != 900 {
				t.Errorf("screenshot is %dx%d, want %dx900", b.Dx(), b.Dy(), width)
			}
			colors := map[[4]uint32]bool{}
			for y := img.Bounds().Min.Y; y < img.Bounds().Max.Y; y += 3 {
				for x := img.Bounds().Min.X; x < img.Bounds().Max.X; x += 3 {
					r, g, b, a := img.At(x, y).RGBA()
					colors[[4]uint32{r, g, b, a}] = true
				}
			}
			// A blank or error page has a handful of colours; text,
			// three coloured lines and their antialiasing have hundreds.
			if len(colors) < 50 {
				t.Errorf("screenshot has %d colours: blank page?", len(colors))
			}
			if os.Getenv("REGDIFF_KEEP_SCREENSHOTS") != "" {
				keep := filepath.Join(os.Getenv("REGDIFF_KEEP_SCREENSHOTS"), filepath.Base(shot))
				if err := os.WriteFile(keep, data, 0o644); err == nil {
					t.Logf("screenshot kept at %s", keep)
				}
			}
		})
	}

	t.Run("DOM and console", func(t *testing.T) {
		dom, stderr := chromium(t, file, "--enable-logging=stderr", "--v=0", "--dump-dom")
		if c := consoleLines(stderr); len(c) > 0 {
			t.Errorf("console output:\n%s", strings.Join(c, "\n"))
		}
		for _, want := range []string{`<svg class="plot"`, `<path class="line assigned"`, `<section class="entry" id="2020-04-01">`, `<nav class="toc" id="contents"`} {
			if !strings.Contains(dom, want) {
				t.Errorf("the DOM lacks %s", want)
			}
		}
		if n := strings.Count(dom, `<svg class="plot"`); n != 3 {
			t.Errorf("%d plots in the DOM, want 3", n)
		}
	})

	t.Run("fits a phone", func(t *testing.T) {
		// A copy of the page with a probe script: at 412 px, the rightmost
		// edge of any element outside the horizontally scrolling tables.
		// (Headless Chromium lays --dump-dom out at least 500 px wide, so
		// the probe narrows the body itself.)
		probe := strings.Replace(page.String(), "</body>", `<script>
document.body.style.width = "412px";
let right = 0, what = "";
for (const el of document.body.querySelectorAll("*")) {
  if (el.closest(".scroll")) continue;
  const r = el.getBoundingClientRect();
  if (r.right > right) { right = r.right; what = el.tagName + "." + el.className; }
}
document.body.setAttribute("data-right", Math.ceil(right) + " " + what);
</script></body>`, 1)
		pf := filepath.Join(dir, "probe.html")
		if err := os.WriteFile(pf, []byte(probe), 0o644); err != nil {
			t.Fatal(err)
		}
		dom, _ := chromium(t, pf, "--dump-dom")
		m := regexp.MustCompile(`data-right="(\d+) ([^"]*)"`).FindStringSubmatch(dom)
		if m == nil {
			t.Fatalf("the probe did not run")
		}
		if right, _ := strconv.Atoi(m[1]); right > 412 {
			t.Errorf("%s reaches %d px, past a 412 px phone", m[2], right)
		}
	})

	t.Run("the console check can fail", func(t *testing.T) {
		bad := filepath.Join(dir, "bad.html")
		if err := os.WriteFile(bad, []byte(`<!DOCTYPE html><p>x</p><script>console.error("boom")</script>`), 0o644); err != nil {
			t.Fatal(err)
		}
		_, stderr := chromium(t, bad, "--enable-logging=stderr", "--v=0", "--dump-dom")
		if c := consoleLines(stderr); len(c) != 1 || !strings.Contains(c[0], "boom") {
			t.Errorf("want the page's one console line, got %q", c)
		}
	})
}
