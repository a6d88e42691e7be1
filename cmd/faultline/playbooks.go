package main

import (
	"errors"
	"fmt"
	"os"
	"regexp"
	"sort"

	"github.com/faultline-dev/faultline/internal/catalog"
	"github.com/faultline-dev/faultline/internal/engine"
)

const playbooksUsage = `
Usage: faultline playbooks lint [DIR...]

Checks playbook files: YAML syntax, unknown fields, required fields, ids,
regexes, duplicate ids, and every example (each examples.match snippet must
rank its playbook first against the whole catalog; no examples.no_match
snippet may trigger it). With no DIR it checks the bundled catalog.
Problems are printed as file:line: message; the exit status is 1 if there
are any.

Examples:
  faultline playbooks lint .faultline/playbooks
  faultline playbooks lint
`

func runPlaybooks(args []string, s *streams) error {
	fs := newFlags("playbooks", playbooksUsage, s)
	rest, err := parse(fs, args, s)
	if err != nil {
		return err
	}
	if len(rest) == 0 || rest[0] != "lint" {
		return usageErr("playbooks: want 'faultline playbooks lint [DIR...]'")
	}
	bundled, err := catalog.LoadYAML()
	var probs catalog.Problems
	if len(rest) == 1 {
		if err != nil {
			if !errors.As(err, &probs) {
				return err
			}
		}
		probs = append(probs, lintExamples(bundled, bundled)...)
		return report(s, probs, len(bundled))
	}
	if err != nil {
		return fmt.Errorf("bundled playbooks: %w", err)
	}
	total := 0
	for _, d := range rest[1:] {
		st, err := os.Stat(d)
		if err != nil || !st.IsDir() {
			return usageErr("playbooks lint: %s: no such directory", d)
		}
		pbs, err := catalog.LoadFS(os.DirFS(d), d)
		var ps catalog.Problems
		if err != nil && !errors.As(err, &ps) {
			return usageErr("playbooks lint: %v", err)
		}
		probs = append(probs, ps...)
		all := catalog.New(append(append([]*catalog.Playbook(nil), bundled...), pbs...)...).Playbooks()
		probs = append(probs, lintExamples(pbs, all)...)
		total += len(pbs)
	}
	return report(s, probs, total)
}

// lintExamples checks the examples of pbs against the catalog all.
func lintExamples(pbs, all []*catalog.Playbook) catalog.Problems {
	eng := engine.New(all)
	var probs catalog.Problems
	for _, p := range pbs {
		probs = append(probs, eng.CheckExamples(p)...)
		for i, expr := range p.Match.Regex {
			if _, err := regexp.Compile(expr); err == nil && engine.Prefilter(expr) == nil {
				probs = append(probs, catalog.Problem{File: p.Source, Line: p.Line("match", "regex", fmt.Sprint(i)),
					Msg: "warning: match.regex has no literal of 3+ characters every match contains; it runs on every line"})
			}
		}
	}
	return probs
}

func report(s *streams, probs catalog.Problems, n int) error {
	sort.SliceStable(probs, func(i, j int) bool {
		if probs[i].File != probs[j].File {
			return probs[i].File < probs[j].File
		}
		return probs[i].Line < probs[j].Line
	})
	errs := 0
	for _, p := range probs {
		fmt.Fprintln(s.out, p.String())
		if len(p.Msg) < 8 || p.Msg[:8] != "warning:" {
			errs++
		}
	}
	if errs > 0 {
		fmt.Fprintf(s.err, "%d problem(s) in %d playbook(s)\n", errs, n)
		return errSilent(exitFailOn)
	}
	fmt.Fprintf(s.err, "%d playbook(s) OK\n", n)
	return nil
}
