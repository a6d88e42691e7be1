package engine

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/faultline-dev/faultline/internal/catalog"
	"github.com/faultline-dev/faultline/internal/logtext"
)

// TestPrefilterMatchesReference checks that running regexes only on lines
// that hold their literals changes nothing: on the regression logs and a
// sample of the shared corpus, the fast engine and the reference engine
// (every regex on every line) give deeply equal reports.
func TestPrefilterMatchesReference(t *testing.T) {
	pbs, err := catalog.Bundled()
	if err != nil {
		t.Fatal(err)
	}
	fast, ref := New(pbs), newReferenceEngine(pbs)
	files, _ := filepath.Glob("testdata/logs/*.log")
	corpus, _ := filepath.Glob("../../../shared/corpus/logchunks-dev/logs/*/*/failed/*.log")
	for i := 0; i < len(corpus); i += len(corpus)/10 + 1 {
		files = append(files, corpus[i])
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		a, err1 := fast.Analyze(context.Background(), bytes.NewReader(data), Options{Source: f})
		b, err2 := ref.Analyze(context.Background(), bytes.NewReader(data), Options{Source: f})
		if err1 != nil || err2 != nil {
			t.Fatalf("%s: %v, %v", f, err1, err2)
		}
		if !reflect.DeepEqual(a, b) {
			t.Errorf("%s: prefiltered report differs from the reference", f)
		}
	}
}

func TestPrefilter(t *testing.T) {
	tests := []struct {
		expr string
		want [][]string
	}{
		{`^(?P<kind>FAIL|ERROR): (?P<test>test\w*) \(`, [][]string{{"ERROR: test", "FAIL: test"}, {" ("}}},
		// Alternations and small classes join the literals around them.
		{`SC(?P<num>\d{4}) \((?:error|warning|info|style)\): `, [][]string{{" (error): ", " (info): ", " (style): ", " (warning): "}, {"SC"}}},
		{`Could not (?:find|resolve) (?P<dep>\S+)`, [][]string{{"Could not find ", "Could not resolve "}}},
		{`exit code [45]\d`, [][]string{{"exit code 4", "exit code 5"}}},
		{`\[(?P<status>[45]\d\d|ERROR)\] (?P<url>https?://\S+) \| `, [][]string{{"] http"}, {"://"}, {" | "}}},
		{`^\s+.*`, nil},
		{`^\d+\) (?P<test>(?P<class>[\w\\]+)::(?P<method>test\w*))`, [][]string{{"::test"}, {") "}}},
		// Literals join across the edges of groups.
		{`(?P<file>[^\s:]+\.py):(?P<line>\d+):`, [][]string{
			{".py:0", ".py:1", ".py:2", ".py:3", ".py:4", ".py:5", ".py:6", ".py:7", ".py:8", ".py:9"},
		}},
		// A short trigger takes the digit next to it ("0 http" … "9 http",
		// not " http"); the other factors stay; a long trigger stays too.
		{`\d+\. [1-5]\d\d https?://`, [][]string{
			{"0 http", "1 http", "2 http", "3 http", "4 http", "5 http", "6 http", "7 http", "8 http", "9 http"},
			{"://"},
			{". 1", ". 2", ". 3", ". 4", ". 5"},
		}},
		{`(?P<n>\d+) tests completed`, [][]string{{" tests completed"}}},
		// The rarest factor triggers: ".kt", not "e: ".
		{`^e: (?P<file>[^\s:]+\.kts?): \(`, [][]string{{".kt"}, {": ("}, {"e: "}}},
		// A rare factor too short to trigger is still checked.
		{`\{\}\s+are`, [][]string{{"{}\t", "{}\f", "{} "}, {"\tare", "\fare", " are"}}},
		// One blank or more before a literal: the literal after one.
		{`^\s+(?P<test>Test\w*) \(`, [][]string{{"\tTest", "\fTest", " Test"}, {" ("}}},
	}
	for _, tt := range tests {
		got := Prefilter(tt.expr)
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Prefilter(%q) = %q, want %q", tt.expr, got, tt.want)
		}
	}
}

