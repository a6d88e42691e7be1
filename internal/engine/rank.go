package engine

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/faultline-dev/faultline/internal/catalog"
	"github.com/faultline-dev/faultline/internal/logtext"
)

// Ranked is a playbook that matched a snippet, and what its signals were
// worth.
type Ranked struct {
	ID    string
	Score float64
}

// Rank matches text as one step of a log, with every line in the place
// that counts most, and returns the playbooks that match, best first. It is
// how playbook examples are checked: it judges signals alone, not where in
// a log they appear.
func (e *Engine) Rank(text string) []Ranked {
	a := newAnalyzer(e.c, Options{})
	k := newClassifier(e.c, nil)
	var pats []int32
	sc := logtext.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		l := sc.Line()
		pats = e.c.ac.appendMatches(pats[:0], l.Match, false)
		f := k.classify(l, pats, nil)
		a.n = l.N
		a.mark(f)
		a.recordHits(l.N, f.hits)
	}
	s := a.cur
	var out []Ranked
	for pb, hs := range s.hits {
		if s.vetoed[pb] || !s.hasAll(pb, e.c.allCount[pb]) {
			continue
		}
		best := 0
		signals := map[string]bool{}
		for _, h := range hs {
			best = max(best, h.strength)
			signals[h.signal] = true
		}
		out = append(out, Ranked{ID: e.c.playbooks[pb].ID, Score: float64(best) + math.Min(float64(len(signals)-1), 3)})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Score != out[j].Score {
			return out[i].Score > out[j].Score
		}
		return out[i].ID < out[j].ID
	})
	return out
}

// CheckExamples checks a playbook's examples against the engine's whole
// catalog: every examples.match snippet must rank the playbook first, and
// no examples.no_match snippet may match it.
func (e *Engine) CheckExamples(p *catalog.Playbook) []catalog.Problem {
	var probs []catalog.Problem
	add := func(keys []string, format string, args ...any) {
		probs = append(probs, catalog.Problem{File: p.Source, Line: p.Line(keys...), Msg: fmt.Sprintf(format, args...)})
	}
	for i, ex := range p.Examples.Match {
		r := e.Rank(ex)
		key := []string{"examples", "match", strconv.Itoa(i)}
		switch {
		case !contains(r, p.ID):
			add(key, "examples.match[%d] does not trigger %s", i, p.ID)
		case r[0].ID != p.ID:
			add(key, "examples.match[%d] ranks %s first (%.0f), above %s (%.0f)", i, r[0].ID, r[0].Score, p.ID, scoreOf(r, p.ID))
		}
	}
	for i, ex := range p.Examples.NoMatch {
		if contains(e.Rank(ex), p.ID) {
			add([]string{"examples", "no_match", strconv.Itoa(i)}, "examples.no_match[%d] triggers %s", i, p.ID)
		}
	}
	return probs
}

func contains(r []Ranked, id string) bool { return scoreOf(r, id) >= 0 }

func scoreOf(r []Ranked, id string) float64 {
	for _, x := range r {
		if x.ID == id {
			return x.Score
		}
	}
	return -1
}
