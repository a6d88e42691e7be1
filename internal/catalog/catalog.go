package catalog

import (
	"embed"
	"io/fs"
	"sort"
	"strings"
	"sync"
)

//go:embed playbooks
var bundled embed.FS

// The bundled playbooks are also compiled into the binary as Go values
// (bundledPlaybooks, in bundled_gen.go), parsed and validated: the linker
// lays them out, so using them costs nothing at start, where parsing the
// YAML takes ~200 ms and decoding a JSON snapshot ~15 ms, for a command that
// runs on every failed CI job. A test fails when the file is stale;
// regenerate it with
//
//	go test ./internal/catalog -run Snapshot -update

// BundledFS returns the playbooks that ship inside the binary.
func BundledFS() fs.FS {
	sub, err := fs.Sub(bundled, "playbooks")
	if err != nil {
		panic(err) // the directory is embedded; this cannot fail
	}
	return sub
}

// Catalog is a set of playbooks with unique ids, sorted by id.
type Catalog struct {
	playbooks []*Playbook
	byID      map[string]*Playbook
}

// New returns a catalog of pbs. Later playbooks replace earlier ones with the
// same id, and record which source they replaced in Overrides.
func New(pbs ...*Playbook) *Catalog {
	c := &Catalog{byID: make(map[string]*Playbook, len(pbs))}
	for _, pb := range pbs {
		if old, ok := c.byID[pb.ID]; ok {
			pb.Overrides = old.Source
		}
		c.byID[pb.ID] = pb
	}
	c.playbooks = make([]*Playbook, 0, len(c.byID))
	for _, pb := range c.byID {
		c.playbooks = append(c.playbooks, pb)
	}
	sort.Slice(c.playbooks, func(i, j int) bool { return c.playbooks[i].ID < c.playbooks[j].ID })
	return c
}

var (
	bundledOnce sync.Once
	bundledPBs  []*Playbook
	bundledErr  error
)

// Bundled returns the playbooks embedded in the binary, parsed once per
// process. The slice is shared: callers must not modify its playbooks.
func Bundled() ([]*Playbook, error) {
	bundledOnce.Do(func() {
		bundledPBs = bundledPlaybooks
		if len(bundledPBs) == 0 {
			// No generated file: parse the YAML itself.
			bundledPBs, bundledErr = LoadYAML()
		}
		for _, pb := range bundledPBs {
			pb.Origin = "bundled"
		}
	})
	return bundledPBs, bundledErr
}

// LoadYAML parses and validates the bundled playbooks from their YAML, with
// file:line problems. Bundled uses a snapshot of its result instead.
func LoadYAML() ([]*Playbook, error) {
	return LoadFS(BundledFS(), "playbooks")
}

// Playbooks returns the catalog's playbooks sorted by id.
func (c *Catalog) Playbooks() []*Playbook { return c.playbooks }

// Len returns the number of playbooks.
func (c *Catalog) Len() int { return len(c.playbooks) }

// Lookup returns the playbook with the given id.
func (c *Catalog) Lookup(id string) (*Playbook, bool) {
	pb, ok := c.byID[id]
	return pb, ok
}

// Suggest returns up to n ids close to id: those containing it or sharing
// words with it first, then the nearest by edit distance.
func (c *Catalog) Suggest(id string, n int) []string {
	type cand struct {
		id    string
		score int
	}
	id = strings.ToLower(id)
	words := strings.FieldsFunc(id, func(r rune) bool { return r == '-' || r == '_' || r == ' ' })
	var cs []cand
	for _, pb := range c.playbooks {
		d := editDistance(id, pb.ID)
		score := d * 4
		if strings.Contains(pb.ID, id) {
			score -= 100
		}
		for _, w := range words {
			if len(w) >= 3 && strings.Contains(pb.ID, w) {
				score -= 20
			}
		}
		if d <= len(id)/2 || score < 0 {
			cs = append(cs, cand{pb.ID, score})
		}
	}
	sort.Slice(cs, func(i, j int) bool {
		if cs[i].score != cs[j].score {
			return cs[i].score < cs[j].score
		}
		return cs[i].id < cs[j].id
	})
	var out []string
	for i := 0; i < len(cs) && i < n; i++ {
		out = append(out, cs[i].id)
	}
	return out
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
