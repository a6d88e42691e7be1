// Package render turns an analysis [engine.Report] or a playbook into text
// for people (plain or coloured), JSON for programs, or markdown for pull
// request comments and job summaries.
//
// Renderers write to the io.Writer they are given and decide nothing about
// what was found: the report says it all.
package render

import (
	"encoding/json"
	"io"
	"strings"

	"github.com/faultline-dev/faultline/internal/catalog"
	"github.com/faultline-dev/faultline/internal/engine"
)

// Schema names the JSON contract of an analysis; see docs/json.md.
const Schema = "faultline.analysis/v1"

type jsonReport struct {
	Schema       string          `json:"schema"`
	Source       string          `json:"source"`
	Status       engine.Status   `json:"status"`
	Lines        int             `json:"lines"`
	FailurePoint *engine.Line    `json:"failure_point,omitempty"`
	Step         *jsonStep       `json:"step,omitempty"`
	Diagnoses    []jsonDiagnosis `json:"diagnoses"`
	Excerpt      *jsonExcerpt    `json:"excerpt,omitempty"`
}

type jsonStep struct {
	Name      string `json:"name"`
	StartLine int    `json:"start_line"`
	EndLine   int    `json:"end_line"`
	Exit      *int   `json:"exit_code,omitempty"`
}

type jsonDiagnosis struct {
	ID         string            `json:"id"`
	Title      string            `json:"title"`
	Category   string            `json:"category"`
	Severity   string            `json:"severity"`
	Confidence float64           `json:"confidence"`
	Tags       []string          `json:"tags"`
	Evidence   []jsonEvidence    `json:"evidence"`
	Captures   map[string]string `json:"captures,omitempty"`
	Summary    string            `json:"summary"`
	Diagnosis  string            `json:"diagnosis"`
	Fix        []string          `json:"fix"`
	Validation []string          `json:"validation"`
	Source     string            `json:"source,omitempty"`
}

type jsonEvidence struct {
	Line   int    `json:"line"`
	Text   string `json:"text"`
	Signal string `json:"signal"`
}

type jsonExcerpt struct {
	StartLine int           `json:"start_line"`
	EndLine   int           `json:"end_line"`
	Lines     []engine.Line `json:"lines"`
}

// JSON writes the report as one faultline.analysis/v1 JSON document. top
// limits the diagnoses (0: all).
func JSON(w io.Writer, r *engine.Report, top int) error {
	out := jsonReport{
		Schema:       Schema,
		Source:       r.Source,
		Status:       r.Status,
		Lines:        r.Lines,
		FailurePoint: r.FailurePoint,
		Diagnoses:    []jsonDiagnosis{},
	}
	if r.Step != nil {
		s := &jsonStep{Name: r.Step.Name, StartLine: r.Step.StartLine, EndLine: r.Step.EndLine}
		if r.Step.Exit >= 0 {
			s.Exit = &r.Step.Exit
		}
		out.Step = s
	}
	for i, d := range r.Diagnoses {
		if top > 0 && i >= top {
			break
		}
		out.Diagnoses = append(out.Diagnoses, diagnosisJSON(d))
	}
	if r.Excerpt != nil {
		out.Excerpt = &jsonExcerpt{StartLine: r.Excerpt.Start, EndLine: r.Excerpt.End, Lines: r.Excerpt.Lines}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(out)
}

func diagnosisJSON(d engine.Diagnosis) jsonDiagnosis {
	p := d.Playbook
	fill := func(s string) string { return catalog.Fill(s, d.Captures, placeholder) }
	j := jsonDiagnosis{
		ID: p.ID, Title: p.Title, Category: p.Category, Severity: p.Severity,
		Confidence: d.Confidence, Tags: nonNil(p.Tags), Captures: d.Captures,
		Summary: fill(p.Summary), Diagnosis: fill(p.Diagnosis),
		Fix: fillAll(p.Fix, d.Captures), Validation: fillAll(p.Validation, d.Captures),
	}
	if p.Origin != "" && p.Origin != "bundled" {
		j.Source = p.Source
	}
	for _, e := range d.Evidence {
		j.Evidence = append(j.Evidence, jsonEvidence{Line: e.N, Text: e.Text, Signal: e.Signal})
	}
	return j
}

// placeholder shows a capture the log did not provide.
func placeholder(name string) string { return "<" + name + ">" }

func fillAll(ss []string, caps map[string]string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = catalog.Fill(s, caps, placeholder)
	}
	return out
}

func nonNil(ss []string) []string {
	if ss == nil {
		return []string{}
	}
	return ss
}

// JSONList writes several reports as one JSON array, in order.
func JSONList(w io.Writer, rs []*engine.Report, top int) error {
	out := make([]json.RawMessage, 0, len(rs))
	for _, r := range rs {
		var b strings.Builder
		if err := JSON(&b, r, top); err != nil {
			return err
		}
		out = append(out, json.RawMessage(b.String()))
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(out)
}
