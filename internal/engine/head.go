package engine

import (
	"bytes"
	"regexp/syntax"
	"unicode/utf8"
)

// A head is a test a line must pass for a regex to match it, run before
// Go's regexp, whose every call costs a few hundred nanoseconds before it
// reads a byte. Most lines that reach a regex hold its literals and still
// do not match it, and the few bytes after one of them say so: "  99.
// https://…" holds what `^\s+\d+\. [1-5]\d\d https?://` needs to run, and
// fails at its ninth byte.
//
// It is the regex's leading elements, from the start of an anchored regex
// or from right after one of its literals, as far as they are simple:
// literals, byte classes repeated, an optional literal, a choice of
// literals and the end of the line. A class repeated a varying number of
// times is matched greedily, which finds a match if there is one only when
// what follows cannot start with a byte of the class: the steps end after
// the first class for which that is not so.
type head struct {
	lit   []byte // the steps start after an occurrence of lit, or at the start when nil
	steps []headStep
}

type headStep struct {
	set      byteSet
	min, max int      // how many bytes of set, in a row; max < 0: no bound
	opt      []byte   // an optional literal, instead of set
	alts     [][]byte // one of these literals, instead of set
	end      bool     // the end of the line, instead of set
}

// byteSet is a set of bytes, a bit each.
type byteSet [4]uint64

func (s *byteSet) has(c byte) bool { return s[c>>6]&(1<<(c&63)) != 0 }
func (s *byteSet) add(c byte)      { s[c>>6] |= 1 << (c & 63) }

func (s *byteSet) meets(t *byteSet) bool {
	return s[0]&t[0]|s[1]&t[1]|s[2]&t[2]|s[3]&t[3] != 0
}

// hasHigh reports whether s holds bytes of multibyte UTF-8 sequences.
func (s *byteSet) hasHigh() bool { return s[2]|s[3] != 0 }

// match reports whether text may match the head's regex.
func (h *head) match(text []byte) bool {
	// Steps after each occurrence of a literal can read to the end of the
	// line: past a budget linear in its length, give up and say it may
	// match, as Go's regexp takes linear time whatever the line.
	budget := 4*len(text) + 64
	if h.lit == nil {
		return matchSteps(text, 0, h.steps, &budget)
	}
	for i := 0; i < len(text); {
		j := bytes.Index(text[i:], h.lit)
		if j < 0 {
			return false
		}
		if matchSteps(text, i+j+len(h.lit), h.steps, &budget) {
			return true
		}
		i += j + 1
	}
	return false
}

func matchSteps(text []byte, i int, steps []headStep, budget *int) bool {
	for k := range steps {
		st := &steps[k]
		switch {
		case st.end:
			if i != len(text) {
				return false
			}
		case st.opt != nil:
			if bytes.HasPrefix(text[i:], st.opt) && matchSteps(text, i+len(st.opt), steps[k+1:], budget) {
				return true
			}
		case st.alts != nil:
			for _, alt := range st.alts {
				if bytes.HasPrefix(text[i:], alt) && matchSteps(text, i+len(alt), steps[k+1:], budget) {
					return true
				}
			}
			return false
		default:
			n := 0
			for i < len(text) && n != st.max && st.set.has(text[i]) {
				i++
				n++
			}
			if n < st.min {
				return false
			}
			if *budget -= n + 1; *budget < 0 {
				return true
			}
		}
	}
	return true
}

// headOf returns the head of the RE2 expression expr, or nil when it has
// none worth testing: an anchored one, else the one after the literal
// followed by the most steps.
func headOf(expr string) *head {
	re, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return nil
	}
	elems := inlineCaptures(nil, []*syntax.Regexp{re})
	if len(elems) > 0 && (elems[0].Op == syntax.OpBeginText || elems[0].Op == syntax.OpBeginLine) {
		if steps := headSteps(elems[1:]); len(steps) > 0 {
			return &head{steps: steps}
		}
		return nil
	}
	var best *head
	for j, e := range elems {
		if e.Op != syntax.OpLiteral || e.Flags&syntax.FoldCase != 0 || len(string(e.Rune)) < 2 {
			continue
		}
		if steps := headSteps(elems[j+1:]); len(steps) > 0 && (best == nil || len(steps) > len(best.steps)) {
			best = &head{lit: []byte(string(e.Rune)), steps: steps}
		}
	}
	return best
}

// maxHeadOpts bounds the optional literals and choices of a head, and
// maxHeadAlts the literals of one choice.
const (
	maxHeadOpts = 3
	maxHeadAlts = 8
)

// headSteps returns the steps of the leading simple elements of elems,
// ending after a class repeated a varying number of times that could take
// the first byte of what follows it.
func headSteps(elems []*syntax.Regexp) []headStep {
	var steps []headStep
	opts := 0
	for _, e := range elems {
		s, ok := stepsOf(e)
		if len(s) == 1 && (s[0].opt != nil || s[0].alts != nil) {
			// Each optional literal doubles the ways to try: a custom
			// playbook's regex must not make a head take exponential time,
			// where Go's regexp takes linear time.
			if opts++; opts > maxHeadOpts {
				break
			}
		}
		steps = append(steps, s...)
		if !ok {
			break
		}
	}
	for k := range steps {
		if st := &steps[k]; st.opt == nil && !st.end && st.min != st.max {
			if next := firstOf(steps[k+1:]); st.set.meets(&next) {
				return steps[:k+1]
			}
		}
	}
	return steps
}

