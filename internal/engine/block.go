package engine

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"runtime"
	"slices"
	"sort"
	"sync"

	"github.com/faultline-dev/faultline/internal/logtext"
)

// The engine reads a log in blocks of whole lines. Each block is prepared
// on its own, by as many workers as there are cores: its lines are cleaned
// (ANSI escapes, '\r' rewrites), the catalog's automaton scans the whole
// block at once, and only the lines where it found something, or that may
// state a step's start, are classified (see classifier). Most lines of a
// log are neither; they cost a newline search and nothing more. The facts
// are then applied to the analysis in log order, by one goroutine. The
// result is the same as reading line by line (analyzeLines), which tests
// check.

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
			buf = slices.Grow(buf, min(max(2*cap(buf), 16<<10), br.size)+spare-len(buf))
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
	if i := bytes.LastIndexByte(buf, '\n'); i >= 0 {
		br.carry = append(br.carry, buf[i+1:]...)
		return buf[:i+1], nil
	}
	// One line fills the whole block.
	br.skipping = true
	return append(buf[:logtext.MaxLineBytes], '\n'), nil
}

// record is the facts of one line of a block that has any.
type record struct {
	idx int32 // the line's index in its block
	f   facts
}

// blockResult is a prepared block.
type blockResult struct {
	first  int    // the number of the block's first line, set when applied
	raw    []byte // the block as read
	clean  []byte // its lines as logtext.Line.Text, each ending in '\n'
	starts []int32
	recs   []record // by line index
	fulls  []full   // lines whose Line.Full is not their Text, by index
	err    error

	// Storage reused from block to block.
	cleanBuf []byte
	arena    arena
	done     chan struct{}
}

type full struct {
	idx  int32
	text []byte
}

// arena holds the slices of a block's facts.
type arena struct {
	hits   []hit
	alls   []int64
	vetoes []int32
	events []logtext.Event
	fulls  []byte
}

// lines returns the number of lines in the block.
func (b *blockResult) lines() int { return len(b.starts) - 1 }

// text returns the Text of the block's line idx. A line that needed no
// cleaning but for its "\r\n" ending was left as read: its '\r' is dropped
// here.
func (b *blockResult) text(idx int) []byte {
	t := b.clean[b.starts[idx] : b.starts[idx+1]-1]
	for len(t) > 0 && t[len(t)-1] == '\r' {
		t = t[:len(t)-1]
	}
	return t
}

// line returns the block's line idx. Callers go through a block's lines in
// increasing order, and *fi follows them through b.fulls.
func (b *blockResult) line(idx int, fi *int) logtext.Line {
	t := b.text(idx)
	l := logtext.Line{N: b.first + idx, Text: t, Match: logtext.StripTimestamp(t), Full: t}
	for *fi < len(b.fulls) && int(b.fulls[*fi].idx) < idx {
		*fi++
	}
	if *fi < len(b.fulls) && int(b.fulls[*fi].idx) == idx {
		l.Full = b.fulls[*fi].text
	}
	return l
}

// scoreOf returns the score and flags of the block's line idx.
func (b *blockResult) scoreOf(idx int) (int, uint8) {
	i := sort.Search(len(b.recs), func(i int) bool { return int(b.recs[i].idx) >= idx })
	if i < len(b.recs) && int(b.recs[i].idx) == idx {
		return b.recs[i].f.score, b.recs[i].f.flags
	}
	return 0, blankFlag(logtext.StripTimestamp(b.text(idx)))
}

// blankFlag returns flagBlank for a line whose Match shows nothing, else 0.
func blankFlag(match []byte) uint8 {
	if len(match) > 0 && match[0] > ' ' && match[0] < 0x7f {
		return 0 // the common case, without TrimSpace's Unicode tables
	}
	if len(bytes.TrimSpace(match)) == 0 {
		return flagBlank
	}
	return 0
}

// ringLine returns line n of the block as the ring would hold it.
func (b *blockResult) ringLine(n int) ringLine {
	idx := n - b.first
	score, flags := b.scoreOf(idx)
	return ringLine{n: n, text: append([]byte(nil), clip(b.text(idx), keepText)...), score: score, flags: flags}
}

