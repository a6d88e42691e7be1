package engine

import (
	"bytes"
	"compress/gzip"
	"context"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/faultline-dev/faultline/internal/catalog"
	"github.com/faultline-dev/faultline/internal/logtext"
)

// The logs under testdata/logs are regression logs written to read like the
// real output of each CI provider: runner preambles, environment dumps,
// passing steps, warnings, passing tests whose names hold words like Error or
// Denied, and cleanup output after the failure. Each case below says where
// the log fails and why, as a person reading it would.

const localizeLogsDir = "testdata/logs"

// Aspects of a case, each checked in its own subtest.
const (
	aStatus   = "status"
	aTop      = "top"
	aIDs      = "ids"
	aNotIDs   = "not-ids"
	aFailure  = "failure-point"
	aStep     = "step"
	aExcerpt  = "excerpt"
	aEvidence = "evidence"
	aCaptures = "captures"
)

type localizeCase struct {
	file   string
	status Status
	// top is the id of the first diagnosis ("" when none is expected).
	top string
	// ids must all be diagnosed, in this order (other ids may come between).
	ids []string
	// notIDs must not be diagnosed: look-alikes and signals in passing output.
	notIDs []string
	// failLine is the failure point's line number.
	failLine int
	// step is a substring of the failing step's name, when it has one.
	step string
	// excerpt holds lines the excerpt must contain: those that show the error.
	excerpt []int
	// evidence is the set of line numbers of the top diagnosis's evidence.
	evidence []int
	// captures must be among the top diagnosis's captures.
	captures map[string]string
	// bugs maps an aspect to the engine bug that makes it fail: the aspect's
	// subtest is skipped with that reason until the engine is fixed. Set
	// FAULTLINE_KNOWN_BUGS=1 to run them anyway.
	bugs map[string]string
}

// localizeBugs marks aspects of a case as failing because of a known engine
// bug (none at the moment): their subtests are skipped with the reason.
func localizeBugs(reason string, aspects ...string) map[string]string {
	m := map[string]string{}
	for _, a := range aspects {
		m[a] = reason
	}
	return m
}

