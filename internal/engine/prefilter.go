package engine

import (
	"regexp/syntax"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"
)

// minFactor is the shortest literal worth using as a regex's first
// prefilter factor: shorter ones occur on too many lines to save anything.
// Further factors may be as short as minSecondFactor: "::" alone is
// everywhere, but "::" on a line that also holds "test" is rare.
const (
	minFactor       = 3
	minSecondFactor = 2
)

// maxFactors is how many factors one regex requires at most.
const maxFactors = 3

// Prefilter returns what a line must contain for the RE2 expression expr to
// match it: up to three factors, each a set of literals of which the line
// must contain at least one (ignoring ASCII case). `(FAIL|ERROR): (test\w+)`
// gives [[FAIL ERROR] [test]]: a line needs FAIL or ERROR, and test. It
// returns nil when every match need not contain any literal of 3 or more
// bytes; such a regex must run on every line.
//
// The engine runs a regex only on lines where its literals were found in
// the same automaton pass that finds every other signal, so RE2 runs
// rarely. Requiring several factors matters: a single common word such as
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
	out := bestFactors(factors(re, spaceClass))
	if len(out) > 0 && quality(out[0]) < longTrigger {
		// A short trigger is common in logs (" http", ".js:"): spelling
		// out the digits next to it can make it far rarer ("0 http" …
		// "9 http": a status code before a URL). The other factors stay
		// as they were: sets of ten literals cost more to check than the
		// one literal they would replace.
		if wide := bestFactors(factors(re, digitClass)); len(wide) > 0 && rarity(wide[0]) > rarity(out[0]) {
			out[0] = wide[0]
		}
	}
	return out
}

// longTrigger is the length from which a trigger is rare enough as it is.
const longTrigger = 6

// bestFactors returns the best trigger of fs and the best factors after it.
func bestFactors(fs [][]string) [][]string {
	// The best factors are the rarest in logs, then those whose shortest
	// alternative is longest.
	sort.SliceStable(fs, func(i, j int) bool {
		if ri, rj := rarity(fs[i]), rarity(fs[j]); ri != rj {
			return ri > rj
		}
		return quality(fs[i]) > quality(fs[j])
	})
	// The first is the trigger, which must be long enough to be worth
	// finding on every line; the others only need to be worth checking.
	first := slices.IndexFunc(fs, func(f []string) bool { return quality(f) >= minFactor })
	if first < 0 {
		return nil
	}
	out := [][]string{fs[first]}
	for _, f := range fs {
		if len(out) == maxFactors {
			break
		}
		if quality(f) >= minSecondFactor && !slices.ContainsFunc(out, func(g []string) bool { return slices.Equal(g, f) }) {
			out = append(out, f)
		}
	}
	return out
}

// RequiredLiteral returns the rarest single literal of at least 3 bytes
// (see rarity) that every match of expr contains, or "".
func RequiredLiteral(expr string) string {
	re, err := parseSimple(expr)
	if err != nil {
		return ""
	}
	// Without digits spelled out: they make sets of literals.
	for _, f := range bestFactors(factors(re, spaceClass)) {
		if len(f) == 1 {
			return f[0]
		}
	}
	return ""
}

// rarity estimates how seldom a factor occurs in a log: that of its most
// common alternative, where each byte counts more the rarer it is in text
// (ignoring case, as the automaton does). ".kt" beats "e: " although both
// are three bytes long: "e: " ends every word before a colon.
func rarity(f []string) int {
	r := -1
	for _, s := range f {
		n := 0
		for i := 0; i < len(s); i++ {
			n += byteRarity(lowerASCII(s[i]))
		}
		if r < 0 || n < r {
			r = n
		}
	}
	return r
}