// worker prepares blocks. It holds scratch state, so each goroutine needs
// its own.
type worker struct {
	c        *compiled
	dense    bool // scan with the full DFA
	k        *classifier
	lb       logtext.LineBuilder
	events   []acEvent
	parts    scanParts
	lanes    laneScratch
	specials []int32
	pats     []int32
}

func newWorker(c *compiled, dense bool) *worker {
	return &worker{c: c, dense: dense, k: newClassifier(c, nil)}
}

// prepare cleans, scans and classifies the lines of b.raw.
func (w *worker) prepare(b *blockResult) {
	w.clean(b)
	if w.dense {
		w.events = w.c.ac.scanLanes(w.events[:0], b.clean, '\n', &w.lanes, &w.parts)
	} else {
		w.events = w.c.ac.scan(w.events[:0], b.clean)
	}
	w.classify(b)
}

// clean fills b.clean with the Text of each line of b.raw (followed by
// the '\r' of a "\r\n" ending, which text drops), and b.starts with where
// each starts. Lines that need no cleaning (no escape, no '\r' but their
// ending, not overlong) are copied in runs, or, when no line of the block
// needs cleaning, not copied at all. It also notes the lines that may state a
// step's start without holding any marker: those starting with '$', '+',
// '-' or '~', after any timestamp, or every line when a regex requires no
// literal.
func (w *worker) clean(b *blockResult) {
	raw := b.raw
	b.starts = b.starts[:0]
	b.fulls = b.fulls[:0]
	b.arena.fulls = b.arena.fulls[:0]
	w.specials = w.specials[:0]
	dirt := newDirt(raw)
	// A regex that requires no literal runs on every line.
	every := len(w.c.unguarded) > 0
	var clean []byte
	copied := false // clean holds a copy: some line needed cleaning
	run := 0        // the start of the raw bytes not yet copied
	shift := 0      // how many bytes cleaning removed so far
	for pos := 0; pos < len(raw); {
		end := pos + bytes.IndexByte(raw[pos:], '\n')
		idx := int32(len(b.starts))
		var text []byte
		if dirt.in(pos, end) || end-pos+1 > logtext.MaxLineBytes {
			if !copied {
				clean, copied = append(b.cleanBuf[:0], raw[:pos]...), true
			} else {
				clean = append(clean, raw[run:pos]...)
			}
			at := len(clean)
			b.starts = append(b.starts, int32(at))
			body := bytes.TrimRight(raw[pos:end], "\r")
			if dirt.cr >= pos+len(body) && len(body) < logtext.MaxLineBytes {
				// Escapes only, the common case: what logtext.LineBuilder
				// does, without its copies.
				clean = logtext.StripANSI(clean, body)
			} else {
				l := w.lb.Build(0, raw[pos:end+1])
				clean = append(clean, l.Text...)
				if len(l.Full) != len(l.Text) {
					f := len(b.arena.fulls)
					b.arena.fulls = append(b.arena.fulls, l.Full...)
					b.fulls = append(b.fulls, full{idx, b.arena.fulls[f:len(b.arena.fulls):len(b.arena.fulls)]})
					w.specials = append(w.specials, idx)
				}
			}
			text = clean[at:]
			clean = append(clean, '\n')
			run = end + 1
			shift = run - len(clean)
		} else {
			b.starts = append(b.starts, int32(pos-shift))
			text = raw[pos:end]
		}
		special := every
		if !special && len(text) > 0 {
			if c := text[0]; '0' <= c && c <= '9' {
				text = logtext.StripTimestamp(text)
			}
			special = len(text) > 0 && logtext.MayHaveEvents(text)
		}
		if special {
			if n := len(w.specials); n == 0 || w.specials[n-1] != idx {
				w.specials = append(w.specials, idx)
			}
		}
		pos = end + 1
	}
	if copied {
		clean = append(clean, raw[run:]...)
		clean = slices.Grow(clean, laneSlack) // see scanLanes
		b.cleanBuf = clean
		b.clean = clean
	} else {
		b.clean = raw
	}
	b.starts = append(b.starts, int32(len(b.clean)))
}

