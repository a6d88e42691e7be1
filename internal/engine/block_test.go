package engine

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/faultline-dev/faultline/internal/catalog"
	"github.com/faultline-dev/faultline/internal/logtext"
)

// TestBlocksMatchLines checks that reading a log by blocks, prepared in
// parallel, gives the report reading it line by line gives, on every
// regression log and every log of the shared corpora, with blocks of the
// real size and with small ones that cut the logs in many places, prepared
// by one worker or several.
func TestBlocksMatchLines(t *testing.T) {
	e := bundledEngine(t)
	small := &Engine{c: e.c, blockSize: logtext.MaxLineBytes + 1000}
	files, _ := filepath.Glob("testdata/logs/*.log")
	corpus, _ := filepath.Glob("../../../shared/corpus/logchunks-dev/logs/*/*/failed/*.log")
	gha, _ := filepath.Glob("../../../shared/corpus/gha-dev/logs/*/*/*.log")
	files = append(append(files, corpus...), gha...)
	if testing.Short() {
		files = files[:min(len(files), 40)]
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		sameAsLines(t, f, data, blockRun{e, 0}, blockRun{small, 0}, blockRun{small, 1}, blockRun{small, 3})
	}
}

// blockRun is one way of reading logs by blocks.
type blockRun struct {
	eng     *Engine
	workers int
}

// sameAsLines checks that every run reads log, named name, to the report
// (or the error) reading it line by line gives.
func sameAsLines(t testing.TB, name string, log []byte, runs ...blockRun) {
	t.Helper()
	want, wantErr := runs[0].eng.analyzeLines(context.Background(), bytes.NewReader(log), Options{Source: name})
	for _, run := range runs {
		got, err := run.eng.Analyze(context.Background(), bytes.NewReader(log), Options{Source: name, Workers: run.workers})
		if (err == nil) != (wantErr == nil) || !reflect.DeepEqual(got, want) {
			t.Errorf("%q (blocks of %d, %d workers): report differs from reading line by line (errors: %v, %v)", name, run.eng.blockSize, run.workers, err, wantErr)
		}
	}
}

// TestBlocksEdgeCases feeds logs built to hit the block reader's and the
// cleaner's corner cases.
func TestBlocksEdgeCases(t *testing.T) {
	e := bundledEngine(t)
	small := &Engine{c: e.c, blockSize: logtext.MaxLineBytes + 1}
	long := strings.Repeat("x", 3*logtext.MaxLineBytes)
	logs := map[string]string{
		"empty":          "",
		"one line":       "npm ERR! code E404",
		"no final eol":   "$ make\nmake: *** [all] Error 2\nerror: boom",
		"crlf":           "$ make test\r\nerror: undefined reference to `foo'\r\nmake: *** [all] Error 2\r\n",
		"ansi":           "\x1b[31merr\x1b[0mor: cannot find module\n\x1b[1m$ npm test\x1b[0m\nnpm ERR! code ELIFECYCLE\n",
		"unterminated":   "\x1b[31mfatal: bad\n\x1b]8;;http://x\nexit code 1\n",
		"progress":       "Downloading 10%\rDownloading 100%\rerror: network\n$ x\r+ y\n",
		"timestamps":     "2024-05-01T12:00:00.1234567Z ##[group]Run make\n2024-05-01T12:00:01Z + make\n2024-05-01T12:00:02Z error: x\n2024-05-01T12:00:03Z ##[error]Process completed with exit code 2.\n",
		"stamp in match": "2024-05-01T12:00:00Z  error\n2024-05-01T12:00:00Z$ make\n",
		"stamped leads": strings.Repeat("building\n", 20000) + "2024-05-01T12:00:00+02:00 $ make\n2024-05-01T12:00:01,5 --- Test\n" +
			"2024-05-01T12:00:02.25Z~~~ Setup\n2024-05-01T12:00:03Z +++ deploy\n2024-05-01T12:00:04-05:00 ++ inner\nerror: boom\n",
		"long lines":   "$ build\n" + long + "error: x\n" + long + "\nerror: after long\n" + long,
		"exact max":    strings.Repeat("e", logtext.MaxLineBytes-1) + "\n" + strings.Repeat("f", logtext.MaxLineBytes) + "\nfatal: done\n",
		"blank and cr": "\n\r\n   \n\r\r\nerror: x\n",
		"crlf only":    strings.Repeat("$ make test\r\nok 1 passed\r\n\r\n\r\r\n", 3000) + "error: undefined reference to `foo'\r\nmake: *** [all] Error 2\r",
		"crlf mixed":   strings.Repeat("\x1b[32mok\x1b[0m 1\r\n+ make\r\nnpm ERR! code E404\r\r\n10%\r100%\r\n", 2000) + "fatal: x\r\n",
	}
	for name, log := range logs {
		sameAsLines(t, name, []byte(log), blockRun{e, 0}, blockRun{small, 0})
	}
}

