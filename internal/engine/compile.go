package engine

import (
	"regexp"
	"regexp/syntax"
	"sort"
	"strings"
	"sync"

	"github.com/faultline-dev/faultline/internal/catalog"
	"github.com/faultline-dev/faultline/internal/logtext"
)

// useKind says what a literal found in a line means.
type useKind uint8

const (
	useAny     useKind = iota + 1 // a match.any signal of playbook pb
	useAll                        // literal idx of match.all of playbook pb
	useNone                       // a match.none veto of playbook pb
	useRegex                      // the literal regex idx requires
	useKeyword                    // an error-heuristic keyword (idx into keywords)
	useMarker                     // a literal that CI structure lines contain
)

type use struct {
	kind useKind
	pb   int32
	idx  int32
}

// compiledRegex is a playbook regex, compiled on first use: most never run
// on a given log, since their required literal never occurs.
type compiledRegex struct {
	pb   int32
	src  string
	once sync.Once
	re   *regexp.Regexp
}

func (r *compiledRegex) regexp() *regexp.Regexp {
	r.once.Do(func() {
		// Validated when the playbook was parsed; a pattern that does not
		// compile never matches.
		r.re, _ = regexp.Compile(r.src)
	})
	return r.re
}

// compiled is a catalog compiled into one matcher: every literal of every
// playbook, the literal each regex requires, and the heuristic keywords, in
// one automaton. Only the regexes whose literal a line contains run on it.
type compiled struct {
	playbooks     []*catalog.Playbook
	ac            *acMatcher
	literals      []string // pattern id -> literal as written
	uses          [][]use  // pattern id -> what it means
	regexes       []*compiledRegex
	unguarded     []int32 // regexes with no required literal: run on every line
	hasAnyOrRegex []bool  // per playbook
	allCount      []int   // per playbook: number of match.all literals
}

// compile builds the matcher of pbs.
func compile(pbs []*catalog.Playbook) *compiled {
	c := &compiled{playbooks: pbs}
	ids := map[string]int32{}
	add := func(lit string, u use) {
		key := string(lowerBytes(lit))
		id, ok := ids[key]
		if !ok {
			id = int32(len(c.literals))
			ids[key] = id
			c.literals = append(c.literals, lit)
			c.uses = append(c.uses, nil)
		}
		c.uses[id] = append(c.uses[id], u)
	}
	c.hasAnyOrRegex = make([]bool, len(pbs))
	c.allCount = make([]int, len(pbs))
	for i, pb := range pbs {
		p := int32(i)
		for j, s := range pb.Match.Any {
			add(trimSignal(s), use{useAny, p, int32(j)})
		}
		for j, s := range pb.Match.All {
			add(trimSignal(s), use{useAll, p, int32(j)})
		}
		c.allCount[i] = len(pb.Match.All)
		for j, s := range pb.Match.None {
			add(trimSignal(s), use{useNone, p, int32(j)})
		}
		for _, expr := range pb.Match.Regex {
			r := int32(len(c.regexes))
			c.regexes = append(c.regexes, &compiledRegex{pb: p, src: expr})
			if lit := RequiredLiteral(expr); lit != "" {
				add(lit, use{useRegex, p, r})
			} else {
				c.unguarded = append(c.unguarded, r)
			}
		}
		c.hasAnyOrRegex[i] = len(pb.Match.Any) > 0 || len(pb.Match.Regex) > 0
	}
	for i, k := range keywords {
		add(k.lit, use{useKeyword, -1, int32(i)})
	}
	for i, m := range logtext.Markers {
		add(m, use{useMarker, -1, int32(i)})
	}
	c.ac = newACMatcher(c.literals)
	return c
}

// trimSignal removes only line endings from a signal as written in YAML: a
// signal may itself start with spaces.
func trimSignal(s string) string { return strings.TrimRight(s, "\r\n") }

// Signals returns every literal signal of pbs (any, all and none),
// lowercased, deduplicated and sorted.
func Signals(pbs []*catalog.Playbook) []string {
	seen := map[string]bool{}
	for _, pb := range pbs {
		for _, l := range [][]string{pb.Match.Any, pb.Match.All, pb.Match.None} {
			for _, s := range l {
				seen[string(lowerBytes(trimSignal(s)))] = true
			}
		}
	}
	out := make([]string, 0, len(seen))
	for s := range seen {
		if s != "" {
			out = append(out, s)
		}
	}
	sort.Strings(out)
	return out
}

// RequiredLiteral returns the longest literal (at least 3 bytes) that every
// match of the RE2 expression expr contains, or "" when there is none. It is
// how the engine decides which lines a regex needs to run on.
func RequiredLiteral(expr string) string {
	re, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return ""
	}
	best := ""
	var walk func(re *syntax.Regexp)
	walk = func(re *syntax.Regexp) {
		switch re.Op {
		case syntax.OpLiteral:
			// Case-folded literals are fine: the automaton ignores ASCII case.
			s := string(re.Rune)
			if re.Flags&syntax.FoldCase != 0 && !isASCII(s) {
				return
			}
			if len(s) > len(best) {
				best = s
			}
		case syntax.OpConcat:
			// Adjacent literal pieces join into one run.
			run := ""
			flush := func() {
				if len(run) > len(best) {
					best = run
				}
				run = ""
			}
			for _, sub := range re.Sub {
				if sub.Op == syntax.OpLiteral && (sub.Flags&syntax.FoldCase == 0 || isASCII(string(sub.Rune))) {
					run += string(sub.Rune)
					continue
				}
				flush()
				walk(sub)
			}
			flush()
		case syntax.OpCapture, syntax.OpPlus:
			walk(re.Sub[0])
		case syntax.OpRepeat:
			if re.Min >= 1 {
				walk(re.Sub[0])
			}
		}
	}
	walk(re)
	if len(best) < 3 {
		return ""
	}
	return best
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