var localizeCases = []localizeCase{
	// GitHub Actions: the AWS family, one log per failure mode. Each failing
	// step is a `run:` step that ends with ##[error]Process completed.
	{
		file: "gha-aws-credentials-missing.log", status: Diagnosed, top: "aws-credentials-missing",
		failLine: 116, step: "aws s3 sync", excerpt: []int{115}, evidence: []int{115},
	},
	{
		file: "gha-aws-token-expired.log", status: Diagnosed, top: "aws-token-expired",
		notIDs:   []string{"aws-access-denied", "aws-invalid-token"},
		failLine: 127, step: "aws sts get-caller-identity", excerpt: []int{126}, evidence: []int{126},
	},
	{
		file: "gha-aws-invalid-token.log", status: Diagnosed, top: "aws-invalid-token",
		notIDs:   []string{"aws-access-denied", "aws-token-expired"},
		failLine: 126, step: "aws sts get-caller-identity", excerpt: []int{125}, evidence: []int{125},
	},
	{
		file: "gha-aws-access-denied.log", status: Diagnosed, top: "aws-access-denied",
		failLine: 126, step: "aws s3 ls", excerpt: []int{125}, evidence: []int{125},
		captures: map[string]string{
			"principal": "arn:aws:iam::123456789012:user/ci",
			"action":    "s3:ListBucket",
			"resource":  "arn:aws:s3:::my-bucket",
		},
	},
	{
		file: "gha-aws-signature-mismatch.log", status: Diagnosed, top: "aws-signature-mismatch",
		notIDs:   []string{"aws-access-denied", "aws-clock-skew"},
		failLine: 126, step: "aws s3api head-bucket", excerpt: []int{125}, evidence: []int{125},
	},
	{
		// SignatureDoesNotMatch with "Signature expired: ... is now earlier
		// than": the clock, not the key.
		file: "gha-aws-clock-skew.log", status: Diagnosed, top: "aws-clock-skew",
		notIDs:   []string{"aws-signature-mismatch", "aws-access-denied"},
		failLine: 132, step: "aws sts get-caller-identity", excerpt: []int{131}, evidence: []int{131},
		captures: map[string]string{"signed": "20240501T114500Z"},
	},
	{
		file: "gha-aws-profile-not-found.log", status: Diagnosed, top: "aws-profile-not-found",
		notIDs:   []string{"aws-credentials-missing"},
		failLine: 126, step: "--profile deploy", excerpt: []int{125}, evidence: []int{125},
		captures: map[string]string{"profile": "deploy"},
	},
	{
		// "(AccessDenied) when calling the AssumeRoleWithWebIdentity
		// operation": the OIDC trust, not an IAM policy on the resource.
		file: "gha-aws-oidc-assume-role.log", status: Diagnosed, top: "aws-oidc-assume-role",
		notIDs:   []string{"aws-access-denied"},
		failLine: 116, step: "assume-role-with-web-identity", excerpt: []int{115}, evidence: []int{115},
	},
	{
		// The same failure as configure-aws-credentials prints it: an
		// ##[error] annotation, then post-job cleanup.
		file: "gha-aws-oidc-action.log", status: Diagnosed, top: "aws-oidc-assume-role",
		notIDs:   []string{"aws-access-denied"},
		failLine: 114, step: "configure-aws-credentials", excerpt: []int{114}, evidence: []int{114},
	},
	{
		file: "gha-aws-region-missing.log", status: Diagnosed, top: "aws-region-missing",
		failLine: 124, step: "aws ecr describe-repositories", excerpt: []int{123}, evidence: []int{123},
	},
	{
		file: "gha-aws-auth-failure.log", status: Diagnosed, top: "aws-auth-failure",
		notIDs:   []string{"aws-access-denied"},
		failLine: 126, step: "aws ec2 describe-instances", excerpt: []int{125}, evidence: []int{125},
	},
	{
		// An expired token first, AccessDenied uploads after: the root cause
		// is the token; AccessDenied is its symptom.
		file: "gha-aws-expired-then-denied.log", status: Diagnosed, top: "aws-token-expired",
		notIDs:   []string{"aws-access-denied"},
		failLine: 132, step: "./scripts/deploy.sh", excerpt: []int{126, 129, 130}, evidence: []int{126},
	},

	// GitHub Actions: go test, a passing run, an unknown failure.
	{
		file: "gha-go-test-failure.log", status: Diagnosed, top: "go-test-failure",
		notIDs:   []string{"aws-access-denied"},
		failLine: 142, step: "go test", excerpt: []int{127, 128, 131, 135}, evidence: []int{128, 131, 135},
		captures: map[string]string{"pkg": "github.com/acme/widget/internal/timeutil"},
	},
	{file: "gha-go-test-pass.log", status: Clean},
	{
		// A custom license check: no playbook knows it; the excerpt must
		// still show its message.
		file: "gha-unknown-license-check.log", status: Unknown,
		failLine: 74, step: "check-licenses.sh", excerpt: []int{69, 70, 71, 72},
	},

	// GitLab CI.
	{
		file: "gitlab-jest-failure.log", status: Diagnosed, top: "jest-test-failure",
		failLine: 93, step: "npm test", excerpt: []int{49, 50, 52, 54, 55}, evidence: []int{49, 50, 74},
		captures: map[string]string{"file": "src/cart/total.test.ts", "failed": "1"},
	},
	{
		file: "gitlab-pytest-failure.log", status: Diagnosed, top: "pytest-test-failure",
		failLine: 51, step: "python -m pytest", excerpt: []int{32, 40}, evidence: []int{40},
		captures: map[string]string{"test": "tests/test_client.py::test_retry_after_timeout"},
	},
	{file: "gitlab-pass.log", status: Clean},

	// Travis CI.
	{
		// after_failure cats a server log full of ERROR/Traceback lines:
		// noise after the failure point.
		file: "travis-pytest-failure.log", status: Diagnosed, top: "pytest-test-failure",
		notIDs:   []string{"python-unittest-failure"},
		failLine: 71, step: "python -m pytest", excerpt: []int{65, 69, 70}, evidence: []int{69, 70},
		captures: map[string]string{"test": "tests/test_api.py::test_upload_checksum", "failed": "1"},
	},
	{
		// Two script commands fail: lint, then the tests.
		file: "travis-lint-and-test-failures.log", status: Diagnosed, top: "eslint-problems",
		ids:      []string{"eslint-problems", "mocha-test-failure"},
		notIDs:   []string{"aws-access-denied"},
		failLine: 64, step: "npm run lint", excerpt: []int{55, 59, 61}, evidence: []int{55, 59, 61},
		captures: map[string]string{"errors": "2"},
	},
	{file: "travis-pass.log", status: Clean},
	{
		// PHPUnit prints the diff of a failed assertEquals under "--- Expected"
		// and "+++ Actual": diff headers, not Buildkite step headers. The
		// "FAILURES! / Tests: N, Failures: 1" summary is not the why.
		file: "travis-phpunit-diff-failure.log", status: Diagnosed, top: "phpunit-failure",
		failLine: 64, step: "vendor/bin/phpunit", excerpt: []int{52, 53, 54}, evidence: []int{52, 62, 63},
	},
	{
		// minitest's Failure block, then the run summary, then rake's
		// "rake aborted!" / "Command failed with status" wrapper.
		file: "travis-minitest-rake-failure.log", status: Diagnosed, top: "minitest-failure",
		failLine: 75, step: "bundle exec rake test", excerpt: []int{46, 47, 48}, evidence: []int{47, 50},
	},
	{
		// An old npm wraps a linter failure in a screenful of "npm ERR!"
		// advice; the linter's lines ("Unexpected token") are weak errors.
		file: "travis-npm-lint-wrapped.log", status: Diagnosed, top: "standard-js-style",
		failLine: 80, step: "npm test", excerpt: []int{41, 43, 47}, evidence: []int{39, 40, 44, 48, 52},
	},
	{
		// An Elixir script raises ("** (RuntimeError) ...") after printing a
		// list with an "Errors and Exception Handling" heading.
		file: "travis-elixir-raise.log", status: Diagnosed, top: "elixir-uncaught-exception",
		failLine: 61, step: "mix run check.exs", excerpt: []int{56, 57}, evidence: []int{56},
	},
	{
		// A test runner prints the failing test's Traceback, then a results
		// table whose "| ✖ Failed |" rows only summarize it.
		file: "travis-functional-summary-table.log", status: Unknown,
		failLine: 94, step: "test_runner.py", excerpt: []int{43, 44, 51},
	},
	{
		// prove passes every test ("... ok", some named "*-fail-*"); then a
		// validator fails with "flag provided but not defined".
		file: "travis-prove-then-validator.log", status: Diagnosed, top: "go-flag-provided-but-not-defined",
		failLine: 60, step: "run-build-and-tests.sh", excerpt: []int{53, 54}, evidence: []int{54},
	},

	// Jenkins.
	{
		file: "jenkins-maven-compile-failure.log", status: Diagnosed, top: "maven-compiler-plugin-failure",
		failLine: 99, step: "Build", excerpt: []int{56, 65}, evidence: []int{54, 65},
		captures: map[string]string{"project": "acme-orders", "goal": "compile"},
	},
	{
		file: "jenkins-maven-freestyle-failure.log", status: Diagnosed, top: "maven-compiler-plugin-failure",
		failLine: 56, excerpt: []int{37, 46}, evidence: []int{35, 46},
		captures: map[string]string{"project": "acme-orders", "goal": "compile"},
	},
	{file: "jenkins-pass.log", status: Clean},

	// A plain `bash -ex` log: make fails on a missing header; the artifact
	// tarball step after it prints its own "No such file or directory".
	{
		file: "shell-gcc-missing-header.log", status: Diagnosed, top: "gcc-missing-header",
		failLine: 35, step: "make -j4 test", excerpt: []int{31}, evidence: []int{31},
		captures: map[string]string{"header": "openssl/ssl.h", "file": "tls.c", "line": "14"},
	},
}

