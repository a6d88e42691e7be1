package catalog

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"reflect"
	"regexp"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"go.yaml.in/yaml/v3"
)

// Problem is one thing wrong with a playbook file, located by file and line.
type Problem struct {
	File string
	Line int // 1-based; 0 when the problem concerns the whole file
	Msg  string
}

func (p Problem) String() string {
	if p.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", p.File, p.Line, p.Msg)
	}
	return fmt.Sprintf("%s: %s", p.File, p.Msg)
}

// Problems is the error returned when playbooks do not load. It lists every
// problem found, sorted by file and line.
type Problems []Problem

func (ps Problems) Error() string {
	if len(ps) == 1 {
		return ps[0].String()
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d problems in playbooks:", len(ps))
	for _, p := range ps {
		b.WriteString("\n\t")
		b.WriteString(p.String())
	}
	return b.String()
}

func (ps Problems) sorted() Problems {
	sort.SliceStable(ps, func(i, j int) bool {
		if ps[i].File != ps[j].File {
			return ps[i].File < ps[j].File
		}
		return ps[i].Line < ps[j].Line
	})
	return ps
}

// ErrNoPlaybooks is returned by LoadFS when a directory holds no playbook files.
var ErrNoPlaybooks = errors.New("no playbook files (*.yaml, *.yml)")

// LoadFS reads every *.yaml and *.yml file below fsys's root as one
// playbook. Origin is recorded on each playbook and prefixes file names in
// problems. Problems of all files are collected and returned together as
// [Problems].
func LoadFS(fsys fs.FS, origin string) ([]*Playbook, error) {
	var files []string
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && (strings.HasSuffix(p, ".yaml") || strings.HasSuffix(p, ".yml")) {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read playbooks in %s: %w", origin, err)
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("%s: %w", origin, ErrNoPlaybooks)
	}
	sort.Strings(files)
	// Parse the files on every core (a large custom catalog takes a
	// second on one), then take the results in file order.
	type parsed struct {
		pb    *Playbook
		probs []Problem
	}
	results := make([]parsed, len(files))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(files)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int(next.Add(1) - 1); i < len(files); i = int(next.Add(1) - 1) {
				name := path.Join(origin, files[i])
				data, err := fs.ReadFile(fsys, files[i])
				if err != nil {
					results[i].probs = []Problem{{File: name, Msg: err.Error()}}
					continue
				}
				results[i].pb, results[i].probs = Parse(name, data)
			}
		}()
	}
	wg.Wait()
	var (
		pbs   []*Playbook
		probs Problems
		seen  = map[string]string{}
	)
	for i, f := range files {
		name := path.Join(origin, f)
		pb := results[i].pb
		probs = append(probs, results[i].probs...)
		if pb == nil {
			continue
		}
		pb.Origin = origin
		if first, ok := seen[pb.ID]; ok {
			probs = append(probs, Problem{File: name, Line: 1, Msg: fmt.Sprintf("duplicate id %q (also in %s)", pb.ID, first)})
			continue
		}
		seen[pb.ID] = name
		pbs = append(pbs, pb)
	}
	if len(probs) > 0 {
		return pbs, probs.sorted()
	}
	return pbs, nil
}

