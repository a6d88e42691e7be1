// Package catalog owns Faultline's playbooks: the Playbook type, decoding and
// validating playbook YAML with file:line problems, and the catalog that ships
// inside the binary.
//
// A playbook describes one failure mode: the signals that reveal it in a CI
// log, what it means, and how to fix and validate it. The catalog knows nothing
// about logs or matching; the engine compiles a [Catalog] into a matcher.
package catalog

import (
	"regexp"
	"sync"

	"sort"
	"strings"
)

// Playbook is one failure mode, as written in a YAML file.
type Playbook struct {
	ID           string   `yaml:"id"`
	Title        string   `yaml:"title"`
	Category     string   `yaml:"category"`
	Severity     string   `yaml:"severity"`
	Tags         []string `yaml:"tags"`
	Summary      string   `yaml:"summary"`
	Description  string   `yaml:"description"`
	Diagnosis    string   `yaml:"diagnosis"`
	Fix          []string `yaml:"fix"`
	Validation   []string `yaml:"validation"`
	WhyItMatters string   `yaml:"why_it_matters"`
	Prevention   []string `yaml:"prevention"`
	TryLocally   []string `yaml:"try_locally"`
	Match        Match    `yaml:"match"`
	Examples     Examples `yaml:"examples"`

	// Source is the file the playbook was read from, relative to the root
	// it was loaded from (for bundled playbooks, "playbooks/...").
	Source string `yaml:"-" json:"source"`
	// Origin says where the playbook came from: "bundled" or the directory
	// of a custom playbook set.
	Origin string `yaml:"-"`
	// Overrides is set when this playbook replaced another of the same id.
	Overrides string `yaml:"-"`

	regexOnce sync.Once
	regexps   []*regexp.Regexp
	lines     lineIndex
}

// Line returns the line of the playbook's file where the value at a path of
// keys and list indexes is ("examples", "match", "0"), or of the nearest
// part of it that exists; 0 for a playbook not read from a file.
func (p *Playbook) Line(keys ...string) int {
	return p.lines.line(keys)
}

// Match lists the signals of a playbook. A playbook matches a step of a log
// when a line of it contains one of Any or matches one of Regex, every
// literal of All appears in the step, and no literal of None does.
// Literals are compared case-insensitively; regexes are RE2 and their named
// groups become captures.
type Match struct {
	Any   []string `yaml:"any"`
	All   []string `yaml:"all"`
	None  []string `yaml:"none"`
	Regex []string `yaml:"regex"`
}

// Examples are log snippets that must (Match) or must not (NoMatch) trigger
// the playbook. Each example is a small log of one or more lines.
type Examples struct {
	Match   []string `yaml:"match"`
	NoMatch []string `yaml:"no_match"`
}

// Severities, most severe first.
var Severities = []string{"critical", "high", "medium", "low"}

// Categories a playbook may belong to.
var Categories = []string{
	"auth",       // cloud, registry and cluster credentials and permissions
	"build",      // compilers, type checkers, build tools
	"ci",         // the CI platform itself: runners, timeouts, secrets, caches
	"container",  // docker build, pull, push, daemon
	"dependency", // package managers and dependency resolution
	"infra",      // terraform, helm, kubectl and other infrastructure tools
	"lint",       // linters and formatters
	"network",    // DNS, TLS, timeouts, proxies, registry availability
	"resource",   // memory, disk, file descriptors, crashes
	"test",       // test runners and failing tests
	"vcs",        // git, submodules, LFS, host keys
}

// Regexps returns the compiled Match.Regex patterns, in order, compiling
// them on first use. Patterns were validated when the playbook was parsed;
// one that does not compile is left out.
func (p *Playbook) Regexps() []*regexp.Regexp {
	p.regexOnce.Do(func() {
		for _, expr := range p.Match.Regex {
			if re, err := regexp.Compile(expr); err == nil {
				p.regexps = append(p.regexps, re)
			}
		}
	})
	return p.regexps
}

// CaptureNames returns the sorted names of the named groups of the
// playbook's regexes.
func (p *Playbook) CaptureNames() []string {
	seen := map[string]bool{}
	for _, re := range p.Regexps() {
		for _, n := range re.SubexpNames() {
			if n != "" {
				seen[n] = true
			}
		}
	}
	names := make([]string, 0, len(seen))
	for n := range seen {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

var placeholder = regexp.MustCompile(`\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}`)

// Fill replaces {{name}} placeholders in s with captures[name]. A
// placeholder with no capture is replaced by fallback(name) when fallback
// is not nil, and left as it is otherwise.
func Fill(s string, captures map[string]string, fallback func(string) string) string {
	if !strings.Contains(s, "{{") {
		return s
	}
	return placeholder.ReplaceAllStringFunc(s, func(m string) string {
		name := placeholder.FindStringSubmatch(m)[1]
		if v, ok := captures[name]; ok && v != "" {
			return v
		}
		if fallback != nil {
			return fallback(name)
		}
		return m
	})
}

// Placeholders returns the names used as {{name}} in s, in order of first use.
func Placeholders(s string) []string {
	var names []string
	for _, m := range placeholder.FindAllStringSubmatch(s, -1) {
		names = append(names, m[1])
	}
	return names
}
