//go:build !amd64 || purego

package engine

const haveStripEscapes = false

func stripEscapes(dst, src *byte, n int, crs bool) (read, written, stop, at int) {
	panic("stripEscapes: no assembly here")
}
