package render

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/faultline-dev/faultline/internal/catalog"
	"github.com/faultline-dev/faultline/internal/engine"
	"github.com/faultline-dev/faultline/internal/logtext"
)

// maxTextLine is how much of a log line text output shows.
const maxTextLine = 240

// Text writes the report for a person: the verdict first, then the
// evidence with line numbers, the numbered fix steps and the validation
// commands. With no diagnosis, the failure excerpt is the answer. top is
// how many diagnoses to show (at least 1).
func Text(w io.Writer, r *engine.Report, top int, st Style) {
	src := r.Source
	if src == "-" {
		src = "standard input"
	}
	switch r.Status {
	case engine.Clean:
		fmt.Fprintf(w, "%s %s\n", st.green("✓ No failure found"), st.dim(fmt.Sprintf("in %s (%d lines)", src, r.Lines)))
		return
	case engine.Unknown:
		fmt.Fprintf(w, "%s %s\n", st.yellow("? Unrecognised failure"), st.dim("(no playbook matches; the excerpt below shows where it broke)"))
		fmt.Fprintf(w, "  %s\n", where(r, src))
		writeExcerpt(w, r.Excerpt, st, "Where it broke")
		return
	}
	for i, d := range r.Diagnoses {
		if i >= top {
			break
		}
		if i > 0 {
			fmt.Fprintf(w, "\n%s\n\n", st.dim(strings.Repeat("─", 60)))
		}
		writeDiagnosis(w, r, d, src, st)
	}
	if n := len(r.Diagnoses) - top; n > 0 {
		fmt.Fprintf(w, "\n%s\n", st.dim(fmt.Sprintf("%d more diagnosis(es): rerun with --top %d, or --format json", n, len(r.Diagnoses))))
	}
}

func where(r *engine.Report, src string) string {
	var b strings.Builder
	b.WriteString(src)
	if r.Step != nil && r.Step.Name != "" {
		fmt.Fprintf(&b, ": step %q failed", clipText(r.Step.Name, 80))
	} else {
		b.WriteString(": failed")
	}
	if r.FailurePoint != nil {
		fmt.Fprintf(&b, " at line %d", r.FailurePoint.N)
	}
	return b.String()
}

func writeDiagnosis(w io.Writer, r *engine.Report, d engine.Diagnosis, src string, st Style) {
	p := d.Playbook
	fill := func(s string) string { return catalog.Fill(s, d.Captures, placeholder) }
	fmt.Fprintf(w, "%s %s %s\n", st.red("✗ "+p.Title), st.dim("["+p.ID+"]"),
		st.dim(fmt.Sprintf("%s · confidence %.2f", p.Severity, d.Confidence)))
	fmt.Fprintf(w, "  %s\n", st.dim(where(r, src)))
	if p.Overrides != "" {
		fmt.Fprintf(w, "  %s\n", st.dim("custom playbook "+p.Source+" (overrides the bundled one)"))
	}
	fmt.Fprintf(w, "\n  %s\n", fill(p.Summary))

	fmt.Fprintf(w, "\n%s\n", st.bold("Evidence"))
	width := 0
	for _, e := range d.Evidence {
		width = max(width, len(strconv.Itoa(e.N)))
	}
	for _, e := range d.Evidence {
		fmt.Fprintf(w, "  %s %s\n", st.dim(fmt.Sprintf("%*d │", width, e.N)), clipText(display(e.Text), maxTextLine))
	}

	fmt.Fprintf(w, "\n%s\n", st.bold("Fix"))
	for i, f := range p.Fix {
		writeNumbered(w, i+1, fill(f))
	}
	if len(p.Validation) > 0 {
		fmt.Fprintf(w, "\n%s\n", st.bold("Check the fix"))
		for _, v := range p.Validation {
			fmt.Fprintf(w, "  %s %s\n", st.dim("$"), st.cyan(fill(v)))
		}
	}
	more := "faultline explain " + p.ID
	if p.Origin != "" && p.Origin != "bundled" {
		more += " --playbooks " + p.Origin
	}
	fmt.Fprintf(w, "\n%s\n", st.dim("More: "+more))
}

func writeNumbered(w io.Writer, n int, text string) {
	lines := strings.Split(strings.TrimSpace(text), "\n")
	fmt.Fprintf(w, "  %d. %s\n", n, lines[0])
	for _, l := range lines[1:] {
		fmt.Fprintf(w, "     %s\n", l)
	}
}

func writeExcerpt(w io.Writer, ex *engine.Excerpt, st Style, title string) {
	if ex == nil || len(ex.Lines) == 0 {
		return
	}
	fmt.Fprintf(w, "\n%s %s\n", st.bold(title), st.dim(fmt.Sprintf("(lines %d–%d)", ex.Start, ex.End)))
	width := len(strconv.Itoa(ex.End))
	for _, l := range ex.Lines {
		fmt.Fprintf(w, "  %s %s\n", st.dim(fmt.Sprintf("%*d │", width, l.N)), clipText(display(l.Text), maxTextLine))
	}
}

// display is how a log line is shown to a person: without the leading
// timestamp CI providers add, which the line number replaces.
func display(s string) string { return string(logtext.StripTimestamp([]byte(s))) }

// clipText shortens s to at most n runes, marking the cut, and replaces
// invalid UTF-8 and control characters so output stays printable.
func clipText(s string, n int) string {
	s = strings.Map(func(r rune) rune {
		if r == utf8.RuneError || r < 0x20 && r != '\t' || r == 0x7f {
			return '�'
		}
		return r
	}, s)
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	rs := []rune(s)
	return string(rs[:n-1]) + "…"
}
