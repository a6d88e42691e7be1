package main

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/faultline-dev/faultline/internal/catalog"
	"github.com/faultline-dev/faultline/internal/engine"
)

const listUsage = `
Usage: faultline list [flags]

Lists the playbooks of the catalog (bundled and custom), sorted by id.

Examples:
  faultline list
  faultline list --category auth --tag aws
  faultline list --format json | jq -r '.[].id'
  faultline list --signals > signals.txt   # every literal signal, for grep -F -f
`

func runList(args []string, s *streams) error {
	var (
		format, category, tag string
		signals               bool
		cf                    catalogFlags
	)
	fs := newFlags("list", listUsage, s)
	fs.StringVar(&format, "format", "text", "output `format`: text or json")
	fs.StringVar(&category, "category", "", "only playbooks of this `category`")
	fs.StringVar(&tag, "tag", "", "only playbooks with this `tag`")
	fs.BoolVar(&signals, "signals", false, "print every literal signal, lowercased and deduplicated, one per line")
	cf.register(fs)
	rest, err := parse(fs, args, s)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return usageErr("list: unexpected argument %q", rest[0])
	}
	if category != "" && !slices.Contains(catalog.Categories, category) {
		return usageErr("list: unknown --category %q (want one of %s)", category, strings.Join(catalog.Categories, ", "))
	}
	cat, err := cf.load(s)
	if err != nil {
		return err
	}
	var pbs []*catalog.Playbook
	for _, p := range cat.Playbooks() {
		if (category == "" || p.Category == category) && (tag == "" || slices.Contains(p.Tags, tag)) {
			pbs = append(pbs, p)
		}
	}
	if signals {
		for _, sig := range engine.Signals(pbs) {
			fmt.Fprintln(s.out, sig)
		}
		return nil
	}
	switch format {
	case "json":
		type entry struct {
			ID       string   `json:"id"`
			Title    string   `json:"title"`
			Category string   `json:"category"`
			Severity string   `json:"severity"`
			Tags     []string `json:"tags"`
			Summary  string   `json:"summary"`
			Source   string   `json:"source"`
		}
		out := make([]entry, 0, len(pbs))
		for _, p := range pbs {
			tags := p.Tags
			if tags == nil {
				tags = []string{}
			}
			out = append(out, entry{p.ID, p.Title, p.Category, p.Severity, tags, p.Summary, p.Source})
		}
		enc := json.NewEncoder(s.out)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		return enc.Encode(out)
	case "text":
		tw := tabwriter.NewWriter(s.out, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tCATEGORY\tSEVERITY\tTITLE")
		for _, p := range pbs {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", p.ID, p.Category, p.Severity, p.Title)
		}
		tw.Flush()
		fmt.Fprintf(s.err, "%d playbooks\n", len(pbs))
		return nil
	}
	return usageErr("list: unknown --format %q (want text or json)", format)
}
