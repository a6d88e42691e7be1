package engine

import (
	"encoding/binary"
	"math/bits"
)

// lastIndexByte is bytes.LastIndexByte, eight bytes at a time. The
// standard library's is a loop over single bytes on every architecture,
// and the engine looks back from a position to the start of its line or
// '\r' segment, at times across kilobytes (BenchmarkLastIndexByte).
func lastIndexByte(s []byte, c byte) int {
	const low7 = 0x7f7f7f7f7f7f7f7f
	pat := 0x0101010101010101 * uint64(c)
	i := len(s)
	for ; i >= 8; i -= 8 {
		x := binary.LittleEndian.Uint64(s[i-8:]) ^ pat
		// The high bit of each byte of z is set where that byte of x is
		// zero, that is where s holds c, and only there.
		if z := ^((x&low7 + low7) | x | low7); z != 0 {
			return i - 8 + (bits.Len64(z)-1)/8
		}
	}
	for i--; i >= 0; i-- {
		if s[i] == c {
			return i
		}
	}
	return -1
}
