package engine

import (
	"regexp"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/faultline-dev/faultline/internal/catalog"
	"github.com/faultline-dev/faultline/internal/logtext"
)

// useKind says what a literal found in a line means.
type useKind uint8

const (
	useAny         useKind = iota + 1 // a match.any signal of playbook pb
	useAll                            // literal idx of match.all of playbook pb
	useNone                           // a match.none veto of playbook pb
	useRegex                          // the literal regex idx requires
	useKeyword                        // an error-heuristic keyword (idx into keywords)
	useMarker                         // a literal that CI structure lines contain
	useBoilerplate                    // a literal every boilerplate line contains
	useLineStart                      // a newline and how the next line starts (see lineStarts)
)

type use struct {
	kind useKind
	pb   int32
	idx  int32
}

// compiledRegex is a playbook regex, compiled on first use: most never run
// on a given log, since their required literal never occurs.
type compiledRegex struct {
	pbs []int32 // the playbooks that have it
	src string
	// trigger is the regex's best prefilter factor, which goes in the
	// automaton: a line holding none of its literals cannot match. Only
	// the best: the others are often short and common (": ", " ("), and
	// finding them on every line costs more than looking for them on the
	// few lines that hold the first.
	trigger []string
	// more are the regex's prefilter factors after the first, which the
	// automaton finds: a line must also hold one literal of each
	// (lowercased) for the regex to run on it.
	more [][][]byte
	// fold is set when the regex ignores case somewhere: its factors are
	// then looked for lowercased in a lowercased line, else as they are.
	fold  bool
	first *[256]bool // for a regex anchored at ^: the bytes a line may start with
	// nonBlank, for a regex anchored at ^ after blanks: the bytes the
	// first non-blank byte of a line may be
	nonBlank *[256]bool
	// tail, for a regex anchored at both ends, holds the bytes a line may
	// hold from offset tailFrom on (see tailBytes)
	tail     *[256]bool
	tailFrom int
	// quickSrc, when set, is an expression every line the regex matches
	// matches too, which Go's regexp searches faster (see quickFilter).
	quickSrc string
	// plain is set to run the regex as written, without its head and quick
	// filter (the reference engine does).
	plain bool
	once  sync.Once
	re    *regexp.Regexp
	head  *head
	quick *regexp.Regexp
}

// mayStart reports whether the regex may match text, judging by how it
// starts and, for a regex anchored at both ends, by the bytes it holds.
func (r *compiledRegex) mayStart(text []byte) bool {
	if r.first != nil && (len(text) == 0 || !r.first[text[0]]) {
		return false
	}
	if r.nonBlank != nil {
		i := 0
		for i < len(text) && blank[text[i]] {
			i++
		}
		if i == len(text) || !r.nonBlank[text[i]] {
			return false
		}
	}
	if r.tail != nil {
		if len(text) < r.tailFrom {
			return false
		}
		for _, c := range text[r.tailFrom:] {
			if !r.tail[c] {
				return false
			}
		}
	}
	return true
}

// newCompiledRegex returns the regex expr with its prefilter pre.
func newCompiledRegex(expr string, pre regexPrefilter) *compiledRegex {
	cr := &compiledRegex{src: expr, first: pre.first, nonBlank: pre.nonBlank, tail: pre.tail, tailFrom: pre.tailFrom, quickSrc: pre.quick}
	if len(pre.factors) == 0 {
		return cr
	}
	cr.trigger = pre.factors[0]
	cr.fold = pre.fold
	for _, f := range pre.factors[1:] {
		var set [][]byte
		for _, lit := range f {
			if cr.fold {
				set = append(set, lowerBytes(lit))
			} else {
				set = append(set, []byte(lit))
			}
		}
		cr.more = append(cr.more, set)
	}
	return cr
}

func (r *compiledRegex) regexp() *regexp.Regexp {
	r.compile()
	return r.re
}

