package logtext

import (
	"bytes"
	"encoding/binary"
	"math/bits"
	"slices"
)

// Clean appends to dst the visible text of one raw line: without its line
// ending, reduced to the last non-empty segment when '\r' rewrote it (as a
// terminal shows a progress bar's final state), and without ANSI escapes.
func Clean(dst, raw []byte) []byte {
	raw = bytes.TrimRight(raw, "\r\n")
	for {
		i := bytes.LastIndexByte(raw, '\r')
		if i < 0 {
			break
		}
		if seg := raw[i+1:]; visible(seg) {
			raw = seg
			break
		}
		raw = raw[:i]
	}
	return StripANSI(dst, raw)
}

// StripANSI appends b to dst without ANSI escape sequences: CSI (ESC [ ...
// final byte), OSC (ESC ] ... BEL or ESC \), and two-byte escapes. An
// escape ends at a newline at the latest, which is kept, so b may be a run
// of lines: each is stripped as if on its own.
//
// Colored output has an escape every twenty bytes or so, too often for a
// search per escape to pay: text is copied eight bytes at a time, each word
// tested for an escape byte at once, and an escape found ends the copy at
// its offset. Past a few words without one, the text is likely plain for a
// while, and the next escape is searched for instead. An escape-free b is
// appended whole.
func StripANSI(dst, b []byte) []byte {
	i := bytes.IndexByte(b, 0x1b)
	if i < 0 {
		return append(dst, b...)
	}
	n := len(dst)
	dst = slices.Grow(dst, len(b))[:n+len(b)]
	n += copy(dst[n:], b[:i])
	// n <= i+len(dst) from here on: writing eight bytes at n while
	// i+8 <= len(b) stays inside dst.
	plain := 0 // words in a row without an escape
	for i < len(b) {
		if b[i] != 0x1b {
			if i+8 > len(b) {
				dst[n] = b[i]
				n++
				i++
				continue
			}
			if plain == plainWords {
				plain = 0
				k := bytes.IndexByte(b[i:], 0x1b)
				if k < 0 {
					k = len(b) - i
				}
				n += copy(dst[n:], b[i:i+k])
				i += k
				continue
			}
			w := binary.LittleEndian.Uint64(b[i:])
			binary.LittleEndian.PutUint64(dst[n:], w)
			x := w ^ (0x1b * lowBytes)
			if esc := (x - lowBytes) &^ x & (0x80 * lowBytes); esc != 0 {
				// The lowest flagged byte is an escape; higher ones may
				// be false, and are looked at again.
				k := bits.TrailingZeros64(esc) / 8
				i += k
				n += k
				continue
			}
			i += 8
			n += 8
			plain++
			continue
		}
		plain = 0
		i++ // ESC
		if i == len(b) {
			break
		}
		switch b[i] {
		case '\n':
		case '[':
			i++
			if i+8 <= len(b) {
				// Most often the final byte is among the next eight, all
				// ASCII: find it in one go. A final byte is in
				// 0x40-0x7e; parameters and intermediates are below.
				w := binary.LittleEndian.Uint64(b[i:])
				ascii := w&(0x80*lowBytes) == 0
				final := w & (0x40 * lowBytes)
				x := w ^ (0x7f * lowBytes) // 0x7f, DEL, is no final byte
				del := (x - lowBytes) &^ x & (0x80 * lowBytes)
				y := w ^ ('\n' * lowBytes)
				nl := (y - lowBytes) &^ y & (0x80 * lowBytes)
				if ascii && final != 0 && del == 0 && nl == 0 {
					i += bits.TrailingZeros64(final)/8 + 1
					break
				}
			}
			for i < len(b) && (b[i] < 0x40 || b[i] > 0x7e) && b[i] != '\n' {
				i++
			}
			if i < len(b) && b[i] != '\n' {
				i++ // the final byte
			}
		case ']':
			i++
			for i < len(b) && b[i] != '\n' {
				if b[i] == 0x07 {
					i++
					break
				}
				if b[i] == 0x1b && i+1 < len(b) && b[i+1] == '\\' {
					i += 2
					break
				}
				i++
			}
		default:
			i++
		}
	}
	return dst[:n]
}

// plainWords is how many words without an escape StripANSI copies before
// it searches for the next escape instead.
const plainWords = 4

// lowBytes has the lowest bit of every byte set.
const lowBytes = 0x0101010101010101

// StripTimestamp returns b without a leading ISO 8601 timestamp such as
// GitHub Actions prints ("2024-05-01T12:00:00.1234567Z "), and without the
// space after it.
func StripTimestamp(b []byte) []byte {
	if n := timestampLen(b); n > 0 {
		b = b[n:]
		if len(b) > 0 && b[0] == ' ' {
			b = b[1:]
		}
	}
	return b
}

// timestampLen returns the length of the ISO timestamp b starts with, or 0.
func timestampLen(b []byte) int {
	const layout = "dddd-dd-ddTdd:dd:dd"
	if len(b) < len(layout) {
		return 0
	}
	for i := 0; i < len(layout); i++ {
		c := b[i]
		if layout[i] == 'd' {
			if c < '0' || c > '9' {
				return 0
			}
		} else if c != layout[i] {
			return 0
		}
	}
	n := len(layout)
	if n < len(b) && (b[n] == '.' || b[n] == ',') {
		n++
		for n < len(b) && b[n] >= '0' && b[n] <= '9' {
			n++
		}
	}
	if n < len(b) && b[n] == 'Z' {
		n++
	} else if n+5 < len(b)+0 && (b[n] == '+' || b[n] == '-') {
		n += 6 // +00:00
	}
	return n
}

// visible reports whether b shows anything but blanks once ANSI escapes are
// removed.
func visible(b []byte) bool {
	if bytes.IndexByte(b, 0x1b) >= 0 {
		b = StripANSI(nil, b)
	}
	return len(bytes.TrimSpace(b)) > 0
}