// firstOf returns the bytes that a match of steps may start with, up to
// the first step that must match something (or the end of the line).
func firstOf(steps []headStep) byteSet {
	var first byteSet
	for _, st := range steps {
		switch {
		case st.end:
			return first
		case st.opt != nil:
			first.add(st.opt[0])
		case st.alts != nil:
			for _, alt := range st.alts {
				first.add(alt[0])
			}
			return first
		default:
			for i := range first {
				first[i] |= st.set[i]
			}
			if st.min > 0 {
				return first
			}
		}
	}
	return first
}

// stepsOf returns the steps of one element, or false when it is not simple:
// then the steps are those of its simple start, if any (a literal up to a
// character that is not).
func stepsOf(e *syntax.Regexp) ([]headStep, bool) {
	switch e.Op {
	case syntax.OpEmptyMatch:
		return nil, true
	case syntax.OpEndText, syntax.OpEndLine: // a line holds no '\n'
		return []headStep{{end: true}}, true
	case syntax.OpLiteral:
		var steps []headStep
		for _, r := range e.Rune {
			if e.Flags&syntax.FoldCase != 0 && r >= utf8.RuneSelf {
				return steps, false
			}
			var buf [utf8.UTFMax]byte
			for _, c := range buf[:utf8.EncodeRune(buf[:], r)] {
				set, ok := runeSet(c, e.Flags&syntax.FoldCase != 0)
				if !ok {
					return steps, false
				}
				steps = append(steps, headStep{set: set, min: 1, max: 1})
			}
		}
		return steps, true
	case syntax.OpQuest:
		if sub := e.Sub[0]; sub.Op == syntax.OpLiteral && sub.Flags&syntax.FoldCase == 0 && len(sub.Rune) > 1 {
			return []headStep{{opt: []byte(string(sub.Rune))}}, true
		}
		return repeatOf(e.Sub[0], 0, 1)
	case syntax.OpAlternate:
		// A choice of literals, as written (find|resolve).
		var alts [][]byte
		for _, sub := range e.Sub {
			if sub.Op != syntax.OpLiteral || sub.Flags&syntax.FoldCase != 0 || len(alts) == maxHeadAlts {
				return nil, false
			}
			alts = append(alts, []byte(string(sub.Rune)))
		}
		return []headStep{{alts: alts}}, true
	case syntax.OpStar:
		return repeatOf(e.Sub[0], 0, -1)
	case syntax.OpPlus:
		return repeatOf(e.Sub[0], 1, -1)
	case syntax.OpRepeat:
		return repeatOf(e.Sub[0], e.Min, e.Max)
	}
	return repeatOf(e, 1, 1)
}

// repeatOf returns the step of one character of e, min to max times.
// Counts are of bytes, so a class that matches multibyte characters may
// only be repeated one or more times, or any number.
func repeatOf(e *syntax.Regexp, min, max int) ([]headStep, bool) {
	set, ok := charSet(e)
	if !ok || set.hasHigh() && (max >= 0 || min > 1) {
		return nil, false
	}
	return []headStep{{set: set, min: min, max: max}}, true
}

// runeSet returns the set of one ASCII byte, or of both cases of a letter
// when fold is set. The letters whose case folds outside ASCII (k and s
// fold to the Kelvin sign and the long s) are not simple.
func runeSet(c byte, fold bool) (byteSet, bool) {
	var set byteSet
	set.add(c)
	if fold && c < utf8.RuneSelf {
		l := lowerASCII(c)
		if l == 'k' || l == 's' {
			return set, false
		}
		set.add(l)
		set.add(upperASCII(l))
	}
	return set, true
}

// charSet returns the bytes one character matching e may consist of: a
// literal character, a class or any character. A class holding some but
// not all characters past ASCII is not simple.
func charSet(e *syntax.Regexp) (byteSet, bool) {
	var set byteSet
	switch e.Op {
	case syntax.OpLiteral:
		if len(e.Rune) != 1 || e.Rune[0] >= utf8.RuneSelf {
			return set, false
		}
		return runeSet(byte(e.Rune[0]), e.Flags&syntax.FoldCase != 0)
	case syntax.OpAnyCharNotNL, syntax.OpAnyChar:
		for c := 0; c < 256; c++ {
			if c != '\n' || e.Op == syntax.OpAnyChar {
				set.add(byte(c))
			}
		}
		return set, true
	case syntax.OpCharClass:
		high := rune(utf8.RuneSelf) // the first character past ASCII not yet covered
		for i := 0; i+1 < len(e.Rune); i += 2 {
			lo, hi := e.Rune[i], e.Rune[i+1]
			for r := lo; r <= hi && r < utf8.RuneSelf; r++ {
				set.add(byte(r))
			}
			if hi >= utf8.RuneSelf {
				if lo > high {
					return set, false // a gap
				}
				high = max(high, hi+1)
			}
		}
		switch high {
		case utf8.RuneSelf: // nothing past ASCII
		case utf8.MaxRune + 1: // everything past ASCII, invalid bytes included (as U+FFFD)
			for c := 0x80; c < 256; c++ {
				set.add(byte(c))
			}
		default:
			return set, false
		}
		return set, true
	}
	return set, false
}
