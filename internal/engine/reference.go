package engine

import (
	"bytes"

	"github.com/faultline-dev/faultline/internal/catalog"
)

// referenceMatch is the obviously correct, slow counterpart of acMatcher:
// it returns the indexes of the patterns that occur in line, ignoring ASCII
// case, by testing each one. Tests check that the automaton agrees with it.
func referenceMatch(patterns []string, line []byte) []int32 {
	low := make([]byte, len(line))
	for i, c := range line {
		low[i] = lowerASCII(c)
	}
	var out []int32
	for i, p := range patterns {
		if p != "" && bytes.Contains(low, lowerBytes(p)) {
			out = append(out, int32(i))
		}
	}
	return out
}

// newReferenceEngine returns an engine that runs every playbook regex on
// every line, as written: with no literal prefilter, head or quick filter. Its reports must equal those of
// the engine New returns; tests check that they do.
func newReferenceEngine(pbs []*catalog.Playbook) *Engine {
	c := compile(pbs)
	c.unguarded = c.unguarded[:0]
	for r, cr := range c.regexes {
		cr.more = nil // no factor to check either
		cr.plain = true
		c.unguarded = append(c.unguarded, int32(r))
	}
	for p, us := range c.uses {
		kept := us[:0]
		for _, u := range us {
			if u.kind != useRegex {
				kept = append(kept, u)
			}
		}
		c.uses[p] = kept
	}
	return &Engine{c: c}
}
