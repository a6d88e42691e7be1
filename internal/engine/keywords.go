package engine

// keyword is a word that makes a line look more (weight > 0) or less
// (weight < 0) like the line where a failure shows. Keywords are matched
// case-insensitively as substrings, in the same pass as playbook signals,
// and their weights add up: "error:" counts for "error" and "error:".
type keyword struct {
	lit    string
	weight int
}

// Lines scoring at least strongScore are error lines.
const strongScore = 3

var keywords = []keyword{
	// Errors.
	{"error", 2}, {"error:", 2}, {"error[", 2}, {"[error]", 1}, {"err!", 3},
	{"fatal", 3}, {"exception", 2}, {"traceback", 3}, {"panic", 3},
	{"fail", 2}, {"--- fail", 2}, {"not ok ", 3}, {"assert", 2},
	{"expected", 1}, {"cannot ", 1}, {"can't ", 1}, {"could not", 2}, {"unable to", 2},
	{"no such file", 2}, {"not found", 2}, {"undefined", 2}, {"denied", 2},
	{"refused", 2}, {"timed out", 2}, {"timeout", 1}, {"aborted", 2},
	{"killed", 2}, {"segmentation fault", 3}, {"core dumped", 2},
	{"✗", 2}, {"✖", 2}, {"✘", 2}, {"caused by:", 2}, {"mismatch", 1},
	{"invalid", 1}, {"unexpected", 1}, {"missing", 1}, {"errno", 1},
	{"is not", 1}, {"does not", 1}, {"did not", 1}, {"doesn't", 1},
	{"unresolved", 2}, {"problem", 1}, {"violation", 2}, {"offense", 2},
	{"incorrect", 1}, {"must ", 1}, {"stack trace", 1}, {"broken", 1},
	{"no matching", 2}, {"conflict", 1},
	{"not defined", 2}, // "flag provided but not defined", "x is not defined"
	{"** (", 3},        // Elixir's uncaught exception: ** (RuntimeError) message

	// Not errors, or not this run's.
	// "[warn]" tags sbt's and Scala tools' warnings, whose text often names
	// exceptions ("Could not find any member to link for ...Exception").
	{"warning", -3}, {"warn", -1}, {"[warn]", -3}, {"deprecat", -3}, {"0 errors", -6},
	{"0 failures", -6}, {"0 failed", -6}, {"failures: 0", -6}, {"errors: 0", -6},
	{"failed: 0", -6}, {"no errors", -6}, {"without error", -4},
	{" passed", -2}, {"success", -2}, {"--- pass", -4}, {"skipped", -1},
	// "... ok": a passing test in prove's and Python unittest's verbose
	// output, whose name may hold "fail" or "error".
	{"... ok", -3}, {"✓", -8}, {"✔", -8}, {"[pass]", -4}, {"[ok]", -3}, {"=== run", -4}, {"=== cont", -4}, {"=== pause", -4},
	{"ignor", -1}, {"retry", -1}, {"retrying", -1}, {"if you", -1},
	{"error_reporting", -3}, {"-error", -2}, {"_error", -1}, {"errorprone", -2},
	{"fail_fast", -2}, {"allow_failures", -4}, {"fail-fast", -2},
	{"will be", -1}, {"consider", -1}, {"hint:", -2}, {"note:", -1},
}
