package engine

import (
	"hash/maphash"
	"io"

	"github.com/faultline-dev/faultline/internal/logtext"
)

// maxBaselineTemplates bounds the memory a baseline takes.
const maxBaselineTemplates = 1 << 20

// Baseline is the set of line templates of a passing run of a job. A line's
// template is the line with numbers, hashes, durations and temporary paths
// masked, so that the same line of two runs has the same template.
type Baseline struct {
	seed maphash.Seed
	set  map[uint64]struct{}
	buf  []byte
}

// ReadBaseline reads the templates of a passing log.
func ReadBaseline(r io.Reader) (*Baseline, error) {
	b := &Baseline{seed: maphash.MakeSeed(), set: map[uint64]struct{}{}}
	sc := logtext.NewScanner(r)
	for sc.Scan() && len(b.set) < maxBaselineTemplates {
		b.set[b.key(sc.Line().Match)] = struct{}{}
	}
	return b, sc.Err()
}

// Has reports whether line's template occurs in the baseline.
func (b *Baseline) Has(line []byte) bool {
	_, ok := b.set[b.key(line)]
	return ok
}

func (b *Baseline) key(line []byte) uint64 {
	b.buf = Template(b.buf[:0], line)
	return maphash.Bytes(b.seed, b.buf)
}

// Template appends line's template to dst: runs of digits become one '0',
// words of hex digits that hold a digit and are 7 or more long become 'H',
// and a path under /tmp/ or /var/folders/ keeps only its prefix.
func Template(dst, line []byte) []byte {
	for i := 0; i < len(line); {
		c := line[i]
		switch {
		case isHex(c) && (i == 0 || !isWord(line[i-1])):
			j, digit := i, false
			for j < len(line) && isHex(line[j]) {
				digit = digit || ('0' <= line[j] && line[j] <= '9')
				j++
			}
			if j-i >= 7 && digit && (j == len(line) || !isWord(line[j])) {
				dst = append(dst, 'H')
				i = j
				continue
			}
			if '0' <= c && c <= '9' {
				dst = append(dst, '0')
				for i < len(line) && '0' <= line[i] && line[i] <= '9' {
					i++
				}
				continue
			}
			dst = append(dst, c)
			i++
		case '0' <= c && c <= '9':
			dst = append(dst, '0')
			for i < len(line) && '0' <= line[i] && line[i] <= '9' {
				i++
			}
		case c == '/' && (hasPrefixAt(line, i, "/tmp/") || hasPrefixAt(line, i, "/var/folders/")):
			dst = append(dst, "/tmp/T"...)
			for i < len(line) && line[i] != ' ' && line[i] != '\'' && line[i] != '"' {
				i++
			}
		default:
			dst = append(dst, c)
			i++
		}
	}
	return dst
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func isWord(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '_'
}

func hasPrefixAt(b []byte, i int, p string) bool {
	return len(b)-i >= len(p) && string(b[i:i+len(p)]) == p
}
