//go:build !amd64 || purego

package engine

const haveStripEscapes = false

func stripEscapes(dst, src *byte, n int, crs bool) (read, written, stop, at int) {
	panic("stripEscapes: no assembly here")
}

// Only for the tests, which run every kernel there is.
const has512 = false

var stripWide = false
