package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/faultline-dev/faultline/internal/catalog"
)

// catalogFlags are the flags that choose which playbooks are loaded.
type catalogFlags struct {
	dirs multiFlag
}

func (c *catalogFlags) register(fs *flag.FlagSet) {
	fs.Var(&c.dirs, "playbooks", "also load the playbooks in `DIR` (repeatable); .faultline/playbooks/ of the current git repository is loaded automatically")
}

// repoPlaybooks returns .faultline/playbooks in the git work tree that
// holds dir, or "" when there is none.
func repoPlaybooks(dir string) string {
	for {
		if _, err := os.Stat(filepath.Join(dir, ".git")); err == nil {
			p := filepath.Join(dir, ".faultline", "playbooks")
			if st, err := os.Stat(p); err == nil && st.IsDir() {
				return p
			}
			return ""
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// load returns the bundled catalog plus custom playbooks.
func (c *catalogFlags) load(s *streams) (*catalog.Catalog, error) {
	pbs, err := catalog.Bundled()
	if err != nil {
		return nil, fmt.Errorf("bundled playbooks: %w", err)
	}
	all := append([]*catalog.Playbook(nil), pbs...)
	dirs := append([]string(nil), c.dirs...)
	if wd, err := s.getwd(); err == nil {
		if p := repoPlaybooks(wd); p != "" {
			dirs = append([]string{p}, dirs...)
		}
	}
	for _, d := range dirs {
		st, err := os.Stat(d)
		if err != nil {
			return nil, usageErr("--playbooks %s: no such directory", d)
		}
		if !st.IsDir() {
			return nil, usageErr("--playbooks %s: not a directory", d)
		}
		custom, err := catalog.LoadFS(os.DirFS(d), d)
		if err != nil {
			var ps catalog.Problems
			if errors.As(err, &ps) {
				return nil, usageErr("%s (run 'faultline playbooks lint %s' for all problems)", ps[0], d)
			}
			return nil, usageErr("%v", err)
		}
		all = append(all, custom...)
	}
	return catalog.New(all...), nil
}
