package engine

import "github.com/faultline-dev/faultline/internal/catalog"

// Status says what an analysis found.
type Status string

const (
	// Diagnosed: at least one playbook matched the failure.
	Diagnosed Status = "diagnosed"
	// Unknown: the log shows a failure, but no playbook matched it.
	Unknown Status = "unknown"
	// Clean: the log shows no sign of failure.
	Clean Status = "clean"
)

// Report is the result of analysing one log. Renderers turn it into text,
// JSON or markdown; it holds everything they show.
type Report struct {
	Source string
	Status Status
	// Lines is the number of lines in the input.
	Lines int
	// Step is the step that failed, when the log's structure names one.
	Step *Step
	// FailurePoint is the line where the failure became visible.
	FailurePoint *Line
	// Diagnoses are the matching playbooks, best first.
	Diagnoses []Diagnosis
	// Excerpt is the span of the log that shows why the job failed.
	Excerpt *Excerpt
}

// Line is one line of the input: its 1-based number and its text without
// ANSI escapes.
type Line struct {
	N    int    `json:"line"`
	Text string `json:"text"`
}

// Step is a step of a CI job: a command, a GitHub Actions step, a GitLab
// section.
type Step struct {
	Name      string
	StartLine int
	EndLine   int
	Exit      int // -1 when the log does not say
}

// Excerpt is a contiguous span of the log.
type Excerpt struct {
	Start, End int
	Lines      []Line
}

// Diagnosis is one playbook that matched, with its proof.
type Diagnosis struct {
	Playbook   *catalog.Playbook
	Confidence float64
	Evidence   []Evidence
	// Captures holds the values of the regexes' named groups, from the best
	// evidence that has each.
	Captures map[string]string
}

// Evidence is a line that triggered a playbook, and the signal it matched.
type Evidence struct {
	Line
	Signal string
}
