package render

import (
	"fmt"
	"io"
	"strings"

	"github.com/faultline-dev/faultline/internal/catalog"
	"github.com/faultline-dev/faultline/internal/engine"
)

// Markdown writes the report as GitHub-flavoured markdown, for a pull
// request comment or $GITHUB_STEP_SUMMARY. top limits the diagnoses (0: all).
func Markdown(w io.Writer, r *engine.Report, top int) {
	src := r.Source
	if src == "-" {
		src = "standard input"
	}
	switch r.Status {
	case engine.Clean:
		fmt.Fprintf(w, "### ✅ No failure found\n\n`%s` (%d lines) shows no sign of failure.\n", mdCode(src), r.Lines)
		return
	case engine.Unknown:
		fmt.Fprintf(w, "### ❓ Unrecognised failure\n\n%s. No playbook matches; this is where it broke:\n", where(r, "`"+mdCode(src)+"`"))
		mdExcerpt(w, r.Excerpt)
		return
	}
	for i, d := range r.Diagnoses {
		if top > 0 && i >= top {
			break
		}
		if i > 0 {
			fmt.Fprint(w, "\n---\n\n")
		}
		p := d.Playbook
		fill := func(s string) string { return catalog.Fill(s, d.Captures, placeholder) }
		fmt.Fprintf(w, "### ❌ %s\n\n", p.Title)
		fmt.Fprintf(w, "`%s` · %s · confidence %.2f · %s\n\n", p.ID, p.Severity, d.Confidence, where(r, "`"+mdCode(src)+"`"))
		fmt.Fprintf(w, "%s\n\n", fill(p.Summary))
		fmt.Fprint(w, "**Evidence**\n\n```text\n")
		for _, e := range d.Evidence {
			fmt.Fprintf(w, "%d: %s\n", e.N, fence(clipText(display(e.Text), maxTextLine)))
		}
		fmt.Fprint(w, "```\n\n**Fix**\n\n")
		for j, f := range p.Fix {
			fmt.Fprintf(w, "%d. %s\n", j+1, strings.ReplaceAll(strings.TrimSpace(fill(f)), "\n", "\n   "))
		}
		if len(p.Validation) > 0 {
			fmt.Fprint(w, "\n**Check the fix**\n\n```sh\n")
			for _, v := range p.Validation {
				fmt.Fprintln(w, fence(fill(v)))
			}
			fmt.Fprint(w, "```\n")
		}
		fmt.Fprint(w, "\n<details><summary>Excerpt of the log</summary>\n")
		mdExcerpt(w, r.Excerpt)
		fmt.Fprint(w, "\n</details>\n")
	}
}

func mdExcerpt(w io.Writer, ex *engine.Excerpt) {
	if ex == nil {
		return
	}
	fmt.Fprintf(w, "\nLines %d–%d:\n\n```text\n", ex.Start, ex.End)
	for _, l := range ex.Lines {
		fmt.Fprintf(w, "%d: %s\n", l.N, fence(clipText(display(l.Text), maxTextLine)))
	}
	fmt.Fprint(w, "```\n")
}

// fence keeps a line from closing a code block.
func fence(s string) string { return strings.ReplaceAll(s, "```", "ˋˋˋ") }

// mdCode keeps a string inside an inline code span.
func mdCode(s string) string { return strings.ReplaceAll(s, "`", "'") }
