package engine

import (
	"regexp/syntax"
	"slices"
	"sort"
)

// minFactor is the shortest literal worth using as a regex's first
// prefilter factor: shorter ones occur on too many lines to save anything.
// A second factor may be as short as minSecondFactor: "::" alone is
// everywhere, but "::" on a line that also holds "test" is rare.
const (
	minFactor       = 3
	minSecondFactor = 2
)

// maxFactors is how many factors one regex requires at most.
const maxFactors = 2

// Prefilter returns what a line must contain for the RE2 expression expr to
// match it: up to two factors, each a set of literals of which the line
// must contain at least one (ignoring ASCII case). `(FAIL|ERROR): (test\w+)`
// gives [[FAIL ERROR] [test]]: a line needs FAIL or ERROR, and test. It
// returns nil when every match need not contain any literal of 3 or more
// bytes; such a regex must run on every line.
//
// The engine runs a regex only on lines where its literals were found in
// the same automaton pass that finds every other signal, so RE2 runs
// rarely. Requiring two factors matters: a single common word such as
// "test" or "http" lets a regex run on a tenth of all lines.
func Prefilter(expr string) [][]string {
	re, err := parseSimple(expr)
	if err != nil {
		return nil
	}
	return prefilter(re)
}

// parseSimple parses an RE2 expression as package regexp does, simplified.
func parseSimple(expr string) (*syntax.Regexp, error) {
	re, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return nil, err
	}
	return re.Simplify(), nil
}

func prefilter(re *syntax.Regexp) [][]string {
	fs := factors(re)
	// The best factors are those whose shortest alternative is longest.
	sort.SliceStable(fs, func(i, j int) bool { return quality(fs[i]) > quality(fs[j]) })
	var out [][]string
	for _, f := range fs {
		least := minFactor
		if len(out) > 0 {
			least = minSecondFactor
		}
		if quality(f) < least || len(out) == maxFactors {
			break
		}
		if !slices.ContainsFunc(out, func(g []string) bool { return slices.Equal(g, f) }) {
			out = append(out, f)
		}
	}
	return out
}

// RequiredLiteral returns the longest single literal (at least 3 bytes)
// that every match of expr contains, or "".
func RequiredLiteral(expr string) string {
	for _, f := range Prefilter(expr) {
		if len(f) == 1 {
			return f[0]
		}
	}
	return ""
}

func quality(f []string) int {
	q := -1
	for _, s := range f {
		if q < 0 || len(s) < q {
			q = len(s)
		}
	}
	return q
}

// literal returns the text of a literal node usable by the case-insensitive
// automaton: any case-sensitive literal, and case-folded ASCII ones.
func literal(re *syntax.Regexp) (string, bool) {
	if re.Op != syntax.OpLiteral {
		return "", false
	}
	s := string(re.Rune)
	if re.Flags&syntax.FoldCase != 0 && !isASCII(s) {
		return "", false
	}
	return s, true
}

// factors returns sets of literals every match of re contains one of.
func factors(re *syntax.Regexp) [][]string {
	switch re.Op {
	case syntax.OpLiteral:
		if s, ok := literal(re); ok {
			return [][]string{{s}}
		}
	case syntax.OpConcat:
		var out [][]string
		run := ""
		for _, sub := range re.Sub {
			if s, ok := literal(sub); ok {
				run += s
				continue
			}
			if run != "" {
				out = append(out, []string{run})
				run = ""
			}
			out = append(out, factors(sub)...)
		}
		if run != "" {
			out = append(out, []string{run})
		}
		return out
	case syntax.OpCapture, syntax.OpPlus:
		return factors(re.Sub[0])
	case syntax.OpRepeat:
		if re.Min >= 1 {
			return factors(re.Sub[0])
		}
	case syntax.OpAlternate:
		// Each branch contributes its best factor; a branch with none
		// leaves the alternation with none.
		var set []string
		for _, sub := range re.Sub {
			fs := factors(sub)
			if len(fs) == 0 {
				return nil
			}
			best := fs[0]
			for _, f := range fs[1:] {
				if quality(f) > quality(best) {
					best = f
				}
			}
			set = append(set, best...)
		}
		slices.Sort(set)
		return [][]string{slices.Compact(set)}
	}
	return nil
}

// FirstBytes returns the bytes a line may start with for the anchored RE2
// expression expr to match it, or nil when expr is not anchored at the
// start of the text or its first byte is not fixed to an ASCII set.
func FirstBytes(expr string) *[256]bool {
	re, err := parseSimple(expr)
	if err != nil {
		return nil
	}
	return firstBytes(re)
}

func firstBytes(re *syntax.Regexp) *[256]bool {
	for re.Op == syntax.OpCapture {
		re = re.Sub[0]
	}
	if re.Op != syntax.OpConcat || len(re.Sub) < 2 || re.Sub[0].Op != syntax.OpBeginText {
		return nil
	}
	first := re.Sub[1]
	for first.Op == syntax.OpCapture || first.Op == syntax.OpPlus || (first.Op == syntax.OpRepeat && first.Min >= 1) {
		first = first.Sub[0]
	}
	var set [256]bool
	switch first.Op {
	case syntax.OpLiteral:
		r := first.Rune[0]
		if r >= 0x80 {
			return nil
		}
		set[r] = true
		if first.Flags&syntax.FoldCase != 0 {
			set[lowerASCII(byte(r))] = true
			set[upperASCII(byte(r))] = true
		}
	case syntax.OpCharClass:
		for i := 0; i+1 < len(first.Rune); i += 2 {
			lo, hi := first.Rune[i], first.Rune[i+1]
			if hi >= 0x80 {
				return nil
			}
			for r := lo; r <= hi; r++ {
				set[r] = true
			}
		}
	default:
		return nil
	}
	return &set
}

func upperASCII(c byte) byte {
	if 'a' <= c && c <= 'z' {
		return c - 'a' + 'A'
	}
	return c
}
