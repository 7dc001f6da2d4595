package engagement

import (
	"fmt"
	"math"
	"sync/atomic"

	"github.com/bytedance/sonic"

	"github.com/mozilla-services/merino-go/loaders"
)

// Prior is the Beta prior of Thompson sampling in one region.
type Prior struct {
	Alpha, Beta            float64
	TotalImpressionsPerDay float64
}

// Constant is merino-py's ConstantPrior: the prior of every region when no prior data is
// configured, and of the global region while none is loaded.
var Constant = Prior{Alpha: 188, Beta: 12500, TotalImpressionsPerDay: 30_000_000}

// Priors is one loaded prior file, by region ("" = global).
type Priors struct {
	byRegion map[string]Prior
	// global is byRegion[""], found once at load (nil: the file has no global row).
	global   *Prior
	constant bool
}

// ConstantPriors answers Constant for every region.
var ConstantPriors = &Priors{constant: true}

// Get returns the prior of a region ("" = global).
func (p *Priors) Get(region string) (Prior, bool) {
	if p == nil {
		return Prior{}, false
	}
	if p.constant {
		return Constant, true
	}
	v, ok := p.byRegion[region]
	return v, ok
}

// Global is the global prior: the file's row without a region, Constant when there is none
// (Get("") with Constant for a miss, without a map lookup per story).
func (p *Priors) Global() Prior {
	if p == nil || p.global == nil {
		return Constant
	}
	return *p.global
}

// ParsePriors reads merino-py's prior export: a JSON array of {region?,
// average_ctr_top2_items, average_ctr_top10_items, impressions_per_item,
// total_impressions_per_day}. beta = 0.05 × impressions_per_item, alpha = beta ×
// average_ctr_top2_items (merino-py's GcsPrior._derive_prior).
func ParsePriors(data []byte) (*Priors, error) {
	var rows []struct {
		Region                 *string  `json:"region"`
		AverageCTRTop2Items    *float64 `json:"average_ctr_top2_items"`
		AverageCTRTop10Items   *float64 `json:"average_ctr_top10_items"`
		ImpressionsPerItem     *float64 `json:"impressions_per_item"`
		TotalImpressionsPerDay *float64 `json:"total_impressions_per_day"`
	}
	if err := sonic.ConfigStd.Unmarshal(data, &rows); err != nil {
		return nil, fmt.Errorf("not a prior export: %w", err)
	}
	p := &Priors{byRegion: make(map[string]Prior, len(rows))}
	for i, r := range rows {
		for _, f := range []*float64{r.AverageCTRTop2Items, r.AverageCTRTop10Items, r.ImpressionsPerItem, r.TotalImpressionsPerDay} {
			if f == nil || math.IsNaN(*f) || math.IsInf(*f, 0) {
				return nil, fmt.Errorf("row %d: a required number is missing or not finite", i)
			}
		}
		region := ""
		if r.Region != nil {
			region = *r.Region
		}
		beta := 0.05 * *r.ImpressionsPerItem
		p.byRegion[region] = Prior{Alpha: beta * *r.AverageCTRTop2Items, Beta: beta, TotalImpressionsPerDay: *r.TotalImpressionsPerDay}
	}
	if g, ok := p.byRegion[""]; ok {
		p.global = &g
	}
	return p, nil
}

// PriorHolder keeps the priors being served. The zero value holds none (Get misses) until a
// file is loaded; a deployment without prior data uses ConstantPriors instead.
type PriorHolder struct {
	snap atomic.Pointer[Priors]
	// MaxSize is the largest file accepted (gcs.prior.max_size); 0: no limit.
	MaxSize int
}

// Load returns the current priors (nil before the first load).
func (h *PriorHolder) Load() *Priors { return h.snap.Load() }

// Apply is the prior syncer's apply function; a new file replaces the whole map.
func (h *PriorHolder) Apply(data []byte) (int, error) {
	if h.MaxSize > 0 && len(data) > h.MaxSize {
		return 0, fmt.Errorf("the prior file's size %d exceeds %d", len(data), h.MaxSize)
	}
	p, err := ParsePriors(data)
	if err != nil {
		return 0, err
	}
	if len(p.byRegion) == 0 {
		return 0, fmt.Errorf("%w (no priors)", loaders.ErrEmpty)
	}
	h.snap.Store(p)
	return len(p.byRegion), nil
}
