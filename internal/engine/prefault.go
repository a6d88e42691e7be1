package engine

import (
	"slices"
	"unsafe"
)

// grow is slices.Grow for the engine's large buffers: new memory of
// 64 KB or more is faulted in at once (see prefault). Less is not worth a
// system call: small allocations mostly reuse memory faulted in already.
func grow[T any](s []T, n int) []T {
	c := cap(s)
	s = slices.Grow(s, n)
	if spare := s[len(s):cap(s)]; cap(s) != c && len(spare)*int(unsafe.Sizeof(spare[0])) >= 64<<10 {
		prefault(spare)
	}
	return s
}
