//go:build !purego

package engine

// scan8 is scan8Go in assembly (lanes_amd64.s): the eight states stay in
// registers, and one pointer and the stride address every lane's byte.
//
//go:noescape
func scan8(t *laneTask)

// runLanes runs t over block, with room for events in events.
func (m *acMatcher) runLanes(t *laneTask, block []byte, events *[laneCount][]laneEvent) {
	scan8(t)
}
