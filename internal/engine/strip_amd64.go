//go:build !purego

package engine

import "golang.org/x/sys/cpu"

// stripEscapes copies src[:n] to dst without the ANSI escapes it holds,
// as logtext.StripANSI does, and stops early: when crs is set, at a chunk
// holding a '\r' inside a line (stop is stopCR, and the '\r' is at
// src[read+at]), at an
// escape it leaves to logtext.StripANSI (stopEscape: an OSC sequence, or
// one longer than its chunks; it starts at src[read]), or when fewer than
// 65 bytes are left (stopTail). What it wrote, dst[:written], is
// logtext.StripANSI of what it read, src[:read]. dst must have room for
// n+64 bytes.
//
//go:noescape
func stripEscapes(dst, src *byte, n int, crs bool) (read, written, stop, at int)

// haveStripEscapes reports whether stripEscapes runs here: it needs
// AVX-512's byte instructions and compress (VBMI2), and BMI1 and BMI2.
var haveStripEscapes = cpu.X86.HasAVX512BW && cpu.X86.HasAVX512VBMI2 && cpu.X86.HasBMI1 && cpu.X86.HasBMI2 && cpu.X86.HasPOPCNT
