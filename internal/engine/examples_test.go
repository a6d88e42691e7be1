package engine

import (
	"testing"

	"github.com/faultline-dev/faultline/internal/catalog"
)

// TestBundledExamples is the catalog's quality gate: every examples.match
// snippet of every bundled playbook ranks that playbook first against the
// whole catalog, and no examples.no_match snippet triggers it.
func TestBundledExamples(t *testing.T) {
	pbs, err := catalog.LoadYAML()
	if err != nil {
		t.Fatal(err)
	}
	e := New(pbs)
	for _, p := range pbs {
		t.Run(p.ID, func(t *testing.T) {
			if len(p.Examples.Match) == 0 || len(p.Examples.NoMatch) == 0 {
				t.Errorf("%s: needs both examples.match and examples.no_match", p.Source)
			}
			for _, pr := range e.CheckExamples(p) {
				t.Error(pr.String())
			}
		})
	}
}