// mayMatch compiles the regex and reports whether text passes its head and
// quick filter, which cost far less than the regex itself. Callers check
// mayStart and the factors before.
func (r *compiledRegex) mayMatch(text []byte) bool {
	r.compile()
	return r.re != nil && (r.head == nil || r.head.match(text)) && (r.quick == nil || r.quick.Match(text))
}

// matches reports whether the regex matches text.
func (r *compiledRegex) matches(text []byte) bool {
	return r.mayMatch(text) && r.re.Match(text)
}

// find returns where the regex matches text and its submatches, as
// FindSubmatchIndex does, or nil. One search: on the lines that pass the
// filters, asking Match first and then for the submatches costs about
// twice as much where the regex matches, and saves nothing where it does
// not.
func (r *compiledRegex) find(text []byte) []int {
	if !r.mayMatch(text) {
		return nil
	}
	return r.re.FindSubmatchIndex(text)
}

func (r *compiledRegex) compile() {
	r.once.Do(func() {
		// Validated when the playbook was parsed; a pattern that does not
		// compile never matches.
		r.re, _ = regexp.Compile(r.src)
		if r.plain {
			return
		}
		r.head = headOf(r.src)
		if r.quickSrc != "" {
			r.quick, _ = regexp.Compile(r.quickSrc)
		}
	})
}

// compiled is a catalog compiled into one matcher: every literal of every
// playbook, the literal each regex requires, and the heuristic keywords, in
// one automaton. Only the regexes whose literal a line contains run on it.
type compiled struct {
	playbooks []*catalog.Playbook
	ac        *acMatcher
	literals  []string // pattern id -> literal as written
	uses      [][]use  // pattern id -> what it means
	regexes   []*compiledRegex
	unguarded []int32 // regexes with no required literal: run on every line
	// boilerplate holds the branches of boilerplateRE; boilerplateAlways
	// are those with no literal for the automaton to find, which run on
	// every candidate line.
	boilerplate       []*compiledRegex
	boilerplateAlways []int32
	segments          *segmentFinder
	hasAnyOrRegex     []bool // per playbook
	// exact holds, for a pattern that only triggers regexes that never
	// ignore case, its spelling in them: the automaton ignores case, so it
	// finds "test" for `Test\w+` on a tenth of the lines of some logs, and
	// an occurrence spelled otherwise is dropped before classifying.
	exact    [][]byte
	allCount []int // per playbook: number of match.all literals
	// worth holds, per state of the automaton, what the patterns ending
	// there can add to a line's score, or -1 when one of them means more
	// than that (see stateWorth).
	worth []int8
}

