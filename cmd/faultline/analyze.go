package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"sort"
	"sync"

	"github.com/faultline-dev/faultline/internal/engine"
	"github.com/faultline-dev/faultline/internal/logtext"
	"github.com/faultline-dev/faultline/internal/render"
)

// memoryLimit is the heap size the runtime collects garbage to stay under
// while logs are analysed with the bundled catalog.
const memoryLimit = 40 << 20

// analysisRoom is what an analysis keeps alive beyond the catalog and the
// automaton's table: blocks in flight, recent lines.
const analysisRoom = 12 << 20

// heapLimit returns the soft heap limit for analysing logs with eng. The
// bundled catalog and its table keep little alive, and memoryLimit holds
// the heap well below the runtime's default goal of twice what is live. A
// large custom catalog keeps more alive (its playbooks, a larger table):
// under the same limit the collector would run without pause, so it gets
// the default's room over what it keeps.
func heapLimit(eng *engine.Engine) int64 {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	if ms.HeapAlloc > memoryLimit/4 {
		// Reading custom playbooks left garbage (YAML documents): count
		// only what is live.
		runtime.GC()
		runtime.ReadMemStats(&ms)
	}
	return max(memoryLimit, 2*(int64(ms.HeapAlloc)+eng.TableBytes())+analysisRoom)
}

const analyzeUsage = `
Usage: faultline analyze [flags] LOG...

Reads CI logs (files, directories of logs, or - for standard input; gzip is
detected), finds the step that failed and the line where it failed, and
names the failure mode with the lines that prove it and the steps to fix it.
When no playbook fits, it shows the excerpt of the log that explains the
failure.

Exit status: 0 when the analysis ran, whatever it found; 1 when --fail-on
matched; 2 for bad flags or unreadable input.

Examples:
  faultline analyze build.log
  faultline analyze --format json build.log.gz
  gh run view 123 --log-failed | faultline analyze -
  faultline analyze --baseline last-green.log build.log
  faultline analyze --format markdown build.log >> "$GITHUB_STEP_SUMMARY"
  faultline analyze --fail-on unknown logs/
`

type analyzeOptions struct {
	format   string
	top      int
	failOn   string
	baseline string
	color    string
	catalog  catalogFlags
	paths    []string
}

func runAnalyze(args []string, s *streams) error {
	var o analyzeOptions
	fs := newFlags("analyze", analyzeUsage, s)
	fs.StringVar(&o.format, "format", "text", "output `format`: text, json or markdown")
	fs.IntVar(&o.top, "top", 0, "show the `N` best diagnoses (default: 1 in text, all in json and markdown)")
	fs.StringVar(&o.failOn, "fail-on", "", "exit 1 when the status is `STATUS`: diagnosed, unknown or any (either)")
	fs.StringVar(&o.baseline, "baseline", "", "a log of a passing run of the same job: lines it also has are noise")
	fs.StringVar(&o.color, "color", "auto", "colour text output: auto, always or never (NO_COLOR is honoured)")
	o.catalog.register(fs)
	paths, err := parse(fs, args, s)
	if err != nil {
		return err
	}
	o.paths = paths
	if len(o.paths) == 0 {
		return usageErr("analyze: no log given\nUsage: faultline analyze [flags] LOG... (use - for standard input)")
	}
	switch o.format {
	case "text", "json", "markdown", "md":
	default:
		return usageErr("analyze: unknown --format %q (want text, json or markdown)", o.format)
	}
	switch o.failOn {
	case "", "diagnosed", "unknown", "any":
	default:
		return usageErr("analyze: unknown --fail-on %q (want diagnosed, unknown or any)", o.failOn)
	}
	if o.top < 0 {
		return usageErr("analyze: --top must be 0 or more")
	}
	switch o.color {
	case "auto", "always", "never":
	default:
		return usageErr("analyze: unknown --color %q (want auto, always or never)", o.color)
	}
	stdin := 0
	for _, p := range o.paths {
		if p == "-" {
			stdin++
		}
	}
	if stdin > 1 {
		return usageErr("analyze: standard input (-) can be read only once")
	}
	reports, err := analyzeAll(&o, s)
	if err != nil {
		return err
	}
	if err := writeReports(&o, reports, s); err != nil {
		return err
	}
	for _, r := range reports {
		if failOn(o.failOn, r.Status) {
			return errSilent(exitFailOn)
		}
	}
	return nil
}

func failOn(cond string, st engine.Status) bool {
	switch cond {
	case "diagnosed":
		return st == engine.Diagnosed
	case "unknown":
		return st == engine.Unknown
	case "any":
		return st != engine.Clean
	}
	return false
}

