package catalog

import (
	"io/fs"
	"strconv"
	"testing"

	"go.yaml.in/yaml/v3"
)

// TestLineIndex checks Playbook.Line's index against lineOf, a plain walk
// of the YAML document, for every key and list item of every
// bundled playbook file, and for paths that stop short of existing.
func TestLineIndex(t *testing.T) {
	files, err := fs.Glob(BundledFS(), "*/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no bundled playbook files (%v)", err)
	}
	for _, file := range files {
		data, err := fs.ReadFile(BundledFS(), file)
		if err != nil {
			t.Fatal(err)
		}
		var root yaml.Node
		if err := yaml.Unmarshal(data, &root); err != nil {
			t.Fatal(err)
		}
		doc := root.Content[0]
		idx := indexLines(doc)
		check := func(keys ...string) {
			if got, want := idx.line(keys), lineOf(doc, keys...); got != want {
				t.Errorf("%s %q: line %d, want %d", file, keys, got, want)
			}
		}
		var walk func(n *yaml.Node, path []string)
		walk = func(n *yaml.Node, path []string) {
			check(path...)
			check(append(path, "no-such-key")...)
			check(append(path, "99")...)
			switch n.Kind {
			case yaml.MappingNode:
				for i := 0; i+1 < len(n.Content); i += 2 {
					walk(n.Content[i+1], append(path[:len(path):len(path)], n.Content[i].Value))
				}
			case yaml.SequenceNode:
				for i, item := range n.Content {
					walk(item, append(path[:len(path):len(path)], strconv.Itoa(i)))
				}
			}
		}
		walk(doc, nil)
	}
}

// lineOf returns the line of the value at the path of mapping keys and
// sequence indexes in n, or of the deepest part of the path that exists.
func lineOf(n *yaml.Node, keys ...string) int {
	line := n.Line
	for _, k := range keys {
		switch n.Kind {
		case yaml.MappingNode:
			found := false
			for i := 0; i+1 < len(n.Content); i += 2 {
				if n.Content[i].Value == k {
					line = n.Content[i].Line
					n = n.Content[i+1]
					found = true
					break
				}
			}
			if !found {
				return line
			}
		case yaml.SequenceNode:
			i, err := strconv.Atoi(k)
			if err != nil || i >= len(n.Content) {
				return line
			}
			n = n.Content[i]
			line = n.Line
		default:
			return line
		}
	}
	return line
}
