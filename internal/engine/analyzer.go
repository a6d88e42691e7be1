package engine

import (
	"bytes"
	"strings"

	"github.com/faultline-dev/faultline/internal/logtext"
)

const (
	// ringSize is how many recent lines are kept to cut excerpts from.
	ringSize = 2048
	// keepText is how much of a line is kept for excerpts.
	keepText = 2048
	// evidenceText is how much of a line is kept as evidence.
	evidenceText = 4096
	// hitsPerPlaybook is how many hits of one playbook a step keeps (the
	// latest ones, nearest the failure).
	hitsPerPlaybook = 16
	// maxFailedSteps is how many failing steps are kept and reported.
	maxFailedSteps = 4
)

// Line flags.
const (
	flagBoilerplate uint8 = 1 << iota // says that something failed, not why
	flagNoise                         // also in the baseline run
	flagHit                           // a playbook signal matched
	flagBlank
)

type ringLine struct {
	n     int
	text  []byte
	score int
	flags uint8
}

// hit is one line where a playbook's signal matched.
type hit struct {
	pb int32 // the playbook's index
	// re is, for a regex's hit, the index of the regex plus one: its
	// captures are worked out only if the hit is shown (see capturesOf).
	// It is negated when they were kept in captures already. matchAt is
	// where the text the regex matched starts in the line's Text, and from
	// and to where the signal is.
	re, matchAt, from, to int32
	n                     int
	text                  string
	signal                string
	strength              int
	captures              map[string]string
	score                 int // the line's heuristic score
	flags                 uint8
}

// step is a step of the job being read, or one that failed.
type step struct {
	name     string
	start    int
	end      int
	exit     int
	strong   bool
	failed   bool
	failLine int
	failText string
	hits     map[int32][]hit
	allSeen  map[int64]bool // pb<<32 | literal index
	vetoed   map[int32]bool
	window   []ringLine // the lines up to the failure point, when it failed
	errLines int        // lines scoring as errors
}

type analyzer struct {
	c    *compiled
	opts Options
	n    int

	ring    [ringSize]ringLine
	blk     *blockResult // the block being applied, when reading by blocks
	prev    *blockResult // the block applied last, kept until the next is
	cur     *step
	failed  []*step
	lastErr *step // the latest step that passed but printed errors
	strong  bool  // the log has a CI provider's markup
	// complete is set for logs of providers that mark every failure
	// (GitHub Actions, Azure Pipelines): without one, the job passed.
	complete bool
	jobPass  bool // the log says the job passed
	jobFail  Line // the line that says the job failed, if one does
}

func newAnalyzer(c *compiled, opts Options) *analyzer {
	a := &analyzer{c: c, opts: opts}
	a.cur = a.newStep("", 1, false)
	return a
}

func (a *analyzer) newStep(name string, start int, strong bool) *step {
	return &step{name: name, start: start, exit: -1, strong: strong}
}

// apply takes in line l, whose facts are f, in log order. The line must
// already be in the ring, or in the block being applied.
func (a *analyzer) apply(l logtext.Line, f *facts) {
	a.applyFacts(l.N, f)
	for _, ev := range f.events {
		a.event(ev, l)
	}
}

// applyFacts takes in the facts f of line n, but its events.
func (a *analyzer) applyFacts(n int, f *facts) {
	a.n = n
	a.mark(f)
	if f.score >= strongScore && f.flags&(flagBoilerplate|flagNoise) == 0 {
		a.cur.errLines++
	}
	a.recordHits(n, f.hits)
}

// mark records in the current step the match.all and match.none literals
// of a line.
func (a *analyzer) mark(f *facts) {
	for _, key := range f.alls {
		a.cur.markAll(key)
	}
	for _, pb := range f.vetoes {
		if a.cur.vetoed == nil {
			a.cur.vetoed = map[int32]bool{}
		}
		a.cur.vetoed[pb] = true
	}
}

// remember puts line l, with its score and flags, in the ring.
func (a *analyzer) remember(n int, text []byte, score int, flags uint8) {
	r := &a.ring[n%ringSize]
	r.n, r.score, r.flags = n, score, flags
	r.text = append(r.text[:0], clip(text, keepText)...)
}

