package logtext

import (
	"bytes"
	"regexp"
	"regexp/syntax"
	"slices"
	"strconv"
	"sync"
)

// Kind is the kind of a structural event in a log.
type Kind uint8

const (
	// StepStart: a new step or command begins. Name says which.
	StepStart Kind = iota + 1
	// StepEnd: the current step ended with exit status Exit (-1 unknown).
	// An Exit other than 0 also makes the line a failure point.
	StepEnd
	// Failed: the line says the step or job failed (a failure point), with
	// exit status Exit when it says (-1 otherwise).
	Failed
	// Succeeded: the line says the job as a whole passed.
	Succeeded
	// Annotated: the CI provider marked the line as an error (GitHub
	// Actions' "##[error]"). The step fails, but its own failure line, if
	// any, comes later.
	Annotated
)

// Event is a structural fact a line states.
type Event struct {
	Kind Kind
	Name string
	Exit int
	// Strong is set for events of a CI provider's own markup, as opposed to
	// command echoes of a plain shell trace.
	Strong bool
	// Job is set for events about the job as a whole ("Done. Your build
	// exited with 1."), as opposed to one step.
	Job bool
}

type rule struct {
	prefix string // a cheap literal the line must contain
	expr   string // compiled on first use (see compiledRules)
	make   func(m [][]byte) Event
}

func exitOf(b []byte) int {
	n, err := strconv.Atoi(string(b))
	if err != nil {
		return -1
	}
	return n
}

func failedOrEnd(exit int) Kind {
	if exit == 0 {
		return StepEnd
	}
	return Failed
}

