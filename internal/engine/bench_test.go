package engine

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"testing"

	"github.com/faultline-dev/faultline/internal/catalog"
)

// benchLog is the real failed logs of the shared corpus, concatenated, or
// a repeated sample log when the corpus is absent.
func benchLog(b *testing.B) []byte {
	files, _ := filepath.Glob("../../../shared/corpus/logchunks-dev/logs/*/*/failed/*.log")
	var buf bytes.Buffer
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err == nil {
			buf.Write(data)
		}
	}
	if buf.Len() == 0 {
		data, err := os.ReadFile("../../examples/aws-credentials-missing.log")
		if err != nil {
			b.Fatal(err)
		}
		for buf.Len() < 8<<20 {
			buf.Write(data)
		}
	}
	return buf.Bytes()
}

func BenchmarkAnalyze(b *testing.B) {
	pbs, err := catalog.Bundled()
	if err != nil {
		b.Fatal(err)
	}
	e := New(pbs)
	data := benchLog(b)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := e.Analyze(context.Background(), bytes.NewReader(data), Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkStages times the stages of preparing a block apart, on one
// worker over the corpus cut into blocks: cleaning, scanning with the
// dense DFA in lanes, finding progress lines' segments, and classifying
// the lines the scan flagged. Each stage runs on the output of the stages
// before it, made once; those that rewrite it (segments, clean) run last.
// Run it with GOMAXPROCS=1.
func BenchmarkStages(b *testing.B) {
	c, data := denseBundled(b)
	w := newWorker(c, true)
	br := &blockReader{r: bytes.NewReader(data), size: blockSize}
	var blocks []*blockResult
	var events [][]acEvent
	for {
		blk := &blockResult{}
		var err error
		if blk.raw, err = br.next(nil); err != nil {
			b.Fatal(err)
		}
		if blk.raw == nil {
			break
		}
		w.clean(blk)
		w.events = c.ac.scanLanes(w.events[:0], blk.clean, '\n', &w.lanes, &w.parts)
		w.findSegments(blk)
		for j := range blk.fulls { // the worker reuses their storage
			blk.fulls[j].segs.starts = slices.Clone(blk.fulls[j].segs.starts)
			blk.fulls[j].segs.marks = slices.Clone(blk.fulls[j].segs.marks)
		}
		blocks, events = append(blocks, blk), append(events, slices.Clone(w.events))
	}
	for _, st := range []struct {
		name string
		run  func(i int, blk *blockResult)
	}{
		{"scan", func(_ int, blk *blockResult) {
			w.events = c.ac.scanLanes(w.events[:0], blk.clean, '\n', &w.lanes, &w.parts)
		}},
		{"classify", func(i int, blk *blockResult) {
			w.events = append(w.events[:0], events[i]...)
			w.classify(blk)
		}},
		{"segments", func(_ int, blk *blockResult) { w.findSegments(blk) }},
		{"clean", func(_ int, blk *blockResult) { w.clean(blk) }},
	} {
		b.Run(st.name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				for i, blk := range blocks {
					st.run(i, blk)
				}
			}
		})
	}
}

func BenchmarkCompile(b *testing.B) {
	pbs, err := catalog.Bundled()
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		compile(pbs)
	}
}

// denseBundled returns the bundled catalog compiled, with its full DFA
// built, and the log to read.
func denseBundled(b *testing.B) (*compiled, []byte) {
	pbs, err := catalog.Bundled()
	if err != nil {
		b.Fatal(err)
	}
	c := compile(pbs)
	c.ac.dense()
	return c, benchLog(b)
}

func BenchmarkAutomaton(b *testing.B) {
	c, data := denseBundled(b)
	var events []acEvent
	var parts scanParts
	b.Run("dense", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			events = c.ac.scanDense(events[:0], &parts, data, '\n')
		}
	})
	b.Run("lanes", func(b *testing.B) {
		var sc laneScratch
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			for at := 0; at < len(data); {
				end := min(at+blockSize, len(data))
				if j := bytes.LastIndexByte(data[at:end], '\n'); j >= 0 && end < len(data) {
					end = at + j + 1
				}
				events = c.ac.scanLanes(events[:0], data[at:end:min(end+laneSlack, len(data))], '\n', &sc, &parts)
				at = end
			}
		}
	})
	b.Run("trie", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			events = c.ac.scan(events[:0], data)
		}
	})
}

func BenchmarkDense(b *testing.B) {
	pbs, err := catalog.Bundled()
	if err != nil {
		b.Fatal(err)
	}
	for i := 0; i < b.N; i++ {
		c := compile(pbs)
		c.ac.dense()
	}
}

// tenfold returns pbs plus nine copies of each with distinct signals, as a
// catalog ten times larger would have. Copy k rotates every letter and
// digit of each literal signal by k places ("error" becomes "fssps",
// "gttqt", ...): new strings with the letter patterns of real signals, so
// the automaton grows tenfold and a log walks into the new states about as
// often as into the old ones, while the copies rarely match. Each copy of a
// regex also requires the rotated copy of its best literal, so it runs about
// as often as a regex with a new literal would.
func tenfold(pbs []*catalog.Playbook) []*catalog.Playbook {
	out := append([]*catalog.Playbook(nil), pbs...)
	for k := 1; k < 10; k++ {
		for _, p := range pbs {
			q := &catalog.Playbook{ID: fmt.Sprintf("%s-copy%d", p.ID, k), Title: p.Title, Category: p.Category, Severity: p.Severity}
			rot := func(ss []string) []string {
				var r []string
				for _, s := range ss {
					r = append(r, rotate(s, k))
				}
				return r
			}
			q.Match.Any, q.Match.All, q.Match.None = rot(p.Match.Any), rot(p.Match.All), rot(p.Match.None)
			for _, re := range p.Match.Regex {
				lit := "~copy~"
				if fs := Prefilter(re); len(fs) > 0 {
					lit = rotate(fs[0][0], k)
				}
				q.Match.Regex = append(q.Match.Regex, regexp.QuoteMeta(lit)+".*?(?:"+re+")")
			}
			out = append(out, q)
		}
	}
	return out
}

// rotate shifts the ASCII letters and digits of s by k places.
func rotate(s string, k int) string {
	b := []byte(s)
	for i, c := range b {
		switch {
		case 'a' <= c && c <= 'z':
			b[i] = 'a' + (c-'a'+byte(k))%26
		case 'A' <= c && c <= 'Z':
			b[i] = 'A' + (c-'A'+byte(k))%26
		case '0' <= c && c <= '9':
			b[i] = '0' + (c-'0'+byte(k))%10
		}
	}
	return string(b)
}

// BenchmarkAnalyzeCatalog compares, in one run, the bundled catalog with
// one ten times its size.
func BenchmarkAnalyzeCatalog(b *testing.B) {
	pbs, err := catalog.Bundled()
	if err != nil {
		b.Fatal(err)
	}
	data := benchLog(b)
	for _, bc := range []struct {
		name string
		pbs  []*catalog.Playbook
	}{{"1x", pbs}, {"10x", tenfold(pbs)}} {
		e := New(bc.pbs)
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			for i := 0; i < b.N; i++ {
				if _, err := e.Analyze(context.Background(), bytes.NewReader(data), Options{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
