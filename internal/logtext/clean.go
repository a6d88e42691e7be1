package logtext

import "bytes"

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
// final byte), OSC (ESC ] ... BEL or ESC \), and two-byte escapes.
func StripANSI(dst, b []byte) []byte {
	for {
		i := bytes.IndexByte(b, 0x1b)
		if i < 0 {
			return append(dst, b...)
		}
		dst = append(dst, b[:i]...)
		b = b[i+1:]
		if len(b) == 0 {
			return dst
		}
		switch b[0] {
		case '[':
			j := 1
			for j < len(b) && (b[j] < 0x40 || b[j] > 0x7e) {
				j++
			}
			if j < len(b) {
				j++
			}
			b = b[j:]
		case ']':
			j := 1
			for j < len(b) {
				if b[j] == 0x07 {
					j++
					break
				}
				if b[j] == 0x1b && j+1 < len(b) && b[j+1] == '\\' {
					j += 2
					break
				}
				j++
			}
			b = b[j:]
		default:
			b = b[1:]
		}
	}
}

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
