package catalog

import (
	"bytes"
	"flag"
	"os"
	"testing"
)

var update = flag.Bool("update", false, "rewrite bundled.json from the YAML playbooks")

// TestSnapshotFresh checks that bundled.json, which the binary decodes
// instead of the YAML, says what the YAML says.
func TestSnapshotFresh(t *testing.T) {
	pbs, err := LoadYAML()
	if err != nil {
		t.Fatalf("bundled playbooks do not load:\n%v", err)
	}
	want, err := Snapshot(pbs)
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.WriteFile("bundled.json", want, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if !bytes.Equal(bundledSnapshot, want) {
		t.Fatal("internal/catalog/bundled.json is stale: run go test ./internal/catalog -run Snapshot -update")
	}
}
