package engine

import (
	"bytes"
	"slices"
)

// acMatcher finds which of a set of literals occur in a line, ignoring ASCII
// case, in one pass over the line's bytes.
//
// It is an Aho–Corasick automaton compiled to a full DFA. Bytes are first
// mapped to equivalence classes: every byte that occurs in some pattern gets
// a class of its own, with 'A'–'Z' sharing the class of 'a'–'z', and all
// other bytes share class 0. So the line is never lowercased or copied. The
// transition table holds, for every state and class, the next state; a state
// whose accepting bit (the top bit) is set ends at least one pattern, and
// out[state] lists them, suffix matches included.
type acMatcher struct {
	class    [256]uint8
	nclass   int
	delta    []uint32 // state*nclass + class -> next state*nclass | acceptBit
	out      [][]int32
	patterns [][]byte // lowercased
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

// newACMatcher compiles patterns. Empty patterns are ignored.
func newACMatcher(patterns []string) *acMatcher {
	m := &acMatcher{}
	// Byte classes.
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

	// The trie is built in the transition table itself: delta[s*n+cl] is
	// the child of s on class cl, 0 when there is none (state 0 is the root,
	// never a child). Then, in breadth-first order, every missing transition
	// is filled with the failure state's transition on the same class.
	size := 1
	for _, p := range patterns {
		size += len(p)
	}
	delta := make([]uint32, size*n)
	outs := make([][]int32, 1, size)
	for id, p := range patterns {
		lp := lowerBytes(p)
		m.patterns = append(m.patterns, lp)
		if p == "" {
			continue
		}
		s := uint32(0)
		for i := 0; i < len(lp); i++ {
			e := int(s)*n + int(m.class[lp[i]])
			if delta[e] == 0 {
				delta[e] = uint32(len(outs))
				outs = append(outs, nil)
			}
			s = delta[e]
		}
		outs[s] = append(outs[s], int32(id))
	}
	states := len(outs)
	delta = delta[:states*n]
	fail := make([]uint32, states)
	queue := make([]uint32, 0, states)
	for cl := 0; cl < n; cl++ {
		if t := delta[cl]; t != 0 {
			queue = append(queue, t) // fail[t] = 0, the root
		}
	}
	for i := 0; i < len(queue); i++ {
		s := queue[i]
		f := fail[s]
		outs[s] = append(outs[s], outs[f]...)
		row, frow := delta[int(s)*n:int(s+1)*n], delta[int(f)*n:int(f+1)*n]
		for cl := 0; cl < n; cl++ {
			if t := row[cl]; t != 0 {
				fail[t] = frow[cl] &^ acceptBit
				queue = append(queue, t)
			} else {
				row[cl] = frow[cl]
			}
		}
	}
	// Store targets premultiplied by the number of classes, so that the
	// scan loop adds a class to a state without multiplying.
	for e, t := range delta {
		v := t * uint32(n)
		if len(outs[t]) > 0 {
			v |= acceptBit
		}
		delta[e] = v
	}
	for s, o := range outs {
		if len(o) > 1 {
			slices.Sort(o)
			outs[s] = slices.Compact(o)
		}
	}
	m.delta, m.out = delta, outs
	return m
}

// match calls fn with the index of every pattern that occurs in line, once
// per occurrence end. Patterns are numbered in the order given to
// newACMatcher; empty ones never match.
func (m *acMatcher) match(line []byte, fn func(pattern int32)) {
	if len(m.patterns) == 0 {
		return
	}
	var s uint32 // the current state, premultiplied by the number of classes
	n := uint32(m.nclass)
	delta, class := m.delta, &m.class
	for _, c := range line {
		s = delta[s+uint32(class[c])]
		if s&acceptBit != 0 {
			s &^= acceptBit
			for _, p := range m.out[s/n] {
				fn(p)
			}
		}
	}
}

// appendMatches appends to dst the index of every pattern that occurs in
// line, once per occurrence end, and returns it.
func (m *acMatcher) appendMatches(dst []int32, line []byte) []int32 {
	if len(m.patterns) == 0 {
		return dst
	}
	var s uint32
	n := uint32(m.nclass)
	delta, class := m.delta, &m.class
	for _, c := range line {
		s = delta[s+uint32(class[c])]
		if s&acceptBit != 0 {
			s &^= acceptBit
			dst = append(dst, m.out[s/n]...)
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

// scanStreams is how many parts of a block scan interleaves.
const scanStreams = 4

// scan appends to dst an event for every accepting state the automaton
// reaches over block, a run of whole lines each ending in '\n', in order of
// position, and returns it. No pattern holds '\n', so the automaton is at its
// root at the start of every line, and the block can be cut at line
// boundaries into parts scanned independently.
//
// The parts are scanned interleaved, one byte of each in turn: a scan is a
// chain of dependent table loads, and four independent chains let the
// processor overlap their memory latency. This runs about twice as fast as
// one chain over the same bytes.
//
// parts holds scratch space for the parts' events, reused between calls.
func (m *acMatcher) scan(dst []acEvent, parts *scanParts, block []byte) []acEvent {
	if len(m.patterns) == 0 || len(block) == 0 {
		return dst
	}
	var bs [scanStreams][]byte
	rest := block
	for i := range bs {
		cut := len(rest)
		if left := scanStreams - i; left > 1 {
			cut = len(rest) / left
			if j := bytes.IndexByte(rest[cut:], '\n'); j >= 0 {
				cut += j + 1
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
	var states [scanStreams]uint32
	k := min(len(bs[0]), len(bs[1]), len(bs[2]), len(bs[3]))
	if k > 0 {
		delta, class := m.delta, &m.class
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
					evs[0] = append(evs[0], acEvent{int32(i), int32(s0)})
				}
				if s1&acceptBit != 0 {
					s1 &^= acceptBit
					evs[1] = append(evs[1], acEvent{int32(i), int32(s1)})
				}
				if s2&acceptBit != 0 {
					s2 &^= acceptBit
					evs[2] = append(evs[2], acEvent{int32(i), int32(s2)})
				}
				if s3&acceptBit != 0 {
					s3 &^= acceptBit
					evs[3] = append(evs[3], acEvent{int32(i), int32(s3)})
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
			s = m.delta[s+uint32(m.class[p[j]])]
			if s&acceptBit != 0 {
				s &^= acceptBit
				dst = append(dst, acEvent{int32(off + j), int32(s)})
			}
		}
		off += len(p)
	}
	return dst
}

// scanParts is scratch space for scan.
type scanParts [scanStreams][]acEvent

// patternsAt returns the patterns of an event's state.
func (m *acMatcher) patternsAt(state int32) []int32 {
	return m.out[uint32(state)/uint32(m.nclass)]
}

// states returns the number of DFA states.
func (m *acMatcher) states() int { return len(m.out) }