// compile builds the matcher of pbs.
func compile(pbs []*catalog.Playbook) *compiled {
	c := &compiled{playbooks: pbs}
	ids := map[string]int32{}
	add := func(lit string, u use) {
		if strings.Contains(lit, "\n") {
			return // no line holds it; a block of lines could
		}
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
	pres := prefilterAll(pbs)
	regexIDs := map[string]int32{}
	for i, pb := range pbs {
		p := int32(i)
		for j, s := range pb.Match.Any {
			add(trimSignal(s), use{kind: useAny, pb: p, idx: int32(j)})
		}
		for j, s := range pb.Match.All {
			add(trimSignal(s), use{kind: useAll, pb: p, idx: int32(j)})
		}
		c.allCount[i] = len(pb.Match.All)
		for j, s := range pb.Match.None {
			add(trimSignal(s), use{kind: useNone, pb: p, idx: int32(j)})
		}
		for _, expr := range pb.Match.Regex {
			pre := pres[0]
			pres = pres[1:]
			if r, ok := regexIDs[expr]; ok {
				// The same regex in another playbook (a copy, an override):
				// it runs once per line, and its hits go to both.
				if cr := c.regexes[r]; !slices.Contains(cr.pbs, p) {
					cr.pbs = append(cr.pbs, p)
				}
				continue
			}
			r := int32(len(c.regexes))
			regexIDs[expr] = r
			cr := newCompiledRegex(expr, pre)
			cr.pbs = []int32{p}
			c.regexes = append(c.regexes, cr)
			if len(pre.factors) == 0 {
				c.unguarded = append(c.unguarded, r)
			}
			for _, lit := range cr.trigger {
				add(lit, use{kind: useRegex, pb: p, idx: r})
			}
		}
		c.hasAnyOrRegex[i] = len(pb.Match.Any) > 0 || len(pb.Match.Regex) > 0
	}
	for i, k := range keywords {
		add(k.lit, use{kind: useKeyword, pb: -1, idx: int32(i)})
	}
	for i, m := range logtext.Markers {
		add(m, use{kind: useMarker, pb: -1, idx: int32(i)})
	}
	// Boilerplate lines are recognised by a set of regexes, gated as
	// playbook regexes are.
	for i, b := range boilerplateBranches {
		expr := `(?i)` + b
		cr := newCompiledRegex(expr, lookupPrefilter(expr))
		c.boilerplate = append(c.boilerplate, cr)
		if len(cr.trigger) == 0 {
			c.boilerplateAlways = append(c.boilerplateAlways, int32(i))
		}
		for _, lit := range cr.trigger {
			add(lit, use{kind: useBoilerplate, pb: -1, idx: int32(i)})
		}
	}
	for _, s := range lineStarts {
		// Not by add: no line holds a newline, and patterns that do are
		// found only when reading by blocks.
		c.literals = append(c.literals, s)
		c.uses = append(c.uses, []use{{kind: useLineStart, pb: -1}})
	}
	// Each pattern's uses in one array, in order: classifying a line
	// reads those of its patterns.
	total := 0
	for _, us := range c.uses {
		total += len(us)
	}
	flat := make([]use, 0, total)
	for p, us := range c.uses {
		at := len(flat)
		flat = append(flat, us...)
		c.uses[p] = flat[at:len(flat):len(flat)]
	}
	c.exact = exactSpellings(c)
	c.ac = newACMatcher(c.literals)
	c.worth = stateWorth(c)
	c.segments = newSegmentFinder()
	return c
}

// stateWorth returns compiled.worth: for each state of the automaton, the
// sum of the positive weights of the keywords ending there, or -1 when a
// pattern ending there is more than a keyword or a boilerplate literal.
//
// A line's score matters only from weakScore on (an error line of an
// excerpt; from strongScore on, of a step), and boilerplate literals only
// on lines that reach strongScore or hold a hit. So a line whose patterns
// are all keywords and boilerplate literals worth less than weakScore
// together, and that states no event, has no facts that change a report:
// the classifier need not look at it. Counting a keyword found twice twice
// only looks at more lines than needed.
func stateWorth(c *compiled) []int8 {
	pat := make([]int, len(c.uses))
	for p, us := range c.uses {
		for _, u := range us {
			switch {
			case u.kind == useBoilerplate || pat[p] < 0:
			case u.kind == useKeyword:
				pat[p] += max(keywords[u.idx].weight, 0)
			default:
				pat[p] = -1
			}
		}
	}
	worth := make([]int8, c.ac.states())
	for s := range worth {
		sum := 0
		for _, p := range c.ac.patternsAt(int32(s)) {
			if pat[p] < 0 {
				sum = -1
				break
			}
			sum += pat[p]
		}
		worth[s] = int8(min(sum, 127))
	}
	return worth
}

// exactSpellings returns compiled.exact: for each pattern whose every use
// is the trigger of a regex that never ignores case, all spelling it the
// same way, that spelling.
func exactSpellings(c *compiled) [][]byte {
	exact := make([][]byte, len(c.literals))
	for p, us := range c.uses {
		var spelling string
		for _, u := range us {
			if u.kind != useRegex || c.regexes[u.idx].fold {
				spelling = ""
				break
			}
			i := slices.IndexFunc(c.regexes[u.idx].trigger, func(t string) bool {
				return strings.EqualFold(t, c.literals[p])
			})
			if i < 0 || spelling != "" && spelling != c.regexes[u.idx].trigger[i] {
				spelling = ""
				break
			}
			spelling = c.regexes[u.idx].trigger[i]
		}
		if spelling != "" {
			exact[p] = []byte(spelling)
		}
	}
	return exact
}

type regexPrefilter struct {
	factors  [][]string
	fold     bool       // some literal of the regex ignores case
	first    *[256]bool // see firstBytes
	nonBlank *[256]bool // see firstNonBlank
	tailFrom int        // see tailBytes
	tail     *[256]bool
	quick    string // see quickFilter
}

// prefilterAll returns the prefilter factors and first bytes of every regex
// of pbs, in order. Parsing the regexes is most of the cost of compiling a
// catalog: those of the bundled playbooks were worked out when the binary
// was built (bundledPrefilters), and the others are shared among the cores.
func prefilterAll(pbs []*catalog.Playbook) []regexPrefilter {
	var exprs []string
	for _, pb := range pbs {
		exprs = append(exprs, pb.Match.Regex...)
	}
	out := make([]regexPrefilter, len(exprs))
	var todo []int
	for i, expr := range exprs {
		if pre, ok := bundledPrefilterOf(expr); ok {
			out[i] = pre
		} else {
			todo = append(todo, i)
		}
	}
	workers := min(runtime.GOMAXPROCS(0), 1+len(todo)/64)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := w; j < len(todo); j += workers {
				out[todo[j]] = prefilterOf(exprs[todo[j]])
			}
		}()
	}
	wg.Wait()
	return out
}

