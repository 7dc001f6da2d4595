package curated

import (
	"bytes"
	"crypto/sha256"
	"math/big"
	"sync/atomic"

	"github.com/mozilla-services/merino-go/curated/corpus"
	"github.com/mozilla-services/merino-go/curated/engagement"
	"github.com/mozilla-services/merino-go/curated/ranking"
	"github.com/mozilla-services/merino-go/curated/sections"
	"github.com/mozilla-services/merino-go/curated/surface"
	"github.com/mozilla-services/merino-go/httpurl"
	"github.com/mozilla-services/merino-go/jsonw"
)

// A feed is one surface's corpus response made ready to serve: built once per refresh, then
// read by every request without change. Each story is pre-rendered in every shape a response
// may need; a request only ranks candidates and splices in ranks.

// flatItem is a story of a flat feed (the data list and the legacy endpoints).
type flatItem struct {
	// cand is the ranking template: Ref is this item's index, Ordinal numbers the
	// response's distinct corpus ids (for de-duplication and engagement views).
	cand ranking.Candidate
	// head is the CuratedRecommendation object up to `"receivedRank":`, tail from
	// `,"serverScore":` to the closing brace.
	head, tail []byte
	// legacy115 and legacy114 are the objects of the two legacy endpoints.
	legacy115, legacy114 []byte
	// secHead is the sections feed's object up to `"receivedRank":` (no scheduled id, no
	// tile id), features from `"features":` to the closing brace (in tail too).
	secHead, features []byte
	title, url        string // for the takedown log line
}

// scheduledFeed is a ScheduledSurface response.
type scheduledFeed struct {
	items []flatItem
}

// sectionsFeed is a GetSections response: the sections package's arrangement of it, every
// story rendered in both shapes (items[i] is feed.Items[i]), and each slate's metadata.
type sectionsFeed struct {
	feed  *sections.Feed
	items []flatItem
	// meta is, per slate, the Section object's members from title to heroSubtitle.
	meta [][]byte
	// view is the engagement of the feed's stories, rebuilt when the engagement changes.
	view atomic.Pointer[engagement.View]
}

// engagementView returns a view of s over the feed's stories, the one requests share while
// s is current.
func (f *sectionsFeed) engagementView(s *engagement.Snapshot) *engagement.View {
	v := f.view.Load()
	if v != nil && v.Snapshot() == s {
		return v
	}
	nv := engagement.NewView(s, f.feed.IDs)
	if f.view.CompareAndSwap(v, nv) {
		return nv
	}
	return f.view.Load()
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

	var sh []byte
	sh = append(sh, `{"corpusItemId":`...)
	sh = jsonw.AppendString(sh, it.ID)
	sh = append(sh, `,"scheduledCorpusItemId":null`...)
	sh = append(sh, h[bytes.Index(h, []byte(`,"url":`)):bytes.Index(h, []byte(`,"tileId":`))]...)
	sh = append(sh, `,"tileId":null,"receivedRank":`...)

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
		secHead: sh, features: t[len(`,"serverScore":null,`):],
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
		f.items[i].cand.Ordinal = int32(i)
	}
	return f
}

// newSectionsFeed arranges and renders a GetSections response.
func newSectionsFeed(s *corpus.Sections) *sectionsFeed {
	f := &sectionsFeed{feed: sections.Build(s)}
	f.items = make([]flatItem, len(f.feed.Items))
	for i := range f.feed.Items {
		it := &f.feed.Items[i]
		sl := &f.feed.Slates[it.Slate]
		feature := sl.ID
		if sl.Manual {
			feature = ""
		}
		f.items[i] = renderItem(it.Src, it.Src.ID, feature)
		f.items[i].cand = it.Cand
	}
	f.meta = make([][]byte, len(f.feed.Slates))
	for i := range f.feed.Slates {
		f.meta[i] = renderSectionMeta(f.feed.Slates[i].Src)
	}
	return f
}

// renderSectionMeta writes a Section's members from title to heroSubtitle.
func renderSectionMeta(sec *corpus.Section) []byte {
	b := []byte(`"title":`)
	b = jsonw.AppendString(b, sec.Title)
	b = append(b, `,"iab":`...)
	if sec.IAB == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, `{"taxonomy":`...)
		b = jsonw.AppendString(b, sec.IAB.Taxonomy)
		b = append(b, `,"categories":`...)
		b = jsonw.AppendStringList(b, sec.IAB.Categories)
		b = append(b, '}')
	}
	for _, f := range []struct {
		name string
		v    *string
	}{{"subtitle", sec.Description}, {"heroTitle", sec.HeroTitle}, {"heroSubtitle", sec.HeroSubtitle}} {
		b = append(b, `,"`...)
		b = append(b, f.name...)
		b = append(b, `":`...)
		if f.v == nil {
			b = append(b, "null"...)
		} else {
			b = jsonw.AppendString(b, *f.v)
		}
	}
	return b
}
