package engine

import (
	"math"
	"regexp"
	"slices"
	"sort"
	"sync"

	"github.com/faultline-dev/faultline/internal/catalog"
	"github.com/faultline-dev/faultline/internal/logtext"
)

const (
	// maxExcerpt is the most lines an excerpt shows.
	maxExcerpt = 40
	// blockGap is the most non-error lines between two error lines of one
	// block of errors.
	blockGap = 8
	// maxEvidence is the most evidence lines of one diagnosis.
	maxEvidence = 8
	// minDiagnosisScore is what a playbook's best hit must be worth to be
	// reported.
	minDiagnosisScore = 4
)

// finish decides, once the whole log is read, where it failed and why.
func (a *analyzer) finish() *Report {
	a.closeStep(a.n)
	rep := &Report{Source: a.opts.Source, Lines: a.n, Status: Clean}

	steps := a.failed
	if len(steps) == 0 {
		s := a.implicitFailure()
		if s == nil {
			return rep
		}
		steps = []*step{s}
	}

	seen := map[string]bool{}
	for i, s := range steps {
		ex := excerpt(s)
		if i == 0 {
			rep.Step = &Step{Name: s.name, StartLine: s.start, EndLine: s.end, Exit: s.exit}
			rep.FailurePoint = &Line{N: s.failLine, Text: s.failText}
			rep.Excerpt = ex
		}
		for _, d := range a.diagnose(s, ex) {
			if !seen[d.Playbook.ID] {
				seen[d.Playbook.ID] = true
				rep.Diagnoses = append(rep.Diagnoses, d)
			}
		}
	}
	rep.Status = Unknown
	if len(rep.Diagnoses) > 0 {
		rep.Status = Diagnosed
	}
	return rep
}

// implicitFailure returns the step that failed in a log whose structure does
// not say which one did: the latest step that printed errors, when the log
// says the job failed, or does not say it passed (a plain log, or a CI log
// cut short). It returns nil for a log that shows no failure.
func (a *analyzer) implicitFailure() *step {
	if a.jobPass && a.jobFail.N == 0 {
		return nil
	}
	if a.complete && a.jobFail.N == 0 {
		return nil // every step of a provider's log passed
	}
	s := a.lastErr
	if s == nil {
		return nil
	}
	s.failed = true
	s.window = a.snapshot(s.start, s.end)
	if a.jobFail.N != 0 {
		s.failLine, s.failText = a.jobFail.N, a.jobFail.Text
	} else {
		// The last error line is where the failure shows.
		for i := len(s.window) - 1; i >= 0; i-- {
			if w := s.window[i]; w.score >= strongScore && w.flags&flagNoise == 0 {
				s.failLine, s.failText = w.n, string(w.text)
				break
			}
		}
		if s.failLine == 0 {
			if len(s.window) == 0 {
				return nil
			}
			w := s.window[len(s.window)-1]
			s.failLine, s.failText = w.n, string(w.text)
		}
	}
	return s
}

type block struct {
	first, last int // indexes into the step's window
	value       float64
}

// weakScore is the least score of a line that counts as an error when no
// line of the failed step scores strongScore: a lone "Unexpected token" or
// "FAILED" says more about the failure than the lines around it.
const weakScore = 2

// excerpt picks the span of a failed step's window that shows why it failed:
// the block of error lines that weighs most, lines nearer the failure point
// weighing more; failing that, the block of weaker error lines that does;
// or, when no line reads as an error, the lines just before the failure
// point.
func excerpt(s *step) *Excerpt {
	w := s.window
	if len(w) == 0 {
		return &Excerpt{Start: s.failLine, End: s.failLine, Lines: []Line{{N: s.failLine, Text: s.failText}}}
	}
	first, last, ok := bestBlock(w, strongScore)
	if !ok {
		first, last, ok = bestBlock(w, weakScore)
	}
	if ok {
		// Context: a line or two before the block, a few after.
		for k := 0; k < 2 && first > 0 && w[first-1].flags&flagBlank == 0; k++ {
			first--
		}
		last = min(last+6, len(w)-1)
	} else {
		last = len(w) - 1
		first = max(0, last-19)
	}
	for first < last && w[first].flags&flagBlank != 0 {
		first++
	}
	if last-first+1 > maxExcerpt {
		last = first + maxExcerpt - 1
	}
	for last > first && w[last].flags&flagBlank != 0 {
		last--
	}
	ex := &Excerpt{Start: w[first].n, End: w[last].n}
	for _, l := range w[first : last+1] {
		ex.Lines = append(ex.Lines, Line{N: l.n, Text: string(l.text)})
	}
	return ex
}

// errorLine reports whether a window line reads as an error at the given
// least score. Lines that only say that something failed (boilerplate), that
// a passing run printed too (noise), or that count a test run's failures
// (summary) never do. Lines below strongScore were not checked for
// boilerplate while the log was read, so they are here.
func errorLine(l ringLine, least int) bool {
	if l.score < least || l.flags&(flagBoilerplate|flagNoise) != 0 {
		return false
	}
	text := logtext.StripTimestamp(l.text)
	if l.score < strongScore && boilerplate(text) {
		return false
	}
	return !summaryRE().Match(text)
}