// byteRarity weighs a byte by how rare it is in logs: English letter
// frequencies for letters, and punctuation that paths, URLs and
// timestamps are full of counted as common.
func byteRarity(c byte) int {
	switch {
	case strings.IndexByte(" etaoinsr", c) >= 0:
		return 2
	case strings.IndexByte("hldcumfpgwyb0123456789./:-_,", c) >= 0:
		return 3
	case strings.IndexByte("vkxjqz", c) >= 0:
		return 5
	}
	return 4 // other punctuation, control bytes, UTF-8
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

// foldsCase reports whether some literal of re ignores case, as (?i) or a
// class such as [Ee], which the parser turns into a case-folded literal,
// makes it.
func foldsCase(re *syntax.Regexp) bool {
	if re.Op == syntax.OpLiteral && re.Flags&syntax.FoldCase != 0 {
		return true
	}
	return slices.ContainsFunc(re.Sub, foldsCase)
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

// factors returns sets of literals every match of re contains one of,
// spelling out classes of up to maxClass bytes.
func factors(re *syntax.Regexp, maxClass int) [][]string {
	switch re.Op {
	case syntax.OpLiteral:
		if s, ok := literal(re); ok {
			return [][]string{{s}}
		}
	case syntax.OpConcat:
		// Runs of elements that match few strings join into the strings
		// of the run: " (" (error|info) "): " gives " (error): " and
		// " (info): ", far rarer than "error" and "info".
		var out [][]string
		run := []string{""}
		flush := func() {
			// No line holds '\n', nor '\r' once cleaned: strings with
			// them (from \s) need not be looked for, if others remain.
			if kept := slices.DeleteFunc(slices.Clone(run), func(s string) bool {
				return strings.ContainsAny(s, "\r\n")
			}); len(kept) > 0 {
				run = kept
			}
			if quality(run) > 0 {
				slices.Sort(run)
				out = append(out, slices.Compact(run))
			}
			run = []string{""}
		}
		for _, sub := range inlineCaptures(nil, re.Sub) {
			if set, ok := exactSet(sub, maxClass); ok && len(run)*len(set) <= maxJoined {
				run = joinSets(run, set)
				continue
			}
			if set, ok := plusSet(sub, maxClass); ok {
				// One byte of a class or more: the run before it ends
				// with one of them, and the run after it starts with one.
				if len(run)*len(set) <= maxJoined {
					run = joinSets(run, set)
				}
				flush()
				run = set
				continue
			}
			flush()
			if set, ok := exactSet(sub, maxClass); ok && len(set) <= maxJoined {
				run = set
				continue
			}
			out = append(out, factors(sub, maxClass)...)
		}
		flush()
		return out
	case syntax.OpCapture, syntax.OpPlus:
		return factors(re.Sub[0], maxClass)
	case syntax.OpRepeat:
		if re.Min >= 1 {
			return factors(re.Sub[0], maxClass)
		}
	case syntax.OpAlternate:
		// Each branch contributes its best factor; a branch with none
		// leaves the alternation with none.
		var set []string
		for _, sub := range re.Sub {
			fs := factors(sub, maxClass)
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

// maxJoined bounds how many strings a run of joined elements may stand for.
const maxJoined = 16

// exactSet returns the strings re matches when they are few and all
// usable by the automaton (see literal): a literal, a small class, an
// alternation or sequence of those.
func exactSet(re *syntax.Regexp, maxClass int) ([]string, bool) {
	switch re.Op {
	case syntax.OpLiteral:
		if s, ok := literal(re); ok {
			return []string{s}, true
		}
	case syntax.OpCapture:
		return exactSet(re.Sub[0], maxClass)
	case syntax.OpCharClass:
		var set []string
		for i := 0; i < len(re.Rune); i += 2 {
			for r := re.Rune[i]; r <= re.Rune[i+1]; r++ {
				if r >= utf8.RuneSelf || len(set) == maxClass {
					return nil, false
				}
				set = append(set, string(r))
			}
		}
		return set, len(set) > 0
	case syntax.OpAlternate:
		var set []string
		for _, sub := range re.Sub {
			s, ok := exactSet(sub, maxClass)
			if !ok || len(set)+len(s) > maxJoined {
				return nil, false
			}
			set = append(set, s...)
		}
		return set, true
	case syntax.OpConcat:
		set := []string{""}
		for _, sub := range re.Sub {
			s, ok := exactSet(sub, maxClass)
			if !ok || len(set)*len(s) > maxJoined {
				return nil, false
			}
			set = joinSets(set, s)
		}
		return set, true
	}
	return nil, false
}

// The bytes of a class factors spell out at most: as many as \s matches,
// or as there are digits, for short triggers.
const (
	spaceClass = 5
	digitClass = 10
)

// plusSet returns the bytes of a small class that re, repeated at least
// once, repeats (\s+, [ab]{2,}).
func plusSet(re *syntax.Regexp, maxClass int) ([]string, bool) {
	if re.Op != syntax.OpPlus && (re.Op != syntax.OpRepeat || re.Min < 1) {
		return nil, false
	}
	if sub := re.Sub[0]; sub.Op == syntax.OpCharClass {
		return exactSet(sub, maxClass)
	}
	return nil, false
}

// joinSets returns every string of a followed by every string of b.
func joinSets(a, b []string) []string {
	out := make([]string, 0, len(a)*len(b))
	for _, x := range a {
		for _, y := range b {
			out = append(out, x+y)
		}
	}
	return out
}

// inlineCaptures appends subs to dst with every capture of a sequence
// replaced by the sequence's elements: a group changes nothing about what
// text matches, and inlining lets literals on either side of its edges
// join into longer factors (".py" and ":" in `(\S+\.py):(\d+)`).
func inlineCaptures(dst, subs []*syntax.Regexp) []*syntax.Regexp {
	for _, sub := range subs {
		for sub.Op == syntax.OpCapture {
			sub = sub.Sub[0]
		}
		if sub.Op == syntax.OpConcat {
			dst = inlineCaptures(dst, sub.Sub)
			continue
		}
		dst = append(dst, sub)
	}
	return dst
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
	var set [256]bool
	// Elements that may match nothing (`\s*`, `(?:##\[error\])?`) add their
	// first bytes and let the next element's count too.
	for _, e := range anchoredElements(re) {
		e, optional := unwrap(e)
		if !addFirst(&set, e) {
			return nil
		}
		if !optional {
			return &set
		}
	}
	return nil // not anchored, or everything after ^ may match nothing
}

// anchoredElements returns the elements of re after a leading ^ (the start
// of the text), groups inlined, or nil when re is not anchored there.
func anchoredElements(re *syntax.Regexp) []*syntax.Regexp {
	for re.Op == syntax.OpCapture {
		re = re.Sub[0]
	}
	if re.Op != syntax.OpConcat || len(re.Sub) < 2 || re.Sub[0].Op != syntax.OpBeginText {
		return nil
	}
	return inlineCaptures(nil, re.Sub[1:])
}

// unwrap returns what an element repeats or captures, and whether the
// element may match nothing.
func unwrap(e *syntax.Regexp) (inner *syntax.Regexp, optional bool) {
	for {
		switch {
		case e.Op == syntax.OpCapture || e.Op == syntax.OpPlus || e.Op == syntax.OpRepeat && e.Min >= 1:
			e = e.Sub[0]
		case e.Op == syntax.OpStar || e.Op == syntax.OpQuest || e.Op == syntax.OpRepeat && e.Min == 0:
			e, optional = e.Sub[0], true
		default:
			return e, optional
		}
	}
}

// quickFilter returns an expression that every text matching the RE2
// expression re matches too, and that Go's regexp searches fast because
// it starts with a literal: expr from its first top-level literal on. For
// `(?P<file>[^\s:]+\.py):(\d+)` it is `\.py:(\d+)`. Go's regexp tries every
// start position of an expression that starts otherwise, which costs
// microseconds a line; a literal start lets it jump from one occurrence to
// the next. It returns "" when re is anchored at the start, starts with a
// literal already, or holds no case-sensitive literal of 3 or more
// characters at its top level.
func quickFilter(re *syntax.Regexp) string {
	for re.Op == syntax.OpCapture {
		re = re.Sub[0]
	}
	if re.Op != syntax.OpConcat {
		return ""
	}
	subs := inlineCaptures(nil, re.Sub)
	for i, sub := range subs {
		switch {
		case sub.Op == syntax.OpBeginText || sub.Op == syntax.OpBeginLine:
			return ""
		case i == 0 && sub.Op == syntax.OpLiteral:
			return ""
		case sub.Op == syntax.OpLiteral && sub.Flags&syntax.FoldCase == 0 && len(sub.Rune) >= minFactor:
			rest := &syntax.Regexp{Op: syntax.OpConcat, Sub: subs[i:]}
			return rest.String()
		}
	}
	return ""
}

// blank holds the bytes RE2's \s matches.
var blank = [256]bool{' ': true, '\t': true, '\n': true, '\v': true, '\f': true, '\r': true}

// firstNonBlank returns the bytes the first non-blank byte of a line may be
// for the RE2 expression re to match it, or nil when that is not known:
// for `^\s*(?:##\[error\])?\s*\d+:` it is '#' and the digits. It is known
// for an expression anchored at the start of the text whose leading
// elements are runs of blanks, or may match nothing and cannot start with a
// blank, up to one that must match and cannot start with a blank.
func firstNonBlank(re *syntax.Regexp) *[256]bool {
	var set [256]bool
	skipped := false // a run of blanks came first: else firstBytes says it all
	for _, e := range anchoredElements(re) {
		e, optional := unwrap(e)
		if blanksOnly(e) {
			skipped = true
			continue
		}
		var first [256]bool
		if !addFirst(&first, e) {
			return nil
		}
		for c, ok := range first {
			if ok && blank[c] {
				return nil
			}
			set[c] = set[c] || ok
		}
		if !optional {
			if !skipped {
				return nil
			}
			return &set
		}
	}
	return nil
}

// blanksOnly reports whether re is a class of blanks alone (\s, [ \t]).
func blanksOnly(re *syntax.Regexp) bool {
	if re.Op != syntax.OpCharClass || len(re.Rune) == 0 {
		return false
	}
	for i := 0; i+1 < len(re.Rune); i += 2 {
		for r := re.Rune[i]; r <= re.Rune[i+1]; r++ {
			if r >= 0x80 || !blank[r] {
				return false
			}
		}
	}
	return true
}

// addFirst adds to set the bytes a match of re may start with, reporting
// false when they are not a known ASCII set.
func addFirst(set *[256]bool, re *syntax.Regexp) bool {
	switch re.Op {
	case syntax.OpLiteral:
		r := re.Rune[0]
		if r >= 0x80 {
			return false
		}
		set[r] = true
		if re.Flags&syntax.FoldCase != 0 {
			set[lowerASCII(byte(r))] = true
			set[upperASCII(byte(r))] = true
		}
		return true
	case syntax.OpCharClass:
		for i := 0; i+1 < len(re.Rune); i += 2 {
			lo, hi := re.Rune[i], re.Rune[i+1]
			if hi >= 0x80 {
				return false
			}
			for r := lo; r <= hi; r++ {
				set[r] = true
			}
		}
		return true
	case syntax.OpConcat:
		// Only the first element, unless it may match nothing.
		if len(re.Sub) == 0 {
			return false
		}
		if f := re.Sub[0]; f.Op == syntax.OpStar || f.Op == syntax.OpQuest || f.Op == syntax.OpRepeat && f.Min == 0 || f.Op == syntax.OpEmptyMatch {
			return false
		}
		return addFirst(set, re.Sub[0])
	case syntax.OpAlternate:
		for _, sub := range re.Sub {
			if !addFirst(set, sub) {
				return false
			}
		}
		return true
	}
	return false
}

// tailBytes returns, for a regex anchored at both ends of the text, the
// bytes it lets a line hold after its leading literal, and that literal's
// length: `^\[warn\] ([^\s\[\]]+\.\w+)$` refuses any blank or bracket
// after "[warn] ", which most lines that start so hold. Go's regexp would
// take microseconds to find that out on each of them. It returns nil when
// the regex is not anchored so, or lets every printable ASCII byte through.
func tailBytes(re *syntax.Regexp) (from int, tail *[256]bool) {
	es := anchoredElements(re)
	if len(es) < 2 || es[len(es)-1].Op != syntax.OpEndText {
		return 0, nil
	}
	es = es[:len(es)-1]
	if lit := es[0]; lit.Op == syntax.OpLiteral && (lit.Flags&syntax.FoldCase == 0 || isASCII(string(lit.Rune))) {
		from = len(string(lit.Rune)) // ASCII case folding keeps lengths
		es = es[1:]
	}
	var set [256]bool
	for _, e := range es {
		if !addAll(&set, e) {
			return 0, nil
		}
	}
	for c := 0x20; c < 0x7f; c++ {
		if !set[c] {
			return from, &set
		}
	}
	return 0, nil
}

// addAll adds to set every byte a text matching re may hold. A rune past
// ASCII adds every byte past it: Go's regexp reads a byte that is not
// UTF-8 as U+FFFD, which a class may hold.
func addAll(set *[256]bool, re *syntax.Regexp) bool {
	add := func(lo, hi rune) {
		for r := lo; r <= min(hi, 0x7f); r++ {
			set[r] = true
		}
		if hi >= 0x80 {
			for c := 0x80; c < 0x100; c++ {
				set[c] = true
			}
		}
	}
	switch re.Op {
	case syntax.OpLiteral:
		for _, r := range re.Rune {
			add(r, r)
			if re.Flags&syntax.FoldCase != 0 && r < 0x80 {
				set[lowerASCII(byte(r))] = true
				set[upperASCII(byte(r))] = true
			}
		}
	case syntax.OpCharClass:
		for i := 0; i+1 < len(re.Rune); i += 2 {
			add(re.Rune[i], re.Rune[i+1])
		}
	case syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		add(0, 0x10ffff)
	case syntax.OpEmptyMatch, syntax.OpBeginLine, syntax.OpEndLine, syntax.OpBeginText, syntax.OpEndText,
		syntax.OpWordBoundary, syntax.OpNoWordBoundary:
	case syntax.OpCapture, syntax.OpStar, syntax.OpPlus, syntax.OpQuest, syntax.OpRepeat, syntax.OpConcat, syntax.OpAlternate:
		for _, sub := range re.Sub {
			if !addAll(set, sub) {
				return false
			}
		}
	default:
		return false
	}
	return true
}

func upperASCII(c byte) byte {
	if 'a' <= c && c <= 'z' {
		return c - 'a' + 'A'
	}
	return c
}
