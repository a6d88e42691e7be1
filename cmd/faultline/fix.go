package main

import (
	"fmt"
	"strings"

	"github.com/faultline-dev/faultline/internal/catalog"
	"github.com/faultline-dev/faultline/internal/engine"
)

const fixUsage = `
Usage: faultline fix [flags] LOG

Prints only what to do about the top diagnosis of a log: the fix steps and
the commands that check the fix, filled in with what the log says. Prints
nothing and exits 0 when the log shows no known failure (see 'faultline
analyze' for the excerpt of an unknown failure).

Examples:
  faultline fix build.log
  gh run view 123 --log-failed | faultline fix -
`

func runFix(args []string, s *streams) error {
	var o analyzeOptions
	fs := newFlags("fix", fixUsage, s)
	fs.StringVar(&o.baseline, "baseline", "", "a log of a passing run of the same job: lines it also has are noise")
	o.catalog.register(fs)
	paths, err := parse(fs, args, s)
	if err != nil {
		return err
	}
	if len(paths) != 1 {
		return usageErr("fix: give exactly one log (or - for standard input)")
	}
	o.paths = paths
	reports, err := analyzeAll(&o, s)
	if err != nil {
		return err
	}
	r := reports[0]
	if r.Status != engine.Diagnosed {
		fmt.Fprintf(s.err, "faultline: no known failure in %s (status %s); run 'faultline analyze' for details\n", displayName(r.Source), r.Status)
		return nil
	}
	d := r.Diagnoses[0]
	fill := func(t string) string {
		return catalog.Fill(t, d.Captures, func(n string) string { return "<" + n + ">" })
	}
	fmt.Fprintf(s.out, "# %s [%s]\n", d.Playbook.Title, d.Playbook.ID)
	for i, f := range d.Playbook.Fix {
		fmt.Fprintf(s.out, "%d. %s\n", i+1, strings.ReplaceAll(strings.TrimSpace(fill(f)), "\n", "\n   "))
	}
	if len(d.Playbook.Validation) > 0 {
		fmt.Fprintln(s.out, "\n# Check the fix")
		for _, v := range d.Playbook.Validation {
			fmt.Fprintln(s.out, fill(v))
		}
	}
	return nil
}
