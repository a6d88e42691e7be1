package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"

	"golang.org/x/term"
)

// Exit statuses, decided here and nowhere else.
const (
	exitOK      = 0
	exitFailOn  = 1 // --fail-on matched, or lint found problems
	exitUsage   = 2 // bad flags, bad input, unknown ids
	exitRuntime = 2
)

// streams are the standard streams of one run, so tests can give their own.
type streams struct {
	in       io.Reader
	out, err io.Writer
	// outTTY says whether out is a terminal (colour, progress).
	outTTY, errTTY bool
	getenv         func(string) string
	getwd          func() (string, error)
}

func stdio() *streams {
	return &streams{
		in: os.Stdin, out: os.Stdout, err: os.Stderr,
		outTTY: term.IsTerminal(int(os.Stdout.Fd())),
		errTTY: term.IsTerminal(int(os.Stderr.Fd())),
		getenv: os.Getenv,
		getwd:  os.Getwd,
	}
}

// exitError carries an exit status and a one-line message for stderr.
type exitError struct {
	code int
	msg  string
}

func (e *exitError) Error() string { return e.msg }

func usageErr(format string, args ...any) error {
	return &exitError{code: exitUsage, msg: fmt.Sprintf(format, args...)}
}

// errSilent carries an exit status with nothing more to print.
type errSilent int

func (e errSilent) Error() string { return fmt.Sprintf("exit %d", int(e)) }

type command struct {
	name    string
	summary string
	run     func(args []string, io *streams) error
}

var commands []command

func init() {
	commands = []command{
		{"analyze", "diagnose a CI log: what broke, the proof, what to do", runAnalyze},
		{"fix", "print only the fix steps for the top diagnosis of a log", runFix},
		{"explain", "show a playbook: signals, diagnosis, fix, validation", runExplain},
		{"list", "list the playbooks of the catalog", runList},
		{"docs", "write one markdown page per playbook into a directory", runDocs},
		{"playbooks", "check playbook files (playbooks lint [DIR])", runPlaybooks},
		{"version", "print the version", func([]string, *streams) error { return nil }},
	}
}

const usageHead = `Faultline reads a failed CI log and tells you what broke, shows the lines
that prove it, and lists the steps to fix it. It runs offline; the playbook
catalog is inside the binary.

Usage:
  faultline <command> [flags] [args]

Commands:
`

const usageTail = `
Examples:
  faultline analyze build.log
  gh run view 123 --log-failed | faultline analyze -
  faultline analyze --format markdown build.log >> "$GITHUB_STEP_SUMMARY"
  faultline explain aws-access-denied
  faultline list --category auth

Run 'faultline <command> --help' for the flags of a command.
`

func printUsage(w io.Writer) {
	fmt.Fprint(w, usageHead)
	for _, c := range commands {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprintf(w, "  %-10s %s\n", "help", "show this help")
	fmt.Fprint(w, usageTail)
}

func version() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "devel"
}

// run runs one invocation and returns its exit status.
func run(args []string, s *streams) int {
	if len(args) == 0 {
		printUsage(s.err)
		return exitUsage
	}
	name := args[0]
	switch name {
	case "help", "-h", "-help", "--help":
		if len(args) > 1 {
			return run([]string{args[1], "--help"}, s)
		}
		printUsage(s.out)
		return exitOK
	case "version", "-version", "--version":
		fmt.Fprintf(s.out, "faultline %s\n", version())
		return exitOK
	}
	for _, c := range commands {
		if c.name == name {
			return exitCode(c.run(args[1:], s), s)
		}
	}
	fmt.Fprintf(s.err, "faultline: unknown command %q\nRun 'faultline help' for the list of commands.\n", name)
	return exitUsage
}

func exitCode(err error, s *streams) int {
	if err == nil {
		return exitOK
	}
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	var silent errSilent
	if errors.As(err, &silent) {
		return int(silent)
	}
	var ee *exitError
	if errors.As(err, &ee) {
		fmt.Fprintf(s.err, "faultline: %s\n", ee.msg)
		return ee.code
	}
	fmt.Fprintf(s.err, "faultline: %s\n", oneLine(err.Error()))
	return exitRuntime
}

func oneLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i] + " (and more)"
	}
	return s
}

// newFlags returns a flag set that prints usage and examples to s.err on
// --help, and reports errors itself.
func newFlags(name, usage string, s *streams) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(s.err)
	fs.Usage = func() {
		w := fs.Output()
		fmt.Fprint(w, strings.TrimLeft(usage, "\n"))
		fmt.Fprintln(w, "\nFlags:")
		fs.PrintDefaults()
	}
	return fs
}

// wantsHelp reports whether args ask for help before any "--".
func wantsHelp(args []string) bool {
	for _, a := range args {
		switch a {
		case "--":
			return false
		case "-h", "-help", "--help":
			return true
		}
	}
	return false
}

// parse parses flags that may come before, between or after the positional
// arguments, and returns the positional arguments. "--" ends flags.
func parse(fs *flag.FlagSet, args []string, s *streams) ([]string, error) {
	if wantsHelp(args) {
		// Help that was asked for goes to standard output, so it pages.
		fs.SetOutput(s.out)
		defer fs.SetOutput(s.err)
	}
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, errSilent(exitUsage)
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		if args[0] == "--" {
			return append(pos, args[1:]...), nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// multiFlag collects a repeatable string flag.
type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }
