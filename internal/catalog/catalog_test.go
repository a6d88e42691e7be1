package catalog

import (
	"slices"
	"strings"
	"testing"
	"testing/fstest"
)

func TestBundledCatalogLoads(t *testing.T) {
	pbs, err := Bundled()
	if err != nil {
		t.Fatalf("bundled playbooks do not load:\n%v", err)
	}
	if len(pbs) < 200 {
		t.Errorf("bundled catalog has %d playbooks, want at least 200", len(pbs))
	}
	aws := []string{"aws-credentials-missing", "aws-token-expired", "aws-invalid-token", "aws-auth-failure",
		"aws-access-denied", "aws-signature-mismatch", "aws-clock-skew", "aws-profile-not-found",
		"aws-oidc-assume-role", "aws-region-missing"}
	c := New(pbs...)
	for _, id := range aws {
		if _, ok := c.Lookup(id); !ok {
			t.Errorf("bundled catalog lacks %s", id)
		}
	}
	for _, p := range pbs {
		if !strings.HasPrefix(p.Source, "playbooks/"+p.Category+"/") || !strings.HasSuffix(p.Source, "/"+p.ID+".yaml") {
			t.Errorf("%s: a playbook lives in playbooks/<category>/<id>.yaml (id %s, category %s)", p.Source, p.ID, p.Category)
		}
	}
}

func TestAccessDeniedCaptures(t *testing.T) {
	pbs, err := Bundled()
	if err != nil {
		t.Fatal(err)
	}
	p, _ := New(pbs...).Lookup("aws-access-denied")
	names := p.CaptureNames()
	for _, n := range []string{"action", "principal", "resource"} {
		if !slices.Contains(names, n) {
			t.Errorf("aws-access-denied captures %v, want %s among them", names, n)
		}
	}
}

const good = `id: demo-failure
title: Demo failure
category: test
severity: low
summary: A demo.
diagnosis: Look at {{thing}}.
fix: ["Fix {{thing}}."]
validation: ["true"]
match:
  regex: ['demo failed: (?P<thing>\w+)']
examples:
  match: ["demo failed: x"]
  no_match: ["demo passed"]
`

func TestParseProblems(t *testing.T) {
	tests := []struct {
		name, yaml string
		want       []string // "line: message part"
	}{
		{"good", good, nil},
		{"invalid yaml", "id: [x\n", []string{"1: invalid YAML"}},
		{"unknown field", strings.Replace(good, "severity: low", "severity: low\ncolour: red", 1), []string{"5: unknown field \"colour\""}},
		{"unknown nested field", strings.Replace(good, "  no_match:", "  nomatch: [x]\n  no_match:", 1), []string{"13: unknown field \"nomatch\""}},
		{"field not read from files", strings.Replace(good, "title: Demo failure", "title: Demo failure\nsource: x.yaml", 1), []string{"3: unknown field \"source\""}},
		{"unknown field and wrong type", strings.Replace(strings.Replace(good, "fix: [", "fix: {a: 1}\nfixes: [", 1), "title: Demo failure", "title: [Demo]", 1),
			[]string{"2: cannot unmarshal", "7: cannot unmarshal", "8: unknown field \"fixes\""}},
		{"bad regex", strings.Replace(good, `'demo failed: (?P<thing>\w+)'`, `'(?P<thing>x'`, 1), []string{"10: match.regex: error parsing regexp"}},
		{"empty match", strings.Replace(good, "  regex: ['demo failed: (?P<thing>\\w+)']\n", "  any: []\n", 1), []string{"9: empty match", "6: {{thing}} names no capture", "7: {{thing}}"}},
		{"bad category", strings.Replace(good, "category: test", "category: tests", 1), []string{"3: unknown category"}},
		{"bad id", strings.Replace(good, "id: demo-failure", "id: Demo_Failure", 1), []string{"1: id \"Demo_Failure\""}},
		{"no examples", strings.Replace(good, `  no_match: ["demo passed"]`+"\n", "", 1), []string{"11: missing examples.no_match"}},
		{"regex matches everything", strings.Replace(good, `'demo failed: (?P<thing>\w+)'`, `'(?P<thing>x*)'`, 1), []string{"10: match.regex \"(?P<thing>x*)\" matches every line"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, probs := Parse("p.yaml", []byte(tt.yaml))
			if len(probs) != len(tt.want) {
				t.Fatalf("got %d problems %v, want %d %v", len(probs), probs, len(tt.want), tt.want)
			}
			for i, w := range tt.want {
				if got := probs[i].String(); !strings.Contains(got, "p.yaml:"+w) {
					t.Errorf("problem %d = %q, want it to contain %q", i, got, "p.yaml:"+w)
				}
			}
		})
	}
}

func TestLoadFSDuplicateIDs(t *testing.T) {
	fsys := fstest.MapFS{
		"a/one.yaml": {Data: []byte(good)},
		"b/two.yaml": {Data: []byte(good)},
	}
	_, err := LoadFS(fsys, "custom")
	var ps Problems
	if err == nil {
		t.Fatal("want a duplicate id problem")
	}
	if !strings.Contains(err.Error(), `custom/b/two.yaml:1: duplicate id "demo-failure" (also in custom/a/one.yaml)`) {
		t.Errorf("got %v", err)
	}
	_ = ps
}

func TestOverride(t *testing.T) {
	a, _ := Parse("bundled.yaml", []byte(good))
	b, _ := Parse("custom.yaml", []byte(good))
	c := New(a, b)
	got, _ := c.Lookup("demo-failure")
	if got != b || got.Overrides != "bundled.yaml" {
		t.Errorf("custom playbook did not override the bundled one: %+v", got.Overrides)
	}
}

func TestFill(t *testing.T) {
	caps := map[string]string{"action": "s3:ListBucket"}
	got := Fill("Grant {{action}} on {{ resource }}.", caps, func(n string) string { return "<" + n + ">" })
	if want := "Grant s3:ListBucket on <resource>."; got != want {
		t.Errorf("Fill = %q, want %q", got, want)
	}
}

func TestSuggest(t *testing.T) {
	pbs, err := Bundled()
	if err != nil {
		t.Fatal(err)
	}
	got := New(pbs...).Suggest("aws-acess-denied", 3)
	if len(got) == 0 || got[0] != "aws-access-denied" {
		t.Errorf("Suggest(aws-acess-denied) = %v, want aws-access-denied first", got)
	}
}
