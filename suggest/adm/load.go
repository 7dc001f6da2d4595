package adm

import (
	"fmt"
	"log/slog"

	"github.com/mozilla-services/merino-go/index/keywords"
	"github.com/mozilla-services/merino-go/loaders"
)

// LoadOptions are what building a segment's snapshot needs.
type LoadOptions struct {
	// ProviderID is rendered into every suggestion's `provider` field.
	ProviderID string
	Index      keywords.Options
	// Icon maps a record's icon to the URL served; nil serves MARS's icon URL verbatim.
	// (merino-py re-hosts MARS icons on its own CDN; merino-go has no CDN to upload to.)
	Icon func(string) string
}

// MARSLoader returns the Apply function of one segment's Syncer: parse a MARS response, build the
// segment's snapshot and store it in p. A response that fails to parse, or holds no
// suggestion, leaves the segment's current snapshot in place (the Syncer logs and counts it).
func MARSLoader(p *Provider, seg Segment, opts LoadOptions, log *slog.Logger) func([]byte) (int, error) {
	return FileLoader(p, []Segment{seg}, opts, log)
}

// FileLoader is MARSLoader for the file backend: one MARS response body served for every
// configured segment, all sharing one snapshot.
func FileLoader(p *Provider, segs []Segment, opts LoadOptions, log *slog.Logger) func([]byte) (int, error) {
	return func(data []byte) (int, error) {
		items, err := ParseResponse(data, opts.Icon, log)
		if err != nil {
			return 0, err
		}
		snap, err := BuildSnapshot(items, opts)
		if err != nil {
			return 0, err
		}
		for _, seg := range segs {
			p.StoreSegment(seg, snap)
		}
		st := snap.Stats()
		log.Info("built the AMP keyword index", "segments", fmt.Sprint(segs), "suggestions", st.Suggestions,
			"keywords", st.Keywords, "keys", st.KeywordIndexSize, "fuzzy_keywords", st.FuzzyKeywords,
			"bytes", st.Bytes, "unservable", snap.Unservable)
		return snap.Len(), nil
	}
}

// BuildSnapshot makes a snapshot of items and checks it is worth serving: at least one suggestion.
func BuildSnapshot(items []Item, opts LoadOptions) (*Snapshot, error) {
	if len(items) == 0 {
		return nil, fmt.Errorf("%w (no suggestions)", loaders.ErrEmpty)
	}
	return NewSnapshot(items, opts.ProviderID, opts.Index), nil
}
