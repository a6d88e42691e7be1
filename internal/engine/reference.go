package engine

import "bytes"

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
