package engagement

import (
	"sync"
	"sync/atomic"
)

// Row is one story's engagement in one region, and whether the snapshot has it.
type Row struct {
	Counts
	OK bool
}

// View is a snapshot's rows for a fixed list of stories (a corpus response's distinct ids),
// resolved region by region on first use: ranking a request then indexes arrays instead of
// hashing (id, region) pairs hundreds of times. Only regions the snapshot has rows for get an
// array, so the memory stays bounded whatever regions requests name. A View is safe for
// concurrent use; build a new one when the snapshot or the stories change.
type View struct {
	snap *Snapshot
	ids  []string
	mu   sync.Mutex // serialises building; readers only load regions
	// regions maps a region ("" = all regions) to its rows, by story index; copied on write.
	regions atomic.Pointer[map[string][]Row]
}

// NewView returns a view of s (nil: no engagement) for ids, which it keeps.
func NewView(s *Snapshot, ids []string) *View {
	v := &View{snap: s, ids: ids}
	v.regions.Store(&map[string][]Row{})
	return v
}

// Snapshot is the snapshot the view reads.
func (v *View) Snapshot() *Snapshot { return v.snap }

// Region returns the rows of region ("" = all regions) by story index, nil when the snapshot
// has none in that region. The slice is shared and read-only.
func (v *View) Region(region string) []Row {
	if rows, ok := (*v.regions.Load())[region]; ok {
		return rows
	}
	if v.snap == nil || !v.snap.regions[region] {
		return nil
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	old := *v.regions.Load()
	if rows, ok := old[region]; ok {
		return rows
	}
	rows := make([]Row, len(v.ids))
	for i, id := range v.ids {
		rows[i].Counts, rows[i].OK = v.snap.Get(id, region)
	}
	next := make(map[string][]Row, len(old)+1)
	for k, r := range old {
		next[k] = r
	}
	next[region] = rows
	v.regions.Store(&next)
	return rows
}
