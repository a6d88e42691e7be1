package engine

import (
	"bytes"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// laneText returns n bytes of text drawn from the letters of patterns, so
// that the automaton reaches deep states and accepts often, with newlines
// every lineLen bytes or so.
func laneText(r *rand.Rand, patterns []string, n, lineLen int) []byte {
	var b []byte
	for len(b) < n {
		if r.IntN(lineLen) == 0 {
			b = append(b, '\n')
			continue
		}
		if r.IntN(4) == 0 {
			p := patterns[r.IntN(len(patterns))]
			if r.IntN(2) == 0 {
				p = strings.ToUpper(p)
			}
			b = append(b, p...)
			continue
		}
		alpha := " aeEr:x\x1b\xff"
		b = append(b, alpha[r.IntN(len(alpha))])
	}
	b = b[:n]
	b[n-1] = '\n'
	return b
}

// TestScan8MatchesGo checks the kernel scanLanes runs (in assembly on
// amd64) against its Go version, step for step: the same events, states
// and progress, also when the room for events runs out and the scan stops
// early.
func TestScan8MatchesGo(t *testing.T) {
	m := newACMatcher([]string{"error", "err", "rror:", "e: ", "x", "ee", "aaa", "Error: ", "\xff\xffe"})
	m.dense()
	r := rand.New(rand.NewPCG(1, 2))
	for _, stride := range []int{1, 7, 256, 4099} {
		for _, room := range []int{1, 3, 100, 1 << 16} {
			text := laneText(r, []string{"error", "rror:", "aaa", "e: "}, laneCount*stride, 40)
			got := laneTask{delta: &m.tab[classWords], text: &text[0], stride: stride, steps: stride}
			want := got
			var gotEv, wantEv [laneCount][]laneEvent
			for j := range laneCount {
				gotEv[j], wantEv[j] = make([]laneEvent, stride+1), make([]laneEvent, stride+1)
				got.events[j] = &gotEv[j][0]
			}
			for calls := 0; got.done < got.steps; calls++ {
				got.room, want.room = room, room
				m.runLanes(&got, text, &gotEv)
				scan8Go(&want, &m.class, m.delta, text, &wantEv)
				if got.done != want.done || got.nev != want.nev || got.states != want.states || got.room != want.room {
					t.Fatalf("stride %d, room %d, call %d: kernel did %d steps, %v events, states %v; Go %d, %v, %v",
						stride, room, calls, got.done, got.nev, got.states, want.done, want.nev, want.states)
				}
				for j := range laneCount {
					if !slices.Equal(gotEv[j][:got.nev[j]], wantEv[j][:want.nev[j]]) {
						t.Fatalf("stride %d, room %d, call %d: lane %d's events differ", stride, room, calls, j)
					}
				}
				if calls > laneCount*stride {
					t.Fatalf("stride %d: no progress", stride)
				}
			}
		}
	}
}

// TestScanLanesMatchesScan checks that scanning a block in lanes finds the
// events the trie finds, on random blocks (lines short and long, lanes
// that own no line) and, when it is there, on the shared corpus.
func TestScanLanesMatchesScan(t *testing.T) {
	pats := []string{"error", "err", "rror:", "e: ", "aaa", "Error: ", "\xff\xffe", "x"}
	m := newACMatcher(pats)
	var sc laneScratch
	var parts scanParts
	check := func(name string, m *acMatcher, block []byte) {
		t.Helper()
		block = append(block[:len(block):len(block)], make([]byte, laneSlack)...)[:len(block)]
		want := m.scan(nil, block)
		if got := m.scanLanes(nil, block, '\n', &sc, &parts); !slices.Equal(got, want) {
			t.Fatalf("%s (%d bytes): lanes found %d events, the trie %d", name, len(block), len(got), len(want))
		}
	}
	r := rand.New(rand.NewPCG(3, 4))
	for _, size := range []int{10, laneCount * minLane, laneCount*minLane + 7, 100_000} {
		for _, lineLen := range []int{2, 30, 500, 5000, 1 << 20} {
			check("random", m, laneText(r, pats, size, lineLen))
		}
	}
	// One line across several lanes, between short ones.
	long := append(bytes.Repeat([]byte("a\n"), 300), bytes.Repeat([]byte("error x "), 2000)...)
	long = append(long, bytes.Repeat([]byte("rror:\n"), 300)...)
	check("long line", m, long)

	c := bundledEngine(t).c
	files, _ := filepath.Glob("../../../shared/corpus/logchunks-dev/logs/*/*/failed/*.log")
	gha, _ := filepath.Glob("../../../shared/corpus/gha-dev/logs/*/*/*.log")
	for i, f := range append(files, gha...) {
		if testing.Short() && i%10 != 0 {
			continue
		}
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if len(data) == 0 || data[len(data)-1] != '\n' {
			data = append(data, '\n')
		}
		check(f, c.ac, data)
	}
}

// FuzzScanLanes checks scanning in lanes against the trie on texts built
// from the fuzzer's bytes, repeated until the text is long enough for lanes.
func FuzzScanLanes(f *testing.F) {
	m := newACMatcher([]string{"error", "err", "rror:", "e: ", "aaa", "Error: ", "\xff\xffe", "x", "a\rb", "\r$"})
	f.Add([]byte("error: x\n"), uint8(1))
	f.Add([]byte("aaaaaa\rb\r$ errerror"), uint8(7))
	var sc laneScratch
	var parts scanParts
	f.Fuzz(func(t *testing.T, in []byte, cut uint8) {
		if len(in) == 0 {
			return
		}
		var text []byte
		for len(text) < laneCount*minLane+int(cut)*13 {
			text = append(text, in...)
		}
		text = append(text, '\n')
		text = append(text, make([]byte, laneSlack)...)[:len(text)]
		if got, want := m.scanLanes(nil, text, '\n', &sc, &parts), m.scan(nil, text); !slices.Equal(got, want) {
			t.Fatalf("lanes found %d events, the trie %d", len(got), len(want))
		}
	})
}
