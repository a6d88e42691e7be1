// Package engine analyses a CI log against a catalog of playbooks: it finds
// where the job failed (the failing step, the failure point and an excerpt
// of the lines that show why) and which playbooks explain it, with the lines
// that prove it.
//
// The engine reads a log once, in blocks of whole lines that workers on
// every core prepare (clean, scan with one automaton of every literal,
// classify the few lines it flags), while one goroutine applies what they
// found in log order (see block.go). Memory is bounded by a few blocks and
// windows of lines, not by the size of the log. It knows nothing about
// terminals, flags or output formats: it returns a [Report].
package engine

import (
	"context"
	"io"

	"github.com/faultline-dev/faultline/internal/catalog"
	"github.com/faultline-dev/faultline/internal/logtext"
)

// Engine analyses logs against one catalog. It is safe for concurrent use.
type Engine struct {
	c         *compiled
	blockSize int // tests read by smaller blocks; 0 is blockSize
}

// New compiles pbs into an engine.
func New(pbs []*catalog.Playbook) *Engine {
	return &Engine{c: compile(pbs)}
}

// TableBytes returns the size of the automaton's full table, which the
// engine builds the first time it reads a log longer than a block and keeps
// from then on: most of what it holds in memory, and ten times as much for
// a catalog with ten times the literals.
func (e *Engine) TableBytes() int64 {
	m := e.c.ac
	return int64(classWords+m.states()*m.nclass) * 4
}

// Options tune one analysis.
type Options struct {
	// Source names the input in the report.
	Source string
	// Baseline, when set, holds the line templates of a passing run of the
	// same job; lines of the analysed log that match one are noise.
	Baseline *Baseline
	// Workers is how many goroutines prepare blocks of a long log: 0 means
	// one per core, at most maxWorkers. Callers analysing several logs at
	// once share the cores among them.
	Workers int
}

// Analyze reads a log from r and reports where and why it failed. It
// returns logtext.ErrBinary for input that is not text, and the reader's
// error if reading fails.
func (e *Engine) Analyze(ctx context.Context, r io.Reader, opts Options) (*Report, error) {
	if opts.Baseline != nil {
		// Every line must be looked up in the baseline: reading by blocks
		// saves nothing.
		return e.analyzeLines(ctx, r, opts)
	}
	br, err := logtext.Prepare(r)
	if err != nil {
		return nil, err
	}
	return e.analyzeBlocks(ctx, br, opts)
}

// analyzeLines reads r line by line: the simple way, which reading by
// blocks must agree with.
func (e *Engine) analyzeLines(ctx context.Context, r io.Reader, opts Options) (*Report, error) {
	a := newAnalyzer(e.c, opts)
	k := newClassifier(e.c, opts.Baseline)
	var pats []int32
	sc := logtext.NewScanner(r)
	for sc.Scan() {
		l := sc.Line()
		if l.N&0xffff == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		pats = e.c.ac.appendMatches(pats[:0], l.Match, true)
		f := k.classify(l, pats, nil)
		a.remember(l.N, l.Text, f.score, f.flags)
		a.apply(l, f)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return a.finish(), nil
}