func TestFirstBytes(t *testing.T) {
	tests := []struct {
		expr     string
		yes, no  string
		anchored bool
	}{
		{`^\d+\) x`, "0123456789", "a x", true},
		{`^\s+Test`, " \t", "T", true},
		{`^(?i)fail`, "fF", "x", true},
		{`^\s*FAIL`, " \tF", "x", true},
		{`^\s*.*x`, "", "", false},
		{`^(?:##\[error\])?\s*(?P<line>\d+):`, "#1 ", "x", true},
		{`FAIL`, "", "", false},
	}
	for _, tt := range tests {
		checkByteSet(t, "FirstBytes", tt.expr, FirstBytes(tt.expr), tt.anchored, tt.yes, tt.no)
	}
}

func TestTailBytes(t *testing.T) {
	tests := []struct {
		expr    string
		from    int
		yes, no string
		known   bool
	}{
		{`^\[warn\] (?P<file>[^\s\[\]]+\.[A-Za-z0-9]+)$`, 7, "a.Z9/-\x80\xff", " \t[]", true},
		{`^(?i)fail: (\d+)$`, 6, "0123456789", "a ", true},
		{`^ID:\s+([0-9a-f]+)$`, 3, " \tabc0", "g:", true},
		{`^é(\d+)$`, 2, "0", "a", true},
		{`^(\d+)x$`, 0, "0x", "y", true},
		{`^FAIL (.+)$`, 0, "", "", false},     // any byte
		{`^FAIL ([^\n]+)$`, 0, "", "", false}, // any printable byte
		{`^FAIL (\d+)`, 0, "", "", false},     // not anchored at the end
		{`FAIL (\d+)$`, 0, "", "", false},     // nor at the start
	}
	for _, tt := range tests {
		re, err := parseSimple(tt.expr)
		if err != nil {
			t.Fatal(err)
		}
		from, set := tailBytes(re)
		if set != nil && from != tt.from {
			t.Errorf("tailBytes(%q) from %d, want %d", tt.expr, from, tt.from)
		}
		checkByteSet(t, "tailBytes", tt.expr, set, tt.known, tt.yes, tt.no)
	}
}

// checkByteSet checks a set of bytes that fn worked out for expr: whether
// it is known, and bytes it must and must not hold.
func checkByteSet(t *testing.T, fn, expr string, set *[256]bool, known bool, yes, no string) {
	t.Helper()
	if (set != nil) != known {
		t.Errorf("%s(%q) known = %v, want %v", fn, expr, set != nil, known)
		return
	}
	for i := 0; set != nil && i < len(yes); i++ {
		if !set[yes[i]] {
			t.Errorf("%s(%q) excludes %q", fn, expr, yes[i])
		}
	}
	for i := 0; set != nil && i < len(no); i++ {
		if set[no[i]] {
			t.Errorf("%s(%q) includes %q", fn, expr, no[i])
		}
	}
}

func TestQuickFilter(t *testing.T) {
	tests := []struct{ expr, want string }{
		{`(?P<file>[^\s:]+\.py):(?P<line>\d+): (?P<code>[A-Z]\d+)`, `\.py:[0-9]+: [A-Z][0-9]+`},
		{`(?:^|\s)(?P<tool>make|gcc): not found`, `: not found`},
		{`^\s*error: x`, ``},   // anchored: Go tries one position only
		{`error: (\w+)`, ``},   // starts with a literal already
		{`(?i)\d+ failed`, ``}, // no case-sensitive literal
		{`\d+ (?i:failed)`, ``},
		{`[a-z]+: (?P<n>\d+) tests? failed`, ` tests? failed`},
	}
	for _, tt := range tests {
		if got := prefilterOf(tt.expr).quick; got != tt.want {
			t.Errorf("quickFilter(%q) = %q, want %q", tt.expr, got, tt.want)
		}
	}
}

func TestFirstNonBlank(t *testing.T) {
	tests := []struct {
		expr    string
		yes, no string // first non-blank bytes allowed, refused
		known   bool
	}{
		{`^\s*(?P<line>\d+):(?P<col>\d+)\s+error`, "0123456789", "ae#", true},
		{`^(?:##\[error\])?\s*(?P<line>\d+):`, "#0123456789", "ae", true},
		{`^\s*(?:##\[error\])?\s*\d+:`, "#0123456789", "ae", true},
		{`^\s+at .*`, "a", "b", true},
		{`^[ \t]*(?i)fail`, "fF", "x", true},
		{`^\s*.*x`, "", "", false},
		{`^\s*(?: x)?\d`, "", "", false}, // the optional part may start with a blank
		{`^\d+`, "", "", false},          // firstBytes covers it
		{`\s*\d`, "", "", false},
	}
	for _, tt := range tests {
		checkByteSet(t, "firstNonBlank", tt.expr, prefilterOf(tt.expr).nonBlank, tt.known, tt.yes, tt.no)
	}
}

