package engine

import (
	"bytes"
	"slices"
	"sort"

	"github.com/faultline-dev/faultline/internal/logtext"
)

// Preparing a block: cleaning its lines, scanning them, and classifying the
// lines where the automaton found something. Nothing here goes line by
// line through the whole block: most lines need no cleaning and hold no
// pattern, and they cost nothing but the scan. The cleaner strips the
// escapes of runs of lines at once (64 bytes at a time where the
// processor can, see stripEscapes), and cleans on its own only a line
// rewritten with '\r' or too long to keep; the classifier moves from one
// line where the automaton found a pattern to the next. Lines that may
// state a step's start without holding a marker (those starting with one
// of logtext.UnmarkedLeads, after any timestamp) are found by the
// automaton too, by the newline before them (see lineStarts in compile).

// record is the facts of one line of a block that has any, its slices
// kept as ranges of the block's arena.
type record struct {
	idx                        int32 // the line's index in its block
	start, end                 int32 // its Text is clean[start:end], less the '\r's ending it
	full                       int32 // its Full is fulls[full].text, or its Text when -1
	score                      int32
	flags                      uint8
	hits, alls, vetoes, events span
}

// span is a range of one of an arena's slices.
type span struct{ from, to int32 }

// facts returns the facts of record r.
func (b *blockResult) facts(r *record) facts {
	ar := &b.arena
	return facts{
		score:  int(r.score),
		flags:  r.flags,
		hits:   ar.hits[r.hits.from:r.hits.to],
		alls:   ar.alls[r.alls.from:r.alls.to],
		vetoes: ar.vetoes[r.vetoes.from:r.vetoes.to],
		events: ar.events[r.events.from:r.events.to],
	}
}

// blockResult is a prepared block.
type blockResult struct {
	first  int    // the number of the block's first line, set when applied
	raw    []byte // the block as read
	clean  []byte // its lines as logtext.Line.Text, each ending in '\n' (see text)
	nlines int
	recs   []record // by line index
	fulls  []full   // lines whose Line.Full is not their Text, by offset
	err    error

	// starts holds where each line starts in clean, and where the last
	// ends, once lineStarts has found them.
	starts   []int32
	startsOK bool

	// Storage reused from block to block.
	cleanBuf []byte
	arena    arena
	done     chan struct{}
}

