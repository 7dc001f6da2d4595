// Package kit is the provider kit: the one registry of provider types, each declared in its
// own package, and the reading and building of the configured providers from it.
//
// A provider type registers a Type from an init function of its package: its name (the
// `type` value), the defaults of the common keys, a Read function that reads its own keys
// into its typed settings (each with its default, each checked), and a New function that
// makes the provider from those settings. The settings struct embeds suggest.Base, which the
// kit fills from the keys every provider table has (enabled_by_default, score,
// query_timeout_sec) before Read runs; New receives the same struct. Adding a type is one
// package plus one import line in package suggest/all.
//
// Provider tables nest: a combinator's Read takes its inner providers with Table.Child and
// Table.Children, and its New builds them with Env.Build. config.Load reads and checks the
// whole tree through the "providers" section this package declares (a bad table is a
// one-line error naming its dotted key path); Build makes the providers once the process
// is ready to serve.
package kit

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/mozilla-services/merino-go/config"
	"github.com/mozilla-services/merino-go/geoip"
	"github.com/mozilla-services/merino-go/jsonw"
	"github.com/mozilla-services/merino-go/loaders"
	"github.com/mozilla-services/merino-go/suggest"
)

// Type declares one provider type. S is its settings struct, which embeds suggest.Base.
type Type[S any] struct {
	// Name is the `type` value that selects it.
	Name string
	// Score is the default of `score`.
	Score float64
	// QueryTimeout is the type's own default of query_timeout_sec (accuweather's 5 s); 0
	// means runtime.query_timeout_sec.
	QueryTimeout time.Duration
	// Development marks the development types (fixed, debug, null, wiki_fruit): refused,
	// at any depth, unless the top-level `debug` is true.
	Development bool
	// Tree marks the types that pass on other providers' suggestions (combinators,
	// caches): at the top level, every suggestion they answer carries the top-level id as
	// `provider`, and the top-level `score`, when set.
	Tree bool
	// Read reads the type's own keys into s, whose Base is already filled, each with its
	// default, and reports a bad value with t.Fail (a nil Read: no keys of its own). It runs
	// while the configuration loads, once per table of the type.
	Read func(t *Table, s *S)
	// New makes the provider when the process starts. An error names the key it is about
	// (env.Path) and stops startup.
	New func(s *S, env *Env) (suggest.Provider, error)
}

// entry is a registered type, its settings type erased behind closures.
type entry struct {
	name        string
	score       float64
	timeout     time.Duration
	development bool
	tree        bool
	// read reads a table of the type and returns what builds the provider from it.
	read func(t *Table, base suggest.Base) func(env *Env) (suggest.Provider, error)
}

var registry = map[string]*entry{}

// Register adds a provider type to the registry. Call it from an init function of the
// type's package; a name registered twice is a bug.
func Register[S any, P interface {
	*S
	Common() *suggest.Base
}](t Type[S]) {
	if t.Name == "" || t.New == nil {
		panic("BUG: kit.Register: a type needs a Name and a New function")
	}
	if _, dup := registry[t.Name]; dup {
		panic("BUG: kit.Register: provider type " + strconv.Quote(t.Name) + " registered twice")
	}
	registry[t.Name] = &entry{
		name: t.Name, score: t.Score, timeout: t.QueryTimeout, development: t.Development, tree: t.Tree,
		read: func(tab *Table, base suggest.Base) func(*Env) (suggest.Provider, error) {
			s := new(S)
			*P(s).Common() = base
			if t.Read != nil {
				t.Read(tab, s)
			}
			return func(env *Env) (suggest.Provider, error) { return t.New(s, env) }
		},
	}
}

