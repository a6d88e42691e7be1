package logtext

import (
	"bytes"
	"compress/gzip"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

func TestClean(t *testing.T) {
	tests := []struct{ raw, want string }{
		{"plain\n", "plain"},
		{"crlf\r\n", "crlf"},
		{"\x1b[31;1mred\x1b[0m text", "red text"},
		{"10%\r50%\r100%\n", "100%"},
		{"done\r\x1b[0K\n", "done"},
		{"travis_fold:end:x\r\x1b[0K$ make test\r\n", "$ make test"},
		{"\x1b]0;title\x07after", "after"},
		{"bad \xff utf8", "bad \xff utf8"},
	}
	for _, tt := range tests {
		if got := string(Clean(nil, []byte(tt.raw))); got != tt.want {
			t.Errorf("Clean(%q) = %q, want %q", tt.raw, got, tt.want)
		}
	}
}

func TestStripTimestamp(t *testing.T) {
	tests := []struct{ in, want string }{
		{"2024-05-01T12:00:00.1234567Z ##[error]x", "##[error]x"},
		{"2024-05-01T12:00:00Z x", "x"},
		{"2024-05-01 not a timestamp", "2024-05-01 not a timestamp"},
		{"x", "x"},
	}
	for _, tt := range tests {
		if got := string(StripTimestamp([]byte(tt.in))); got != tt.want {
			t.Errorf("StripTimestamp(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func scanAll(t *testing.T, data []byte) ([]string, error) {
	t.Helper()
	sc := NewScanner(bytes.NewReader(data))
	var lines []string
	for n := 1; sc.Scan(); n++ {
		if sc.Line().N != n {
			t.Fatalf("line %d numbered %d", n, sc.Line().N)
		}
		lines = append(lines, string(sc.Line().Match))
	}
	return lines, sc.Err()
}

func TestScannerGzipAndBinary(t *testing.T) {
	log := "2024-05-01T12:00:00.1Z one\r\ntwo\n\x1b[1mthree\x1b[0m"
	plain, err := scanAll(t, []byte(log))
	if err != nil || strings.Join(plain, "|") != "one|two|three" {
		t.Fatalf("plain: %q, %v", plain, err)
	}
	var gz bytes.Buffer
	w := gzip.NewWriter(&gz)
	w.Write([]byte(log))
	w.Close()
	zipped, err := scanAll(t, gz.Bytes())
	if err != nil || strings.Join(zipped, "|") != "one|two|three" {
		t.Fatalf("gzip: %q, %v", zipped, err)
	}
	if _, err := scanAll(t, []byte("ELF\x00\x01\x02binary")); !errors.Is(err, ErrBinary) {
		t.Errorf("binary input: err = %v, want ErrBinary", err)
	}
	if _, err := scanAll(t, gz.Bytes()[:20]); err == nil {
		t.Error("truncated gzip: want an error")
	}
}

func TestScannerLongLine(t *testing.T) {
	long := strings.Repeat("x", 3*MaxLineBytes)
	lines, err := scanAll(t, []byte("a\n"+long+"\nb\n"))
	if err != nil || len(lines) != 3 || len(lines[1]) != MaxLineBytes || lines[2] != "b" {
		t.Fatalf("got %d lines (%v), middle %d bytes", len(lines), err, len(lines[1]))
	}
}

func TestEvents(t *testing.T) {
	tests := []struct {
		line string
		want Kind
		exit int
	}{
		{"##[group]Run npm test", StepStart, 0},
		{"##[error]Process completed with exit code 2.", Failed, 2},
		{"##[error]Credentials could not be loaded", Annotated, 0},
		{"section_start:1700000000:step_script\r\x1b[0KExecuting", StepStart, 0},
		{"ERROR: Job failed: exit code 1", Failed, 1},
		{"The command \"make test\" exited with 1.", Failed, 1},
		{"The command \"make\" exited with 0.", StepEnd, 0},
		{"Done. Your build exited with 0.", Succeeded, 0},
		{"[Pipeline] { (Build)", StepStart, 0},
		{"ERROR: script returned exit code 2", Failed, 2},
		{"Finished: FAILURE", Failed, -1},
		{"make: *** [Makefile:12: test] Error 1", Failed, 1},
		{"+ go test ./...", StepStart, 0},
		{"--- FAIL: TestX (0.00s)", 0, 0},
		{"--- main.go.orig", 0, 0},
		{"--- Expected", 0, 0},
		{"--- expected", 0, 0},
		{"--- Build and test", StepStart, 0},
		{"plain output", 0, 0},
	}
	for _, tt := range tests {
		evs := Events(nil, []byte(tt.line))
		var got Kind
		exit := 0
		if len(evs) > 0 {
			got, exit = evs[0].Kind, evs[0].Exit
			if got == StepStart {
				exit = 0
			}
		}
		if got != tt.want || exit != tt.exit {
			t.Errorf("Events(%q) = kind %d exit %d, want kind %d exit %d", tt.line, got, exit, tt.want, tt.exit)
		}
		if got != 0 && !strings.Contains(strings.ToLower(tt.line), "+") && !strings.HasPrefix(tt.line, "$") {
			hasMarker := false
			for _, m := range Markers {
				if strings.Contains(strings.ToLower(tt.line), strings.ToLower(m)) {
					hasMarker = true
				}
			}
			if !hasMarker && !MayHaveEvents([]byte(tt.line)) {
				t.Errorf("%q states an event but holds none of Markers", tt.line)
			}
		}
	}
}

// FuzzScanner: any input either fails as binary or gzip, or gives one line
// per newline (plus a last line without one), numbered from 1, none longer
// than MaxLineBytes, and never panics.
func FuzzScanner(f *testing.F) {
	f.Add([]byte("a\r\nb\x1b[31mc\x1b[0m\n10%\r100%\n"))
	f.Add([]byte("\x1b]0;t\x07x\n\x1b["))
	f.Add([]byte("2024-05-01T12:00:00Z ##[error]x"))
	f.Fuzz(func(t *testing.T, data []byte) {
		sc := NewScanner(bytes.NewReader(data))
		n := 0
		for sc.Scan() {
			n++
			l := sc.Line()
			if l.N != n || len(l.Text) > MaxLineBytes || len(l.Match) > len(l.Text) {
				t.Fatalf("line %d: N=%d, %d bytes", n, l.N, len(l.Text))
			}
			Events(nil, l.Full)
		}
		if sc.Err() != nil {
			return
		}
		want := bytes.Count(data, []byte("\n"))
		if len(data) > 0 && data[len(data)-1] != '\n' {
			want++
		}
		if n != want {
			t.Fatalf("%d lines, want %d", n, want)
		}
	})
}

// stripANSIReference is StripANSI written the obvious way: line by line,
// and byte by byte.
func stripANSIReference(b []byte) []byte {
	var out []byte
	for i, line := range bytes.Split(b, []byte{'\n'}) {
		if i > 0 {
			out = append(out, '\n')
		}
		out = append(out, stripLineReference(line)...)
	}
	return out
}

func stripLineReference(b []byte) []byte {
	var out []byte
	for i := 0; i < len(b); i++ {
		if b[i] != 0x1b {
			out = append(out, b[i])
			continue
		}
		if i+1 == len(b) {
			break
		}
		i++
		switch b[i] {
		case '[': // parameters and intermediates, then a final byte in 0x40-0x7e
			for i+1 < len(b) && (b[i+1] < 0x40 || b[i+1] > 0x7e) {
				i++
			}
			if i+1 < len(b) {
				i++
			}
		case ']': // up to BEL or ESC \
			for i+1 < len(b) {
				i++
				if b[i] == 0x07 {
					break
				}
				if b[i] == 0x1b && i+1 < len(b) && b[i+1] == '\\' {
					i++
					break
				}
			}
		}
	}
	return out
}

func TestStripANSI(t *testing.T) {
	tests := []string{
		"", "plain text longer than a word", "\x1b", "x\x1b", "\x1b[", "\x1b[31", "\x1b[31m", "\x1b]0;t", "\x1b]0;t\x1b", "\x1b]0;t\x1b\\x",
		"\x1b[1m\x1b[31merror\x1b[0m: \x1b[1mcannot find\x1b[0m module 'x' in 12345678 words",
		"0123456\x1b[0m01234567\x1b[0m\x1b[0m0123456789abcdef\x1bX",
		"\x1b\x1b\x1b[m\x1b]\x07\x1b", "ab\x1b[2K\x1b[1G\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\ end",
		"caf\xc3\xa9 \x1b[32m\xe2\x9c\x93\x1b[39m done \x1b[90m(12 ms)\x1b[39m",
		// Escapes end with their line.
		"a\x1b\nb", "a\x1b[31\nb\x1b[0m\n", "\x1b]8;;x\r\n\x1b]0;t\x07ok\n", "x\x1b\r\ny\n\x1b[\n\n",
	}
	for _, in := range tests {
		prefix := []byte("kept:")
		got := StripANSI(prefix[:5:5], []byte(in))
		if want := append([]byte("kept:"), stripANSIReference([]byte(in))...); !bytes.Equal(got, want) {
			t.Errorf("StripANSI(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzStripANSI checks StripANSI, which copies by words, against the byte
// by byte reference.
func FuzzStripANSI(f *testing.F) {
	f.Add([]byte("\x1b[1m\x1b[31merror\x1b[0m: a long line with colors \x1b[0m and \x1b]0;t\x07 titles"))
	f.Add([]byte("12345678\x1b[m12345678\x1b"))
	f.Fuzz(func(t *testing.T, in []byte) {
		if got, want := StripANSI(nil, in), stripANSIReference(in); !bytes.Equal(got, want) && len(got)+len(want) > 0 {
			t.Fatalf("StripANSI(%q) = %q, want %q", in, got, want)
		}
	})
}

// EventsOf takes the markers a line holds as bits of a uint64.
func TestMarkersFitABitSet(t *testing.T) {
	if len(Markers) > 64 {
		t.Fatalf("%d markers: EventsOf takes at most 64", len(Markers))
	}
}

// segmentEventsReference is segmentEvents with every rule's expression run
// as written, and the unmarked events found by expressions too.
func segmentEventsReference(dst []Event, seg []byte) []Event {
	if len(seg) == 0 {
		return dst
	}
	for _, r := range rules {
		if !bytes.Contains(seg, []byte(r.prefix)) {
			continue
		}
		m := regexp.MustCompile(r.expr).FindSubmatch(seg)
		if m == nil {
			continue
		}
		if r.make == nil {
			return dst
		}
		return append(dst, r.make(m))
	}
	switch seg[0] {
	case '$':
		if m := regexp.MustCompile(`^\$ (.+)$`).FindSubmatch(seg); m != nil {
			return append(dst, Event{Kind: StepStart, Name: string(m[1]), Strong: true})
		}
	case '-', '+', '~':
		if m := regexp.MustCompile(`^(?:---|\+\+\+|~~~) (.+)$`).FindSubmatch(seg); m != nil && !notBuildkite().Match(seg) {
			return append(dst, Event{Kind: StepStart, Name: string(m[1]), Strong: true})
		}
		if m := regexp.MustCompile(`^\+{1,3} (\S.*)$`).FindSubmatch(seg); m != nil {
			return append(dst, Event{Kind: StepStart, Name: string(m[1])})
		}
	}
	return dst
}

var eventSeeds = []string{
	"travis_time:start:0a1b", "travis_fold:start:install", "travis_fold:start:", "travis_fold:start: x", "travis_fold:start:a\tb",
	"travis_fold:start:\xff\xfe x", "travis_fold:start:é\r", "make: *** [all] Error 2",
	"gmake[1]: *** [x] Error 1", "cmake: *** no", "xmake: *** Error 1", "*** Error 1", "##[group]", "##[group]Run x",
	"##[error]The operation was canceled.", "##[error]x exited with code '3'", "🚨 Error: The command exited with status 2",
	"Error: The command exited with status 1", "$ ", "$  x", "$x", "$ make \xff", "+ x", "++ x", "+++ x", "++++ x", "+  x", "+ \t",
	"+\xc3\xa9", "+ \xc3\xa9", "--- x", "---  ", "--- ", "---x", "--- FAIL: T", "+++ b/x", "+++ Actual", "~~~ Deploy", "~~ x",
	"The command \"make\" exited with 2.", "Done. Your build exited with 0.", "Finished: SUCCESS ", "Job succeeded",
}

// The rules' leads and the unmarked events written by hand decide as the
// expressions do.
func TestSegmentEventsReference(t *testing.T) {
	for _, seed := range eventSeeds {
		got := segmentEvents(nil, []byte(seed), AllMarkers)
		if want := segmentEventsReference(nil, []byte(seed)); !slices.Equal(got, want) {
			t.Errorf("segmentEvents(%q) = %+v, want %+v", seed, got, want)
		}
	}
	for _, tt := range []struct {
		expr  string
		leads []string
		rest  rest
	}{
		{`^g?make(?:\[\d+\])?: \*\*\* `, []string{"make", "gmake"}, restExpr},
		{`^travis_time:start:`, []string{"travis_time:start:"}, restNone},
		{`^travis_fold:start:(\S+)`, []string{"travis_fold:start:"}, restToken},
		{`^travis_fold:start:(\S+)x`, []string{"travis_fold:start:"}, restExpr},
		{`^g?o(\S+)`, []string{"o", "go"}, restExpr},
	} {
		if l, rest := leads(tt.expr); !slices.Equal(l, tt.leads) || rest != tt.rest {
			t.Errorf("leads(%s) = %q, %d; want %q, %d", tt.expr, l, rest, tt.leads, tt.rest)
		}
	}
	if l, _ := leads(`Process completed`); l != nil {
		t.Errorf("leads of an unanchored expression = %q", l)
	}
}

// checkFindable fails when seg states an event that a caller finding only
// the Markers and the UnmarkedLeads would never look for.
func checkFindable(t *testing.T, seg []byte) {
	t.Helper()
	if len(segmentEventsReference(nil, seg)) == 0 || MayHaveEvents(seg) {
		return
	}
	for _, m := range Markers {
		if bytes.Contains(bytes.ToLower(seg), bytes.ToLower([]byte(m))) {
			return
		}
	}
	t.Errorf("%q states an event, but holds no marker and starts with none of UnmarkedLeads", seg)
}

func TestEventsFindable(t *testing.T) {
	for _, seed := range eventSeeds {
		checkFindable(t, []byte(seed))
	}
	for _, tt := range []struct {
		line string
		may  bool
	}{
		{"$ make", true}, {"+ make", true}, {"+++ Test", true}, {"--- Build", true}, {"~~~ Setup", true},
		{"$", false}, {"$x", false}, {"+x", false}, {"- item", false}, {"-----", false}, {"~/bin", false}, {"", false},
	} {
		if got := MayHaveEvents([]byte(tt.line)); got != tt.may {
			t.Errorf("MayHaveEvents(%q) = %v, want %v", tt.line, got, tt.may)
		}
	}
}

func FuzzSegmentEvents(f *testing.F) {
	for _, seed := range eventSeeds {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, seg []byte) {
		seg = bytes.ReplaceAll(seg, []byte("\n"), nil) // one line
		got := segmentEvents(nil, seg, AllMarkers)
		if want := segmentEventsReference(nil, seg); !slices.Equal(got, want) {
			t.Fatalf("segmentEvents(%q) = %+v, want %+v", seg, got, want)
		}
		checkFindable(t, seg)
	})
}

// BenchmarkStripANSI strips runs of lines of the shared corpus, whose
// Travis CI logs are colored, as the engine's cleaner does by blocks.
func BenchmarkStripANSI(b *testing.B) {
	files, _ := filepath.Glob("../../../shared/corpus/logchunks-dev/logs/*/*/failed/*.log")
	if len(files) == 0 {
		b.Skip("no corpus at ../shared")
	}
	var data []byte
	for _, f := range files {
		d, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		data = append(data, d...)
	}
	var dst []byte
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		dst = StripANSI(dst[:0], data)
	}
}
