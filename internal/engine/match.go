package engine

import (
	"bytes"
	"regexp"

	"github.com/faultline-dev/faultline/internal/logtext"
)

// hitBonus is added to the heuristic score of a line where a playbook
// signal matched.
const hitBonus = 3

// regexStrengthCap bounds what one regex match is worth, so that a pattern
// matching a whole long line does not outweigh every literal.
const regexStrengthCap = 60

// match runs the catalog's automaton over one line. It records the line's
// playbook hits and match.all / match.none literals in the current step and
// returns the line's heuristic score and flags.
func (a *analyzer) match(l logtext.Line) (score int, flags uint8) {
	c := a.c
	stamp := uint32(l.N)
	a.lineHits = a.lineHits[:0]
	a.marker, a.maybeBoilerplate = false, false
	text := l.Match
	c.ac.match(text, func(p int32) {
		if a.stamp[p] == stamp {
			return
		}
		a.stamp[p] = stamp
		for _, u := range c.uses[p] {
			switch u.kind {
			case useKeyword:
				score += keywords[u.idx].weight
			case useMarker:
				a.marker = true
			case useBoilerplate:
				a.maybeBoilerplate = true
			case useAny:
				a.lineHits = append(a.lineHits, hit{pb: u.pb, signal: c.literals[p], strength: len(c.literals[p])})
			case useAll:
				a.cur.markAll(u.pb, u.idx)
				if !c.hasAnyOrRegex[u.pb] {
					a.lineHits = append(a.lineHits, hit{pb: u.pb, signal: c.literals[p], strength: len(c.literals[p])})
				}
			case useNone:
				if a.cur.vetoed == nil {
					a.cur.vetoed = map[int32]bool{}
				}
				a.cur.vetoed[u.pb] = true
			case useRegex:
				// Run the regex once the line has shown every factor.
				if a.factorStamp[u.idx] != stamp {
					a.factorStamp[u.idx], a.factorSeen[u.idx] = stamp, 0
				}
				a.factorSeen[u.idx] |= 1 << u.set
				if a.factorSeen[u.idx] == 1<<c.regexes[u.idx].factors-1 {
					a.runRegex(u.idx, text, stamp)
				}
			}
		}
	})
	for _, r := range c.unguarded {
		a.runRegex(r, text, stamp)
	}
	if len(a.lineHits) > 0 {
		score += hitBonus
		flags |= flagHit
	}
	return score, flags
}

// runRegex runs regex r on text once per line and records a hit.
func (a *analyzer) runRegex(r int32, text []byte, stamp uint32) {
	if a.regexStamp[r] == stamp {
		return
	}
	a.regexStamp[r] = stamp
	cr := a.c.regexes[r]
	if cr.first != nil && (len(text) == 0 || !cr.first[text[0]]) {
		return
	}
	re := cr.regexp()
	if re == nil {
		return
	}
	// Most runs find nothing: ask first, without tracking submatches.
	if !re.Match(text) {
		return
	}
	m := re.FindSubmatchIndex(text)
	h := hit{pb: cr.pb, signal: string(text[m[0]:m[1]]), strength: min(m[1]-m[0], regexStrengthCap)}
	h.captures = captures(re, text, m)
	a.lineHits = append(a.lineHits, h)
}

func captures(re *regexp.Regexp, text []byte, m []int) map[string]string {
	var caps map[string]string
	for i, name := range re.SubexpNames() {
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

func (s *step) markAll(pb, idx int32) {
	if s.allSeen == nil {
		s.allSeen = map[int64]bool{}
	}
	s.allSeen[int64(pb)<<32|int64(idx)] = true
}

// recordHits stores the current line's hits in the current step, with
// the line's number, text, score and flags.
func (a *analyzer) recordHits(l logtext.Line, score int, flags uint8) {
	if len(a.lineHits) == 0 {
		return
	}
	s := a.cur
	if s.hits == nil {
		s.hits = map[int32][]hit{}
	}
	text := string(clip(l.Text, evidenceText))
	for _, h := range a.lineHits {
		pb := h.pb
		h.n, h.text, h.score, h.flags = l.N, text, score, flags
		hs := s.hits[pb]
		if len(hs) > 0 && hs[len(hs)-1].n == l.N {
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
