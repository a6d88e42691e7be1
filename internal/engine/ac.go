package engine

import (
	"bytes"
	"slices"
	"sync"

	"github.com/faultline-dev/faultline/internal/logtext"
)

// acMatcher finds which of a set of literals occur in a text, ignoring ASCII
// case, in one pass over its bytes.
//
// It is an Aho–Corasick automaton. Bytes are first mapped to equivalence
// classes: every byte that occurs in some pattern gets a class of its own,
// with 'A'–'Z' sharing the class of 'a'–'z', and all other bytes share
// class 0. So the text is never lowercased or copied.
//
// The automaton exists in two forms. The trie of the patterns, with
// failure links, is built with the matcher: it takes a few milliseconds and
// scans tens of megabytes a second, which is what a small log needs. The
// full DFA, a table holding the next state for every state and class, takes
// tens of milliseconds and megabytes to build and scans at hundreds of
// megabytes a second: it is built once, the first time a large log asks
// for it (see dense).
type acMatcher struct {
	class    [256]uint8
	nclass   int
	patterns [][]byte // lowercased
	// The patterns that end at state s, suffixes included, sorted:
	// outIDs[outStart[s]:outStart[s+1]].
	outStart []int32
	outIDs   []int32

	// The trie: state 0 is the root; the children of state s are
	// edges[first[s]:first[s+1]], sorted by class. States are numbered in
	// breadth-first order, so a state's failure state comes before it.
	first []int32
	edges []acEdge
	fail  []int32
	root  []int32 // the root's transition on every class

	denseOnce sync.Once
	delta     []uint32 // state*nclass + class -> next state*nclass | acceptBit
	// tab holds delta after classWords words holding class, byte by byte:
	// scan8 finds both from one register.
	tab    []uint32
	recip  uint64 // see stateOf
	maxLen int    // the longest pattern's length
}

// classWords is how many words of acMatcher.tab hold the byte classes.
const classWords = 256 / 4

type acEdge struct {
	class uint8
	to    int32
}

const acceptBit = 1 << 31

