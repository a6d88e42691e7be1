package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

// update rewrites the golden files inside the txtar scripts when a cmp
// fails: go test ./cmd/faultline/ -run TestScripts -update
var update = flag.Bool("update", false, "update the golden output inside testdata/script/*.txtar")

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"faultline": func() { os.Exit(run(os.Args[1:], stdio())) },
	})
}

func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 filepath.Join("testdata", "script"),
		UpdateScripts:       *update,
		RequireExplicitExec: true,
		RequireUniqueNames:  true,
		Setup: func(env *testscript.Env) error {
			// Colour and terminal detection must not depend on the
			// environment the tests run in.
			env.Setenv("NO_COLOR", "")
			env.Setenv("TERM", "xterm-256color")
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"gzip":       cmdGzip,
			"mkbinary":   cmdMkbinary,
			"jsonlen":    cmdJSONLen,
			"countfiles": cmdCountFiles,
			"exits":      cmdExits,
		},
	})
}

// gzip FILE writes FILE.gz, the gzip compression of FILE.
func cmdGzip(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: gzip FILE")
	}
	data := ts.ReadFile(args[0])
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	_, err := zw.Write([]byte(data))
	ts.Check(err)
	ts.Check(zw.Close())
	ts.Check(os.WriteFile(ts.MkAbs(args[0]+".gz"), b.Bytes(), 0o644))
}

// mkbinary FILE writes a file that looks like a compiled program: an ELF
// header, NUL bytes and a few printable strings.
func cmdMkbinary(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: mkbinary FILE")
	}
	var b bytes.Buffer
	b.Write([]byte{0x7f, 'E', 'L', 'F', 2, 1, 1, 0})
	for i := 0; i < 512; i++ {
		b.WriteByte(byte(i * 7))
		if i%16 == 0 {
			b.Write([]byte{0, 0, 0, 0})
		}
		if i%64 == 0 {
			b.WriteString("error: not really\n")
		}
	}
	ts.Check(os.WriteFile(ts.MkAbs(args[0]), b.Bytes(), 0o644))
}

// jsonlen FILE MIN fails unless FILE holds a JSON array of at least MIN
// elements. With !, it fails if it does.
func cmdJSONLen(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: jsonlen FILE MIN")
	}
	min, err := strconv.Atoi(args[1])
	ts.Check(err)
	var arr []json.RawMessage
	if err := json.Unmarshal([]byte(ts.ReadFile(args[0])), &arr); err != nil {
		ts.Fatalf("%s: not a JSON array: %v", args[0], err)
	}
	ok := len(arr) >= min
	ts.Logf("%s: JSON array of %d elements", args[0], len(arr))
	if ok == neg {
		if neg {
			ts.Fatalf("%s: %d elements, want fewer than %d", args[0], len(arr), min)
		}
		ts.Fatalf("%s: %d elements, want at least %d", args[0], len(arr), min)
	}
}

// countfiles DIR SUFFIX MIN fails unless DIR holds at least MIN files
// whose names end in SUFFIX.
func cmdCountFiles(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 3 {
		ts.Fatalf("usage: countfiles DIR SUFFIX MIN")
	}
	min, err := strconv.Atoi(args[2])
	ts.Check(err)
	ents, err := os.ReadDir(ts.MkAbs(args[0]))
	ts.Check(err)
	n := 0
	for _, e := range ents {
		if !e.IsDir() && strings.HasSuffix(e.Name(), args[1]) {
			n++
		}
	}
	ts.Logf("%s: %d %s files", args[0], n, args[1])
	if n < min {
		ts.Fatalf("%s: %d %s files, want at least %d", args[0], n, args[1], min)
	}
}

// exits N PROG [ARGS...] runs PROG like exec, and fails unless its exit
// status is exactly N. stdout and stderr are kept for the commands that
// follow, as after exec.
func cmdExits(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: exits N PROG [ARGS...]")
	}
	want, err := strconv.Atoi(args[0])
	ts.Check(err)
	got := 0
	if err := ts.Exec(args[1], args[2:]...); err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			ts.Fatalf("%s: %v", args[1], err)
		}
		got = ee.ExitCode()
	}
	if got != want {
		ts.Fatalf("%s exited with status %d, want %d", args[1], got, want)
	}
}
