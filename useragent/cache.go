package useragent

import (
	"sync"
	"sync/atomic"

	"github.com/puzpuzpuz/xsync/v3"
)

// cache is a bounded map from User-Agent to Info with two generations, the
// scheme VictoriaMetrics' workingsetcache uses: new entries go into the
// current generation; when it holds half the capacity it becomes the
// previous one and the old previous one is dropped whole. A hit in the
// previous generation is copied forward, so every User-Agent seen within
// the last generation survives a rotation: approximately LRU.
//
// Why not an LRU list: a true LRU writes on every hit (move to front), so
// hits take a lock or contend on shared cache lines, and hits are nearly
// all of the traffic. Here a hit is one or two lock-free xsync map reads
// with no writes and no allocation, and all bookkeeping is on the miss
// path, which has just spent tens of microseconds in regexes anyway.
type cache struct {
	perGen int64

	cur  atomic.Pointer[generation]
	prev atomic.Pointer[generation]

	rotateMu sync.Mutex // serialises rotations; never taken on a hit
}

type generation struct {
	m *xsync.MapOf[string, entry]
	n atomic.Int64 // entries added, counting only first insertions
}

// entry keeps the stored key next to the value so that copying an entry
// forward reuses the key string instead of copying the bytes again.
type entry struct {
	key  string
	info Info
}

// newCache returns a cache holding about size entries: at most size/2 per
// generation, plus whatever concurrent misses add during a rotation.
func newCache(size int) *cache {
	c := &cache{perGen: int64(max(size/2, 1))}
	c.cur.Store(c.newGeneration())
	c.prev.Store(c.newGeneration())
	return c
}

func (c *cache) newGeneration() *generation {
	return &generation{m: xsync.NewMapOf[string, entry](xsync.WithPresize(int(c.perGen)))}
}

// get looks key up. key may be a view of a caller's buffer: it is only
// hashed and compared, never stored.
func (c *cache) get(key string) (Info, bool) {
	if e, ok := c.cur.Load().m.Load(key); ok {
		return e.info, true
	}
	if e, ok := c.prev.Load().m.Load(key); ok {
		c.add(e)
		return e.info, true
	}
	return Info{}, false
}

// put stores info under key, which must be a string the cache may keep.
func (c *cache) put(key string, info Info) {
	c.add(entry{key: key, info: info})
}

func (c *cache) add(e entry) {
	g := c.cur.Load()
	if _, loaded := g.m.LoadOrStore(e.key, e); loaded {
		return
	}
	if g.n.Add(1) < c.perGen {
		return
	}
	c.rotateMu.Lock()
	// Another miss may have rotated already; rotate only the generation
	// that filled up.
	if c.cur.Load() == g {
		c.prev.Store(g)
		c.cur.Store(c.newGeneration())
	}
	c.rotateMu.Unlock()
}

// len returns the number of entries in both generations; tests use it.
func (c *cache) len() int {
	return c.cur.Load().m.Size() + c.prev.Load().m.Size()
}
