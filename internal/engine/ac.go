package engine

import "slices"

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

// states returns the number of DFA states.
func (m *acMatcher) states() int { return len(m.out) }
