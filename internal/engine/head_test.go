package engine

import (
	"regexp"
	"strings"
	"testing"

	"github.com/faultline-dev/faultline/internal/catalog"
)

func TestHead(t *testing.T) {
	tests := []struct {
		expr  string
		lit   string // the head's literal, "" for an anchored head, "-" for none
		steps int
		pass  []string
		fail  []string
	}{
		{`^\s+\d+\. (?P<status>[1-5]\d\d) (?P<url>https?://\S+)`, "", 17,
			[]string{"  1. 404 http://x", "\t12. 500 https://x"},
			[]string{"  99. https://github.com/x", "1. 404 http://x", "  1. 404 ftp://x"}},
		{`(?P<file>[^\s:]+\.py):(?P<line>\d+):(?P<col>\d+): (?P<code>[A-Z]{1,3}\d{3,4}) `, ".py", 9,
			[]string{"a.py:1:2: E501 line too long", "x.py:3: y.py:1:2: W1234 z"},
			[]string{"a.py:12: AssertionError", "a.py:1:2: e501 x", "a.py:1:2: ABCD501 x", "a.py:1:2: E50 x"}},
		{`(?:^|[\s/:])(?P<tool>make|cmake|go): (?:command )?not found\s*$`, ": ", 12,
			[]string{"sh: make: command not found", "x: go: not found  ", "a: b: c: go: not found"},
			[]string{"configure: WARNING: Doxygen not found", "x: go: not found here", "HintPath attribute not found"}},
		// \w+ could take the 'x' that follows: the steps end after it.
		{`^\w+x`, "", 1, []string{"ax", "a"}, []string{"", " x"}},
		// (?i) letters fold within ASCII, but k and s do not.
		{`(?i)^error: `, "", 7, []string{"ERROR: x", "Error: "}, []string{"error:x"}},
		{`(?i)^task\b`, "", 2, []string{"TA"}, []string{"x"}},
		// A class of multibyte characters repeats by characters, not bytes.
		{`^[^\s]{2} x`, "-", 0, nil, nil},
		{`^✗ (?P<test>\S+)$`, "", 6, []string{"✗ a", "✗ é"}, []string{"✗ ", "✗ a b", "x a"}},
		{`a|b`, "-", 0, nil, nil},
		{`(?P<x>\w+) \(\d+\)`, " (", 2, []string{"a (12)"}, []string{"a (x)", "a ()"}},
		// A choice of literals is a step.
		{`Could not (?:find|resolve) (?P<dep>[\w.\-]+:[\w.\-]+)\.`, "Could not ", 5,
			[]string{"Could not find a:b.", "x: Could not resolve g.h:i:j."},
			[]string{"Could not find gem 'x'", "Could not load a:b.", "Could not Find a:b."}},
		// Optional literals double the ways to try: a head stops at the fourth.
		{`^(?:ab)?(?:ab)?(?:ab)?(?:ab)?(?:ab)?x`, "", 3, []string{"x", "ababababx", "y"}, nil},
	}
	for _, tt := range tests {
		h := headOf(tt.expr)
		if tt.lit == "-" {
			if h != nil {
				t.Errorf("%s: head %q %d steps, want none", tt.expr, h.lit, len(h.steps))
			}
			continue
		}
		if h == nil {
			t.Errorf("%s: no head", tt.expr)
			continue
		}
		if string(h.lit) != tt.lit || len(h.steps) != tt.steps {
			t.Errorf("%s: head %q with %d steps, want %q with %d", tt.expr, h.lit, len(h.steps), tt.lit, tt.steps)
		}
		re := regexp.MustCompile(tt.expr)
		for _, l := range tt.pass {
			if !h.match([]byte(l)) {
				t.Errorf("%s: head refuses %q", tt.expr, l)
			}
		}
		for _, l := range tt.fail {
			if h.match([]byte(l)) {
				t.Errorf("%s: head passes %q", tt.expr, l)
			}
			if re.MatchString(l) {
				t.Errorf("%s: %q matches: a bad test", tt.expr, l)
			}
		}
	}
}

// A head reads a line in time linear in its length, as Go's regexp does,
// however often its literal occurs: past a budget it lets the line through.
func TestHeadTakesLinearTime(t *testing.T) {
	h := headOf(`ab[ab]*c`)
	line := []byte(strings.Repeat("ab", 200000))
	if !h.match(line) {
		t.Error("a head that ran out of budget refuses a line")
	}
	if h.match([]byte("ab ab")) {
		t.Error("a head passes a line its regex cannot match")
	}
}

// headRegexes returns every bundled regex and boilerplate branch with the
// lines its playbook's examples hold.
func headRegexes(t testing.TB) ([]*regexp.Regexp, []*head, [][]string) {
	pbs, err := catalog.Bundled()
	if err != nil {
		t.Fatal(err)
	}
	c := compile(pbs)
	var res []*regexp.Regexp
	var heads []*head
	var lines [][]string
	add := func(cr *compiledRegex, ls []string) {
		if h := headOf(cr.src); h != nil {
			res, heads, lines = append(res, regexp.MustCompile(cr.src)), append(heads, h), append(lines, ls)
		}
	}
	for _, cr := range c.regexes {
		var ls []string
		for _, pb := range cr.pbs {
			for _, ex := range c.playbooks[pb].Examples.Match {
				ls = append(ls, strings.Split(ex, "\n")...)
			}
		}
		add(cr, ls)
	}
	for _, cr := range c.boilerplate {
		add(cr, nil)
	}
	return res, heads, lines
}

// FuzzHeadNeverRefusesAMatch mutates the bundled examples: a line a
// bundled regex matches must pass its head.
func FuzzHeadNeverRefusesAMatch(f *testing.F) {
	res, heads, lines := headRegexes(f)
	for i, ls := range lines {
		for _, l := range ls {
			f.Add(uint16(i), l)
		}
	}
	f.Fuzz(func(t *testing.T, i uint16, line string) {
		i %= uint16(len(res))
		if strings.Contains(line, "\n") {
			return // the engine passes lines
		}
		if res[i].MatchString(line) && !heads[i].match([]byte(line)) {
			t.Fatalf("%s: head refuses %q, which matches", res[i], line)
		}
	})
}
