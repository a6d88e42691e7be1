package engine

import (
	"bytes"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/faultline-dev/faultline/internal/logtext"
)

// checkStrip checks one call of stripEscapes on src against what it
// promises.
func checkStrip(t *testing.T, src []byte) {
	t.Helper()
	dst := make([]byte, len(src)+64)
	read, written, stop, at := stripEscapes(&dst[0], &src[0], len(src), true)
	if read < 0 || read > len(src) || written > read {
		t.Fatalf("%q: read %d, wrote %d", src, read, written)
	}
	if want := logtext.StripANSI(nil, src[:read]); !bytes.Equal(dst[:written], want) {
		t.Fatalf("%q: wrote %q for the %d bytes read, want %q", src, dst[:written], read, want)
	}
	if i := indexInnerCR(src[:min(read+1, len(src))]); i >= 0 && i < read {
		t.Fatalf("%q: read past the '\\r' at %d", src, i)
	}
	switch stop {
	case stopTail:
		if len(src)-read >= 65 {
			t.Fatalf("%q: stopped with %d bytes left", src, len(src)-read)
		}
	case stopCR:
		if at >= 64 || indexInnerCR(src[read:]) != at {
			t.Fatalf("%q: stopped for a '\\r' at %d+%d, first is at %d+%d", src, read, at, read, indexInnerCR(src[read:]))
		}
	case stopEscape:
		if src[read] != 0x1b {
			t.Fatalf("%q: stopped for an escape at %d, which holds %q", src, read, src[read])
		}
	default:
		t.Fatalf("%q: stopped for %d", src, stop)
	}
}

// escapeText returns n bytes of colored log text: words, newlines, '\r's
// ending lines and a few inside them, escapes of every kind, some cut
// short.
func escapeText(r *rand.Rand, n int) []byte {
	pieces := []string{
		"error: ", "word ", "ok", "\n", "\r\n", "\r\r\n", "\r", "\x1b[31m", "\x1b[0m", "\x1b[1;32m", "\x1b[K",
		"\x1b[", "\x1b", "\x1b\n", "\x1b\x1b[m", "\x1b(B", "\x1b]0;title\x07", "\x1b]8;;http://x\x1b\\", "\x1b]",
		"\x1b[38;5;214m", "\x1b[2@", "\x1b[~", "\x1b[\r\n", "\x1b[1\n", "\xe2\x9c\x93", "\x7f", "\x1b[12345678901234567890m",
	}
	var b []byte
	for len(b) < n {
		p := pieces[r.IntN(len(pieces))]
		if p == "\r" && r.IntN(8) != 0 {
			continue // '\r' inside a line is rare
		}
		b = append(b, p...)
	}
	return b[:n]
}

// kernels returns the stripEscapes kernels to test here, by the value of
// stripWide that selects each, and skips t when there is none.
func kernels(t testing.TB) []bool {
	if !haveStripEscapes {
		t.Skip("stripEscapes needs AVX2 or AVX-512 VBMI2, and BMI2")
	}
	if has512 {
		return []bool{false, true}
	}
	return []bool{false}
}

// eachKernel runs f once with each stripEscapes kernel there is.
func eachKernel(t testing.TB, f func()) {
	t.Helper()
	wide := stripWide
	defer func() { stripWide = wide }()
	for _, k := range kernels(t) {
		stripWide = k
		f()
	}
}

func TestStripEscapes(t *testing.T) {
	eachKernel(t, func() { testStripEscapes(t) })
}

func testStripEscapes(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for _, n := range []int{1, 64, 65, 66, 127, 128, 200, 1000, 5000} {
		for range 300 {
			checkStrip(t, escapeText(r, n))
		}
	}
	// Long runs: plain, one long escape, escapes across every chunk edge.
	checkStrip(t, bytes.Repeat([]byte("plain text\n"), 100))
	checkStrip(t, append(append([]byte("ab\x1b["), bytes.Repeat([]byte("1;"), 100)...), "m rest of the line\n"...))
	for off := 0; off < 70; off++ {
		src := append(bytes.Repeat([]byte("x"), off), bytes.Repeat([]byte("\x1b[0;31mred\x1b[0m \x1b(B\n"), 20)...)
		checkStrip(t, src)
	}
}