var idPattern = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// Parse decodes and validates one playbook file. It returns the playbook
// (nil when it could not be decoded at all) and the problems found.
func Parse(file string, data []byte) (*Playbook, Problems) {
	var probs Problems
	add := func(line int, format string, args ...any) {
		probs = append(probs, Problem{File: file, Line: line, Msg: fmt.Sprintf(format, args...)})
	}

	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		line, msg := yamlErrLine(err)
		add(line, "invalid YAML: %s", msg)
		return nil, probs
	}
	if len(root.Content) == 0 {
		add(0, "empty file")
		return nil, probs
	}
	// The document is decoded from its nodes, not parsed again; keys the
	// Playbook type has no field for are looked for here, since a node's
	// decoder lets them pass.
	var pb Playbook
	unknownFields(root.Content[0], reflect.TypeFor[Playbook](), add)
	if err := root.Content[0].Decode(&pb); err != nil {
		var te *yaml.TypeError
		if errors.As(err, &te) {
			for _, e := range te.Errors {
				line, msg := yamlErrLine(errors.New(e))
				add(line, "%s", msg)
			}
		} else {
			line, msg := yamlErrLine(err)
			add(line, "%s", msg)
		}
	}
	if len(probs) > 0 {
		slices.SortStableFunc(probs, func(a, b Problem) int { return a.Line - b.Line })
		return nil, probs
	}
	pb.Source = file
	doc := root.Content[0]
	pb.lines = indexLines(doc)
	at := func(keys ...string) int { return pb.lines.line(keys) }

	required := []struct {
		key, val string
	}{
		{"id", pb.ID}, {"title", pb.Title}, {"category", pb.Category}, {"severity", pb.Severity},
		{"summary", pb.Summary}, {"diagnosis", pb.Diagnosis},
	}
	for _, r := range required {
		if strings.TrimSpace(r.val) == "" {
			add(at(r.key), "missing %s", r.key)
		}
	}
	if pb.ID != "" && !idPattern.MatchString(pb.ID) {
		add(at("id"), "id %q must be lowercase words joined by '-'", pb.ID)
	}
	if pb.Category != "" && !slices.Contains(Categories, pb.Category) {
		add(at("category"), "unknown category %q (want one of %s)", pb.Category, strings.Join(Categories, ", "))
	}
	if pb.Severity != "" && !slices.Contains(Severities, pb.Severity) {
		add(at("severity"), "unknown severity %q (want one of %s)", pb.Severity, strings.Join(Severities, ", "))
	}
	if strings.Contains(strings.TrimSpace(pb.Summary), "\n") {
		add(at("summary"), "summary must be one line")
	}
	for _, l := range []struct {
		key  string
		list []string
	}{{"fix", pb.Fix}, {"validation", pb.Validation}} {
		if len(l.list) == 0 {
			add(at(l.key), "missing %s: list at least one step", l.key)
		}
	}

	m := pb.Match
	if len(m.Any) == 0 && len(m.All) == 0 && len(m.Regex) == 0 {
		add(at("match"), "empty match: give at least one of any, all or regex")
	}
	for _, group := range []struct {
		key  string
		list []string
	}{{"any", m.Any}, {"all", m.All}, {"none", m.None}} {
		for i, s := range group.list {
			if strings.TrimSpace(s) == "" {
				add(at("match", group.key, strconv.Itoa(i)), "empty signal in match.%s", group.key)
			}
		}
	}
	// The regexes are compiled to check them, and let go: the engine
	// compiles its own, and a large catalog kept twice would weigh.
	regexOK := true
	names := map[string]bool{}
	for i, expr := range m.Regex {
		re, err := regexp.Compile(expr)
		if err != nil {
			regexOK = false
			add(at("match", "regex", strconv.Itoa(i)), "match.regex: %v", err)
			continue
		}
		if re.MatchString("") {
			regexOK = false
			add(at("match", "regex", strconv.Itoa(i)), "match.regex %q matches every line", expr)
			continue
		}
		for _, n := range re.SubexpNames() {
			names[n] = true
		}
	}

	if len(pb.Examples.Match) == 0 {
		add(at("examples"), "missing examples.match: give at least one log line that must trigger the playbook")
	}
	if len(pb.Examples.NoMatch) == 0 {
		add(at("examples"), "missing examples.no_match: give at least one log line that must not trigger the playbook")
	}

	// Placeholders must name a capture of some regex.
	texts := []struct {
		key string
		s   string
	}{{"summary", pb.Summary}, {"diagnosis", pb.Diagnosis}}
	for i, f := range pb.Fix {
		texts = append(texts, struct {
			key string
			s   string
		}{"fix." + strconv.Itoa(i), f})
	}
	for _, t := range texts {
		if !regexOK {
			break // the regex problem says it all
		}
		for _, n := range Placeholders(t.s) {
			if !names[n] {
				keys := strings.Split(t.key, ".")
				add(at(keys...), "{{%s}} names no capture (regex named groups: %s)", n, strings.Join(sortedNames(names), ", "))
			}
		}
	}
	return &pb, probs
}

// sortedNames returns the capture names in names, sorted, without the
// empty name of unnamed groups.
func sortedNames(names map[string]bool) []string {
	var out []string
	for n := range names {
		if n != "" {
			out = append(out, n)
		}
	}
	slices.Sort(out)
	return out
}

// lineIndex holds the line of every key and list item of a playbook's
// file, by path: what Playbook.Line needs of the YAML document, which is
// many times larger and is let go once the playbook is read.
type lineIndex map[string]int32

// indexLines returns the lineIndex of document doc: the path of a value is
// its keys and list indexes, each followed by a NUL, and the document's
// own line is at the empty path.
func indexLines(doc *yaml.Node) lineIndex {
	idx := lineIndex{"": int32(doc.Line)}
	var walk func(n *yaml.Node, path string)
	walk = func(n *yaml.Node, path string) {
		switch n.Kind {
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				p := path + n.Content[i].Value + "\x00"
				if _, dup := idx[p]; !dup { // the first of a repeated key counts
					idx[p] = int32(n.Content[i].Line)
					walk(n.Content[i+1], p)
				}
			}
		case yaml.SequenceNode:
			for i, item := range n.Content {
				p := path + strconv.Itoa(i) + "\x00"
				idx[p] = int32(item.Line)
				walk(item, p)
			}
		}
	}
	walk(doc, "")
	return idx
}

// line returns the line of the value at the path keys, or of the deepest
// part of the path that exists.
func (idx lineIndex) line(keys []string) int {
	line, path := idx[""], ""
	for _, k := range keys {
		l, ok := idx[path+k+"\x00"]
		if !ok {
			break
		}
		line, path = l, path+k+"\x00"
	}
	return int(line)
}

var yamlLine = regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`)

// yamlErrLine splits a yaml.v3 error message into its line and the rest.
func yamlErrLine(err error) (int, string) {
	msg := err.Error()
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		n, _ := strconv.Atoi(m[1])
		return n, m[2]
	}
	return 0, strings.TrimPrefix(msg, "yaml: ")
}

// unknownFields reports, through add, each key of the mapping n that the
// struct type t has no field for, as yaml.v3's KnownFields option does, and
// looks into the values of those that are structs themselves.
func unknownFields(n *yaml.Node, t reflect.Type, add func(line int, format string, args ...any)) {
	if n.Kind != yaml.MappingNode {
		return // the decoder says what is wrong with it
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		key := n.Content[i]
		f, ok := yamlField(t, key.Value)
		switch {
		case !ok:
			add(key.Line, "unknown field %q", key.Value)
		case f.Type.Kind() == reflect.Struct:
			unknownFields(n.Content[i+1], f.Type, add)
		}
	}
}

// yamlField returns the field of struct type t that the YAML key decodes
// into: the one tagged so, or, untagged, named so in lower case.
func yamlField(t reflect.Type, key string) (reflect.StructField, bool) {
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		if name == key && name != "-" {
			return f, true
		}
	}
	return reflect.StructField{}, false
}
