package engine

import (
	"bufio"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/faultline-dev/faultline/internal/catalog"
	"github.com/faultline-dev/faultline/internal/logtext"
)

// distinct returns the sorted set of patterns the automaton finds in line,
// failing the test if its two forms, the trie and the dense DFA, disagree.
func distinct(t testing.TB, m *acMatcher, line []byte) []int32 {
	out := m.appendMatches(nil, line, false)
	slices.Sort(out)
	out = slices.Compact(out)
	dense := m.appendMatches(nil, line, true)
	slices.Sort(dense)
	if dense = slices.Compact(dense); !slices.Equal(out, dense) {
		t.Fatalf("line %q: trie found %v, dense DFA %v", line, out, dense)
	}
	return out
}

func TestACMatchesReference(t *testing.T) {
	patterns := []string{"error", "ERR!", "err", "rror:", "Unable to locate credentials", "", "a", "aa", "✖ ", "exit code 1", "  indented"}
	m := newACMatcher(patterns)
	lines := []string{
		"", "error", "ERROR: x", "npm ERR! code E404", "errerrerror:", "Unable To Locate Credentials.",
		"aaaa", "✖ 3 problems", "Process completed with exit code 1.", "  indented line", "indented",
		"\xff\xfe invalid utf8 err", "ÉRROR unicode",
	}
	for _, l := range lines {
		got, want := distinct(t, m, []byte(l)), referenceMatch(patterns, []byte(l))
		if !slices.Equal(got, want) {
			t.Errorf("line %q: automaton found %v, reference %v", l, got, want)
		}
	}
}

// TestACMatchesReferenceOnCatalog runs the bundled catalog's literals over
// real logs, when the shared corpus is there.
func TestACMatchesReferenceOnCatalog(t *testing.T) {
	pbs, err := catalog.Bundled()
	if err != nil {
		t.Fatal(err)
	}
	c := compile(pbs)
	files, _ := filepath.Glob("../../../shared/corpus/logchunks-dev/logs/*/*/failed/*.log")
	if len(files) == 0 {
		t.Skip("no corpus at ../shared")
	}
	// The reference is slow (every literal against every line): a sample.
	for i := 0; i < len(files); i += len(files)/6 + 1 {
		f := files[i]
		fh, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(fh)
		sc.Buffer(nil, 1<<20)
		for n := 1; sc.Scan(); n++ {
			got, want := distinct(t, c.ac, sc.Bytes()), referenceMatch(c.literals, sc.Bytes())
			if !slices.Equal(got, want) {
				t.Fatalf("%s:%d: automaton found %v, reference %v", f, n, got, want)
			}
		}
		fh.Close()
		// Whole files, as blocks: the trie and the interleaved dense scan
		// report the same events.
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var parts scanParts
		if a, b := c.ac.scan(nil, data), c.ac.scanDense(nil, &parts, data, '\n'); !slices.Equal(a, b) {
			t.Fatalf("%s: trie scan found %d events, dense scan %d", f, len(a), len(b))
		}
	}
}

// TestSegmentFinder checks the segment finder, which scans progress lines
// in lanes or in parts cut before '\r', against a search of each segment.
func TestSegmentFinder(t *testing.T) {
	f := newSegmentFinder()
	marker := logtext.Markers[0]
	lines := []string{
		"",
		"no segments at all",
		"$ make\rx",
		"Downloading 10%\rDownloading 20%\r" + strings.Repeat("Downloading 30%\r", 400) + "$ make\r",
		strings.Repeat("x\r", 3000) + marker + "\r" + strings.Repeat("\r", 100) + "+ set -e",
		"\r\r\r" + strings.ToUpper(marker) + strings.Repeat(" 99%\r", 50) + "1 ok\r2024-05-01T12:00:00Z $ x",
		strings.Repeat("\r-", 5000),
		strings.Repeat("\r10% "+marker, 300),
		// Markers in their own segments, one holding two.
		"travis_fold:start:install\rtravis_time:start:0a1b\r$ npm ci\r" + strings.Repeat("x\r", 200) +
			"The command \"npm ci\" exited with 1.\rtravis_fold:end:install travis_time:start:x\r",
	}
	var scratch segmentScratch
	for _, l := range lines {
		var wantMarks []uint64
		var wantStarts []int32
		at := 0
		for _, seg := range strings.Split(l, "\r") {
			candidate := logtext.MayHaveEvents(logtext.StripTimestamp([]byte(seg)))
			var marks uint64
			for i, m := range logtext.Markers {
				if strings.Contains(strings.ToLower(seg), strings.ToLower(m)) {
					marks |= 1 << i
					candidate = true
				}
			}
			if candidate {
				wantStarts, wantMarks = append(wantStarts, int32(at)), append(wantMarks, marks)
			}
			at += len(seg) + 1
		}
		full := append([]byte(l), make([]byte, laneSlack)...)[:len(l)] // room for lanes
		if sg := f.find(full, &scratch); !slices.Equal(sg.marks, wantMarks) || !slices.Equal(sg.starts, wantStarts) {
			t.Errorf("%.40q: segments %v, markers %b; want %v, %b", l, sg.starts, sg.marks, wantStarts, wantMarks)
		}
	}
	for _, m := range logtext.Markers {
		if strings.ContainsAny(m, "\r\n") {
			t.Errorf("marker %q holds a line ending: progress lines cannot be cut before '\\r'", m)
		}
	}
}

func FuzzACMatchesReference(f *testing.F) {
	f.Add("error", "an error: here", "rr")
	f.Add("ERR!", "npm err! x", "")
	f.Fuzz(func(t *testing.T, p1, line, p2 string) {
		patterns := []string{p1, p2, "err", "or:"}
		m := newACMatcher(patterns)
		got, want := distinct(t, m, []byte(line)), referenceMatch(patterns, []byte(line))
		if !slices.Equal(got, want) {
			t.Fatalf("patterns %q line %q: automaton %v, reference %v", patterns, line, got, want)
		}
	})
}

func TestRequiredLiteral(t *testing.T) {
	tests := []struct{ expr, want string }{
		{`User: (?P<p>\S+) is not authorized to perform`, " is not authorized to perform"},
		{`^--- FAIL: (\w+)`, "--- FAIL: "},
		{`(?i)unable to locate package (\S+)`, "unable to locate package "},
		{`\d+ failed`, " failed"},
		{`^\s+at .*`, ""}, // " at ", "\tat " or "\fat "
		{`^\s*at .*`, "at "},
		{`^\s+.*`, ""},
		{`(foo|bar)\d baz`, " baz"},
		{`(foo|bar)baz`, ""}, // foobaz or barbaz: no single literal
		{`(abcd)+x`, "abcd"},
		{`x?yz`, ""},
	}
	for _, tt := range tests {
		if got := RequiredLiteral(tt.expr); !strings.EqualFold(got, tt.want) {
			t.Errorf("RequiredLiteral(%q) = %q, want %q", tt.expr, got, tt.want)
		}
	}
}