// event applies one structural event of line l.
func (a *analyzer) event(ev logtext.Event, l logtext.Line) {
	if ev.Strong {
		a.strong = true
	}
	if ev.Kind == logtext.StepStart && bytes.HasPrefix(l.Match, []byte("##[")) {
		a.complete = true
	}
	switch ev.Kind {
	case logtext.StepStart:
		if !ev.Strong && a.strong {
			return // a shell trace inside a provider's step
		}
		a.closeStep(l.N - 1)
		a.cur = a.newStep(ev.Name, l.N, ev.Strong)
	case logtext.StepEnd:
		a.cur.exit = ev.Exit
		if ev.Name != "" && a.cur.name == "" {
			a.cur.name = ev.Name
		}
		a.closeStep(l.N)
		a.cur = a.newStep("", l.N+1, false)
	case logtext.Failed:
		if ev.Job {
			if a.jobFail.N == 0 {
				a.jobFail = Line{N: l.N, Text: string(clip(l.Text, keepText))}
			}
			if len(a.failed) > 0 || a.cur.errLines == 0 && len(a.cur.hits) == 0 || afterwards(a.cur.name) {
				return // the failing step came before, or is found at the end
			}
		}
		if !ev.Strong && a.strong {
			// make's "*** Error" inside a provider's step: the step's own
			// failure line comes later.
			if a.cur.failLine == 0 {
				a.cur.failLine, a.cur.failText = l.N, string(clip(l.Text, keepText))
			}
			return
		}
		a.cur.exit = ev.Exit
		if ev.Name != "" && a.cur.name == "" {
			a.cur.name = ev.Name
		}
		a.cur.failed = true
		if a.cur.failLine == 0 || ev.Strong {
			a.cur.failLine, a.cur.failText = l.N, string(clip(l.Text, keepText))
		}
		a.closeStep(l.N)
		a.cur = a.newStep("", l.N+1, false)
	case logtext.Annotated:
		a.cur.failed = true
		if a.cur.failLine == 0 {
			a.cur.failLine, a.cur.failText = l.N, string(clip(l.Text, keepText))
		}
	case logtext.Succeeded:
		a.jobPass = true
	}
}

// closeStep ends the current step at line end, keeping it if it failed.
func (a *analyzer) closeStep(end int) {
	s := a.cur
	s.end = end
	if !s.failed {
		if (s.errLines > 0 || len(s.hits) > 0) && (a.lastErr == nil || !afterwards(s.name)) {
			a.lastErr = s
		}
		return
	}
	if s.errLines == 0 && len(s.hits) == 0 && len(a.failed) > 0 {
		// Only the failure line itself (make's recursive "*** Error" lines,
		// an "exit 1" step after a failure): part of the failure before.
		return
	}
	if len(a.failed) >= maxFailedSteps {
		return
	}
	s.window = a.snapshot(s.start, s.failLine)
	a.failed = append(a.failed, s)
}

// snapshot copies the ring's lines from..to (as many as it still holds).
func (a *analyzer) snapshot(from, to int) []ringLine {
	if to <= 0 {
		return nil
	}
	if from < to-ringSize+1 {
		from = to - ringSize + 1
	}
	if from < 1 {
		from = 1
	}
	out := make([]ringLine, 0, to-from+1)
	for n := from; n <= to; n++ {
		if n <= a.n-ringSize {
			continue // gone from the ring, were the log read line by line
		}
		if a.blk != nil && n >= a.blk.first {
			out = append(out, a.blk.ringLine(n))
			continue
		}
		if a.prev != nil && n >= a.prev.first {
			out = append(out, a.prev.ringLine(n))
			continue
		}
		r := a.ring[n%ringSize]
		if r.n != n {
			continue
		}
		r.text = append([]byte(nil), r.text...)
		out = append(out, r)
	}
	return out
}

func clip(b []byte, n int) []byte {
	if len(b) > n {
		return b[:n]
	}
	return b
}

// afterwards reports whether a step, by its name, runs after the job's
// work to report or clean up (GitLab's upload_artifacts_on_failure,
// Jenkins' post actions, Travis' after_failure): its errors are rarely why
// the job failed.
func afterwards(name string) bool {
	n := strings.ToLower(name)
	for _, w := range []string{"after_failure", "after_script", "on_failure", "post actions", "post job", "cleanup", "upload_artifacts", "archive"} {
		if strings.Contains(n, w) {
			return true
		}
	}
	return false
}
