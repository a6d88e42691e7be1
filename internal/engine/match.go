package engine

import (
	"bytes"
	"maps"

	"github.com/faultline-dev/faultline/internal/logtext"
)

// hitBonus is added to the heuristic score of a line where a playbook
// signal matched.
const hitBonus = 3

// regexStrengthCap bounds what one regex match is worth, so that a pattern
// matching a whole long line does not outweigh every literal.
const regexStrengthCap = 60

// facts is what one line of a log says on its own, wherever it stands:
// its heuristic score and flags, the playbook signals it holds, and the
// structural events it states. Working them out needs no state of the
// analysis, so it can run for many lines in parallel; applying them to the
// analysis (see analyzer.apply) is the part that runs in log order.
type facts struct {
	score  int
	flags  uint8
	hits   []hit           // n, score and flags are filled in by apply
	alls   []int64         // match.all literals seen: pb<<32 | literal index
	vetoes []int32         // playbooks a match.none literal vetoes
	events []logtext.Event // in the order the line states them
}

// classifier works out the facts of lines. It holds per-line scratch state,
// so each goroutine needs its own.
type classifier struct {
	c        *compiled
	baseline *Baseline
	tick     uint32 // counts lines, to tell a pattern's first occurrence in one

	stamp      []uint32 // per pattern: the tick it last matched on
	regexStamp []uint32 // per regex: the tick it last ran on
	lower      []byte   // the line lowercased, once a regex needs it
	lowerTick  uint32   // the tick lower was made on

	f                facts
	markers          uint64   // the logtext.Markers the line holds, bit i for Markers[i]
	boilerplate      []int32  // the boilerplate branches the line may match
	boilerplateStamp []uint32 // per branch: the tick it was last added on
	segments         segmentScratch
	matchAt          int // where the line's Match starts in its Text
}

func newClassifier(c *compiled, baseline *Baseline) *classifier {
	return &classifier{
		c:                c,
		baseline:         baseline,
		stamp:            make([]uint32, len(c.literals)),
		boilerplateStamp: make([]uint32, len(boilerplateBranches)),
		regexStamp:       make([]uint32, len(c.regexes)),
	}
}

// classify returns the facts of line l, given the patterns of the
// catalog's automaton that occur in l.Match, in any order and with
// repeats, and, for a line rewritten with '\r', the segments that may state
// events when they are known (nil: classify finds them). The facts are
// valid until the next call.
func (k *classifier) classify(l logtext.Line, pats []int32, segs *segments) *facts {
	k.tick++
	if k.tick == 0 { // wrapped: old stamps could collide with new ticks
		clear(k.stamp)
		clear(k.regexStamp)
		clear(k.boilerplateStamp)
		k.lowerTick = 0
		k.tick = 1
	}
	f := &k.f
	f.score, f.flags = 0, 0
	f.hits, f.alls, f.vetoes, f.events = f.hits[:0], f.alls[:0], f.vetoes[:0], f.events[:0]
	k.markers, k.boilerplate = 0, k.boilerplate[:0]
	k.matchAt = len(l.Text) - len(l.Match)

	for _, p := range pats {
		k.pattern(p, l.Match)
	}
	for _, r := range k.c.unguarded {
		k.runRegex(r, l.Match)
	}
	if len(f.hits) > 0 {
		f.score += hitBonus
		f.flags |= flagHit
	}

	switch {
	case len(l.Full) != len(l.Text):
		// A line rewritten with '\r' (a progress bar): the automaton saw
		// its last segment only. Its segments state events only if they
		// hold markers or one starts like a command.
		sg := segs
		if sg == nil {
			found := k.c.segments.find(l.Full, &k.segments)
			sg = &found
		}
		for i, at := range sg.starts {
			seg := l.Full[at:]
			if i := bytes.IndexByte(seg, '\r'); i >= 0 {
				seg = seg[:i]
			}
			f.events = logtext.SegmentEvents(f.events, seg, sg.marks[i])
		}
	case k.markers != 0:
		f.events = logtext.EventsOf(f.events, l.Full, k.markers)
	case logtext.MayHaveEvents(l.Match):
		f.events = logtext.UnmarkedEvents(f.events, l.Full)
	}
	f.flags |= blankFlag(l.Match)
	for _, ev := range f.events {
		if ev.Kind == logtext.Failed || (ev.Kind == logtext.StepEnd && ev.Exit > 0) {
			f.flags |= flagBoilerplate
		}
	}
	if f.flags&flagBoilerplate == 0 && (f.score >= strongScore || f.flags&flagHit != 0) && k.isBoilerplate(l.Match) {
		f.flags |= flagBoilerplate
	}
	if k.baseline != nil && k.baseline.Has(l.Match) {
		f.flags |= flagNoise
		if f.score > 0 {
			f.score = 0
		}
	}
	if len(f.hits) > 0 {
		base := f.score // what the words of the line say, without its own hits
		if f.flags&flagHit != 0 {
			base -= hitBonus
		}
		text := string(clip(l.Text, evidenceText))
		for i := range f.hits {
			h := &f.hits[i]
			h.text, h.score, h.flags = text, base, f.flags
			if h.re != 0 {
				// A regex's signal is the text it matched: part of the
				// line's, unless that was cut.
				if int(h.to) <= len(text) {
					h.signal = text[h.from:h.to]
				} else {
					h.signal = string(l.Text[h.from:h.to])
				}
			}
		}
	}
	return f
}

