// Package engagement holds the data New Tab's Thompson sampling learns from: per-story clicks,
// impressions and reports over the last 24 hours (globally and per region), and the priors
// derived from per-region averages — merino-py's GcsEngagement and GcsPrior. Each is an
// immutable snapshot behind an atomic pointer; Apply is a loaders.Syncer's apply function, so
// a bad, oversized or empty file never replaces the data being served.
package engagement

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"sync/atomic"

	"github.com/VictoriaMetrics/metrics"
	"github.com/bytedance/sonic"

	"github.com/mozilla-services/merino-go/loaders"
)

// Counts is one story's engagement in one region ("" = all regions).
type Counts struct {
	Clicks, Impressions, Reports int64
}

type key struct{ id, region string }

// Snapshot is one loaded engagement file.
type Snapshot struct {
	rows map[key]Counts
	// regions are the regions with at least one row ("" for the global rows).
	regions map[string]bool
}

// Get returns the engagement of a corpus item in a region ("" = all regions); the lookup is
// exact, as merino-py's: ("AA", "") is absent when only ("AA", "US") exists.
func (s *Snapshot) Get(id, region string) (Counts, bool) {
	if s == nil {
		return Counts{}, false
	}
	c, ok := s.rows[key{id, region}]
	return c, ok
}

// Len is the number of (item, region) rows.
func (s *Snapshot) Len() int {
	if s == nil {
		return 0
	}
	return len(s.rows)
}

// Holder keeps the engagement being served. The zero value holds nothing (every lookup misses,
// as merino-py's fallback without GCS).
type Holder struct {
	snap atomic.Pointer[Snapshot]
	// MaxSize is the largest file accepted, in bytes (gcs.engagement.max_size); 0: no limit.
	MaxSize int
}

// Load returns the current snapshot (nil before the first load); use one per request.
func (h *Holder) Load() *Snapshot {
	if h == nil {
		return nil
	}
	return h.snap.Load()
}

// Store makes s the snapshot Load returns.
func (h *Holder) Store(s *Snapshot) { h.snap.Store(s) }

// ParseEngagement reads merino-py's engagement export: a JSON array of {corpus_item_id,
// scheduled_corpus_item_id?, region?, click_count, impression_count, report_count?}. Rows with
// the same (corpus_item_id, region) are summed. Any invalid row fails the whole file.
func ParseEngagement(data []byte) (*Snapshot, error) {
	var raw []map[string]sonic.NoCopyRawMessage
	if err := sonic.ConfigStd.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("not an engagement export: %w", err)
	}
	s := &Snapshot{rows: make(map[key]Counts, len(raw)), regions: map[string]bool{}}
	for i, r := range raw {
		if r == nil {
			return nil, fmt.Errorf("row %d: not an object", i)
		}
		id, err := optStr(r, "corpus_item_id")
		if err == nil {
			_, err = optStr(r, "scheduled_corpus_item_id")
		}
		var region string
		if err == nil {
			region, err = optStr(r, "region")
		}
		var c Counts
		if err == nil {
			c.Clicks, err = reqInt(r, "click_count")
		}
		if err == nil {
			c.Impressions, err = reqInt(r, "impression_count")
		}
		if err == nil {
			if v, ok := r["report_count"]; ok && string(v) != "null" {
				c.Reports, err = laxInt(v, "report_count")
			}
		}
		if err != nil {
			return nil, fmt.Errorf("row %d: %w", i, err)
		}
		k := key{id, region}
		s.regions[region] = true
		prev := s.rows[k]
		s.rows[k] = Counts{prev.Clicks + c.Clicks, prev.Impressions + c.Impressions, prev.Reports + c.Reports}
	}
	return s, nil
}

func optStr(r map[string]sonic.NoCopyRawMessage, name string) (string, error) {
	v, ok := r[name]
	if !ok || string(v) == "null" {
		return "", nil
	}
	var s string
	if sonic.ConfigStd.Unmarshal(v, &s) != nil {
		return "", fmt.Errorf("%q is not a string", name)
	}
	return s, nil
}

func reqInt(r map[string]sonic.NoCopyRawMessage, name string) (int64, error) {
	v, ok := r[name]
	if !ok {
		return 0, fmt.Errorf("%q is missing", name)
	}
	return laxInt(v, name)
}

// laxInt takes an integer, or a float without a fractional part, as pydantic's int does.
func laxInt(v sonic.NoCopyRawMessage, name string) (int64, error) {
	var f float64
	if sonic.ConfigStd.Unmarshal(v, &f) != nil || math.IsInf(f, 0) || f != math.Trunc(f) || math.Abs(f) > 1<<53 {
		return 0, fmt.Errorf("%q is not an integer: %.40s", name, v)
	}
	return int64(f), nil
}

// Apply is the engagement syncer's apply function: size check, parse, swap. A file larger than
// MaxSize, invalid, or without rows leaves the current snapshot in place.
func (h *Holder) Apply(data []byte) (int, error) {
	if h.MaxSize > 0 && len(data) > h.MaxSize {
		return 0, fmt.Errorf("the engagement file's size %d exceeds %d", len(data), h.MaxSize)
	}
	s, err := ParseEngagement(data)
	if err != nil {
		return 0, err
	}
	if s.Len() == 0 {
		return 0, fmt.Errorf("%w (no engagement rows)", loaders.ErrEmpty)
	}
	h.Store(s)
	s.report()
	return s.Len(), nil
}

// report sets merino-py's recommendation.engagement gauges: rows, clicks, impressions and
// reports per region (lower-cased; "global" for all regions).
func (s *Snapshot) report() {
	type sums struct{ rows, clicks, imps, reports int64 }
	by := map[string]*sums{}
	for k, c := range s.rows {
		name := "global"
		if k.region != "" {
			name = strings.ToLower(k.region)
		}
		t := by[name]
		if t == nil {
			t = &sums{}
			by[name] = t
		}
		t.rows++
		t.clicks += c.Clicks
		t.imps += c.Impressions
		t.reports += c.Reports
	}
	names := make([]string, 0, len(by))
	for n := range by {
		names = append(names, n)
	}
	sort.Strings(names)
	metrics.GetOrCreateGauge("merino_curated_engagement_rows_total", nil).Set(float64(len(s.rows)))
	for _, n := range names {
		t := by[n]
		l := `{region="` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(n) + `"}`
		metrics.GetOrCreateGauge("merino_curated_engagement_rows"+l, nil).Set(float64(t.rows))
		metrics.GetOrCreateGauge("merino_curated_engagement_clicks"+l, nil).Set(float64(t.clicks))
		metrics.GetOrCreateGauge("merino_curated_engagement_impressions"+l, nil).Set(float64(t.imps))
		metrics.GetOrCreateGauge("merino_curated_engagement_reports"+l, nil).Set(float64(t.reports))
	}
}
