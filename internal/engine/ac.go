package engine

import "sort"

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
	delta    []uint32 // state*nclass + class -> next state | acceptBit
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

	// Trie over classes; goto[s][cl] = 0 means no edge (state 0 is the root,
	// never a target of a trie edge).
	type node struct {
		next map[uint8]int32
		out  []int32
	}
	nodes := []node{{next: map[uint8]int32{}}}
	for id, p := range patterns {
		lp := lowerBytes(p)
		m.patterns = append(m.patterns, lp)
		if p == "" {
			continue
		}
		s := int32(0)
		for i := 0; i < len(lp); i++ {
			cl := m.class[lp[i]]
			nx, ok := nodes[s].next[cl]
			if !ok {
				nx = int32(len(nodes))
				nodes = append(nodes, node{next: map[uint8]int32{}})
				nodes[s].next[cl] = nx
			}
			s = nx
		}
		nodes[s].out = append(nodes[s].out, int32(id))
	}

	// BFS: failure links, outputs merged along them, then renumber states in
	// BFS order so that states near the root sit close together in memory.
	order := make([]int32, 0, len(nodes))
	fail := make([]int32, len(nodes))
	order = append(order, 0)
	for i := 0; i < len(order); i++ {
		s := order[i]
		cls := make([]int, 0, len(nodes[s].next))
		for cl := range nodes[s].next {
			cls = append(cls, int(cl))
		}
		sort.Ints(cls)
		for _, c := range cls {
			cl := uint8(c)
			t := nodes[s].next[cl]
			if s != 0 {
				f := fail[s]
				for {
					if nx, ok := nodes[f].next[cl]; ok {
						fail[t] = nx
						break
					}
					if f == 0 {
						fail[t] = 0
						break
					}
					f = fail[f]
				}
			}
			nodes[t].out = append(nodes[t].out, nodes[fail[t]].out...)
			order = append(order, t)
		}
	}
	rank := make([]int32, len(nodes))
	for i, s := range order {
		rank[s] = int32(i)
	}
	m.delta = make([]uint32, len(nodes)*n)
	m.out = make([][]int32, len(nodes))
	for _, s := range order { // parents before children
		r := int(rank[s])
		if len(nodes[s].out) > 0 {
			outs := append([]int32(nil), nodes[s].out...)
			sort.Slice(outs, func(i, j int) bool { return outs[i] < outs[j] })
			m.out[r] = outs
		}
		for cl := 0; cl < n; cl++ {
			var t int32
			if nx, ok := nodes[s].next[uint8(cl)]; ok {
				t = nx
			} else if s != 0 {
				// Same transition as the failure state, already computed
				// since failure states are shallower.
				t = -1
			}
			var v uint32
			if t >= 0 {
				v = uint32(rank[t])
				if len(nodes[t].out) > 0 {
					v |= acceptBit
				}
			} else {
				v = m.delta[int(rank[fail[s]])*n+cl]
			}
			m.delta[r*n+cl] = v
		}
	}
	return m
}

// match calls fn with the index of every pattern that occurs in line, once
// per occurrence end. Patterns are numbered in the order given to
// newACMatcher; empty ones never match.
func (m *acMatcher) match(line []byte, fn func(pattern int32)) {
	if len(m.patterns) == 0 {
		return
	}
	var s uint32
	n := uint32(m.nclass)
	delta, class := m.delta, &m.class
	for _, c := range line {
		s = delta[s*n+uint32(class[c])]
		if s&acceptBit != 0 {
			s &^= acceptBit
			for _, p := range m.out[s] {
				fn(p)
			}
		}
	}
}

// states returns the number of DFA states.
func (m *acMatcher) states() int { return len(m.out) }
