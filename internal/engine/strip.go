package engine

// How stripEscapes stopped (see strip_amd64.go).
const (
	stopTail   = 0
	stopCR     = 1
	stopEscape = 2
)