// dirt finds the bytes that make a line need cleaning: escapes and '\r'.
// Each kind is searched for again only once passed, so a block is read
// once for each.
type dirt struct {
	raw     []byte
	esc, cr int // the next offset of each, or len(raw)
}

func newDirt(raw []byte) dirt {
	d := dirt{raw: raw}
	d.esc, d.cr = d.find(0x1b, 0), d.find('\r', 0)
	return d
}

func (d *dirt) find(c byte, from int) int {
	if i := bytes.IndexByte(d.raw[from:], c); i >= 0 {
		return from + i
	}
	return len(d.raw)
}

// in reports whether the line raw[from:end] holds an escape, or a '\r'
// other than those ending it: a "\r\n" ending needs no cleaning, since
// blockResult.text drops it. Calls must come in order of position.
func (d *dirt) in(from, end int) bool {
	if d.esc < from {
		d.esc = d.find(0x1b, from)
	}
	if d.cr < from {
		d.cr = d.find('\r', from)
	}
	if d.esc < end {
		return true
	}
	i := d.cr
	for i < end && d.raw[i] == '\r' {
		i++
	}
	return d.cr < i && i < end
}

// classify works out the facts of every line of b where the automaton
// found a pattern or that clean noted, into b.recs.
func (w *worker) classify(b *blockResult) {
	b.recs = b.recs[:0]
	ar := &b.arena
	ar.hits, ar.alls, ar.vetoes, ar.events = ar.hits[:0], ar.alls[:0], ar.vetoes[:0], ar.events[:0]
	evs, specials := w.events, w.specials
	ac, exact := w.c.ac, w.c.exact
	line := 0 // the line of the next event
	fi := 0   // see blockResult.line
	for len(evs) > 0 || len(specials) > 0 {
		// The next line to classify: that of the next event, or the next
		// special line, whichever comes first.
		if len(evs) > 0 {
			for b.starts[line+1] <= evs[0].pos {
				line++
			}
		}
		idx := line
		if len(specials) > 0 && (len(evs) == 0 || int(specials[0]) < line) {
			idx = int(specials[0])
		}
		special := len(specials) > 0 && int(specials[0]) == idx
		if special {
			specials = specials[1:]
		}
		l := b.line(idx, &fi)
		start := b.starts[idx]
		// Patterns that start inside the line's timestamp are not in
		// l.Match.
		from := start + int32(len(l.Text)-len(l.Match))
		w.pats = w.pats[:0]
		for len(evs) > 0 && evs[0].pos < b.starts[idx+1] {
			e := evs[0]
			evs = evs[1:]
			for _, p := range ac.patternsAt(e.state) {
				at := e.pos - int32(len(ac.patterns[p])) + 1
				if at >= from && (exact[p] == nil || bytes.Equal(b.clean[at:e.pos+1], exact[p])) {
					w.pats = append(w.pats, p)
				}
			}
		}
		if len(w.pats) == 0 && !special {
			// What was found means nothing here: the line has no facts,
			// as if the automaton had found nothing.
			continue
		}
		f := w.k.classify(l, w.pats)
		if f.score == 0 && f.flags == 0 && len(f.hits) == 0 && len(f.alls) == 0 && len(f.vetoes) == 0 && len(f.events) == 0 {
			continue
		}
		r := record{idx: int32(idx), f: facts{score: f.score, flags: f.flags}}
		r.f.hits, ar.hits = carve(ar.hits, f.hits)
		r.f.alls, ar.alls = carve(ar.alls, f.alls)
		r.f.vetoes, ar.vetoes = carve(ar.vetoes, f.vetoes)
		r.f.events, ar.events = carve(ar.events, f.events)
		b.recs = append(b.recs, r)
	}
}

// carve appends s to the arena and returns the copy and the arena. The
// copy stays valid when the arena grows later: it keeps the old array.
func carve[T any](arena, s []T) (copied, grown []T) {
	if len(s) == 0 {
		return nil, arena
	}
	at := len(arena)
	arena = append(arena, s...)
	return arena[at:len(arena):len(arena)], arena
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
	fi := 0 // see line
	for i := range b.recs {
		r := &b.recs[i]
		a.apply(b.line(int(r.idx), &fi), &r.f)
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