// Types lists the registered provider types, sorted.
func Types() []string {
	names := make([]string, 0, len(registry))
	for name := range registry {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// Table reads one provider table: the typed keys of config.Table, and the provider tables
// nested in it.
type Table struct {
	*config.Table
	rc   *reading
	node *Node
}

// reading is what every table of one configuration is read with.
type reading struct {
	debug          bool
	defaultTimeout time.Duration
}

// Child reads the provider table at name (a combinator's inner, matching_provider, ...),
// which is required.
func (t *Table) Child(name string) *Node {
	sub, ok := t.Sub(name)
	if !ok {
		if !t.Has(name) && !t.Failed() {
			t.Fail(name, "required: a provider table, with its type")
		}
		return nil
	}
	return t.adopt(readNode(sub, t.rc, t.node.base.Name))
}

// Children reads the list of provider tables at name (a multiplexer's providers); absent,
// it is empty.
func (t *Table) Children(name string) []*Node {
	var nodes []*Node
	for _, sub := range t.List(name) {
		nodes = append(nodes, t.adopt(readNode(sub, t.rc, t.node.base.Name)))
	}
	return nodes
}

func (t *Table) adopt(n *Node) *Node {
	t.node.children = append(t.node.children, n)
	return n
}

// Node is one provider table, read and checked, not yet built.
type Node struct {
	path     string // providers.x, providers.x.inner, providers.m.providers.1
	typ      string
	base     suggest.Base
	scoreSet bool
	tree     bool
	children []*Node
	build    func(env *Env) (suggest.Provider, error)
}

// Path is the table's dotted key path.
func (n *Node) Path() string { return n.path }

// Type is the table's provider type.
func (n *Node) Type() string { return n.typ }

// ID is the id of the top-level provider the table belongs to.
func (n *Node) ID() string { return n.base.Name }

// Base is what the table's common keys say (for a nested table: what they would say at the
// top level).
func (n *Node) Base() suggest.Base { return n.base }

// Children are the provider tables nested in this one, in the order read.
func (n *Node) Children() []*Node { return n.children }

// readNode reads one provider table of the tree whose top-level id is id.
func readNode(t *config.Table, rc *reading, id string) *Node {
	n := &Node{path: t.Path(""), typ: t.Str("type", "")}
	e := registry[n.typ]
	switch {
	case t.Failed():
		return n
	case n.typ == "":
		t.Fail("type", "required: one of %s", strings.Join(Types(), ", "))
		return n
	case e == nil:
		t.Fail("type", "unknown provider type %q (known: %s)", n.typ, strings.Join(Types(), ", "))
		return n
	case e.development && !rc.debug:
		t.Fail("type", "%q is a development provider type: it needs debug = true (development and testing set it, production never)", n.typ)
		return n
	}
	n.tree = e.tree
	n.base = suggest.Base{Name: id, Score: e.score, QueryTimeout: rc.defaultTimeout}
	if e.timeout > 0 {
		n.base.QueryTimeout = e.timeout
	}
	n.base.EnabledByDefault = t.Bool("enabled_by_default", false)
	if t.Has("query_timeout_sec") {
		n.base.QueryTimeout = t.FloatSeconds("query_timeout_sec", 0, 0.001, 600)
	}
	n.scoreSet = t.Has("score")
	n.base.Score = t.Float("score", e.score, 0, 1)
	n.build = e.read(&Table{Table: t, rc: rc, node: n}, n.base)
	return n
}

// section is [providers]: every enabled [providers.<id>] table, read and checked while the
// configuration loads.
var section = config.NewSection("providers", readProviders)

func readProviders(t *config.Table) []*Node {
	c := t.Config()
	rc := &reading{debug: c.Debug, defaultTimeout: c.Runtime.QueryTimeout}
	disabled := map[string]bool{}
	for _, id := range c.Runtime.DisabledProviders {
		disabled[id] = true
	}
	var nodes []*Node
	for _, id := range t.Keys() {
		if disabled[id] {
			// merino-py never instantiates a disabled provider, so its table is not checked:
			// a deployment may keep settings for a type this build does not have.
			t.Skip(id)
			continue
		}
		sub, ok := t.Sub(id)
		if !ok || !sub.Has("type") {
			// A table without `type` is not a provider (merino-py's rule): its keys are
			// reported as unknown.
			continue
		}
		if id == "" || strings.ContainsAny(id, ", ") {
			t.Fail(id, "a provider id may not be empty or contain commas or spaces")
		}
		if n := readNode(sub, rc, id); !t.Failed() {
			nodes = append(nodes, n)
		}
	}
	return nodes
}

// Configured returns the top-level provider tables of a loaded configuration, in config
// order, without the disabled ones.
func Configured(c *config.Config) []*Node { return section.Get(c) }

// Describe lists the provider tree of c, one line a table, nested tables indented: what
// `merino check-config` prints.
func Describe(c *config.Config) []string {
	var lines []string
	var walk func(n *Node, depth int)
	walk = func(n *Node, depth int) {
		line := strings.Repeat("  ", depth) + n.path + ": " + n.typ
		if depth == 0 {
			line += fmt.Sprintf(" (%s, score %s, query_timeout_sec %s)", n.base.Availability(),
				strconv.FormatFloat(n.base.Score, 'g', -1, 64), strconv.FormatFloat(n.base.QueryTimeout.Seconds(), 'g', -1, 64))
		}
		lines = append(lines, line)
		for _, child := range n.children {
			walk(child, depth+1)
		}
	}
	for _, n := range Configured(c) {
		walk(n, 0)
	}
	return lines
}

// Built is what Build made: the providers, in config order, and what keeps them serving.
type Built struct {
	Providers []suggest.Provider
	// Syncers keep the providers' data sets fresh: each is loaded once before serving, then
	// run; each is a heartbeat check.
	Syncers []*loaders.Syncer
	// Tasks run for as long as the process serves (a cache's cleanup); ctx ends at shutdown.
	Tasks []func(ctx context.Context)
}

// Build makes the configured providers. log is the process logger; geo, when not nil, is
// the geolocation database.
func Build(c *config.Config, log *slog.Logger, geo *geoip.Reader) (*Built, error) {
	b := &Built{}
	for _, n := range Configured(c) {
		p, err := (&Env{Config: c, GeoIP: geo, log: log, node: n, built: b}).build()
		if err != nil {
			return nil, err
		}
		if n.tree {
			p = newRoot(p, n)
		}
		b.Providers = append(b.Providers, p)
	}
	return b, nil
}

// Env is what a type's New may use besides its settings.
type Env struct {
	// Config is the whole configuration, for the top-level sections a type reads.
	Config *config.Config
	// GeoIP is the geolocation database (nil when geolocation is off).
	GeoIP *geoip.Reader
	log   *slog.Logger
	node  *Node
	built *Built
}

func (e *Env) build() (suggest.Provider, error) {
	if e.node.build == nil {
		return nil, fmt.Errorf("BUG: %s: a provider table that failed to load was built", e.node.path)
	}
	return e.node.build(e)
}

// Path is the dotted key path of key in the provider's table, for errors.
func (e *Env) Path(key string) string {
	if key == "" {
		return e.node.path
	}
	return e.node.path + "." + key
}

// Name names the provider's data sets and log lines: its id, or for a provider nested in a
// tree its key path below providers (x.inner).
func (e *Env) Name() string { return strings.TrimPrefix(e.node.path, "providers.") }

// Log is the process logger, with the provider's name.
func (e *Env) Log() *slog.Logger { return e.log.With("provider", e.Name()) }

// Sync keeps a data set of the provider fresh: a loaders.Syncer named name polls src every
// interval and hands new data to apply, logging to log.
func (e *Env) Sync(name string, src loaders.Source, every time.Duration, apply func([]byte) (int, error), log *slog.Logger) {
	e.built.Syncers = append(e.built.Syncers, loaders.NewSyncer(name, src, every, apply, log))
}

// Go runs task while the process serves; its ctx ends at shutdown.
func (e *Env) Go(task func(ctx context.Context)) { e.built.Tasks = append(e.built.Tasks, task) }

// Build makes a provider nested in this one (a node from Table.Child or Table.Children).
func (e *Env) Build(n *Node) (suggest.Provider, error) {
	child := *e
	child.node = n
	return child.build()
}

// root is a top-level tree: its suggestions come from nested providers, so it gives each
// the top-level id as `provider` (which top_picks, say, hard-codes) and the top-level score
// when one is set, as Rust Merino's top level rewrites them.
type root struct {
	suggest.Provider
	id       string
	score    float64
	setScore bool
	field    []byte // `"provider":"<id>"`
}

func newRoot(p suggest.Provider, n *Node) *root {
	field := jsonw.AppendString([]byte(`"provider":`), n.base.Name)
	return &root{Provider: p, id: n.base.Name, score: n.base.Score, setScore: n.scoreSet, field: field}
}

// Query implements suggest.Provider. Suggestions already carrying the id cost nothing; one
// that names another provider is re-rendered (an allocation).
func (r *root) Query(ctx context.Context, req *suggest.Request, dst []suggest.Suggestion) ([]suggest.Suggestion, error) {
	start := len(dst)
	out, err := r.Provider.Query(ctx, req, dst)
	for i := start; i < len(out); i++ {
		s := &out[i]
		s.Provider = r.id
		if r.setScore {
			s.Score = r.score
		}
		if !bytes.Contains(s.Head, r.field) {
			s.Head = relabel(s.Head, r.field)
		}
	}
	return out, err
}

// AppendKey implements suggest.Keyer: the tree's.
func (r *root) AppendKey(dst []byte, req *suggest.Request) []byte {
	return suggest.AppendKey(dst, r.Provider, req)
}

var providerKey = []byte(`"provider":"`)

// relabel returns head with the value of its provider field replaced (field is the whole
// new member), or head as it was when it has none.
func relabel(head, field []byte) []byte {
	i := bytes.Index(head, providerKey)
	if i < 0 {
		return head
	}
	end := i + len(providerKey)
	for end < len(head) && head[end] != '"' {
		if head[end] == '\\' {
			end++
		}
		end++
	}
	if end >= len(head) {
		return head
	}
	out := make([]byte, 0, len(head)+len(field))
	out = append(out, head[:i]...)
	out = append(out, field...)
	return append(out, head[end+1:]...)
}
