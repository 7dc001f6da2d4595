package curated

import (
	"crypto/sha256"
	"math/big"

	"github.com/mozilla-services/merino-go/curated/corpus"
	"github.com/mozilla-services/merino-go/curated/ranking"
	"github.com/mozilla-services/merino-go/curated/surface"
	"github.com/mozilla-services/merino-go/httpurl"
	"github.com/mozilla-services/merino-go/jsonw"
)

// A feed is one surface's corpus response made ready to serve: built once per refresh, then
// read by every request without change. Each story is pre-rendered in every shape a response
// may need; a request only ranks candidates and splices in ranks.

// flatItem is a story of a flat feed (the data list and the legacy endpoints).
type flatItem struct {
	cand ranking.Candidate // the ranking template: Ref is this item's index
	// ordinal numbers the surface's distinct corpus ids (for de-duplication).
	ordinal int32
	// head is the CuratedRecommendation object up to `"receivedRank":`, tail from
	// `,"serverScore":` to the closing brace.
	head, tail []byte
	// legacy115 and legacy114 are the objects of the two legacy endpoints.
	legacy115, legacy114 []byte
	title, url           string // for the takedown log line
}

// scheduledFeed is a ScheduledSurface response.
type scheduledFeed struct {
	items []flatItem
}

// flatSection is one canonical section of a GetSections response, for the flattened feed.
type flatSection struct {
	id             string
	legacy, manual bool
	// base and alt index the section's items (de-duplicated) in sectionsFeed.items; alt is
	// used when the section has a 50/50 alternate slate.
	base, alt [2]int32
	has5050   bool
}

// sectionsFeed is a GetSections response.
type sectionsFeed struct {
	items    []flatItem
	sections []flatSection // without daily-briefing
	// legacyDict lists, for each legacy-topic section id in order of first appearance, the
	// index of the last section with that id: merino-py builds a dict from the list, which
	// keeps the first position and the last content.
	legacyDict []int
	ordinals   int
}

// Tile ids: MIN_TILE_ID + sha256(id) mod (MAX_TILE_ID - MIN_TILE_ID), so that Firefox's
// JavaScript numbers hold them and they stay clear of the old database's ids.
const (
	minTileID = 10_000_000
	maxTileID = 1<<53 - 1
)

var tileRange = big.NewInt(maxTileID - minTileID)

// TileID is merino-py's CuratedRecommendation._integer_hash.
func TileID(id string) int64 {
	sum := sha256.Sum256([]byte(id))
	n := new(big.Int).SetBytes(sum[:])
	return minTileID + n.Mod(n, tileRange).Int64()
}

// renderItem pre-renders it; sid is the scheduledCorpusItemId written and hashed into the tile
// id; sectionFeature adds the "s_<id>" feature ("" for none).
func renderItem(it *corpus.Item, sid, sectionFeature string) flatItem {
	tile := TileID(sid)
	var h []byte
	h = append(h, `{"corpusItemId":`...)
	h = jsonw.AppendString(h, it.ID)
	h = append(h, `,"scheduledCorpusItemId":`...)
	h = jsonw.AppendString(h, sid)
	h = append(h, `,"url":`...)
	h = jsonw.AppendString(h, it.URL)
	h = append(h, `,"title":`...)
	h = jsonw.AppendString(h, it.Title)
	h = append(h, `,"excerpt":`...)
	h = jsonw.AppendString(h, it.Excerpt)
	h = append(h, `,"topic":`...)
	h = appendTopic(h, it.Topic)
	h = append(h, `,"publisher":`...)
	h = jsonw.AppendString(h, it.Publisher)
	h = append(h, `,"isTimeSensitive":`...)
	h = jsonw.AppendBool(h, it.TimeSensitive)
	h = append(h, `,"imageUrl":`...)
	h = jsonw.AppendString(h, it.ImageURL)
	h = append(h, `,"iconUrl":`...)
	h = appendOptString(h, it.IconURL)
	h = append(h, `,"tileId":`...)
	h = jsonw.AppendInt(h, tile)
	h = append(h, `,"receivedRank":`...)

	t := []byte(`,"serverScore":null,"features":{`)
	if sectionFeature != "" {
		t = jsonw.AppendString(t, "s_"+sectionFeature)
		t = append(t, ":1.0"...)
	}
	if it.Topic != surface.NoTopic {
		if sectionFeature != "" {
			t = append(t, ',')
		}
		t = jsonw.AppendString(t, "t_"+it.Topic.String())
		t = append(t, ":1.0"...)
	}
	t = append(t, "}}"...)

	var l115 []byte
	l115 = append(l115, `{"__typename":"Recommendation","recommendationId":`...)
	l115 = jsonw.AppendString(l115, it.ID)
	l115 = append(l115, `,"tileId":`...)
	l115 = jsonw.AppendInt(l115, tile)
	l115 = append(l115, `,"url":`...)
	l115 = jsonw.AppendString(l115, it.URL)
	l115 = append(l115, `,"title":`...)
	l115 = jsonw.AppendString(l115, it.Title)
	l115 = append(l115, `,"excerpt":`...)
	l115 = jsonw.AppendString(l115, it.Excerpt)
	l115 = append(l115, `,"publisher":`...)
	l115 = jsonw.AppendString(l115, it.Publisher)
	l115 = append(l115, `,"imageUrl":`...)
	l115 = jsonw.AppendString(l115, it.ImageURL)
	l115 = append(l115, '}')

	var l114 []byte
	l114 = append(l114, `{"id":`...)
	l114 = jsonw.AppendInt(l114, tile)
	l114 = append(l114, `,"title":`...)
	l114 = jsonw.AppendString(l114, it.Title)
	l114 = append(l114, `,"url":`...)
	l114 = jsonw.AppendString(l114, it.URL)
	l114 = append(l114, `,"excerpt":`...)
	l114 = jsonw.AppendString(l114, it.Excerpt)
	l114 = append(l114, `,"domain":`...)
	l114 = jsonw.AppendString(l114, it.Publisher)
	l114 = append(l114, `,"image_src":`...)
	l114 = jsonw.AppendString(l114, CDNImageURL(it.ImageURL))
	l114 = append(l114, `,"raw_image_src":`...)
	l114 = jsonw.AppendString(l114, it.ImageURL)
	l114 = append(l114, '}')

	return flatItem{
		cand: ranking.Candidate{ID: it.ID, Publisher: it.Publisher, Topic: it.Topic, TimeSensitive: it.TimeSensitive},
		head: h, tail: t, legacy115: l115, legacy114: l114, title: it.Title, url: it.URL,
	}
}

