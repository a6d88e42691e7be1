package main

import (
	"fmt"
	"strings"

	"github.com/faultline-dev/faultline/internal/render"
)

const explainUsage = `
Usage: faultline explain [flags] ID

Shows a playbook as a page: its signals, what the failure means, how to
diagnose and fix it, how to check the fix and how to keep it from coming back.

Examples:
  faultline explain aws-access-denied
  faultline explain --format markdown npm-eresolve > npm-eresolve.md
  faultline list            # all ids
`

func runExplain(args []string, s *streams) error {
	var (
		format string
		cf     catalogFlags
	)
	fs := newFlags("explain", explainUsage, s)
	fs.StringVar(&format, "format", "text", "output `format`: text, markdown or json")
	cf.register(fs)
	ids, err := parse(fs, args, s)
	if err != nil {
		return err
	}
	if len(ids) != 1 {
		return usageErr("explain: give one playbook id (see 'faultline list')")
	}
	cat, err := cf.load(s)
	if err != nil {
		return err
	}
	p, ok := cat.Lookup(ids[0])
	if !ok {
		msg := fmt.Sprintf("explain: no playbook %q", ids[0])
		if sug := cat.Suggest(ids[0], 3); len(sug) > 0 {
			msg += "; did you mean " + strings.Join(sug, ", ") + "?"
		} else {
			msg += "; run 'faultline list' for the ids"
		}
		return usageErr("%s", msg)
	}
	switch format {
	case "text":
		render.PlaybookText(s.out, p, render.NewStyle(useColor("auto", s)))
	case "markdown", "md":
		render.PlaybookMarkdown(s.out, p, "")
	case "json":
		return render.PlaybookJSON(s.out, p)
	default:
		return usageErr("explain: unknown --format %q (want text, markdown or json)", format)
	}
	return nil
}