// rules recognise the markup of CI providers. Each rule's prefix is tested
// with bytes.Contains before its regexp runs.
var rules = []rule{
	// GitHub Actions and Azure Pipelines.
	{"##[group]", `^##\[group\](.*)$`, func(m [][]byte) Event {
		return Event{Kind: StepStart, Name: string(m[1]), Strong: true}
	}},
	{"##[section]Starting:", `^##\[section\]Starting: (.*)$`, func(m [][]byte) Event {
		return Event{Kind: StepStart, Name: string(m[1]), Strong: true}
	}},
	{"Process completed with exit code", `Process completed with exit code (\d+)`, func(m [][]byte) Event {
		e := exitOf(m[1])
		return Event{Kind: failedOrEnd(e), Exit: e, Strong: true}
	}},
	{"exited with code", `^##\[error\].* exited with code '?(\d+)'?`, func(m [][]byte) Event {
		return Event{Kind: Failed, Exit: exitOf(m[1]), Strong: true}
	}},
	{"##vso[task.complete", `##vso\[task\.complete result=(Failed|SucceededWithIssues|Succeeded)`, func(m [][]byte) Event {
		if string(m[1]) == "Failed" {
			return Event{Kind: Failed, Exit: -1, Strong: true}
		}
		return Event{Kind: StepEnd, Exit: 0, Strong: true}
	}},
	{"The operation was canceled.", `^##\[error\]The operation was canceled\.`, func(m [][]byte) Event {
		return Event{Kind: Failed, Exit: -1, Strong: true}
	}},
	{"##[error]", `^##\[error\]`, func(m [][]byte) Event {
		return Event{Kind: Annotated, Strong: true}
	}},
	// GitLab CI.
	{"section_start:", `section_start:\d+:([A-Za-z0-9_.-]+)`, func(m [][]byte) Event {
		return Event{Kind: StepStart, Name: string(m[1]), Strong: true}
	}},
	{"ERROR: Job failed", `^ERROR: Job failed(?:: exit code (\d+))?`, func(m [][]byte) Event {
		e := -1
		if len(m[1]) > 0 {
			e = exitOf(m[1])
		}
		return Event{Kind: Failed, Exit: e, Strong: true, Job: true}
	}},
	{"Job succeeded", `^Job succeeded\s*$`, func(m [][]byte) Event {
		return Event{Kind: Succeeded, Strong: true, Job: true}
	}},
	// Travis CI.
	{"travis_time:start:", `^travis_time:start:`, nil}, // the "$ cmd" that follows starts the step
	{"exited with", `^The command "(.*)" exited with (\d+)\.`, func(m [][]byte) Event {
		e := exitOf(m[2])
		return Event{Kind: failedOrEnd(e), Name: string(m[1]), Exit: e, Strong: true}
	}},
	{"failed and exited with", `^The command "(.*)" failed and exited with (\d+)`, func(m [][]byte) Event {
		return Event{Kind: Failed, Name: string(m[1]), Exit: exitOf(m[2]), Strong: true}
	}},
	{"Your build exited with", `^Done\. Your build exited with (\d+)\.`, func(m [][]byte) Event {
		e := exitOf(m[1])
		if e == 0 {
			return Event{Kind: Succeeded, Strong: true, Job: true}
		}
		return Event{Kind: Failed, Exit: e, Strong: true, Job: true}
	}},
	{"travis_fold:start:", `^travis_fold:start:(\S+)`, func(m [][]byte) Event {
		return Event{Kind: StepStart, Name: string(m[1]), Strong: true}
	}},
	// Jenkins.
	{"[Pipeline] { (", `^\[Pipeline\] \{ \((.*)\)`, func(m [][]byte) Event {
		return Event{Kind: StepStart, Name: string(m[1]), Strong: true}
	}},
	// Jenkins prints this when a sh step fails, but in a declarative
	// pipeline only after the pipeline ended, past the stage that failed:
	// it says the job failed, not which stage.
	{"script returned exit code", `^ERROR: script returned exit code (\d+)`, func(m [][]byte) Event {
		return Event{Kind: Failed, Exit: exitOf(m[1]), Strong: true, Job: true}
	}},
	{"Finished: ", `^Finished: (SUCCESS|FAILURE|UNSTABLE|ABORTED)\s*$`, func(m [][]byte) Event {
		if string(m[1]) == "SUCCESS" {
			return Event{Kind: Succeeded, Strong: true, Job: true}
		}
		return Event{Kind: Failed, Exit: -1, Strong: true, Job: true}
	}},
	{"marked build as failure", `^Build step '.*' marked build as failure`, func(m [][]byte) Event {
		return Event{Kind: Failed, Exit: -1, Strong: true}
	}},
	// CircleCI.
	{"Exited with code", `^Exited with code (?:exit status )?(\d+)`, func(m [][]byte) Event {
		e := exitOf(m[1])
		return Event{Kind: failedOrEnd(e), Exit: e, Strong: true}
	}},
	{"CircleCI received exit code", `CircleCI received exit code (\d+)`, func(m [][]byte) Event {
		e := exitOf(m[1])
		return Event{Kind: failedOrEnd(e), Exit: e, Strong: true}
	}},
	// Buildkite.
	{"exited with status", `^(?:🚨 )?Error: The command exited with status (\d+)`, func(m [][]byte) Event {
		return Event{Kind: Failed, Exit: exitOf(m[1]), Strong: true}
	}},
	// make.
	// The marker is ": *** ", not "***", which banners of asterisks hold
	// many times over.
	{": *** ", `^g?make(?:\[\d+\])?: \*\*\* .*Error (\d+)`, func(m [][]byte) Event {
		return Event{Kind: Failed, Exit: exitOf(m[1])}
	}},
}

// A compiledRule is a rule's expression, compiled, with the literals a
// segment must start with for an expression anchored at the start to match
// it: most lines holding a rule's marker do not start like its lines
// (many lines hold ": *** ", fewer start with "make"), and checking that
// costs far less than running the expression.
type compiledRule struct {
	re    *regexp.Regexp
	leads []string // nil when the expression does not start with literals
	rest  rest     // what the expression holds after its leads
}

// rest is what an expression holds after its leads.
type rest uint8

const (
	restExpr  rest = iota // more: the expression must run
	restNone              // nothing: starting with a lead is the whole match
	restToken             // (\S+), and there is one lead: the run of non-blank bytes after it
)