// isBoilerplate reports whether text only says that something failed: what
// boilerplate reports, running only the branches whose literals the line
// holds (k.boilerplate) or that have none.
func (k *classifier) isBoilerplate(text []byte) bool {
	for _, list := range [2][]int32{k.boilerplate, k.c.boilerplateAlways} {
		for _, i := range list {
			if cr := k.c.boilerplate[i]; cr.mayStart(text) && k.hasFactors(cr, text) && cr.matches(text) {
				return true
			}
		}
	}
	return false
}

// pattern records what an occurrence of pattern p in text means.
func (k *classifier) pattern(p int32, text []byte) {
	if k.stamp[p] == k.tick {
		return
	}
	k.stamp[p] = k.tick
	c, f := k.c, &k.f
	for _, u := range c.uses[p] {
		switch u.kind {
		case useKeyword:
			f.score += keywords[u.idx].weight
		case useMarker:
			k.markers |= 1 << u.idx
		case useBoilerplate:
			if k.boilerplateStamp[u.idx] != k.tick {
				k.boilerplateStamp[u.idx] = k.tick
				k.boilerplate = append(k.boilerplate, u.idx)
			}
		case useAny:
			f.hits = append(f.hits, hit{pb: u.pb, signal: c.literals[p], strength: len(c.literals[p])})
		case useAll:
			f.alls = append(f.alls, int64(u.pb)<<32|int64(u.idx))
			if !c.hasAnyOrRegex[u.pb] {
				f.hits = append(f.hits, hit{pb: u.pb, signal: c.literals[p], strength: len(c.literals[p])})
			}
		case useNone:
			f.vetoes = append(f.vetoes, u.pb)
		case useRegex:
			k.runRegex(u.idx, text)
		}
	}
}

// hasFactors reports whether text holds a literal of each of the regex's
// prefilter factors after the first: lowercased in the lowercased text for
// a regex that ignores case somewhere, else as written.
func (k *classifier) hasFactors(cr *compiledRegex, text []byte) bool {
	if len(cr.more) == 0 {
		return true
	}
	hay := text
	if cr.fold {
		if k.lowerTick != k.tick {
			k.lower = k.lower[:0]
			for _, c := range text {
				k.lower = append(k.lower, lowerASCII(c))
			}
			k.lowerTick = k.tick
		}
		hay = k.lower
	}
	for _, set := range cr.more {
		if !containsAny(hay, set) {
			return false
		}
	}
	return true
}

func containsAny(text []byte, lits [][]byte) bool {
	for _, lit := range lits {
		if bytes.Contains(text, lit) {
			return true
		}
	}
	return false
}

// runRegex runs regex r on text once per line, if the line may match by
// its first bytes and factors, and records a hit.
func (k *classifier) runRegex(r int32, text []byte) {
	if k.regexStamp[r] == k.tick {
		return
	}
	k.regexStamp[r] = k.tick
	cr := k.c.regexes[r]
	if !cr.mayStart(text) || !k.hasFactors(cr, text) {
		return
	}
	m := cr.find(text)
	if m == nil {
		return
	}
	at := int32(k.matchAt)
	h := hit{re: r + 1, matchAt: at, from: at + int32(m[0]), to: at + int32(m[1]), strength: min(m[1]-m[0], regexStrengthCap)}
	if k.matchAt+len(text) > evidenceText {
		// The hit's text is cut: what the regex captured may not be in
		// it, so it is kept now.
		h.re, h.captures = -h.re, captures(cr.regexp().SubexpNames(), text, m)
	}
	for _, pb := range cr.pbs {
		h.pb = pb
		if pb != cr.pbs[0] && h.captures != nil {
			h.captures = maps.Clone(h.captures)
		}
		k.f.hits = append(k.f.hits, h)
	}
}

// capturesOf returns what the regex of hit h captured, by name. Most hits
// are never shown, so a regex's captures are worked out from the hit's
// text only when they are asked for: the same regex on the same text.
func (c *compiled) capturesOf(h *hit) map[string]string {
	if h.re <= 0 {
		return h.captures
	}
	re := c.regexes[h.re-1].regexp()
	text := []byte(h.text[h.matchAt:])
	m := re.FindSubmatchIndex(text)
	if m == nil {
		return nil // cannot be: it matched this text before
	}
	return captures(re.SubexpNames(), text, m)
}

// captures returns the named submatches m of text, trimmed.
func captures(names []string, text []byte, m []int) map[string]string {
	var caps map[string]string
	for i, name := range names {
		if name == "" || m[2*i] < 0 {
			continue
		}
		if caps == nil {
			caps = map[string]string{}
		}
		caps[name] = string(bytes.TrimSpace(text[m[2*i]:m[2*i+1]]))
	}
	return caps
}

func (s *step) markAll(key int64) {
	if s.allSeen == nil {
		s.allSeen = map[int64]bool{}
	}
	s.allSeen[key] = true
}

// recordHits stores the hits of line n in the current step.
func (a *analyzer) recordHits(n int, hits []hit) {
	if len(hits) == 0 {
		return
	}
	s := a.cur
	if s.hits == nil {
		s.hits = map[int32][]hit{}
	}
	for _, h := range hits {
		pb := h.pb
		h.n = n
		hs := s.hits[pb]
		if len(hs) > 0 && hs[len(hs)-1].n == n {
			// Two signals of one playbook on one line: keep the stronger.
			if h.strength > hs[len(hs)-1].strength {
				hs[len(hs)-1] = h
			}
			continue
		}
		if len(hs) == hitsPerPlaybook {
			copy(hs, hs[1:])
			hs = hs[:len(hs)-1]
		}
		s.hits[pb] = append(hs, h)
	}
}
