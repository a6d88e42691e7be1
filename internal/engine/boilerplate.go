package engine

import (
	"bytes"
	"regexp"
	"strings"
	"sync"
)

// boilerplateBranches match lines that say that something failed, but
// never why: exit statuses, runner summaries, wrappers around the real
// error. They mark where a failure is; they are never the evidence of a
// diagnosis. They ignore case.
var boilerplateBranches = []string{
	`^\s*(?:##\[error\])?(?:Error: )?Process completed with exit code \d+`,
	`^\s*exit status \d+\s*$`,
	`exited with (?:code |status )?\d+\.?\s*$`,
	`^\s*(?:npm|pnpm) ERR! (?:code ELIFECYCLE|errno \d+|This is probably not a problem with npm|A complete log of this run|Failed at the|Exit status \d+|\s*$)`,
	`^\s*npm ERR! [\w.@/-]+ [\w:-]+: ` + "`",
	// npm's (v2 to v6) advice after a failed script: its own version, the
	// command line, where to report it, where its debug log is.
	`^\s*npm ERR! (?:(?:Linux|Darwin|Windows_NT|FreeBSD) \d|argv |node v\d|npm {1,2}v\d|This is (?:most likely|probably not) a problem with|not with npm itself|Tell the author that this fails|You can get (?:information|their info)|Or if that isn't available|There is likely additional logging|Please include the following file|Test failed\.\s+See above|\s{3,}\S)`,
	`^error Command failed with exit code \d+`,
	`^info Visit https://yarnpkg`,
	`^\s*g?make(?:\[\d+\])?: \*\*\* `,
	`^ERROR: Job failed`,
	`^Command exited with non-zero status`,
	// rake's wrapper around a failed task or shell command.
	`rake aborted!\s*$`,
	`^\s*Command failed with status \(\d+\): `,
	`^\s*\[ERROR\] (?:-> \[Help 1\]|Re-run Maven|To see the full stack trace|For more information about the errors|\s*$)`,
	`^\s*(?:FAILURE: )?Build failed with an exception\.?\s*$`,
	`^\s*\* What went wrong:\s*$`,
	`^\s*BUILD FAIL(?:ED|URE)\b`,
	`^The command ".*" (?:failed and )?exited with`,
	`^Done\. Your build exited with`,
	`^Error: The process '.*' failed with exit code`,
	`^##\[error\]The operation was canceled`,
}

// boilerplateRE is every branch in one expression, compiled on first use.
var boilerplateRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?i)` + strings.Join(boilerplateBranches, "|"))
})

// boilerplate reports whether line only says that something failed.
func boilerplate(line []byte) bool {
	if !bytes.ContainsAny(line, "eEdDxX*") {
		return false
	}
	return boilerplateRE().Match(line)
}
