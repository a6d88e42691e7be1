package engine

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
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

func BenchmarkAutomaton(b *testing.B) {
	pbs, err := catalog.Bundled()
	if err != nil {
		b.Fatal(err)
	}
	c := compile(pbs)
	data := benchLog(b)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	n := 0
	for i := 0; i < b.N; i++ {
		c.ac.match(data, func(int32) { n++ })
	}
}
