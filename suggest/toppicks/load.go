package toppicks

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"

	"github.com/mozilla-services/merino-go/httpurl"
	"github.com/mozilla-services/merino-go/loaders"
)

// record is one element of "domains". Required keys are raw so that a missing key (merino-py
// fails its whole build with a KeyError) can be told from a null value (pydantic rejects only
// that suggestion, at query time).
type record struct {
	Rank           json.RawMessage `json:"rank"`
	Domain         json.RawMessage `json:"domain"`
	Title          json.RawMessage `json:"title"`
	URL            json.RawMessage `json:"url"`
	Icon           json.RawMessage `json:"icon"`
	SerpCategories json.RawMessage `json:"serp_categories"`
	Source         json.RawMessage `json:"source"`
	Similars       json.RawMessage `json:"similars"`
}

// Categories holds the valid serp_categories values (merino-py's Category enum); 11 (Health)
// was removed and fails validation.
func validCategory(c int64) bool { return c >= 0 && c <= 19 && c != 11 }

// Parse reads a top_picks.json document and returns the entries merino-py would index, in
// file order: records whose "source" is "top-picks". A malformed document, or a record that
// lacks a key merino-py requires, is an error for the whole document. A record merino-py
// would index but could not serve (a null title, an invalid URL, a removed category) is
// kept with Servable false, so that it still shadows later records on its keys, as it does in
// merino-py; it is logged once here.
func Parse(data []byte, log *slog.Logger) ([]Entry, error) {
	var doc struct {
		Domains []record `json:"domains"`
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("not a top picks document: %w", err)
	}
	// Token, not More: More reports false before a stray '}' or ']', which would let
	// `{...}}` through where merino-py's json.load fails with "Extra data".
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("not a top picks document: trailing data after the JSON object")
	}
	if doc.Domains == nil {
		return nil, errors.New(`not a top picks document: no "domains" list`)
	}
	entries := make([]Entry, 0, len(doc.Domains))
	for i := range doc.Domains {
		r := &doc.Domains[i]
		var source string
		if json.Unmarshal(r.Source, &source) != nil || source != "top-picks" {
			continue
		}
		e, err := entry(r)
		if err != nil {
			return nil, fmt.Errorf("domains[%d]: %w", i, err)
		}
		if !e.Servable {
			log.Warn("top picks record cannot be served", "index", i, "domain", e.Domain, "reason", e.Why)
		}
		entries = append(entries, e.Entry)
	}
	return entries, nil
}

type checked struct {
	Entry
	Why string
}

func entry(r *record) (checked, error) {
	var e checked
	for _, req := range []struct {
		name string
		raw  json.RawMessage
	}{{"domain", r.Domain}, {"title", r.Title}, {"url", r.URL}, {"icon", r.Icon}} {
		if req.raw == nil {
			return e, fmt.Errorf("missing %q", req.name)
		}
	}
	// merino-py calls .strip() on the domain: a null fails its whole build.
	if err := json.Unmarshal(r.Domain, &e.Domain); err != nil || string(r.Domain) == "null" {
		return e, fmt.Errorf(`"domain" must be a string, got %.40s`, r.Domain)
	}
	e.Domain = NormalizeQuery(e.Domain)
	if r.Similars != nil && string(r.Similars) != "null" {
		if err := json.Unmarshal(r.Similars, &e.Similars); err != nil {
			return e, fmt.Errorf(`"similars" must be a list of strings: %w`, err)
		}
	}
	e.Servable = true
	unservable := func(why string) {
		if e.Servable {
			e.Servable, e.Why = false, why
		}
	}
	if err := json.Unmarshal(r.Title, &e.Title); err != nil || string(r.Title) == "null" {
		unservable(`"title" is not a string`)
	}
	var rawURL string
	if err := json.Unmarshal(r.URL, &rawURL); err != nil || string(r.URL) == "null" {
		unservable(`"url" is not a string`)
	} else if u, err := httpurl.Normalize(rawURL); err != nil {
		unservable(err.Error())
	} else {
		e.URL = u
	}
	if string(r.Icon) != "null" {
		if err := json.Unmarshal(r.Icon, &e.Icon); err != nil {
			unservable(`"icon" is not a string`)
		}
		e.HasIcon = true
	}
	if r.SerpCategories != nil && string(r.SerpCategories) != "null" {
		if err := json.Unmarshal(r.SerpCategories, &e.Categories); err != nil {
			unservable(`"serp_categories" is not a list of integers`)
		}
		for _, c := range e.Categories {
			if !validCategory(c) {
				unservable(fmt.Sprintf("serp_categories holds %d, which is not a category", c))
			}
		}
		e.HasCategories = true
	}
	return e, nil
}

// Loader returns the Apply function of the provider's Syncer: parse merino-py's
// top_picks.json, build a snapshot with p's index settings and blocklist, and store it in p
// unless it serves nothing.
func Loader(p *Provider, log *slog.Logger) func([]byte) (int, error) {
	return func(data []byte) (int, error) {
		entries, err := Parse(data, log)
		if err != nil {
			return 0, err
		}
		snap := NewSnapshot(entries, p.Index, p.DomainBlocklist)
		if snap.Len() == 0 {
			return 0, fmt.Errorf("%w (no record with \"source\": \"top-picks\" outside the blocklist)", loaders.ErrEmpty)
		}
		p.Store(snap)
		return snap.Len(), nil
	}
}
