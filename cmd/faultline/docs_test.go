package main

import (
	"bytes"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/faultline-dev/faultline/internal/catalog"
)

// TestGeneratedDocsAreFresh fails when docs/playbooks/ no longer matches
// the catalog. Regenerate with: go run ./cmd/faultline docs docs/playbooks
func TestGeneratedDocsAreFresh(t *testing.T) {
	pbs, err := catalog.Bundled()
	if err != nil {
		t.Fatal(err)
	}
	want := DocPages(catalog.New(pbs...))
	dir := filepath.Join("..", "..", "docs", "playbooks")
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatalf("%v (generate with: go run ./cmd/faultline docs docs/playbooks)", err)
	}
	var stale []string
	for _, e := range entries {
		if _, ok := want[e.Name()]; !ok {
			stale = append(stale, e.Name()+" (no such playbook)")
		}
	}
	for name, data := range want {
		got, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil || !bytes.Equal(got, data) {
			stale = append(stale, name)
		}
	}
	sort.Strings(stale)
	if len(stale) > 0 {
		t.Errorf("docs/playbooks is stale: %d file(s), e.g. %v\nregenerate with: go run ./cmd/faultline docs docs/playbooks", len(stale), stale[:min(5, len(stale))])
	}
}
