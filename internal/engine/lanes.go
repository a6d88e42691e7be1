package engine

import "slices"

// Scanning a block in eight lanes.
//
// A scan with the dense DFA is a chain of dependent table loads: each byte's
// transition needs the state the byte before it reached. One chain waits on
// the cache most of the time; several independent chains, interleaved, keep
// the processor busy while each waits. scanLanes cuts a block into eight
// lanes of equal length and runs them together, one byte of each in turn
// (scan8, in assembly where the Go compiler's version would keep the states
// on the stack; portably in Go elsewhere).
//
// Lanes are cut at fixed offsets, not at line boundaries, so that one
// register and a stride address all eight, and each runs past its end into
// the next by one byte less than the longest pattern. That is enough: the
// state a DFA of Aho–Corasick reaches depends only on the last bytes read,
// as many as the longest pattern has (it is the longest suffix of the text
// read that begins a pattern). So from that far into a lane on, the lane
// is in the state a scan from the block's start is in, and what it finds
// there is what that scan finds. The lane before it covers the bytes
// before.

// laneCount is how many lanes scan8 runs.
const laneCount = 8

// minLane is the shortest lane worth the lanes' set-up: shorter blocks are
// scanned as interleaved parts (scanDense).
const minLane = 256

// laneTask is one call of scan8: its arguments, and the state it returns.
// The assembly reads and writes it by offset: the layout must not change.
type laneTask struct {
	delta  *uint32 // the dense DFA; the byte classes are the 256 bytes before it
	text   *byte   // lane 0's byte at step 0
	stride int     // bytes from one lane to the next
	steps  int     // the steps to run, each a byte of every lane
	done   int     // steps done so far
	room   int     // events every lane has room for; the scan stops after the step that uses the last
	states [laneCount]uint32
	nev    [laneCount]uint32     // each lane's events so far
	events [laneCount]*laneEvent // where each lane's events go
}

// laneEvent is an accepting state reached in a lane: the step, and the
// state reached (times nclass), with its accept bit.
type laneEvent struct {
	step  uint32
	state uint32
}

// laneScratch is scratch space for scanLanes, reused between calls.
type laneScratch struct {
	task   laneTask
	events [laneCount][]laneEvent
}

// scanLanes appends to dst an event for every accepting state the dense DFA
// reaches over text, in order of position, as scan and scanDense do, and
// returns it. The lanes read up to laneSlack bytes past the end of text,
// which its capacity must hold; when it does not, or text is too short for
// lanes, or the patterns too long, text is scanned as interleaved parts cut
// at sep (see scanDense).
func (m *acMatcher) scanLanes(dst []acEvent, text []byte, sep byte, sc *laneScratch, parts *scanParts) []acEvent {
	stride := len(text) / laneCount
	over := m.maxLen - 1 // the bytes a lane reads before it is in step
	if stride < minLane || stride+over >= 1<<31 || over > stride/8 || over > laneSlack || cap(text)-len(text) < over {
		return m.scanDense(dst, parts, text, sep)
	}
	m.dense()
	t := &sc.task
	*t = laneTask{delta: &m.tab[classWords], text: &text[0], stride: stride, steps: stride + over}
	for t.done < t.steps {
		// Room for as many more steps with an event as a lane has left.
		room := 1 << 12
		for j := range sc.events {
			n := int(t.nev[j])
			if len(sc.events[j]) < n+room {
				sc.events[j] = slices.Grow(sc.events[j][:n], room)[:n+room]
			}
			room = min(room, len(sc.events[j])-n)
			t.events[j] = &sc.events[j][0]
		}
		t.room = room
		m.runLanes(t, text[:cap(text)], &sc.events)
	}
	// Lane j reports the bytes from over into it to over into the next.
	for j := 0; j < laneCount; j++ {
		base := j * stride
		from, to := base+over, base+stride+over
		if j == 0 {
			from = 0
		}
		if j == laneCount-1 {
			to = len(text)
		}
		for _, e := range sc.events[j][:t.nev[j]] {
			if pos := base + int(e.step); from <= pos && pos < to {
				dst = append(dst, acEvent{int32(pos), m.stateOf(e.state &^ acceptBit)})
			}
		}
	}
	return dst
}

// laneSlack is how many bytes past the end of a text scanLanes may read:
// the longest pattern it scans with lanes, less one. Blocks are allocated
// with that much room to spare.
const laneSlack = 4096

// stateOf returns the state whose row starts at entry v of the dense DFA:
// v / nclass, by a multiplication, which is exact for multiples of nclass.
func (m *acMatcher) stateOf(v uint32) int32 {
	return int32(uint64(v) * m.recip >> 40)
}

// scan8Go is scan8 in Go, and its reference: it runs the steps of t left
// to run, or fewer when the events fill up, recording in each lane's
// events an event for each accepting state it reaches. Each event uses one
// of t.room; the scan stops after the step where none is left. Since a
// lane has at most one event a step, none of them writes more than the
// room it began with.
func scan8Go(t *laneTask, class *[256]uint8, delta []uint32, text []byte, events *[laneCount][]laneEvent) {
	for t.done < t.steps {
		for j := range laneCount {
			s := delta[t.states[j]+uint32(class[text[j*t.stride+t.done]])]
			if s&acceptBit != 0 {
				events[j][t.nev[j]] = laneEvent{uint32(t.done), s}
				t.nev[j]++
				t.room--
				s &^= acceptBit
			}
			t.states[j] = s
		}
		t.done++
		if t.room <= 0 {
			return
		}
	}
}