type bundledPrefilter struct {
	expr string
	regexPrefilter
}

// bundledPrefilterOf returns the prefilter of a bundled regex.
func bundledPrefilterOf(expr string) (regexPrefilter, bool) {
	i, ok := slices.BinarySearchFunc(bundledPrefilters, expr, func(e bundledPrefilter, expr string) int {
		return strings.Compare(e.expr, expr)
	})
	if !ok {
		return regexPrefilter{}, false
	}
	return bundledPrefilters[i].regexPrefilter, true
}

// lookupPrefilter returns the prefilter of one regex, prepared at build
// time when it is a bundled one.
func lookupPrefilter(expr string) regexPrefilter {
	if pre, ok := bundledPrefilterOf(expr); ok {
		return pre
	}
	return prefilterOf(expr)
}

// prefilterOf returns the prefilter of one regex.
func prefilterOf(expr string) regexPrefilter {
	re, err := parseSimple(expr)
	if err != nil {
		return regexPrefilter{}
	}
	pre := regexPrefilter{factors: prefilter(re), fold: foldsCase(re), first: firstBytes(re), nonBlank: firstNonBlank(re), quick: quickFilter(re)}
	pre.tailFrom, pre.tail = tailBytes(re)
	return pre
}

// lineStarts are the patterns that find, in a block, the lines that may
// state a step's start without holding a marker: those whose Match starts
// with one of logtext.UnmarkedLeads, right after the newline or after a
// timestamp (logtext.StripTimestamp), whose last byte is a digit or 'Z' and
// which a space may follow. A digit or 'Z' before a lead elsewhere in a
// line only makes the line looked at. (Finding every line that starts
// with a digit, as these once did, had every line of a GitHub Actions log,
// timestamped, looked at.)
var lineStarts = func() []string {
	var pats []string
	for _, lead := range logtext.UnmarkedLeads {
		pats = append(pats, "\n"+lead)
		for _, c := range "0123456789Z" {
			pats = append(pats, string(c)+" "+lead, string(c)+lead)
		}
	}
	return pats
}()

// leadPatterns returns the patterns that find, after sep, the start of a
// segment of a progress line that may state an event without a marker:
// one of logtext.UnmarkedLeads, or a digit, which may begin a timestamp.
func leadPatterns(sep byte) []string {
	var pats []string
	for _, lead := range logtext.UnmarkedLeads {
		pats = append(pats, string(sep)+lead)
	}
	for c := '0'; c <= '9'; c++ {
		pats = append(pats, string(sep)+string(c))
	}
	return pats
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

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
