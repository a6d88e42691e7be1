package catalog

import (
	"io/fs"
	"strconv"
	"testing"

	"go.yaml.in/yaml/v3"
)

// TestLineIndex checks Playbook.Line's index against lineOf, the walk of
// the YAML document it replaces, for every key and list item of every
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