func appendTopic(dst []byte, t surface.Topic) []byte {
	if t == surface.NoTopic {
		return append(dst, "null"...)
	}
	return jsonw.AppendString(dst, t.String())
}

func appendOptString(dst []byte, s string) []byte {
	if s == "" {
		return append(dst, "null"...)
	}
	return jsonw.AppendString(dst, s)
}

// CDNImageURL is merino-py's transform_image_url_to_pocket_cdn: the image URL quoted with
// nothing safe, inside Pocket's image CDN URL, normalised as HttpUrl.
func CDNImageURL(img string) string {
	u := "https://img-getpocket.cdn.mozilla.net/direct?url=" + httpurl.Quote(img, "") + "&resize=w450"
	if n, err := httpurl.Normalize(u); err == nil {
		return n
	}
	return u
}

// newScheduledFeed renders a ScheduledSurface response.
func newScheduledFeed(s *corpus.Scheduled) *scheduledFeed {
	f := &scheduledFeed{items: make([]flatItem, len(s.Items))}
	for i := range s.Items {
		f.items[i] = renderItem(&s.Items[i], s.Items[i].ScheduledID, "")
		f.items[i].cand.Ref = int32(i)
		f.items[i].ordinal = int32(i)
	}
	return f
}

// newSectionsFeed renders a GetSections response for the flattened feed.
func newSectionsFeed(s *corpus.Sections) *sectionsFeed {
	f := &sectionsFeed{}
	ordinals := map[string]int32{}
	add := func(sec *corpus.Section, legacy bool) [2]int32 {
		start := int32(len(f.items))
		seen := map[string]bool{}
		feature := sec.ID
		if sec.Manual {
			feature = ""
		}
		for i := range sec.Items {
			it := &sec.Items[i]
			if seen[it.ID] {
				continue
			}
			seen[it.ID] = true
			fi := renderItem(it, it.ID, feature)
			o, ok := ordinals[it.ID]
			if !ok {
				o = int32(len(ordinals))
				ordinals[it.ID] = o
			}
			fi.ordinal = o
			fi.cand.Ref = int32(len(f.items))
			f.items = append(f.items, fi)
		}
		return [2]int32{start, int32(len(f.items))}
	}
	firstPos := map[string]int{}
	for _, sec := range s.List {
		if sec.ID == "daily-briefing" {
			continue
		}
		legacy := surface.IsLegacySection(sec.ID)
		fs := flatSection{id: sec.ID, legacy: legacy, manual: sec.Manual}
		fs.base = add(sec, legacy)
		if alt := sec.Alternate; alt != nil && alt.Variant == 5050 {
			fs.has5050 = true
			fs.alt = add(alt, legacy)
		}
		idx := len(f.sections)
		f.sections = append(f.sections, fs)
		if !legacy {
			continue
		}
		if p, ok := firstPos[sec.ID]; ok {
			f.legacyDict[p] = idx
		} else {
			firstPos[sec.ID] = len(f.legacyDict)
			f.legacyDict = append(f.legacyDict, idx)
		}
	}
	f.ordinals = len(ordinals)
	return f
}