// TestMayStartNeverRefusesAMatch checks the first-byte, factor and quick
// filters of every bundled regex against lines that match it: the examples
// of its playbook, the same lines indented, and with letters of another
// case, which the regexes that ignore case, or [Ff]-style classes, match.
func TestMayStartNeverRefusesAMatch(t *testing.T) {
	pbs, err := catalog.Bundled()
	if err != nil {
		t.Fatal(err)
	}
	c := compile(pbs)
	k := newClassifier(c, nil)
	for _, cr := range c.regexes {
		re := cr.regexp()
		for _, pb := range cr.pbs {
			for _, ex := range c.playbooks[pb].Examples.Match {
				for _, line := range strings.Split(ex, "\n") {
					for _, l := range []string{line, "  " + line, "\t" + strings.TrimSpace(line), strings.ToLower(line), strings.ToUpper(line), flipFirstLetter(line)} {
						if re.MatchString(l) && !cr.mayStart([]byte(l)) {
							t.Errorf("%s: the first-byte filters refuse %q, which matches", cr.src, l)
						}
						k.tick++
						if re.MatchString(l) && (!k.hasFactors(cr, []byte(l)) || !containsAny(bytes.ToLower([]byte(l)), lowerAll(cr.trigger))) {
							t.Errorf("%s: the factor filters %q %q refuse %q, which matches", cr.src, cr.trigger, cr.more, l)
						}
						if re.MatchString(l) && !cr.matches([]byte(l)) {
							t.Errorf("%s: the quick filter %q refuses %q, which matches", cr.src, cr.quickSrc, l)
						}
					}
				}
			}
		}
	}
}

// flipFirstLetter returns s with the case of its first ASCII letter changed.
func flipFirstLetter(s string) string {
	b := []byte(s)
	for i, c := range b {
		switch {
		case 'a' <= c && c <= 'z':
			b[i] = c - 'a' + 'A'
		case 'A' <= c && c <= 'Z':
			b[i] = c - 'A' + 'a'
		default:
			continue
		}
		break
	}
	return string(b)
}

func lowerAll(lits []string) [][]byte {
	var out [][]byte
	for _, l := range lits {
		out = append(out, lowerBytes(l))
	}
	return out
}

// FuzzPrefilterMatchesReference feeds random logs to the engine and to the
// reference engine (every regex on every line) and wants equal reports;
// also from reading line by line, and from reading a log long enough to be
// read by blocks in parallel with the dense DFA.
func FuzzPrefilterMatchesReference(f *testing.F) {
	pbs, err := catalog.Bundled()
	if err != nil {
		f.Fatal(err)
	}
	fast, ref := New(pbs), newReferenceEngine(pbs)
	f.Add("##[group]Run aws s3 ls\nUnable to locate credentials\n##[error]Process completed with exit code 1.\n")
	f.Add("--- FAIL: TestX (0.00s)\n    x_test.go:12: want 1\nFAIL\texample.com/x\t0.1s\n")
	f.Add("User: arn:aws:iam::1:user/ci is not authorized to perform: s3:ListBucket on resource: arn:aws:s3:::b\n")
	f.Add("  1. 404 https://x.example/a\nGET https://x.example/b\n+ make\n+not a trace\n- item\n--- Build\n  a.js:12:3: bad\n")
	f.Add("$ make test\r\n\x1b[31mTestX failed\x1b[0m\r\r\n10%\r100%\r\n\r\nmake: *** [all] Error 2\r")
	f.Fuzz(func(t *testing.T, log string) {
		a, err1 := fast.Analyze(context.Background(), strings.NewReader(log), Options{})
		b, err2 := ref.Analyze(context.Background(), strings.NewReader(log), Options{})
		if (err1 == nil) != (err2 == nil) {
			t.Fatalf("errors differ: %v, %v", err1, err2)
		}
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("reports differ for %q", log)
		}
		sameAsLines(t, log, []byte(log), blockRun{fast, 0})
		small := &Engine{c: fast.c, blockSize: logtext.MaxLineBytes + 1}
		long := strings.Repeat(log+"\n", 2*small.blockSize/(len(log)+1)+1)
		sameAsLines(t, log+" (repeated)", []byte(long), blockRun{small, 0})
	})
}
