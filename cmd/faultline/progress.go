package main

import (
	"fmt"
	"sync"
)

// progress draws a bar on stderr for long batches, when stderr is a
// terminal. It is safe for concurrent use.
type progress struct {
	mu     sync.Mutex
	s      *streams
	total  int
	n      int
	active bool
}

func newProgress(s *streams, total int) *progress {
	return &progress{s: s, total: total, active: s.errTTY && total >= 8}
}

func (p *progress) done() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.n++
	if !p.active {
		return
	}
	const width = 30
	filled := p.n * width / p.total
	bar := make([]byte, width)
	for i := range bar {
		bar[i] = '.'
		if i < filled {
			bar[i] = '#'
		}
	}
	fmt.Fprintf(p.s.err, "\ranalyzing [%s] %d/%d", bar, p.n, p.total)
}

func (p *progress) finish() {
	if p.active {
		fmt.Fprint(p.s.err, "\r\033[K")
	}
}
