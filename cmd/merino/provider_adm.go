package main

import (
	"fmt"

	"github.com/mozilla-services/merino-go/config"
	"github.com/mozilla-services/merino-go/loaders"
	"github.com/mozilla-services/merino-go/loaders/mars"
	"github.com/mozilla-services/merino-go/loaders/remotesettings"
	"github.com/mozilla-services/merino-go/suggest"
	"github.com/mozilla-services/merino-go/suggest/adm"
)

func init() {
	constructors["adm"] = func(pc config.Provider, w *wiring) (suggest.Provider, []*loaders.Syncer, error) {
		a := pc.ADM()
		p := adm.New(adm.Settings{
			ID:                 pc.ID,
			Score:              pc.Score,
			EnabledByDefault:   pc.EnabledByDefault,
			Timeout:            pc.QueryTimeout,
			Fuzzy:              a.FuzzyEnabled,
			MinSubstitutionLen: a.FuzzyMinSubstitutionLen,
		})
		log := w.log.With("provider", pc.ID)
		m := w.cfg.MARS()
		segs, err := marsSegments(m)
		if err != nil {
			return nil, nil, err
		}
		opts := mars.Options{ProviderID: pc.ID}
		switch a.Backend {
		case "file":
			src, err := loaders.NewSource(a.FilePath, loaders.HTTPOptions{ConnectTimeout: m.ConnectTimeout, RequestTimeout: m.RequestTimeout, MaxBytes: w.cfg.SourceLimits().MARS})
			if err != nil {
				return nil, nil, fmt.Errorf("providers.%s.file_path: %w", pc.ID, err)
			}
			apply := mars.FileLoader(p, segs, opts, log)
			return p, []*loaders.Syncer{loaders.NewSyncer(pc.ID, src, a.ResyncInterval, apply, log)}, nil
		case "remote_settings":
			rs := w.cfg.RemoteSettings()
			c, err := remotesettings.NewClient(remotesettings.Options{
				Server: rs.Server, Bucket: rs.Bucket, Collection: rs.Collection,
				ConnectTimeout: m.ConnectTimeout, RequestTimeout: m.RequestTimeout,
				MaxBytes: w.cfg.SourceLimits().RemoteSettings,
			})
			if err != nil {
				return nil, nil, fmt.Errorf("remote_settings: %w", err)
			}
			apply := remotesettings.Loader(p, remotesettings.BuildOptions{ProviderID: pc.ID}, log)
			return p, []*loaders.Syncer{loaders.NewSyncer(pc.ID, remotesettings.NewSource(c), a.ResyncInterval, apply, log)}, nil
		}
		// mars: one syncer per segment, each with its own ETag, keeping its last good index.
		var syncers []*loaders.Syncer
		for _, seg := range segs {
			u, err := mars.SegmentURL(m.BaseURL, m.SuggestionURLPath, seg.Country, seg.FormFactor)
			if err != nil {
				return nil, nil, fmt.Errorf("mars.base_url: %w", err)
			}
			src, err := loaders.NewSource(u, loaders.HTTPOptions{ConnectTimeout: m.ConnectTimeout, RequestTimeout: m.RequestTimeout, MaxBytes: w.cfg.SourceLimits().MARS})
			if err != nil {
				return nil, nil, fmt.Errorf("mars.base_url: %w", err)
			}
			name := fmt.Sprintf("%s/%s/%s", pc.ID, seg.Country, seg.FormFactor)
			syncers = append(syncers, loaders.NewSyncer(name, src, a.ResyncInterval, mars.Loader(p, seg, opts, log), log))
		}
		return p, syncers, nil
	}
}

// marsSegments is mars.countries × mars.form_factors, duplicates dropped (merino-py
// de-duplicates both lists).
func marsSegments(m *config.MARS) ([]adm.Segment, error) {
	var segs []adm.Segment
	seen := map[adm.Segment]bool{}
	for _, c := range m.Countries {
		for _, f := range m.FormFactors {
			ff, err := adm.ParseFormFactor(f)
			if err != nil {
				return nil, fmt.Errorf("mars.form_factors: %w", err)
			}
			seg := adm.Segment{Country: c, FormFactor: ff}
			if !seen[seg] {
				seen[seg] = true
				segs = append(segs, seg)
			}
		}
	}
	return segs, nil
}