// FuzzStripEscapes checks stripEscapes against logtext.StripANSI on texts
// built from the fuzzer's bytes, long enough for several chunks.
func FuzzStripEscapes(f *testing.F) {
	kernels(f)
	f.Add([]byte("\x1b[31merror\x1b[0m: x\r\n"))
	f.Add([]byte("\x1b]8;;x\x1b\\a\x1b\x1b[m\x1b(B\r\x1b[K"))
	f.Fuzz(func(t *testing.T, in []byte) {
		if len(in) == 0 {
			return
		}
		var src []byte
		for len(src) < 300 {
			src = append(src, in...)
		}
		eachKernel(t, func() { checkStrip(t, src) })
	})
}

// sameClean checks that cleaning raw with stripEscapes gives the block
// cleaning it without gives: the same text, the same Full lines.
func sameClean(t testing.TB, name string, raw []byte) {
	t.Helper()
	c := bundledEngine(t).c
	fast, portable := newWorker(c, true), newWorker(c, true)
	portable.portable = true
	a, b := &blockResult{raw: raw}, &blockResult{raw: raw}
	fast.clean(a)
	portable.clean(b)
	if !bytes.Equal(a.clean, b.clean) {
		i := 0
		for i < min(len(a.clean), len(b.clean)) && a.clean[i] == b.clean[i] {
			i++
		}
		t.Fatalf("%s: cleaned texts differ from byte %d: %q, without assembly %q", name, i, a.clean[i:min(i+40, len(a.clean))], b.clean[i:min(i+40, len(b.clean))])
	}
	if len(a.fulls) != len(b.fulls) {
		t.Fatalf("%s: %d Full lines, without assembly %d", name, len(a.fulls), len(b.fulls))
	}
	for i := range a.fulls {
		if a.fulls[i].at != b.fulls[i].at || !bytes.Equal(a.fulls[i].text, b.fulls[i].text) {
			t.Fatalf("%s: Full line %d differs", name, i)
		}
	}
}

func TestCleanFastMatchesPortable(t *testing.T) {
	eachKernel(t, func() { testCleanFast(t) })
}

func testCleanFast(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for _, n := range []int{10, 100, 1000, 100_000} {
		for range 50 {
			raw := append(escapeText(r, n), '\n')
			sameClean(t, "random", raw)
		}
	}
	// Progress lines: plain, colored, blank at the end, and with escapes
	// that take a '\r' (then the segments are not those of the raw line).
	for _, l := range []string{"10%\r100%\n", "\x1b[32m10%\x1b[0m\r\x1b[K100%\r\n", "a\rb\r   \r\x1b[0m\n",
		"a\x1b[\rb\rc\n", "x\x1b\ry\n", "\x1b]0;t\ru\x07v\rw\n", "\r\n\r\rz\r\n"} {
		sameClean(t, l, []byte(strings.Repeat("plain\n", 20)+l+strings.Repeat(l, 30)))
	}
	long := bytes.Repeat([]byte("\x1b[31mx\x1b[0m"), 3*logtext.MaxLineBytes/10)
	sameClean(t, "overlong", append(append([]byte("a\r\nb\x1b[1m\n"), long...), "\nerror\r\n"...))
	files, _ := filepath.Glob("../../../shared/corpus/*/logs/*/*/*/*.log")
	more, _ := filepath.Glob("../../../shared/corpus/gha-dev/logs/*/*/*.log")
	for _, f := range append(files, more...) {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		br := &blockReader{r: bytes.NewReader(data), size: blockSize}
		for {
			raw, err := br.next(nil)
			if err != nil {
				t.Fatal(err)
			}
			if raw == nil {
				break
			}
			sameClean(t, f, raw)
		}
	}
}

// FuzzCleanFast checks cleaning with stripEscapes against cleaning
// without, on blocks built from the fuzzer's bytes.
func FuzzCleanFast(f *testing.F) {
	kernels(f)
	f.Add([]byte("\x1b[31merror\x1b[0m: x\r\n10%\r100%\r\n"), uint16(3))
	f.Add([]byte("\x1b]8;;x\x1b\\a\x1b\x1b[m\x1b(B\r\x1b[K\n"), uint16(100))
	f.Fuzz(func(t *testing.T, in []byte, reps uint16) {
		var raw []byte
		for range int(reps%200) + 1 {
			raw = append(raw, in...)
		}
		raw = append(raw, '\n')
		eachKernel(t, func() { sameClean(t, "fuzz", raw) })
	})
}
