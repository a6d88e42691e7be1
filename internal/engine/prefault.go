package engine

import "slices"

// grow is slices.Grow for the engine's large buffers: new memory is
// faulted in at once (see prefault).
func grow[T any](s []T, n int) []T {
	c := cap(s)
	s = slices.Grow(s, n)
	if cap(s) != c {
		prefault(s[len(s):cap(s)])
	}
	return s
}