// The expressions are compiled the first time a line may state an event,
// not when the program starts: most commands never need them.
var (
	compiledRules = sync.OnceValue(func() []compiledRule {
		res := make([]compiledRule, len(rules))
		for i, r := range rules {
			res[i].re = regexp.MustCompile(r.expr)
			res[i].leads, res[i].rest = leads(r.expr)
		}
		return res
	})
	// Lines that look like Buildkite headers but are diffs or test output:
	// unified diff headers, go test's "--- FAIL", and the "--- Expected" /
	// "+++ Actual" header of the diff that PHPUnit and other assertion
	// libraries print under a failed equality assertion.
	notBuildkite = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^(?:--- \S+\.orig\s*$|--- (?:a/|/|FAIL|PASS|SKIP|BENCH)|\+\+\+ (?:b/|/)|--- \S+\s+\d{4}-)|^\+\+\+ [^:]*$|^(?i:--- expected|\+\+\+ actual)\b`)
	})
	token = sync.OnceValue(func() *syntax.Regexp {
		re, _ := syntax.Parse(`(\S+)`, syntax.Perl)
		return re
	})
)

// leads returns the literals a text must start with for expr to match it,
// when expr is anchored at the start and goes on with literals (an optional
// one doubles them: `^g?make` gives "make" and "gmake"), or nil; and what
// expr holds after them.
func leads(expr string) ([]string, rest) {
	re, err := syntax.Parse(expr, syntax.Perl)
	if err != nil || re.Op != syntax.OpConcat || re.Sub[0].Op != syntax.OpBeginText {
		return nil, restExpr
	}
	leads := []string{""}
	for i, sub := range re.Sub[1:] {
		switch {
		case sub.Op == syntax.OpLiteral && sub.Flags&syntax.FoldCase == 0:
			for i := range leads {
				leads[i] += string(sub.Rune)
			}
		case sub.Op == syntax.OpQuest && sub.Sub[0].Op == syntax.OpLiteral && sub.Sub[0].Flags&syntax.FoldCase == 0 && len(leads) < 4:
			for _, l := range slices.Clone(leads) {
				leads = append(leads, l+string(sub.Sub[0].Rune))
			}
		default:
			if leads[0] == "" && len(leads) == 1 {
				return nil, restExpr
			}
			if len(leads) == 1 && i == len(re.Sub)-2 && sub.Equal(token()) {
				return leads, restToken
			}
			return leads, restExpr
		}
	}
	return leads, restNone
}

// nonBlanks returns the length of the run of bytes b starts with that RE2's
// \S matches: any but the blanks of \s, the bytes of other characters
// included.
func nonBlanks(b []byte) int {
	n := 0
	for n < len(b) && !isBlank(b[n]) {
		n++
	}
	return n
}

// startsWithAny reports whether b starts with one of leads.
func startsWithAny(b []byte, leads []string) bool {
	for _, l := range leads {
		if len(b) >= len(l) && string(b[:len(l)]) == l {
			return true
		}
	}
	return false
}

// Markers are literals at least one of which every line with a structural
// event contains, apart from lines that start with one of UnmarkedLeads:
// Markers[i] is the literal rule i needs. Callers that find literals fast
// can skip Events for other lines, and tell EventsOf which markers a line
// holds.
var Markers = func() []string {
	m := make([]string, len(rules))
	for i, r := range rules {
		m[i] = r.prefix
	}
	return m
}()

// UnmarkedLeads are what a line, or a '\r' segment, that states an event
// without holding any of the Markers starts with, after its timestamp: a
// Travis CI command ("$ make"), a shell trace ("+ make", "++ make", "+++
// make") or a Buildkite header ("--- Build", "+++ Test", "~~~ Setup").
// Callers that find literals fast can look for the lines starting so.
var UnmarkedLeads = []string{"$ ", "+ ", "++ ", "+++ ", "--- ", "~~~ "}

// MayHaveEvents reports whether a line that holds none of the Markers can
// still state an event: whether it starts with one of UnmarkedLeads.
func MayHaveEvents(full []byte) bool {
	if len(full) == 0 {
		return false
	}
	switch full[0] {
	case '$', '+', '-', '~':
		return startsWithAny(full, UnmarkedLeads)
	}
	return false
}

// AllMarkers says, to EventsOf, that any marker may be in the line.
const AllMarkers = ^uint64(0)

// Events appends to dst the structural events that one line of a log states,
// in order. full is the line's Line.Full (every '\r' segment), without a
// leading timestamp.
func Events(dst []Event, full []byte) []Event {
	return EventsOf(dst, full, AllMarkers)
}

// EventsOf is Events for a line known to hold only the Markers whose bits
// are set in markers (bit i for Markers[i]; a superset will do, found
// ignoring case for instance): the rules of the others are not tried.
func EventsOf(dst []Event, full []byte, markers uint64) []Event {
	return events(dst, full, markers)
}

// UnmarkedEvents is Events for a line known to hold none of the Markers:
// only the events of lines starting with one of UnmarkedLeads are looked for.
func UnmarkedEvents(dst []Event, full []byte) []Event {
	return events(dst, full, 0)
}

func events(dst []Event, full []byte, markers uint64) []Event {
	if markers != 0 && bytes.IndexByte(full, '\r') >= 0 {
		// A progress line can hold hundreds of segments: look for the
		// rules' literals in the whole line once, not in every segment.
		found := uint64(0)
		for i := range rules {
			if markers&(1<<i) != 0 && bytes.Contains(full, []byte(rules[i].prefix)) {
				found |= 1 << i
			}
		}
		markers = found
	}
	for len(full) > 0 {
		seg := full
		if i := bytes.IndexByte(full, '\r'); i >= 0 {
			seg, full = full[:i], full[i+1:]
		} else {
			full = nil
		}
		dst = segmentEvents(dst, StripTimestamp(seg), markers)
	}
	return dst
}

// SegmentEvents appends to dst the event that one '\r' segment of a line,
// seg, states, if any, as Events does for each segment of the line: with
// its timestamp, and for a line known to hold only the markers whose bits
// are set in markers (see EventsOf).
func SegmentEvents(dst []Event, seg []byte, markers uint64) []Event {
	return segmentEvents(dst, StripTimestamp(seg), markers)
}

func segmentEvents(dst []Event, seg []byte, markers uint64) []Event {
	if len(seg) == 0 {
		return dst
	}
	for i := 0; markers != 0 && i < len(rules); i++ {
		r := &rules[i]
		if markers&(1<<i) == 0 || !bytes.Contains(seg, []byte(r.prefix)) {
			continue
		}
		cr := &compiledRules()[i]
		var m [][]byte
		switch {
		case cr.leads != nil && !startsWithAny(seg, cr.leads):
			continue
		case cr.rest == restNone:
			m = [][]byte{seg} // no groups to capture
		case cr.rest == restToken:
			at := len(cr.leads[0])
			n := nonBlanks(seg[at:])
			if n == 0 {
				continue
			}
			m = [][]byte{seg[:at+n], seg[at : at+n]}
		default:
			if m = cr.re.FindSubmatch(seg); m == nil {
				continue
			}
		}
		if r.make == nil {
			return dst
		}
		return append(dst, r.make(m))
	}
	// The unmarked events, matched by hand: these lines are common (diffs,
	// lists, shell traces), and an expression costs a microsecond a line.
	switch seg[0] {
	case '$':
		// ^\$ (.+)$, a Travis CI command
		if len(seg) > 2 && seg[1] == ' ' {
			return append(dst, Event{Kind: StepStart, Name: string(seg[2:]), Strong: true})
		}
	case '-', '+', '~':
		// ^(?:---|\+\+\+|~~~) (.+)$, a Buildkite header
		if len(seg) > 4 && seg[1] == seg[0] && seg[2] == seg[0] && seg[3] == ' ' && !notBuildkite().Match(seg) {
			return append(dst, Event{Kind: StepStart, Name: string(seg[4:]), Strong: true})
		}
		// ^\+{1,3} (\S.*)$, a shell trace
		n := 0
		for n < len(seg) && seg[n] == '+' {
			n++
		}
		if 1 <= n && n <= 3 && n+1 < len(seg) && seg[n] == ' ' && !isBlank(seg[n+1]) {
			return append(dst, Event{Kind: StepStart, Name: string(seg[n+1:])})
		}
	}
	return dst
}

// isBlank reports whether c is one of the bytes RE2's \s matches.
func isBlank(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r'
}
