//go:build !amd64 || purego

package engine

// runLanes runs t over block, with room for events in events.
func (m *acMatcher) runLanes(t *laneTask, block []byte, events *[laneCount][]laneEvent) {
	scan8Go(t, &m.class, m.delta, block, events)
}
