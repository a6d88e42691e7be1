//go:build !purego

package engine

import "golang.org/x/sys/cpu"

// stripEscapes copies src[:n] to dst without the ANSI escapes it holds,
// as logtext.StripANSI does, and stops early: when crs is set, at a chunk
// holding a '\r' inside a line (stop is stopCR, and the '\r' is at
// src[read+at]), at an escape it leaves to logtext.StripANSI (stopEscape:
// an OSC sequence, or one longer than its chunks; it starts at src[read]),
// or when fewer than 65 bytes are left (stopTail). What it wrote,
// dst[:written], is logtext.StripANSI of what it read, src[:read]. dst
// must have room for n+64 bytes.
func stripEscapes(dst, src *byte, n int, crs bool) (read, written, stop, at int) {
	if stripWide {
		return stripEscapes512(dst, src, n, crs)
	}
	return stripEscapes256(dst, src, n, crs)
}

// stripEscapes512 is stripEscapes with AVX-512's byte instructions and
// compress (VBMI2).
//
//go:noescape
func stripEscapes512(dst, src *byte, n int, crs bool) (read, written, stop, at int)

// stripEscapes256 is stripEscapes with AVX2.
//
//go:noescape
func stripEscapes256(dst, src *byte, n int, crs bool) (read, written, stop, at int)

var (
	has512 = cpu.X86.HasAVX512BW && cpu.X86.HasAVX512VBMI2
	has256 = cpu.X86.HasAVX2
	// haveStripEscapes reports whether stripEscapes runs here: it needs
	// AVX2 or AVX-512 (VBMI2), and BMI1, BMI2 and POPCNT.
	haveStripEscapes = (has512 || has256) && cpu.X86.HasBMI1 && cpu.X86.HasBMI2 && cpu.X86.HasPOPCNT
	// stripWide selects the AVX-512 kernel where there is one; tests
	// clear it to run the other.
	stripWide = has512
)

// stripShuffle[m] moves the bytes of an eight-byte group whose bits are
// set in m to its start, in order, for PSHUFB: stripEscapes256's compress.
var stripShuffle = func() (t [256][8]byte) {
	for m := range t {
		k := 0
		for i := range 8 {
			if m&(1<<i) != 0 {
				t[m][k] = byte(i)
				k++
			}
		}
		for ; k < 8; k++ {
			t[m][k] = 0x80 // PSHUFB writes zero
		}
	}
	return t
}()
