package sections

import (
	"strings"

	"github.com/mozilla-services/merino-go/curated/corpus"
	"github.com/mozilla-services/merino-go/curated/ranking"
	"github.com/mozilla-services/merino-go/curated/sampler"
	"github.com/mozilla-services/merino-go/curated/surface"
)

// The section ids with a meaning of their own.
const (
	// PopularTodayID is the key of Popular Today in the feeds object (merino-py's
	// TOP_STORIES_SECTION_KEY).
	PopularTodayID = "top_stories_section"
	// BriefingID is the daily briefing, shown only to its experiment.
	BriefingID = "daily-briefing"
	// headlinesID keeps its stories out of the subtopic rules.
	headlinesID = "headlines"
)

// Item is one story of a slate.
type Item struct {
	// Cand is the ranking template: its Ref is the item's index in Feed.Items, its Ordinal
	// the feed's number for its corpus id (equal ids, equal ordinals; an index into IDs), its
	// Flags say where it comes from.
	Cand ranking.Candidate
	// Slate is the index of the slate the item belongs to.
	Slate int32
	Src   *corpus.Item
}

// Slate is one version of a section's content: the canonical section, or the 50/50 alternate
// that replaces it in half of the requests.
type Slate struct {
	// ID is the canonical section id (an alternate carries its base's).
	ID                           string
	Manual, Followable, AllowAds bool
	// Legacy is set when ID is one of the topic values (surface.IsLegacySection): the
	// sections the flat feed is made of.
	Legacy bool
	// Items are Feed.Items[Start:End]: the section's stories, repeats within it dropped.
	Start, End int32
	Src        *corpus.Section
}

// Entry is a section of the corpus response: its slate and its 50/50 alternate (-1: none).
type Entry struct{ Base, Alt int32 }

// Pick resolves the 50/50 alternate (resolve_5050: either slate, with equal odds); it draws
// from s only when there is an alternate.
func (e Entry) Pick(s *sampler.Sampler) int32 {
	if e.Alt >= 0 && s.IntN(2) == 1 {
		return e.Alt
	}
	return e.Base
}

// Feed is one surface's GetSections response, arranged once per refresh for the requests that
// read it; it is immutable once built.
type Feed struct {
	Items  []Item
	Slates []Slate
	// Dict is what merino-py's dict of sections holds: for each id in order of first
	// appearance (daily-briefing aside), the last section with that id — a repeated id keeps
	// its first place and its last content.
	Dict []Entry
	// Briefing is the last daily-briefing section; Base is -1 when there is none.
	Briefing Entry
	// IDs are the distinct corpus ids, by ordinal.
	IDs []string
	// index finds a Dict position by section id.
	index map[string]int32
}

// Lookup returns the Dict position of a section id.
func (f *Feed) Lookup(id string) (int, bool) {
	i, ok := f.index[id]
	return int(i), ok
}

// Build arranges a parsed GetSections response.
func Build(s *corpus.Sections) *Feed {
	f := &Feed{Briefing: Entry{-1, -1}, index: map[string]int32{}}
	ordinals := map[string]int32{}
	slate := func(sec *corpus.Section) int32 {
		n := int32(len(f.Slates))
		sl := Slate{ID: sec.ID, Manual: sec.Manual, Followable: sec.Followable, AllowAds: sec.AllowAds,
			Legacy: surface.IsLegacySection(sec.ID), Start: int32(len(f.Items)), Src: sec}
		flags := itemFlags(&sl)
		seen := make(map[string]bool, len(sec.Items))
		for i := range sec.Items {
			it := &sec.Items[i]
			if seen[it.ID] {
				continue
			}
			seen[it.ID] = true
			o, ok := ordinals[it.ID]
			if !ok {
				o = int32(len(f.IDs))
				ordinals[it.ID] = o
				f.IDs = append(f.IDs, it.ID)
			}
			f.Items = append(f.Items, Item{
				Cand: ranking.Candidate{ID: it.ID, Publisher: it.Publisher, Topic: it.Topic, TimeSensitive: it.TimeSensitive,
					Flags: flags, Ref: int32(len(f.Items)), Ordinal: o},
				Slate: n, Src: it,
			})
		}
		sl.End = int32(len(f.Items))
		f.Slates = append(f.Slates, sl)
		return n
	}
	for _, sec := range s.List {
		e := Entry{Base: slate(sec), Alt: -1}
		if alt := sec.Alternate; alt != nil && alt.Variant == 5050 {
			e.Alt = slate(alt)
		}
		if sec.ID == BriefingID {
			f.Briefing = e
			continue
		}
		if p, ok := f.index[sec.ID]; ok {
			f.Dict[p] = e
			continue
		}
		f.index[sec.ID] = int32(len(f.Dict))
		f.Dict = append(f.Dict, e)
	}
	return f
}

// itemFlags is how map_corpus_section_to_section marks a section's stories: headlines and
// world-cup stories by name, and the stories of ML sections that are not one of the legacy
// topics as subtopic stories (kept out of Popular Today, ranked pessimistically).
func itemFlags(sl *Slate) ranking.Flags {
	switch {
	case sl.ID == headlinesID:
		return ranking.Headlines
	case strings.HasPrefix(sl.ID, "worldcup"):
		return ranking.WorldCup
	case !sl.Legacy && !sl.Manual:
		return ranking.Subtopic
	}
	return 0
}
