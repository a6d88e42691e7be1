package engine

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"runtime"
	"sync"

	"github.com/faultline-dev/faultline/internal/logtext"
)

// The engine reads a log in blocks of whole lines. Each block is prepared
// on its own, by as many workers as there are cores (prepare.go): its
// lines are cleaned (ANSI escapes, '\r' rewrites), the catalog's automaton
// scans the whole block at once (lanes.go), and only the lines where it
// found something, or that may state a step's start, are classified (see
// classifier). Most lines of a log are neither; they cost the scan and
// nothing more. The facts are then applied to the analysis in log order,
// by one goroutine. The result is the same as reading line by line
// (analyzeLines), which tests check.

// blockSize is how many bytes of a log one block holds at most (plus a
// line ending added to an unterminated last line). It must exceed
// logtext.MaxLineBytes, so that every block holds at least one whole line.
const blockSize = 512 << 10

// maxWorkers bounds the goroutines preparing blocks of one log by default:
// past it the goroutine applying the blocks in order is the bottleneck,
// and each more worker keeps two more blocks in memory.
const maxWorkers = 8

// blockReader cuts a log into blocks of whole lines, each ending in '\n'.
// A line longer than logtext.MaxLineBytes is cut there, as the line
// scanner cuts it: its start is kept, the rest is read and dropped.
type blockReader struct {
	r        io.Reader
	size     int    // bytes per block, more than logtext.MaxLineBytes
	carry    []byte // the start of a line the last block did not end
	skipping bool   // dropping the rest of an overlong line
	eof      bool
}

// next fills buf with the next block and returns it, or nil at the end of
// the log.
func (br *blockReader) next(buf []byte) ([]byte, error) {
	buf = append(buf[:0], br.carry...)
	br.carry = br.carry[:0]
	// Past what is read, a block keeps room for the line ending an
	// unterminated last line may need, and for the lanes to read past its
	// end (see scanLanes).
	const spare = 1 + laneSlack
	for !br.eof && len(buf) < br.size {
		if len(buf)+spare >= cap(buf) {
			// Grow as the log turns out longer: most logs are far smaller
			// than a block.
			buf = grow(buf, min(max(2*cap(buf), 16<<10), br.size)+spare-len(buf))
		}
		n, err := br.r.Read(buf[len(buf):min(cap(buf)-spare, br.size)])
		if br.skipping {
			read := buf[len(buf) : len(buf)+n]
			if i := bytes.IndexByte(read, '\n'); i >= 0 {
				n = copy(read, read[i+1:])
				br.skipping = false
			} else {
				n = 0
			}
		}
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			br.eof = true
		} else if err != nil {
			return nil, logtext.ReadError(err)
		}
	}
	if len(buf) == 0 {
		return nil, nil
	}
	if br.eof {
		if buf[len(buf)-1] != '\n' {
			buf = append(buf, '\n')
		}
		return buf, nil
	}
	if i := lastIndexByte(buf, '\n'); i >= 0 {
		br.carry = append(br.carry, buf[i+1:]...)
		return buf[:i+1], nil
	}
	// One line fills the whole block.
	br.skipping = true
	return append(buf[:logtext.MaxLineBytes], '\n'), nil
}

// analyzeBlocks reads r by blocks, prepared by workers in parallel and
// applied in order. A log that fits in one block is prepared right away,
// with the trie automaton: building the full DFA would take longer than
// scanning the block.
func (e *Engine) analyzeBlocks(ctx context.Context, r *bufio.Reader, opts Options) (*Report, error) {
	a := newAnalyzer(e.c, opts)
	br := &blockReader{r: r, size: blockSize}
	if e.blockSize > 0 {
		br.size = e.blockSize
	}
	b := &blockResult{first: 1}
	var err error
	if b.raw, err = br.next(nil); err != nil {
		return nil, err
	}
	if br.eof {
		if b.raw != nil {
			newWorker(e.c, false).prepare(b)
			a.applyBlock(b)
		}
		return a.finish(), nil
	}

	workers := opts.Workers
	if workers <= 0 {
		workers = min(runtime.GOMAXPROCS(0), maxWorkers)
	}
	depth := 2 * workers
	// Blocks go from the reader to the workers (todo) and, in the same
	// order, to the applying goroutine (order); each carries a channel
	// closed once it is prepared. Applied blocks return to the reader
	// (free), so at most depth blocks exist.
	todo := make(chan *blockResult, depth)
	order := make(chan *blockResult, depth)
	free := make(chan *blockResult, depth)
	quit := make(chan struct{})
	for range depth - 1 {
		free <- &blockResult{}
	}
	var wg sync.WaitGroup
	defer func() {
		// On an early return the reader may wait to hand over a block:
		// release it, then wait for every goroutine to finish.
		close(quit)
		wg.Wait()
	}()
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(todo)
		defer close(order)
		for first := true; ; first = false {
			if !first {
				select {
				case b = <-free:
				case <-quit:
					return
				}
				b.raw, b.err = br.next(b.raw)
			}
			b.done = make(chan struct{})
			if b.raw == nil || b.err != nil {
				close(b.done)
				if b.err != nil {
					select {
					case order <- b:
					case <-quit:
					}
				}
				return
			}
			select {
			case todo <- b:
			case <-quit:
				return
			}
			select {
			case order <- b:
			case <-quit:
				return
			}
		}
	}()
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := newWorker(e.c, true)
			for b := range todo {
				w.prepare(b)
				close(b.done)
			}
		}()
	}

	next := 1
	for b := range order {
		<-b.done
		if b.err != nil {
			return nil, b.err
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		b.first = next
		prev := a.prev
		a.applyBlock(b)
		next += b.lines()
		if prev != nil {
			free <- prev
		}
	}
	return a.finish(), nil
}

// applyBlock applies the facts of a prepared block. Snapshots read the
// lines of the block being applied and of the one before it from the
// blocks themselves, and earlier lines from the ring. So when the block
// before it is let go, its lines that may still be wanted are copied into
// the ring: those among the last ringSize lines before the next block,
// which are none unless this block holds fewer than ringSize lines.
func (a *analyzer) applyBlock(b *blockResult) {
	a.blk = b
	for i := range b.recs {
		r := &b.recs[i]
		if r.hits.from == r.hits.to && r.alls.from == r.alls.to && r.vetoes.from == r.vetoes.to && r.events.from == r.events.to &&
			(r.score < strongScore || r.flags&(flagBoilerplate|flagNoise) != 0) {
			continue // a score that matters only to windows, which read it from the record
		}
		f := b.facts(r)
		if r.events.from == r.events.to {
			a.applyFacts(b.first+int(r.idx), &f) // the line itself is not needed
			continue
		}
		a.apply(b.line(r), &f)
	}
	a.blk = nil
	a.n = b.first + b.lines() - 1
	if p := a.prev; p != nil && b.lines() < ringSize {
		a.keep(p, ringSize-b.lines())
	}
	a.prev = b
}

// keep copies the last n lines of block b into the ring.
func (a *analyzer) keep(b *blockResult, n int) {
	for idx := max(0, b.lines()-n); idx < b.lines(); idx++ {
		score, flags := b.scoreOf(idx)
		a.remember(b.first+idx, b.text(idx), score, flags)
	}
}