// expand replaces directories by the files in them, sorted.
func expand(paths []string) ([]string, error) {
	var out []string
	for _, p := range paths {
		st, err := os.Stat(p)
		if p == "-" || err != nil || !st.IsDir() {
			out = append(out, p)
			continue
		}
		var files []string
		err = filepath.WalkDir(p, func(f string, d os.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() && d.Name()[0] != '.' {
				files = append(files, f)
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		sort.Strings(files)
		if len(files) == 0 {
			return nil, usageErr("%s: directory has no log files", p)
		}
		out = append(out, files...)
	}
	return out, nil
}

// analyzeAll analyses every input on all cores and returns the reports in
// input order. The first input error stops the run.
func analyzeAll(o *analyzeOptions, s *streams) ([]*engine.Report, error) {
	paths, err := expand(o.paths)
	if err != nil {
		return nil, err
	}
	cat, err := o.catalog.load(s)
	if err != nil {
		return nil, err
	}
	// Compiling the catalog allocates megabytes that all stay live:
	// collecting garbage meanwhile finds little and only delays the start.
	// (Reading custom playbooks, before, leaves their YAML behind.)
	gc := debug.SetGCPercent(-1)
	eng := engine.New(cat.Playbooks())
	debug.SetGCPercent(gc)
	// The analysis itself keeps little alive (a few blocks of the log, the
	// automaton, the catalog): hold the heap near that instead of letting
	// it double between collections, so a long log stays in constant, small
	// memory. A soft limit: exceeding it costs collections, not failures.
	debug.SetMemoryLimit(heapLimit(eng))
	var base *engine.Baseline
	if o.baseline != "" {
		base, err = readBaseline(o.baseline)
		if err != nil {
			return nil, err
		}
	}
	reports := make([]*engine.Report, len(paths))
	errs := make([]error, len(paths))
	jobs := make(chan int)
	var wg sync.WaitGroup
	workers := min(runtime.GOMAXPROCS(0), len(paths))
	// Logs analysed at once share the cores: each prepares its blocks on
	// its share, so memory does not grow with cores times logs.
	perLog := max(1, runtime.GOMAXPROCS(0)/workers)
	prog := newProgress(s, len(paths))
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				reports[i], errs[i] = analyzeOne(eng, paths[i], base, perLog, s)
				prog.done()
			}
		}()
	}
	for i := range paths {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	prog.finish()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return reports, nil
}

func readBaseline(path string) (*engine.Baseline, error) {
	f, err := logtext.Open(path)
	if err != nil {
		return nil, usageErr("--baseline %v", err)
	}
	defer f.Close()
	b, err := engine.ReadBaseline(f)
	if err != nil {
		return nil, usageErr("--baseline %s: %v", path, err)
	}
	return b, nil
}

func analyzeOne(eng *engine.Engine, path string, base *engine.Baseline, workers int, s *streams) (*engine.Report, error) {
	var r io.Reader
	name := path
	if path == "-" {
		r, name = s.in, "-"
	} else {
		f, err := logtext.Open(path)
		if err != nil {
			return nil, usageErr("%v", err)
		}
		defer f.Close()
		r = f
	}
	rep, err := eng.Analyze(context.Background(), r, engine.Options{Source: name, Baseline: base, Workers: workers})
	if err != nil {
		if errors.Is(err, logtext.ErrBinary) {
			return nil, usageErr("%s: input looks binary, not a text log", displayName(name))
		}
		return nil, usageErr("%s: %v", displayName(name), err)
	}
	return rep, nil
}

func displayName(p string) string {
	if p == "-" {
		return "standard input"
	}
	return p
}

func writeReports(o *analyzeOptions, reports []*engine.Report, s *streams) error {
	var buf bytes.Buffer
	switch o.format {
	case "json":
		if len(reports) == 1 {
			if err := render.JSON(&buf, reports[0], o.top); err != nil {
				return err
			}
		} else if err := render.JSONList(&buf, reports, o.top); err != nil {
			return err
		}
	case "markdown", "md":
		for i, r := range reports {
			if i > 0 {
				buf.WriteString("\n---\n\n")
			}
			render.Markdown(&buf, r, o.top)
		}
	default:
		top := o.top
		if top == 0 {
			top = 1
		}
		st := render.NewStyle(useColor(o.color, s))
		for i, r := range reports {
			if i > 0 {
				buf.WriteString("\n")
			}
			render.Text(&buf, r, top, st)
		}
	}
	_, err := s.out.Write(buf.Bytes())
	return err
}

func useColor(mode string, s *streams) bool {
	switch mode {
	case "always":
		return true
	case "never":
		return false
	}
	return s.outTTY && s.getenv("NO_COLOR") == "" && s.getenv("TERM") != "dumb"
}