type full struct {
	at   int32 // the line's start in clean
	off  int32 // its text's offset in the arena's fulls
	text []byte
	segs segments // found by findSegments, for classify
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
func (b *blockResult) lines() int { return b.nlines }

// lineStarts returns where each line of the block starts in clean, and
// where the last ends. Only the lines windows read need them, so they are
// found on first use.
func (b *blockResult) lineStarts() []int32 {
	if !b.startsOK {
		b.starts = b.starts[:0]
		for at := 0; at < len(b.clean); at += bytes.IndexByte(b.clean[at:], '\n') + 1 {
			b.starts = append(b.starts, int32(at))
		}
		b.starts = append(b.starts, int32(len(b.clean)))
		b.startsOK = true
	}
	return b.starts
}

// text returns the Text of the block's line idx.
func (b *blockResult) text(idx int) []byte {
	s := b.lineStarts()
	return textOf(b.clean[s[idx] : s[idx+1]-1])
}

// textOf returns a line of clean without its line ending. A line that
// needed no cleaning but for its "\r\n" ending was left as read: its '\r'
// is dropped here.
func textOf(t []byte) []byte {
	for len(t) > 0 && t[len(t)-1] == '\r' {
		t = t[:len(t)-1]
	}
	return t
}

// line returns the line of record r.
func (b *blockResult) line(r *record) logtext.Line {
	t := textOf(b.clean[r.start:r.end])
	l := logtext.Line{N: b.first + int(r.idx), Text: t, Match: t, Full: t}
	if len(t) > 0 && t[0]-'0' < 10 {
		l.Match = logtext.StripTimestamp(t) // only digits start one
	}
	if r.full >= 0 {
		l.Full = b.fulls[r.full].text
	}
	return l
}

// scoreOf returns the score and flags of the block's line idx.
func (b *blockResult) scoreOf(idx int) (int, uint8) {
	i := sort.Search(len(b.recs), func(i int) bool { return int(b.recs[i].idx) >= idx })
	if i < len(b.recs) && int(b.recs[i].idx) == idx {
		return int(b.recs[i].score), b.recs[i].flags
	}
	return 0, blankFlag(logtext.StripTimestamp(b.text(idx)))
}

// blankFlag returns flagBlank for a line whose Match shows nothing, else 0.
func blankFlag(match []byte) uint8 {
	i := 0
	for i < len(match) && (match[i] == ' ' || match[i] == '\t') {
		i++
	}
	if i < len(match) && match[i] > ' ' && match[i] < 0x7f {
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
	portable bool // clean without assembly (tests compare both)
	k        *classifier
	lb       logtext.LineBuilder
	events   []acEvent
	parts    scanParts
	lanes    laneScratch
	pats     []int32
	// the progress lines' segment finder's events, and the starts of
	// their segments (see findSegments)
	segEvents []acEvent
	segStarts []int32
	segMarks  []uint64
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
	w.findSegments(b)
	w.classify(b)
}

// findSegments finds the segments of the block's progress lines that may
// state events, scanning their Full lines, which the arena holds one after
// the other, at once.
func (w *worker) findSegments(b *blockResult) {
	if len(b.fulls) == 0 {
		return
	}
	sf := w.c.segments
	w.segEvents = sf.m.scanLanes(w.segEvents[:0], b.arena.fulls, '\n', &w.lanes, &w.parts)
	evs := w.segEvents
	w.segStarts, w.segMarks = w.segStarts[:0], w.segMarks[:0]
	for i := range b.fulls {
		f := &b.fulls[i]
		n := 0
		for n < len(evs) && evs[n].pos < f.off+int32(len(f.text)) {
			evs[n].pos -= f.off
			n++
		}
		from := len(w.segStarts)
		w.segStarts, w.segMarks = sf.collect(w.segStarts, w.segMarks, f.text, evs[:n])
		f.segs.starts = w.segStarts[from:len(w.segStarts):len(w.segStarts)]
		f.segs.marks = w.segMarks[from:len(w.segMarks):len(w.segMarks)]
		evs = evs[n:]
	}
}

// clean fills b.clean with the Text of each line of b.raw, each followed
// by '\n'. Most lines need no cleaning but of their escapes, stripped from
// runs of lines at a time (a "\r\n" ending is left, and text drops its
// '\r'); a block without escapes is not copied at all. A line rewritten
// with '\r', or too long to keep whole, is cleaned on its own, and the Full
// of the first kind goes in b.fulls.
func (w *worker) clean(b *blockResult) {
	b.fulls = b.fulls[:0]
	b.arena.fulls = b.arena.fulls[:0]
	b.startsOK = false
	if haveStripEscapes && !w.portable {
		w.cleanFast(b)
		return
	}
	raw := b.raw
	d := dirt{raw: raw, cr: -1, big: -1}
	x := d.next(0)
	if x == len(raw) && bytes.IndexByte(raw, 0x1b) < 0 {
		b.clean = raw
		return
	}
	clean := b.cleanBuf[:0]
	pos := 0 // raw[:pos] is cleaned, and pos starts a line
	for ; x < len(raw); x = d.next(pos) {
		start := pos + lastIndexByte(raw[pos:x], '\n') + 1
		end := x + bytes.IndexByte(raw[x:], '\n')
		clean = logtext.StripANSI(clean, raw[pos:start])
		clean = w.cleanLine(b, clean, raw[start:end+1])
		pos = end + 1
	}
	clean = logtext.StripANSI(clean, raw[pos:])
	clean = slices.Grow(clean, laneSlack) // see scanLanes
	b.cleanBuf = clean
	b.clean = clean
}

// cleanLine appends to clean the Text of raw, a line rewritten with '\r'
// or overlong, and its '\n', and notes its Full in b.fulls.
func (w *worker) cleanLine(b *blockResult, clean, raw []byte) []byte {
	at := len(clean)
	body := bytes.TrimRight(raw, "\r\n")
	// Full lines go in the arena one after the other, each followed by a
	// newline, which ends what the segment finder finds in it, and with
	// room past them for its lanes (see findSegments).
	off := len(b.arena.fulls)
	ar := grow(b.arena.fulls, len(body)+64+1+laneSlack)
	if haveStripEscapes && !w.portable && len(raw) <= logtext.MaxLineBytes {
		// Strip the whole line at once: its Text is then the last
		// segment that shows something, unless an escape took a '\r'.
		ar = stripLine(ar, body)
		if f := ar[off:]; bytes.Count(f, []byte{'\r'}) == bytes.Count(body, []byte{'\r'}) {
			clean = append(clean, lastVisible(f)...)
			clean = append(clean, '\n')
			b.fulls = append(b.fulls, full{at: int32(at), off: int32(off), text: f})
			b.arena.fulls = append(ar, '\n')
			return clean
		}
		ar = ar[:off]
	}
	l := w.lb.Build(0, raw)
	clean = append(clean, l.Text...)
	clean = append(clean, '\n')
	if len(l.Full) != len(l.Text) {
		b.arena.fulls = append(ar, l.Full...)
		b.fulls = append(b.fulls, full{at: int32(at), off: int32(off), text: b.arena.fulls[off:]})
		b.arena.fulls = append(b.arena.fulls, '\n')
	}
	return clean
}

// stripLine appends to dst the line src without its escapes, its '\r's
// kept, as logtext.StripANSI does, with stripEscapes. dst has room for
// 64 bytes more than src.
func stripLine(dst, src []byte) []byte {
	for len(src) > 64 {
		out := dst[len(dst):cap(dst)]
		read, written, stop, _ := stripEscapes(&out[0], &src[0], len(src), false)
		dst, src = dst[:len(dst)+written], src[read:]
		if stop != stopTail {
			break // an escape logtext strips, with the rest
		}
	}
	return logtext.StripANSI(dst, src)
}

// lastVisible returns what a terminal shows of a line rewritten with '\r'
// (see logtext.Clean), given the line without escapes: its last segment
// that is not blank, or its first.
func lastVisible(full []byte) []byte {
	for {
		i := lastIndexByte(full, '\r')
		if i < 0 {
			return full
		}
		if seg := full[i+1:]; len(bytes.TrimSpace(seg)) > 0 {
			return seg
		}
		full = full[:i]
	}
}

// cleanFast is clean with stripEscapes, which strips the escapes of
// sixty-four bytes at a time and finds the lines rewritten with '\r' on
// the way. It leaves to clean's other parts the few escapes it does not
// handle, the lines it stops at and the block's last bytes.
func (w *worker) cleanFast(b *blockResult) {
	raw := b.raw
	// Cleaning never lengthens a line: this is room enough.
	clean := grow(b.cleanBuf[:0], len(raw)+64+laneSlack)
	d := dirt{raw: raw, big: -1}
	for pos := 0; pos < len(raw); {
		// pos starts a line. Strip up to the next overlong line.
		if d.big < pos {
			d.big = d.overlong(pos)
		}
		for big := d.big; pos < big; {
			dst := clean[len(clean):cap(clean)]
			read, written, stop, at := stripEscapes(&dst[0], &raw[pos], big-pos, true)
			clean = clean[:len(clean)+written]
			pos += read
			// What stripEscapes leaves, logtext strips: the last bytes, or
			// the rest of the line of an escape. A '\r' there has not been
			// looked for yet.
			var rest []byte
			switch stop {
			case stopTail:
				rest = raw[pos:big]
			case stopEscape:
				rest = raw[pos : pos+bytes.IndexByte(raw[pos:], '\n')+1]
			}
			if rest != nil {
				if at = indexInnerCR(rest); at < 0 {
					clean = logtext.StripANSI(clean, rest)
					pos += len(rest)
					continue
				}
			}
			// The line of the '\r' at pos+at, cleaned on its own, with what
			// was stripped of it so far taken back.
			cr := pos + at
			start := lastIndexByte(raw[:cr], '\n') + 1
			if start >= pos {
				clean = logtext.StripANSI(clean, raw[pos:start])
			} else {
				clean = clean[:lastIndexByte(clean, '\n')+1]
			}
			end := cr + bytes.IndexByte(raw[cr:], '\n')
			clean = w.cleanLine(b, clean, raw[start:end+1])
			pos = end + 1
		}
		if pos < len(raw) {
			end := pos + bytes.IndexByte(raw[pos:], '\n')
			clean = w.cleanLine(b, clean, raw[pos:end+1])
			pos = end + 1
		}
	}
	b.cleanBuf = clean
	b.clean = clean
}

// indexInnerCR returns the offset of the first '\r' of b followed by
// another byte than '\r' or '\n': one inside a line, not part of its
// ending; or -1.
func indexInnerCR(b []byte) int {
	for from := 0; ; {
		i := bytes.IndexByte(b[from:], '\r')
		if i < 0 {
			return -1
		}
		j := from + i + 1
		for j < len(b) && b[j] == '\r' {
			j++
		}
		if j == len(b) {
			return -1
		}
		if b[j] != '\n' {
			return j - 1
		}
		from = j + 1
	}
}

// dirt finds the lines that need more cleaning than their escapes: those
// holding a '\r' other than those ending them, and those too long to keep
// whole. Each is searched for again only once passed, so a block is read
// once for each.
type dirt struct {
	raw     []byte
	cr, big int // the next offset of each, once found
}

// next returns the first offset at or after pos, the start of a line, of
// a '\r' inside a line or of a line longer than logtext.MaxLineBytes; or
// len(raw). Calls come in order of position.
func (d *dirt) next(pos int) int {
	if d.cr < pos {
		d.cr = len(d.raw)
		if i := indexInnerCR(d.raw[pos:]); i >= 0 {
			d.cr = pos + i
		}
	}
	if d.big < pos {
		d.big = d.overlong(pos)
	}
	return min(d.cr, d.big)
}

// overlong returns the start of the first line at or after pos, itself a
// line start, longer than logtext.MaxLineBytes with its '\n', or len(raw):
// it takes the window of that many bytes from a line start, and goes on
// from the last line start in it, if there is one.
func (d *dirt) overlong(pos int) int {
	for pos+logtext.MaxLineBytes < len(d.raw) {
		i := lastIndexByte(d.raw[pos:pos+logtext.MaxLineBytes], '\n')
		if i < 0 {
			return pos
		}
		pos += i + 1
	}
	return len(d.raw)
}

// classify works out the facts of the lines of b where the automaton found
// a pattern, or that are rewritten with '\r' (b.fulls), into b.recs. Every
// line is classified when a regex requires no literal.
func (w *worker) classify(b *blockResult) {
	b.recs = b.recs[:0]
	ar := &b.arena
	ar.hits, ar.alls, ar.vetoes, ar.events = ar.hits[:0], ar.alls[:0], ar.vetoes[:0], ar.events[:0]
	evs, fulls := w.events, b.fulls
	c := w.c
	clean := b.clean
	every := len(c.unguarded) > 0
	// The line being looked at: its index, and where it starts and ends.
	idx, start := 0, 0
	end := bytes.IndexByte(clean, '\n')
	// The block's first line has no newline before it for the automaton to
	// find: it is looked at whatever it starts with.
	first := len(clean) > 0
	for first || every || len(evs) > 0 || len(fulls) > 0 {
		// The next line to look at holds the next event or starts the next
		// progress line, whichever comes first.
		if !first {
			next := len(clean)
			if len(evs) > 0 {
				next = int(evs[0].pos)
			}
			if len(fulls) > 0 {
				next = min(next, int(fulls[0].at))
			}
			if every {
				next = min(next, end+1)
			}
			if next >= len(clean) {
				break
			}
			// Move on to the line holding next: line by line when it is
			// near, as it mostly is, or by counting the lines between.
			for steps := 0; next > end && steps < 4; steps++ {
				idx, start = idx+1, end+1
				end = start + bytes.IndexByte(clean[start:], '\n')
			}
			if next > end {
				from := end + 1
				start = from + lastIndexByte(clean[from:next], '\n') + 1
				idx += 1 + bytes.Count(clean[from:start], []byte{'\n'})
				end = start + bytes.IndexByte(clean[start:], '\n')
			}
		}
		top := first
		first = false
		r := record{idx: int32(idx), start: int32(start), end: int32(end), full: -1}
		special := every
		var segs *segments // of a progress line, found for the whole block
		if len(fulls) > 0 && int(fulls[0].at) == start {
			r.full = int32(len(b.fulls) - len(fulls))
			segs = &fulls[0].segs
			fulls = fulls[1:]
			special = true
		}
		if !special && !top {
			// Most lines looked at hold only keywords that cannot make
			// them count as errors: such a line has no facts that matter,
			// and is passed without building it.
			worth, n := 0, 0
			for ; n < len(evs) && int(evs[n].pos) < end && worth < weakScore; n++ {
				if v := c.worth[evs[n].state]; v >= 0 {
					worth += int(v)
				} else {
					worth = weakScore
				}
			}
			if worth < weakScore {
				evs = evs[n:]
				continue
			}
		}
		l := b.line(&r)
		// Patterns that start inside the line's timestamp are not in
		// l.Match, nor those that start at the newline before the line.
		from := int32(start + len(l.Text) - len(l.Match))
		w.pats = w.pats[:0]
		for len(evs) > 0 && int(evs[0].pos) < end {
			e := evs[0]
			evs = evs[1:]
			for _, p := range c.ac.patternsAt(e.state) {
				at := e.pos - int32(len(c.ac.patterns[p])) + 1
				if at >= from && (c.exact[p] == nil || bytes.Equal(clean[at:e.pos+1], c.exact[p])) {
					w.pats = append(w.pats, p)
				}
			}
		}
		if !special && len(l.Match) > 0 {
			// The line may state a step's start, without a marker.
			special = logtext.MayHaveEvents(l.Match)
		}
		if len(w.pats) == 0 && !special {
			// What was found means nothing here: the line has no facts,
			// as if the automaton had found nothing.
			continue
		}
		f := w.k.classify(l, w.pats, segs)
		if f.score < weakScore && f.flags == 0 && len(f.hits) == 0 && len(f.alls) == 0 && len(f.vetoes) == 0 && len(f.events) == 0 {
			continue // nothing that changes a report (see stateWorth)
		}
		r.score, r.flags = int32(f.score), f.flags
		r.hits, ar.hits = carve(ar.hits, f.hits)
		r.alls, ar.alls = carve(ar.alls, f.alls)
		r.vetoes, ar.vetoes = carve(ar.vetoes, f.vetoes)
		r.events, ar.events = carve(ar.events, f.events)
		b.recs = append(b.recs, r)
	}
	// The lines after the last one looked at.
	b.nlines = 0
	if len(clean) > 0 {
		b.nlines = idx + 1 + bytes.Count(clean[end+1:], []byte{'\n'})
	}
}

// carve appends s to the arena, and returns its range there and the arena.
func carve[T any](arena, s []T) (span, []T) {
	at := int32(len(arena))
	if len(s) == 0 {
		return span{at, at}, arena
	}
	return span{at, at + int32(len(s))}, append(arena, s...)
}
