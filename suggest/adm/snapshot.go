package adm

import (
	"runtime"
	"strconv"

	"github.com/mozilla-services/merino-go/index/keywords"
	"github.com/mozilla-services/merino-go/jsonw"
	"github.com/mozilla-services/merino-go/suggest"
)

// Shopping is the IAB category that makes a suggestion sponsored (merino-py's
// IABCategory.SHOPPING); every other category is non-sponsored.
const Shopping = "22 - Shopping"

// MissingIcon is the icon merino-py serves when a suggestion's icon id has no icon
// (MISSING_ICON_ID).
const MissingIcon = "-1"

// Item is one AMP suggestion record, parsed and checked by a loader. URLs are already in
// pydantic HttpUrl form; Icon is the icon URL to serve.
type Item struct {
	BlockID     int32
	Advertiser  string
	Title       string
	URL         string
	IABCategory string
	Icon        string
	// ClickURL and ImpressionURL are left out of the JSON when their Has flag is false (only
	// Remote Settings attachments may lack them; MARS requires both).
	ClickURL, ImpressionURL       string
	HasClickURL, HasImpressionURL bool
	// Categories are serp_categories; HasCategories false leaves `categories` out.
	Categories    []int64
	HasCategories bool
	// HeaderText, SuggestionID and TopPickPrefix are nil when the record has none.
	HeaderText    *string
	SuggestionID  *string
	TopPickPrefix *string

	Keywords     []string
	FullKeywords []keywords.FullKeyword

	// Unservable, when not empty, says why merino-py would fail to serialise this record (an
	// invalid URL, a removed category): it keeps its keywords, and a query that selects it
	// answers nothing, as merino-py's failing provider task does.
	Unservable string
}

// rendered is one suggestion's JSON, cut around the parts a request fills in.
type rendered struct {
	head []byte
	// tail[1] is used when the query starts with the record's top_pick_prefix.
	tail      [2][]byte
	rest      []byte
	topPick   []byte // nil: no top_pick_prefix
	hasTP     bool
	blockID   int32
	servable  bool
	sponsored bool
}

// Snapshot is one segment's immutable index and rendered suggestions.
type Snapshot struct {
	index *keywords.Index
	sugs  []rendered
	// Unservable counts records merino-py would fail to serialise.
	Unservable int
}

// NewSnapshot indexes the items in order (a later item's identical keyword wins, as in
// moz-merino-ext) and renders each suggestion's JSON for the provider id.
func NewSnapshot(items []Item, providerID string, opts keywords.Options) *Snapshot {
	b := keywords.NewBuilder()
	s := &Snapshot{sugs: make([]rendered, len(items))}
	for i := range items {
		if i%64 == 63 {
			runtime.Gosched() // a rebuild runs beside the serving goroutines: let them in
		}
		it := &items[i]
		b.Add(it.Keywords, it.FullKeywords)
		s.sugs[i] = render(it, providerID)
		if !s.sugs[i].servable {
			s.Unservable++
		}
	}
	s.index = b.Build(opts)
	return s
}

// Stats returns the keyword index's counts and memory.
func (s *Snapshot) Stats() keywords.Stats { return s.index.Stats() }

// Len is the number of suggestions.
func (s *Snapshot) Len() int { return len(s.sugs) }

// render writes the suggestion as merino-py's SponsoredSuggestion / NonsponsoredSuggestion
// serialise: BaseSuggestion's fields (title, url, provider, is_sponsored, score, icon,
// custom_details, categories, is_top_pick), then block_id, full_keyword, advertiser,
// impression_url, click_url; None fields left out.
func render(it *Item, providerID string) rendered {
	r := rendered{blockID: it.BlockID, servable: it.Unservable == "", sponsored: it.IABCategory == Shopping}
	r.head = suggest.AppendHead(nil, it.Title, it.URL, providerID, r.sponsored)

	var t []byte
	t = append(t, `,"icon":`...)
	t = jsonw.AppendString(t, it.Icon)
	if it.HeaderText != nil || it.SuggestionID != nil {
		t = append(t, `,"custom_details":{"amp":{`...)
		if it.HeaderText != nil {
			t = append(t, `"header_text":`...)
			t = jsonw.AppendString(t, *it.HeaderText)
		}
		if it.SuggestionID != nil {
			if it.HeaderText != nil {
				t = append(t, ',')
			}
			t = append(t, `"suggestion_id":`...)
			t = jsonw.AppendString(t, *it.SuggestionID)
		}
		t = append(t, `}}`...)
	}
	if it.HasCategories {
		t = append(t, `,"categories":`...)
		t = jsonw.AppendIntList(t, it.Categories)
	}
	end := strconv.AppendInt([]byte(`,"block_id":`), int64(it.BlockID), 10)
	end = append(end, `,"full_keyword":`...)
	r.tail[0] = append(append(append([]byte(nil), t...), `,"is_top_pick":false`...), end...)
	r.tail[1] = r.tail[0]
	if it.TopPickPrefix != nil {
		r.hasTP = true
		r.topPick = []byte(*it.TopPickPrefix)
		r.tail[1] = append(append(append([]byte(nil), t...), `,"is_top_pick":true`...), end...)
	}

	rest := jsonw.AppendMember(nil, "advertiser", it.Advertiser)
	if it.HasImpressionURL {
		rest = jsonw.AppendMember(rest, "impression_url", it.ImpressionURL)
	}
	if it.HasClickURL {
		rest = jsonw.AppendMember(rest, "click_url", it.ClickURL)
	}
	r.rest = append(rest, '}')
	return r
}