// lowerBytes returns s with ASCII letters lowercased; other bytes, UTF-8
// included, are kept as they are.
func lowerBytes(s string) []byte {
	b := []byte(s)
	for i, c := range b {
		b[i] = lowerASCII(c)
	}
	return b
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// newACMatcher compiles patterns into the trie. Empty patterns are ignored.
func newACMatcher(patterns []string) *acMatcher {
	m := &acMatcher{}
	var used [256]bool
	for _, p := range patterns {
		for i := 0; i < len(p); i++ {
			used[lowerASCII(p[i])] = true
		}
	}
	n := 1
	for c := 0; c < 256; c++ {
		if used[c] {
			m.class[c] = uint8(n)
			n++
		}
	}
	for c := 'A'; c <= 'Z'; c++ {
		m.class[c] = m.class[c+'a'-'A']
	}
	m.nclass = n
	m.recip = 1<<40/uint64(n) + 1

	// Build the trie from the patterns in sorted order: each shares with
	// the one before it the states of their common prefix, and adds the
	// rest, so states are created depth-first with every state's children
	// in increasing class order. Then number them breadth-first.
	ids := make([]int32, 0, len(patterns))
	for id, p := range patterns {
		m.patterns = append(m.patterns, lowerBytes(p))
		m.maxLen = max(m.maxLen, len(p))
		if p != "" {
			ids = append(ids, int32(id))
		}
	}
	slices.SortStableFunc(ids, func(a, b int32) int { return bytes.Compare(m.patterns[a], m.patterns[b]) })
	size := 1
	for _, p := range patterns {
		size += len(p)
	}
	parent := make([]int32, 1, size) // per state, in creation order
	label := make([]uint8, 1, size)  // the class of the edge into the state
	endOf := make([]int32, len(patterns))
	var path []int32 // the states of the previous pattern's bytes
	var prev []byte
	for _, id := range ids {
		lp := m.patterns[id]
		common := 0
		for common < len(lp) && common < len(prev) && lp[common] == prev[common] {
			common++
		}
		path = path[:common]
		for _, c := range lp[common:] {
			from := int32(0)
			if len(path) > 0 {
				from = path[len(path)-1]
			}
			parent = append(parent, from)
			label = append(label, m.class[c])
			path = append(path, int32(len(parent)-1))
		}
		endOf[id] = path[len(path)-1]
		prev = lp
	}
	states := len(parent)
	// Children lists by creation number, then breadth-first numbers.
	kidStart := make([]int32, states+1)
	for s := 1; s < states; s++ {
		kidStart[parent[s]+1]++
	}
	for s := 0; s < states; s++ {
		kidStart[s+1] += kidStart[s]
	}
	kids := make([]int32, states)
	fill := slices.Clone(kidStart[:states])
	for s := 1; s < states; s++ { // creation order keeps each list sorted
		kids[fill[parent[s]]] = int32(s)
		fill[parent[s]]++
	}
	order := make([]int32, 1, states) // breadth-first number -> creation number
	number := make([]int32, states)   // creation number -> breadth-first number
	for i := 0; i < len(order); i++ {
		for _, k := range kids[kidStart[order[i]]:kidStart[order[i]+1]] {
			number[k] = int32(len(order))
			order = append(order, k)
		}
	}
	m.first = make([]int32, states+1)
	m.edges = make([]acEdge, 0, states-1)
	for s, c := range order {
		m.first[s] = int32(len(m.edges))
		for _, k := range kids[kidStart[c]:kidStart[c+1]] {
			m.edges = append(m.edges, acEdge{label[k], number[k]})
		}
	}
	m.first[states] = int32(len(m.edges))

	// Failure links, in breadth-first order: the failure state of a child
	// of s on class c is where the failure chain of s first has a child on c.
	m.root = make([]int32, n)
	for _, e := range m.children(0) {
		m.root[e.class] = e.to
	}
	m.fail = make([]int32, states)
	for s := int32(1); s < int32(states); s++ {
		for _, e := range m.children(s) {
			m.fail[e.to] = m.next(m.fail[s], e.class)
		}
	}

	// Outputs: the patterns ending at a state, then those of its failure
	// state, which comes before it and is complete.
	type end struct{ state, id int32 }
	ends := make([]end, 0, len(ids))
	for _, id := range ids {
		ends = append(ends, end{number[endOf[id]], id})
	}
	slices.SortFunc(ends, func(a, b end) int { return int(a.state - b.state) })
	m.outStart = make([]int32, states+1)
	for s := int32(0); s < int32(states); s++ {
		at := len(m.outIDs)
		m.outStart[s] = int32(at)
		for len(ends) > 0 && ends[0].state == s {
			m.outIDs = append(m.outIDs, ends[0].id)
			ends = ends[1:]
		}
		if s > 0 {
			f := m.fail[s]
			m.outIDs = append(m.outIDs, m.outIDs[m.outStart[f]:m.outStart[f+1]]...)
		}
		if seg := m.outIDs[at:]; len(seg) > 1 {
			slices.Sort(seg)
			m.outIDs = m.outIDs[:at+len(slices.Compact(seg))]
		}
	}
	m.outStart[states] = int32(len(m.outIDs))
	return m
}

func (m *acMatcher) children(s int32) []acEdge { return m.edges[m.first[s]:m.first[s+1]] }

// next returns the trie automaton's transition from state s on class cl.
func (m *acMatcher) next(s int32, cl uint8) int32 {
	for s != 0 {
		for _, e := range m.children(s) {
			if e.class == cl {
				return e.to
			}
			if e.class > cl {
				break
			}
		}
		s = m.fail[s]
	}
	return m.root[cl]
}

// dense returns the full DFA, building it on first use. Every state's row
// is its trie children over its failure state's row, which, in
// breadth-first order, is complete already.
func (m *acMatcher) dense() []uint32 {
	m.denseOnce.Do(func() {
		n := m.nclass
		states := m.states()
		m.tab = make([]uint32, classWords+states*n)
		prefault(m.tab)
		for c, cl := range m.class {
			m.tab[c/4] |= uint32(cl) << (8 * (c % 4))
		}
		delta := m.tab[classWords:]
		mark := func(t int32) uint32 {
			v := uint32(t) * uint32(n)
			if m.outStart[t+1] > m.outStart[t] {
				v |= acceptBit
			}
			return v
		}
		for cl := 0; cl < n; cl++ {
			delta[cl] = mark(m.root[cl])
		}
		for s := 1; s < states; s++ {
			row := delta[s*n : (s+1)*n]
			f := int(m.fail[s])
			copy(row, delta[f*n:(f+1)*n])
			for _, e := range m.children(int32(s)) {
				row[e.class] = mark(e.to)
			}
		}
		m.delta = delta
	})
	return m.delta
}

// appendMatches appends to dst the index of every pattern that occurs in
// line, once per occurrence end, and returns it. Patterns are numbered in
// the order given to newACMatcher; empty ones never match. It uses the full DFA when
// dense has built it.
func (m *acMatcher) appendMatches(dst []int32, line []byte, dense bool) []int32 {
	if !dense {
		var s int32
		for _, c := range line {
			s = m.next(s, m.class[c])
			dst = append(dst, m.patternsAt(s)...)
		}
		return dst
	}
	delta, n := m.dense(), uint32(m.nclass)
	var s uint32
	for _, c := range line {
		s = delta[s+uint32(m.class[c])]
		if s&acceptBit != 0 {
			s &^= acceptBit
			dst = append(dst, m.patternsAt(int32(s/n))...)
		}
	}
	return dst
}

// An acEvent is where the automaton reached an accepting state while
// scanning a block: the offset of the byte that ended the match(es), and the
// state, whose out list names the patterns.
type acEvent struct {
	pos   int32
	state int32
}

// scanStreams is how many parts of a block scanDense interleaves.
const scanStreams = 4

// scanParts is scratch space for scanDense.
type scanParts [scanStreams][]acEvent

// scan appends to dst an event for every accepting state the trie
// automaton reaches over block, in order of position, and returns it.
func (m *acMatcher) scan(dst []acEvent, block []byte) []acEvent {
	var s int32
	for i, c := range block {
		s = m.next(s, m.class[c])
		if m.outStart[s+1] > m.outStart[s] {
			dst = append(dst, acEvent{int32(i), s})
		}
	}
	return dst
}

// scanDense is scan with the full DFA. It cuts text into parts right before
// bytes sep, which no pattern holds but as its first byte, so no match
// spans two parts and each can be scanned on its own: a block is cut at
// '\n', which no pattern holds, and the '\r' segments of a progress line
// for the segmentFinder, whose patterns hold '\r' only first.
//
// The parts are scanned interleaved, one byte of each in turn: a scan is a
// chain of dependent table loads, and four independent chains let the
// processor overlap their memory latency. This runs about twice as fast as
// one chain over the same bytes.
//
// parts holds scratch space for the parts' events, reused between calls.
func (m *acMatcher) scanDense(dst []acEvent, parts *scanParts, text []byte, sep byte) []acEvent {
	if len(text) == 0 {
		return dst
	}
	var bs [scanStreams][]byte
	rest := text
	for i := range bs {
		cut := len(rest)
		if left := scanStreams - i; left > 1 {
			cut = len(rest) / left
			if j := bytes.IndexByte(rest[cut:], sep); j >= 0 {
				cut += j
			} else {
				cut = len(rest)
			}
		}
		bs[i], rest = rest[:cut], rest[cut:]
	}
	evs := parts
	for i := range evs {
		evs[i] = evs[i][:0]
	}
	delta, class, n := m.dense(), &m.class, uint32(m.nclass)
	var states [scanStreams]uint32
	k := min(len(bs[0]), len(bs[1]), len(bs[2]), len(bs[3]))
	if k > 0 {
		p0, p1, p2, p3 := bs[0][:k], bs[1][:k], bs[2][:k], bs[3][:k]
		var s0, s1, s2, s3 uint32
		for i := range p0 {
			s0 = delta[s0+uint32(class[p0[i]])]
			s1 = delta[s1+uint32(class[p1[i]])]
			s2 = delta[s2+uint32(class[p2[i]])]
			s3 = delta[s3+uint32(class[p3[i]])]
			if (s0|s1|s2|s3)&acceptBit != 0 {
				if s0&acceptBit != 0 {
					s0 &^= acceptBit
					evs[0] = append(evs[0], acEvent{int32(i), int32(s0 / n)})
				}
				if s1&acceptBit != 0 {
					s1 &^= acceptBit
					evs[1] = append(evs[1], acEvent{int32(i), int32(s1 / n)})
				}
				if s2&acceptBit != 0 {
					s2 &^= acceptBit
					evs[2] = append(evs[2], acEvent{int32(i), int32(s2 / n)})
				}
				if s3&acceptBit != 0 {
					s3 &^= acceptBit
					evs[3] = append(evs[3], acEvent{int32(i), int32(s3 / n)})
				}
			}
		}
		states = [scanStreams]uint32{s0, s1, s2, s3}
	}
	off := 0
	for i, p := range bs {
		for _, e := range evs[i] {
			dst = append(dst, acEvent{int32(off) + e.pos, e.state})
		}
		// The part's bytes past the interleaved run, one chain alone.
		s := states[i]
		for j := k; j < len(p); j++ {
			s = delta[s+uint32(class[p[j]])]
			if s&acceptBit != 0 {
				s &^= acceptBit
				dst = append(dst, acEvent{int32(off + j), int32(s / n)})
			}
		}
		off += len(p)
	}
	return dst
}

// patternsAt returns the patterns of an event's state.
func (m *acMatcher) patternsAt(state int32) []int32 {
	return m.outIDs[m.outStart[state]:m.outStart[state+1]]
}

// states returns the number of states.
func (m *acMatcher) states() int { return len(m.outStart) - 1 }

// segmentFinder looks through the '\r' segments of a progress line, which
// the catalog's automaton does not see, for what can make them state a
// structural event: the logtext.Markers, and a segment starting like a
// command (logtext.UnmarkedLeads, or a digit, which may begin a
// timestamp).
// Its automaton is small enough for the processor's nearest cache, which
// costs less than looking for each marker in a line of thousands of bytes.
type segmentFinder struct {
	m *acMatcher
}

func newSegmentFinder() *segmentFinder {
	pats := append(append([]string(nil), logtext.Markers...), leadPatterns('\r')...)
	return &segmentFinder{m: newACMatcher(pats)}
}

// segmentScratch is scratch space for segmentFinder.find, reused between
// calls.
type segmentScratch struct {
	events []acEvent
	parts  scanParts
	lanes  laneScratch
	starts []int32
	marks  []uint64
}

// segments is what the segment finder found in a progress line: the
// offsets of the segments that may state an event, in order (those holding
// a marker, and those starting like a command), and the markers each holds
// (bit i for logtext.Markers[i], found ignoring case: a superset).
type segments struct {
	starts []int32
	marks  []uint64
}

// find returns the segments of full. Its starts are valid until the next
// call.
func (f *segmentFinder) find(full []byte, scratch *segmentScratch) segments {
	// Progress lines run to thousands of bytes: scan them in lanes, like
	// blocks, when they are long enough.
	scratch.events = f.m.scanLanes(scratch.events[:0], full, '\r', &scratch.lanes, &scratch.parts)
	var sg segments
	sg.starts, sg.marks = f.collect(scratch.starts[:0], scratch.marks[:0], full, scratch.events)
	scratch.starts, scratch.marks = sg.starts, sg.marks
	return sg
}

// collect appends to starts the starts of the segments of full that may
// state an event, and to marks the markers each holds, given the events of
// the automaton over full, and returns both.
func (f *segmentFinder) collect(starts []int32, marks []uint64, full []byte, events []acEvent) ([]int32, []uint64) {
	first := full
	if i := bytes.IndexByte(full, '\r'); i >= 0 {
		first = full[:i]
	}
	from := len(starts)
	if logtext.MayHaveEvents(logtext.StripTimestamp(first)) {
		starts, marks = append(starts, 0), append(marks, 0)
	}
	for _, e := range events {
		for _, p := range f.m.patternsAt(e.state) {
			var at int32
			if p < int32(len(logtext.Markers)) {
				at = int32(lastIndexByte(full[:e.pos], '\r') + 1)
			} else if at = e.pos - int32(len(f.m.patterns[p])) + 2; !logtext.MayHaveEvents(logtext.StripTimestamp(full[at:])) {
				continue // a digit, not a timestamp before a command
			}
			// The segments of events come in order, and often twice.
			if n := len(starts); n == from || starts[n-1] != at {
				starts, marks = append(starts, at), append(marks, 0)
			}
			if p < int32(len(logtext.Markers)) {
				marks[len(marks)-1] |= 1 << p
			}
		}
	}
	return starts, marks
}