// bundledTestEngine is the engine of the bundled catalog, built once for
// all tests.
var bundledTestEngine = sync.OnceValues(func() (*Engine, error) {
	pbs, err := catalog.Bundled()
	if err != nil {
		return nil, err
	}
	return New(pbs), nil
})

func bundledEngine(t testing.TB) *Engine {
	t.Helper()
	e, err := bundledTestEngine()
	if err != nil {
		t.Fatalf("bundled catalog: %v", err)
	}
	return e
}

func readLocalizeLog(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(localizeLogsDir, name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func analyzeLocalize(t *testing.T, e *Engine, name string, b []byte) *Report {
	t.Helper()
	rep, err := e.Analyze(context.Background(), bytes.NewReader(b), Options{Source: name})
	if err != nil {
		t.Fatalf("Analyze(%s): %v", name, err)
	}
	return rep
}

// localizeLines returns the text of each line of a log as the scanner sees it,
// by line number, to check that a report quotes the log faithfully.
func localizeLines(t *testing.T, b []byte) map[int]string {
	t.Helper()
	m := map[int]string{}
	sc := logtext.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		m[sc.Line().N] = string(sc.Line().Text)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return m
}

func localizeIDs(rep *Report) []string {
	var ids []string
	for _, d := range rep.Diagnoses {
		ids = append(ids, d.Playbook.ID)
	}
	return ids
}

func TestLocalizeLogs(t *testing.T) {
	e := bundledEngine(t)
	for _, c := range localizeCases {
		t.Run(c.file, func(t *testing.T) {
			b := readLocalizeLog(t, c.file)
			if n := bytes.Count(b, []byte("\n")); n < 40 || n > 200 {
				t.Errorf("log has %d lines, want 40..200", n)
			}
			rep := analyzeLocalize(t, e, c.file, b)
			lines := localizeLines(t, b)
			ids := localizeIDs(rep)
			t.Logf("status=%s ids=%v", rep.Status, ids)

			aspect := func(name string, f func(t *testing.T)) {
				t.Run(name, func(t *testing.T) {
					if reason, ok := c.bugs[name]; ok && os.Getenv("FAULTLINE_KNOWN_BUGS") == "" {
						t.Skip(reason)
					}
					f(t)
				})
			}

			aspect(aStatus, func(t *testing.T) {
				if rep.Status != c.status {
					t.Errorf("status = %s, want %s (diagnoses %v)", rep.Status, c.status, ids)
				}
			})

			if c.status == Clean {
				aspect("clean", func(t *testing.T) {
					if len(rep.Diagnoses) != 0 {
						t.Errorf("passing log has diagnoses %v", ids)
					}
					if rep.FailurePoint != nil {
						t.Errorf("passing log has a failure point: %+v", *rep.FailurePoint)
					}
					if rep.Step != nil {
						t.Errorf("passing log has a failing step: %+v", *rep.Step)
					}
				})
				return
			}

			aspect(aTop, func(t *testing.T) {
				switch {
				case c.top == "" && len(ids) > 0:
					t.Errorf("diagnoses = %v, want none", ids)
				case c.top != "" && len(ids) == 0:
					t.Errorf("no diagnosis, want %s first", c.top)
				case c.top != "" && ids[0] != c.top:
					t.Errorf("top diagnosis = %s, want %s (all: %v)", ids[0], c.top, ids)
				}
			})

			aspect(aIDs, func(t *testing.T) {
				last := -1
				for _, id := range c.ids {
					i := slices.Index(ids, id)
					if i < 0 {
						t.Errorf("%s not diagnosed (diagnoses %v)", id, ids)
						continue
					}
					if i < last {
						t.Errorf("%s diagnosed out of order (diagnoses %v, want order %v)", id, ids, c.ids)
					}
					last = i
				}
			})

			aspect(aNotIDs, func(t *testing.T) {
				for _, id := range c.notIDs {
					if slices.Contains(ids, id) {
						t.Errorf("%s diagnosed, but the log shows no such failure (diagnoses %v)", id, ids)
					}
				}
			})

			aspect(aFailure, func(t *testing.T) {
				fp := rep.FailurePoint
				if fp == nil {
					t.Fatalf("no failure point, want line %d: %q", c.failLine, lines[c.failLine])
				}
				if fp.N != c.failLine {
					t.Errorf("failure point = line %d %q, want line %d %q", fp.N, fp.Text, c.failLine, lines[c.failLine])
				}
				if fp.Text != lines[fp.N] {
					t.Errorf("failure point text = %q, but line %d is %q", fp.Text, fp.N, lines[fp.N])
				}
			})

			if c.step != "" {
				aspect(aStep, func(t *testing.T) {
					if rep.Step == nil {
						t.Fatalf("no failing step, want one named like %q", c.step)
					}
					if !strings.Contains(rep.Step.Name, c.step) {
						t.Errorf("failing step = %q (lines %d-%d), want one named like %q",
							rep.Step.Name, rep.Step.StartLine, rep.Step.EndLine, c.step)
					}
				})
			}

			aspect(aExcerpt, func(t *testing.T) {
				ex := rep.Excerpt
				if ex == nil {
					t.Fatal("no excerpt")
				}
				if n := ex.End - ex.Start + 1; n > maxExcerpt || len(ex.Lines) > maxExcerpt {
					t.Errorf("excerpt %d-%d has %d lines, want at most %d", ex.Start, ex.End, len(ex.Lines), maxExcerpt)
				}
				for _, n := range c.excerpt {
					if n < ex.Start || n > ex.End {
						t.Errorf("excerpt %d-%d leaves out line %d %q", ex.Start, ex.End, n, lines[n])
					}
				}
				for i, l := range ex.Lines {
					if l.N != ex.Start+i {
						t.Errorf("excerpt line %d is numbered %d, want %d", i, l.N, ex.Start+i)
						break
					}
					if l.Text != lines[l.N] {
						t.Errorf("excerpt line %d = %q, but the log has %q", l.N, l.Text, lines[l.N])
					}
				}
			})

			if c.top == "" {
				return
			}

			aspect(aEvidence, func(t *testing.T) {
				if len(rep.Diagnoses) == 0 || rep.Diagnoses[0].Playbook.ID != c.top {
					t.Fatalf("top diagnosis is not %s (diagnoses %v)", c.top, ids)
				}
				var got []int
				for _, ev := range rep.Diagnoses[0].Evidence {
					got = append(got, ev.N)
					if ev.Text != lines[ev.N] {
						t.Errorf("evidence line %d = %q, but the log has %q", ev.N, ev.Text, lines[ev.N])
					}
					if !strings.Contains(ev.Text, ev.Signal) {
						t.Errorf("evidence line %d %q does not contain its signal %q", ev.N, ev.Text, ev.Signal)
					}
				}
				sort.Ints(got)
				want := slices.Clone(c.evidence)
				sort.Ints(want)
				if !slices.Equal(got, want) {
					t.Errorf("evidence lines = %v, want %v", got, want)
					for _, n := range want {
						t.Logf("  want %d: %q", n, lines[n])
					}
				}
			})

			if len(c.captures) > 0 {
				aspect(aCaptures, func(t *testing.T) {
					if len(rep.Diagnoses) == 0 || rep.Diagnoses[0].Playbook.ID != c.top {
						t.Fatalf("top diagnosis is not %s (diagnoses %v)", c.top, ids)
					}
					caps := rep.Diagnoses[0].Captures
					for k, v := range c.captures {
						if caps[k] != v {
							t.Errorf("capture %s = %q, want %q (captures %v)", k, caps[k], v, caps)
						}
					}
				})
			}
		})
	}
}

// TestLocalizeCoversEveryLog makes sure no log in testdata/logs goes
// unchecked.
func TestLocalizeCoversEveryLog(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(localizeLogsDir, "*.log"))
	if err != nil {
		t.Fatal(err)
	}
	have := map[string]bool{}
	for _, c := range localizeCases {
		if have[c.file] {
			t.Errorf("%s has two cases", c.file)
		}
		have[c.file] = true
	}
	for _, f := range files {
		if !have[filepath.Base(f)] {
			t.Errorf("%s has no case in localizeCases", f)
		}
	}
	if len(files) != len(have) {
		t.Errorf("%d logs, %d cases", len(files), len(have))
	}
}

// TestLocalizeDeterministic analyses every log twice: the reports must be
// deeply equal (no map order, no state kept between analyses).
func TestLocalizeDeterministic(t *testing.T) {
	e := bundledEngine(t)
	for _, c := range localizeCases {
		t.Run(c.file, func(t *testing.T) {
			b := readLocalizeLog(t, c.file)
			first := analyzeLocalize(t, e, c.file, b)
			for i := 0; i < 3; i++ {
				again := analyzeLocalize(t, e, c.file, b)
				if !reflect.DeepEqual(first, again) {
					t.Fatalf("analysis %d differs from the first:\nfirst: %+v\nagain: %+v", i+2, first, again)
				}
			}
		})
	}
}

// TestLocalizeConcurrent analyses logs from several goroutines on one
// engine: an Engine is documented as safe for concurrent use.
func TestLocalizeConcurrent(t *testing.T) {
	e := bundledEngine(t)
	want := map[string]*Report{}
	logs := map[string][]byte{}
	for _, c := range localizeCases {
		logs[c.file] = readLocalizeLog(t, c.file)
		want[c.file] = analyzeLocalize(t, e, c.file, logs[c.file])
	}
	var wg sync.WaitGroup
	errs := make(chan string, len(localizeCases)*4)
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, c := range localizeCases {
				rep, err := e.Analyze(context.Background(), bytes.NewReader(logs[c.file]), Options{Source: c.file})
				if err != nil {
					errs <- c.file + ": " + err.Error()
					continue
				}
				if !reflect.DeepEqual(rep, want[c.file]) {
					errs <- c.file + ": concurrent report differs"
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for msg := range errs {
		t.Error(msg)
	}
}

// TestLocalizeGzip analyses a gzip of every log: the report must be the one
// of the plain log.
func TestLocalizeGzip(t *testing.T) {
	e := bundledEngine(t)
	for _, c := range localizeCases {
		t.Run(c.file, func(t *testing.T) {
			b := readLocalizeLog(t, c.file)
			var gz bytes.Buffer
			w := gzip.NewWriter(&gz)
			w.Name = c.file
			if _, err := w.Write(b); err != nil {
				t.Fatal(err)
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			plain := analyzeLocalize(t, e, c.file, b)
			zipped := analyzeLocalize(t, e, c.file, gz.Bytes())
			if !reflect.DeepEqual(plain, zipped) {
				t.Fatalf("gzip report differs from the plain one:\nplain: %+v\ngzip:  %+v", plain, zipped)
			}
		})
	}
}