// TestBlocksStop checks that an analysis stopped early, by its context or
// by a read error in the middle of the log, returns the error and leaves
// no goroutine behind.
func TestBlocksStop(t *testing.T) {
	e := &Engine{c: bundledEngine(t).c, blockSize: logtext.MaxLineBytes + 1}
	log := strings.Repeat("$ make test\nerror: undefined reference to `main'\n", 20000) // many blocks
	before := runtime.NumGoroutine()

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := e.Analyze(ctx, strings.NewReader(log), Options{}); !errors.Is(err, context.Canceled) {
		t.Errorf("canceled analysis returned %v, want context.Canceled", err)
	}
	boom := errors.New("disk gone")
	r := io.MultiReader(strings.NewReader(log), iotest.ErrReader(boom))
	if _, err := e.Analyze(context.Background(), r, Options{}); !errors.Is(err, boom) {
		t.Errorf("analysis of a failing reader returned %v, want %v", err, boom)
	}
	for i := 0; i < 100 && runtime.NumGoroutine() > before; i++ {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		t.Errorf("%d goroutines left running (%d before)", n-before, before)
	}
}

// TestBlocksRegexWithoutLiteral checks a custom playbook whose regex
// requires no literal: it runs on every line, so reading by blocks must
// classify lines the automaton did not flag, as reading line by line does.
func TestBlocksRegexWithoutLiteral(t *testing.T) {
	pb := &catalog.Playbook{ID: "five-digits", Title: "Five digits", Category: "test", Severity: "low"}
	pb.Match.Regex = []string{`^\d{5}$`}
	e := New([]*catalog.Playbook{pb})
	small := &Engine{c: e.c, blockSize: logtext.MaxLineBytes + 1}
	log := strings.Repeat("$ run\nnothing here\n", 3000) + "12345\n"
	sameAsLines(t, "unguarded", []byte(log), blockRun{e, 0}, blockRun{small, 0}, blockRun{small, 2})
	r, err := e.Analyze(context.Background(), strings.NewReader(log), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Diagnoses) == 0 || r.Diagnoses[0].Playbook.ID != "five-digits" || r.Diagnoses[0].Evidence[0].N != 6001 {
		t.Errorf("regex without a literal did not match line 6001: %+v", r.Diagnoses)
	}
}

// TestBlocksCaseSensitiveTriggers checks that reading by blocks, which
// drops an occurrence of a case-sensitive regex's trigger spelled another
// way, reads logs as reading line by line does; also when another regex
// spells the trigger otherwise, or ignores case.
func TestBlocksCaseSensitiveTriggers(t *testing.T) {
	log := strings.Repeat("running test_x now\nTEST_Y failed\n", 4000) + "TestZ failed\n"
	for _, tt := range []struct {
		exprs []string
		exact string // how the trigger "test" must be spelled, if it must be
	}{
		{[]string{`Test\w+`}, "Test"},
		{[]string{`Test\w+`, `TEST\w+`}, ""},
		{[]string{`Test\w+`, `[Tt]est\w+`}, ""},
	} {
		var pbs []*catalog.Playbook
		for i, expr := range tt.exprs {
			pb := &catalog.Playbook{ID: fmt.Sprintf("case-%d", i), Title: "Case", Category: "test", Severity: "low"}
			pb.Match.Regex = []string{expr}
			pbs = append(pbs, pb)
		}
		e := New(pbs)
		if p := slices.IndexFunc(e.c.literals, func(l string) bool { return strings.EqualFold(l, "test") }); p < 0 || string(e.c.exact[p]) != tt.exact {
			t.Errorf("%q: the trigger \"test\" is not spelled %q", tt.exprs, tt.exact)
		}
		small := &Engine{c: e.c, blockSize: logtext.MaxLineBytes + 1}
		sameAsLines(t, fmt.Sprint(tt.exprs), []byte(log), blockRun{e, 0}, blockRun{small, 0}, blockRun{small, 2})
		if len(tt.exprs) == 1 {
			r, err := e.Analyze(context.Background(), strings.NewReader(log), Options{})
			if err != nil {
				t.Fatal(err)
			}
			if len(r.Diagnoses) != 1 || len(r.Diagnoses[0].Evidence) != 1 || r.Diagnoses[0].Evidence[0].Text != "TestZ failed" {
				t.Errorf("%q should match \"TestZ failed\" alone: %+v", tt.exprs, r.Diagnoses)
			}
		}
	}
}

func TestBlankFlag(t *testing.T) {
	for _, s := range []string{"", " ", "\t \t", "x", "  x", "\t\tx ", " \u00a0", "\u00a0x", " \v", "  \u2003 ", "  é", " \x7f"} {
		want := uint8(0)
		if len(bytes.TrimSpace([]byte(s))) == 0 {
			want = flagBlank
		}
		if got := blankFlag([]byte(s)); got != want {
			t.Errorf("blankFlag(%q) = %d, want %d", s, got, want)
		}
	}
}
