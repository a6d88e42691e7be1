// Package logtext reads CI logs: it detects gzip and binary input, splits
// the log into lines, resolves carriage-return progress lines, strips ANSI
// escapes and CI timestamps, and recognises the structure CI providers print
// (steps, commands, exit statuses).
//
// It works line by line in constant memory and keeps line numbers exact. It
// knows nothing about playbooks or diagnoses.
package logtext

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
)

// MaxLineBytes is how much of one line is kept. Longer lines are cut there
// (the rest is read and dropped), so a log with megabytes between newlines
// still streams in constant memory.
const MaxLineBytes = 64 << 10

// ErrBinary is returned for input that is not text.
var ErrBinary = errors.New("input looks binary, not a text log")

// Line is one line of a log.
type Line struct {
	// N is the 1-based number of the line in the original input.
	N int
	// Text is the line as a person would see it: the final state of a line
	// rewritten with '\r', without line ending or ANSI escapes. It may hold
	// invalid UTF-8, as the input did.
	Text []byte
	// Match is Text without a leading CI timestamp: what signals are matched
	// against. It shares memory with Text.
	Match []byte
	// Full is the whole line without ANSI escapes and line ending, with every
	// '\r'-separated segment kept: CI providers put several markers on one
	// line this way. It is Text when the line has no inner '\r'.
	Full []byte
}

// Scanner reads a log line by line. The Line it returns is valid until the
// next call to Scan.
type Scanner struct {
	r       *bufio.Reader
	line    Line
	raw     []byte
	lb      LineBuilder
	err     error
	n       int
	started bool
}

// NewScanner returns a scanner of r. It detects gzip by its magic bytes and
// rejects binary input with ErrBinary on the first call to Scan.
func NewScanner(r io.Reader) *Scanner {
	return &Scanner{r: bufio.NewReaderSize(r, 256<<10)}
}

// Open opens path for scanning; "-" is standard input. It returns a clear
// error for missing files and directories.
func Open(path string) (io.ReadCloser, error) {
	if path == "-" {
		return io.NopCloser(os.Stdin), nil
	}
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("%s: no such file", path)
		}
		if errors.Is(err, os.ErrPermission) {
			return nil, fmt.Errorf("%s: permission denied", path)
		}
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if st.IsDir() {
		f.Close()
		return nil, fmt.Errorf("%s: is a directory, not a log file", path)
	}
	return f, nil
}

func (s *Scanner) start() error {
	r, err := Prepare(s.r)
	if err != nil {
		return err
	}
	s.r = r
	return nil
}

// Prepare returns a buffered reader of r's text: it decompresses gzip,
// detected by its magic bytes, and returns ErrBinary when the start of the
// input is not text.
func Prepare(r io.Reader) (*bufio.Reader, error) {
	br, ok := r.(*bufio.Reader)
	if !ok || br.Size() < 8<<10 {
		br = bufio.NewReaderSize(r, 64<<10)
	}
	head, _ := br.Peek(2)
	if len(head) == 2 && head[0] == 0x1f && head[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("read gzip: %w", err)
		}
		zr.Multistream(true)
		br = bufio.NewReaderSize(zr, 64<<10)
	}
	head, err := br.Peek(8 << 10)
	if err != nil && err != io.EOF && !errors.Is(err, bufio.ErrBufferFull) {
		return nil, readErr(err)
	}
	if LooksBinary(head) {
		return nil, ErrBinary
	}
	return br, nil
}

// ReadError returns an error met while reading a prepared reader (see
// Prepare), naming gzip's errors as such.
func ReadError(err error) error { return readErr(err) }

// readErr names gzip's errors as such.
func readErr(err error) error {
	if errors.Is(err, gzip.ErrHeader) || errors.Is(err, gzip.ErrChecksum) || errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("read gzip: %w", err)
	}
	return err
}

// LooksBinary reports whether the start of an input is not text: it holds a
// NUL byte, or more than 10% control characters other than tab, newline,
// carriage return, form feed, backspace and escape.
func LooksBinary(head []byte) bool {
	if bytes.IndexByte(head, 0) >= 0 {
		return true
	}
	ctl := 0
	for _, c := range head {
		if c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != '\b' && c != 0x1b {
			ctl++
		}
	}
	return ctl*10 > len(head)
}

// Scan advances to the next line. It returns false at the end of input or
// on an error, which Err reports.
func (s *Scanner) Scan() bool {
	if s.err != nil {
		return false
	}
	if !s.started {
		s.started = true
		if err := s.start(); err != nil {
			s.err = err
			return false
		}
	}
	// The common case: the whole line is in the buffer, and is used where
	// it lies, without a copy.
	chunk, err := s.r.ReadSlice('\n')
	if err == nil {
		s.n++
		s.line = s.lb.Build(s.n, chunk)
		return true
	}
	s.raw = append(s.raw[:0], chunk...)
	switch {
	case err == io.EOF && len(s.raw) == 0:
		return false
	case err == io.EOF:
		s.n++
		s.line = s.lb.Build(s.n, s.raw)
		return true
	case err != bufio.ErrBufferFull:
		s.err = readErr(err)
		return false
	}
	// A line longer than the buffer: gather it, keeping MaxLineBytes.
	truncated := len(s.raw) > MaxLineBytes
	if truncated {
		s.raw = s.raw[:MaxLineBytes]
	}
	for {
		chunk, err := s.r.ReadSlice('\n')
		if len(s.raw)+len(chunk) <= MaxLineBytes {
			s.raw = append(s.raw, chunk...)
		} else if !truncated {
			s.raw = append(s.raw, chunk[:MaxLineBytes-len(s.raw)]...)
			truncated = true
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		if err == io.EOF {
			if len(s.raw) == 0 {
				return false
			}
			break
		}
		if err != nil {
			s.err = readErr(err)
			return false
		}
		break
	}
	s.n++
	s.line = s.lb.Build(s.n, s.raw)
	return true
}

// LineBuilder turns raw lines into Lines, reusing its buffers: a Line it
// returns is valid until the next call to Build.
type LineBuilder struct {
	buf, full []byte
}

// Build returns line n made of raw, the line's bytes as read (with or
// without its line ending), of which at most MaxLineBytes are kept. The
// Line may share memory with raw.
func (b *LineBuilder) Build(n int, raw []byte) Line {
	raw = raw[:min(len(raw), MaxLineBytes)]
	text := bytes.TrimRight(raw, "\r\n")
	if bytes.IndexByte(text, 0x1b) >= 0 || bytes.IndexByte(text, '\r') >= 0 {
		b.buf = Clean(b.buf[:0], raw)
		text = b.buf
	} // else: nothing to clean, and the line is used where it lies
	l := Line{N: n, Text: text, Match: StripTimestamp(text), Full: text}
	if body := bytes.TrimRight(raw, "\r\n"); bytes.IndexByte(body, '\r') >= 0 {
		b.full = StripANSI(b.full[:0], body)
		l.Full = b.full
	}
	return l
}

// Line returns the current line.
func (s *Scanner) Line() Line { return s.line }

// Err returns the first error met, other than end of input.
func (s *Scanner) Err() error { return s.err }
