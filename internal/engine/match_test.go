package engine

import (
	"context"
	"io"
	"maps"
	"strings"
	"testing"

	"github.com/faultline-dev/faultline/internal/catalog"
)

// TestRegexCaptures checks what a regex's hit reports: the text it matched
// as its signal, and its named captures, which are worked out only for the
// hits a report shows, from the hit's text; or kept as the line is read
// when that text is cut.
func TestRegexCaptures(t *testing.T) {
	var pbs []*catalog.Playbook
	for _, id := range []string{"deploy-a", "deploy-b"} {
		pb := &catalog.Playbook{ID: id, Title: "Deploy", Category: "test", Severity: "high"}
		pb.Match.Regex = []string{`^(?:==> |x+ )?deploy to (?P<env>\w+) failed: (?P<reason>.+)$`}
		pbs = append(pbs, pb)
	}
	e := New(pbs)
	long := strings.Repeat("x", evidenceText+100)
	for _, tt := range []struct {
		name, line, signal string
		caps               map[string]string
	}{
		{"plain", "deploy to prod failed: quota", "deploy to prod failed: quota", map[string]string{"env": "prod", "reason": "quota"}},
		{"timestamp", "2024-05-01T10:00:00.1234567Z ==> deploy to stage failed: disk full ", "==> deploy to stage failed: disk full ",
			map[string]string{"env": "stage", "reason": "disk full"}},
		{"cut", long + " deploy to qa failed: late", long + " deploy to qa failed: late", map[string]string{"env": "qa", "reason": "late"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			log := "building\n" + tt.line + "\n"
			for _, r := range []struct {
				name    string
				analyze func(context.Context, io.Reader, Options) (*Report, error)
			}{{"blocks", e.Analyze}, {"lines", e.analyzeLines}} {
				rep, err := r.analyze(context.Background(), strings.NewReader(log), Options{})
				if err != nil {
					t.Fatal(err)
				}
				if len(rep.Diagnoses) != 2 {
					t.Fatalf("%s: %d diagnoses, want both playbooks", r.name, len(rep.Diagnoses))
				}
				for _, d := range rep.Diagnoses {
					if got := d.Evidence[0].Signal; got != tt.signal {
						t.Errorf("%s: %s's signal = %.80q (%d bytes), want %.80q (%d)", r.name, d.Playbook.ID, got, len(got), tt.signal, len(tt.signal))
					}
					if !maps.Equal(d.Captures, tt.caps) {
						t.Errorf("%s: %s's captures = %v, want %v", r.name, d.Playbook.ID, d.Captures, tt.caps)
					}
				}
			}
		})
	}
}