// summaryRE matches the lines of a test runner's closing summary: counts of
// failures ("Tests: 78, Failures: 2", "Executed 5 tests, with 1 failure",
// "1 of 13 test tasks failed", "3 failed, 97 passed") and rows of a results
// table ("| ✖ Failed |"). They read as errors, but they only count what
// failed; the block that shows the first failure (its assertion, exception
// or stack trace) says why, so summary lines do not form or weigh blocks.
// They still count as evidence of a diagnosis. Compiled on first use.
var summaryRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?i)` +
		`\b\d+ (?:of \d+ )?(?:(?:tests?|specs?|examples?|test tasks?|assertions?),? (?:with )?(?:\d+ )?)?(?:failures?|failed|errors?|failing)\b` +
		`|\b(?:failures|errors|failed|failing): \d+` +
		`|\|\s*[✖✗×]?\s*fail`)
})

// bestBlock groups the window's error lines (scoring at least least) into
// blocks, lines at most blockGap apart, and returns the block that weighs
// most: each line counts its score (at most 8), and a block nearer the
// failure point counts up to twice as much.
func bestBlock(w []ringLine, least int) (first, last int, ok bool) {
	var blocks []block
	for i, l := range w {
		if !errorLine(l, least) {
			continue
		}
		v := float64(min(l.score, 8))
		if n := len(blocks); n > 0 && w[i].n-w[blocks[n-1].last].n <= blockGap+1 {
			blocks[n-1].last = i
			blocks[n-1].value += v
			continue
		}
		blocks = append(blocks, block{first: i, last: i, value: v})
	}
	if len(blocks) == 0 {
		return 0, 0, false
	}
	best := -1.0
	span := float64(w[len(w)-1].n - w[0].n + 1)
	for _, b := range blocks {
		pos := float64(w[b.last].n-w[0].n+1) / span
		v := b.value * (1 + pos)
		if v >= best {
			best = v
			first, last = b.first, b.last
		}
	}
	return first, last, true
}

// weight says how much a hit counts given where it is: in the excerpt, in
// the window before the failure point, or earlier in the failed step; on a
// line that reads as a warning, or that the baseline run printed too.
func weight(h hit, s *step, ex *Excerpt) float64 {
	if h.flags&flagBoilerplate != 0 {
		return 0
	}
	var w float64
	switch {
	case h.n > s.failLine && s.failLine > 0:
		w = 0.25 // after the failure point: cleanup, after_failure dumps
	case ex != nil && h.n >= ex.Start && h.n <= ex.End:
		w = 1
	case len(s.window) > 0 && h.n >= s.window[0].n:
		w = 0.5
	default:
		w = 0.25
	}
	if h.score < 0 {
		w *= 0.3
	}
	if h.flags&flagNoise != 0 {
		w *= 0.1
	}
	return w
}

// diagnose ranks the playbooks whose signals matched in a failed step.
func (a *analyzer) diagnose(s *step, ex *Excerpt) []Diagnosis {
	type cand struct {
		d     Diagnosis
		score float64
		sev   int
	}
	var cands []cand
	pbs := make([]int32, 0, len(s.hits))
	for pb := range s.hits {
		pbs = append(pbs, pb)
	}
	slices.Sort(pbs)
	for _, pb := range pbs {
		p := a.c.playbooks[pb]
		if s.vetoed[pb] || !s.hasAll(pb, a.c.allCount[pb]) {
			continue
		}
		var (
			best     float64
			bestW    float64
			evidence []hit
			signals  = map[string]bool{}
		)
		for _, h := range s.hits[pb] {
			w := weight(h, s, ex)
			if w < 0.5 {
				continue
			}
			evidence = append(evidence, h)
			signals[h.signal] = true
			if v := float64(h.strength) * w; v > best {
				best, bestW = v, w
			}
		}
		if best < minDiagnosisScore {
			continue
		}
		score := best + math.Min(float64(len(signals)-1), 3)
		// Strongest evidence first, then in log order.
		sort.SliceStable(evidence, func(i, j int) bool {
			wi := float64(evidence[i].strength) * weight(evidence[i], s, ex)
			wj := float64(evidence[j].strength) * weight(evidence[j], s, ex)
			if wi != wj {
				return wi > wj
			}
			return evidence[i].n < evidence[j].n
		})
		if len(evidence) > maxEvidence {
			evidence = evidence[:maxEvidence]
		}
		d := Diagnosis{Playbook: p, Confidence: confidence(best, bestW)}
		for _, h := range evidence {
			d.Evidence = append(d.Evidence, Evidence{Line: Line{N: h.n, Text: h.text}, Signal: h.signal})
			for k, v := range a.c.capturesOf(&h) {
				if d.Captures == nil {
					d.Captures = map[string]string{}
				}
				if _, ok := d.Captures[k]; !ok {
					d.Captures[k] = v
				}
			}
		}
		cands = append(cands, cand{d: d, score: score, sev: slices.Index(catalog.Severities, p.Severity)})
	}
	sort.SliceStable(cands, func(i, j int) bool {
		if cands[i].score != cands[j].score {
			return cands[i].score > cands[j].score
		}
		if cands[i].sev != cands[j].sev {
			return cands[i].sev < cands[j].sev
		}
		return cands[i].d.Playbook.ID < cands[j].d.Playbook.ID
	})
	out := make([]Diagnosis, len(cands))
	for i, c := range cands {
		out[i] = c.d
	}
	return out
}

func (s *step) hasAll(pb int32, n int) bool {
	for i := 0; i < n; i++ {
		if !s.allSeen[int64(pb)<<32|int64(i)] {
			return false
		}
	}
	return true
}

// confidence maps a hit's worth and place to [0,1]: a long, precise signal
// in the excerpt approaches 1; a short one away from it stays near 0.5.
func confidence(best, w float64) float64 {
	c := 0.5 + 0.45*w*math.Min(best/(30*w), 1)
	return math.Round(c*100) / 100
}
