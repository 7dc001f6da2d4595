// The mars backend: it loads AMP suggestions from MARS, Mozilla's ads service, as merino-py's MARS
// backend does (reference/merino-py.md §3.1.1): one GET of `<base_url>data?country=C&
// form_factor=ff` per configured segment, with If-None-Match, each response building that
// segment's keyword index. The parser of the suggestion objects is shared with the Remote
// Settings loader, whose attachments hold the same objects.

package adm

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"runtime"
	"strings"
	"unicode/utf8"

	"github.com/bytedance/sonic"

	"github.com/mozilla-services/merino-go/httpurl"
	"github.com/mozilla-services/merino-go/index/keywords"
	"github.com/mozilla-services/merino-go/loaders"
)

// DefaultMARSPath is merino-py's mars.suggestion_url_path.
const DefaultMARSPath = "data"

// SegmentURL is the MARS URL of one segment: urljoin(base, path) with the country and form
// factor parameters, as merino-py's httpx call builds it.
func SegmentURL(base, path, country string, ff FormFactor) (string, error) {
	b, err := url.Parse(base)
	if err != nil || b.Host == "" || (b.Scheme != "http" && b.Scheme != "https") {
		return "", fmt.Errorf("cannot use %q as the MARS base URL: want an absolute http(s) URL", base)
	}
	ref, err := url.Parse(path)
	if err != nil {
		return "", fmt.Errorf("cannot use %q as the MARS path: %w", path, err)
	}
	u := b.ResolveReference(ref)
	v := u.Query()
	v.Set("country", country)
	v.Set("form_factor", ff.String())
	u.RawQuery = v.Encode()
	return u.String(), nil
}

// ParseOptions say which rules a suggestion array follows.
type ParseOptions struct {
	// Attachment relaxes the MARS schema to the one of Remote Settings attachments:
	// full_keywords, serp_categories, click_url and impression_url may be missing (the last
	// three are then left out of the output; full keywords are derived as Rust Merino did).
	Attachment bool
	// Icon maps a record's icon field to the URL served; nil serves it verbatim (MARS icons are
	// URLs).
	Icon func(id string) string
}

// ParseResponse parses a MARS response body, `{"suggestions":[...]}`. A body without the key
// is an error; an empty list is loaders.ErrEmpty (merino-py keeps the old index then too).
func ParseResponse(body []byte, icon func(string) string, log *slog.Logger) ([]Item, error) {
	if !utf8.Valid(body) {
		return nil, errors.New("not a MARS response: the body is not valid UTF-8")
	}
	suggestions, found, err := objectField(body, "suggestions")
	if err != nil {
		return nil, fmt.Errorf("not a MARS response: %s", short(err))
	}
	if !found {
		return nil, errors.New(`the MARS response has no "suggestions" key`)
	}
	switch string(bytes.TrimSpace(suggestions)) {
	case "null", "[]", "{}", `""`, "0", "false":
		// Python's `if not suggestions_list`.
		return nil, fmt.Errorf("%w (MARS returned no suggestions)", loaders.ErrEmpty)
	}
	// The whole body was checked for UTF-8 above; the suggestions are part of it.
	return parseItems(suggestions, ParseOptions{Icon: icon}, log)
}

// rawItem is a suggestion object as sent; pointers tell a missing or null field from an empty
// one, which serde (moz-merino-ext) rejects for required fields.
type rawItem struct {
	ID             *int32          `json:"id"`
	Advertiser     *string         `json:"advertiser"`
	IABCategory    *string         `json:"iab_category"`
	Keywords       *[]*string      `json:"keywords"`
	FullKeywords   json.RawMessage `json:"full_keywords"`
	Title          *string         `json:"title"`
	URL            *string         `json:"url"`
	ClickURL       *string         `json:"click_url"`
	ImpressionURL  *string         `json:"impression_url"`
	Icon           *string         `json:"icon"`
	SerpCategories json.RawMessage `json:"serp_categories"`
	Score          *float64        `json:"score"`
	HeaderText     *string         `json:"header_text"`
	SuggestionID   *string         `json:"suggestion_id"`
	TopPickPrefix  *string         `json:"top_pick_prefix"`
}

// ParseItems parses a JSON array of AMP suggestion objects. Under MARS rules (moz-merino-ext's
// OriginalAmp) a missing or mistyped required field fails the whole array, as it fails
// merino-py's segment build. A record that parses but that merino-py could not serialise (an
// invalid URL, category 11) is kept, marked unservable, and logged.
func ParseItems(data []byte, opts ParseOptions, log *slog.Logger) ([]Item, error) {
	if !utf8.Valid(data) {
		return nil, errors.New("the suggestions are not valid UTF-8")
	}
	return parseItems(data, opts, log)
}

// parseItems is ParseItems for data already known to be valid UTF-8.
func parseItems(data []byte, opts ParseOptions, log *slog.Logger) ([]Item, error) {
	elems, err := splitArray(data)
	if err != nil {
		return nil, fmt.Errorf("cannot parse the suggestions: %s", short(err))
	}
	items := make([]Item, 0, len(elems))
	for i, elem := range elems {
		if i%64 == 63 {
			runtime.Gosched() // let requests in: this runs beside the serving goroutines
		}
		var raw rawItem
		if err := sonic.ConfigStd.Unmarshal(elem, &raw); err != nil {
			return nil, fmt.Errorf("cannot parse the suggestions: suggestion %d: %s", i, short(err))
		}
		it, err := item(&raw, opts)
		if err != nil {
			return nil, fmt.Errorf("suggestion %d: %w", i, err)
		}
		if it.Unservable != "" && log != nil {
			log.Warn("an AMP suggestion cannot be served", "block_id", it.BlockID, "reason", it.Unservable)
		}
		items = append(items, it)
	}
	return items, nil
}

func item(r *rawItem, opts ParseOptions) (Item, error) {
	var it Item
	missing := func(name string) error { return fmt.Errorf("missing field %q", name) }
	if r.ID == nil {
		return it, missing("id")
	}
	it.BlockID = *r.ID
	for _, f := range []struct {
		name string
		p    *string
		dst  *string
	}{
		{"advertiser", r.Advertiser, &it.Advertiser},
		{"iab_category", r.IABCategory, &it.IABCategory},
		{"title", r.Title, &it.Title},
		{"url", r.URL, nil},
		{"icon", r.Icon, &it.Icon},
	} {
		if f.p == nil {
			return it, missing(f.name)
		}
		if f.dst != nil {
			*f.dst = *f.p
		}
	}
	if r.Keywords == nil {
		return it, missing("keywords")
	}
	it.Keywords = make([]string, len(*r.Keywords))
	for i, k := range *r.Keywords {
		if k == nil {
			return it, fmt.Errorf("keywords[%d] is null", i)
		}
		it.Keywords[i] = *k
	}
	if !opts.Attachment {
		if r.ClickURL == nil {
			return it, missing("click_url")
		}
		if r.ImpressionURL == nil {
			return it, missing("impression_url")
		}
	}
	switch fk := strings.TrimSpace(string(r.FullKeywords)); {
	case fk == "" || (fk == "null" && opts.Attachment):
		if opts.Attachment {
			it.FullKeywords = deriveFullKeywords(it.Keywords)
		}
		// MARS rules: serde's default is an empty list, which leaves the record without a
		// single matchable keyword (the zip with keywords stops at once). Kept as is.
	default:
		var err error
		if it.FullKeywords, err = parseFullKeywords(r.FullKeywords); err != nil {
			return it, err
		}
	}
	switch sc := strings.TrimSpace(string(r.SerpCategories)); {
	case sc == "" || (sc == "null" && opts.Attachment):
		if !opts.Attachment {
			return it, missing("serp_categories")
		}
	default:
		var cats []*int32
		if err := sonic.ConfigStd.Unmarshal(r.SerpCategories, &cats); err != nil || cats == nil {
			return it, errors.New(`"serp_categories" must be a list of integers`)
		}
		it.HasCategories = true
		it.Categories = make([]int64, len(cats))
		for i, c := range cats {
			if c == nil {
				return it, fmt.Errorf("serp_categories[%d] is null", i)
			}
			it.Categories[i] = int64(*c)
			if !validCategory(*c) && it.Unservable == "" {
				it.Unservable = fmt.Sprintf("serp_categories holds %d, which is not a category", *c)
			}
		}
	}
	it.HeaderText, it.SuggestionID, it.TopPickPrefix = r.HeaderText, r.SuggestionID, r.TopPickPrefix

	// pydantic validates the URLs when the suggestion is built, per request: a bad one fails
	// that request's adm result, not the index.
	unservable := func(err error) {
		if it.Unservable == "" {
			it.Unservable = err.Error()
		}
	}
	if u, err := httpurl.Normalize(*r.URL); err != nil {
		unservable(err)
	} else {
		it.URL = u
	}
	if r.ClickURL != nil {
		it.HasClickURL = true
		if u, err := httpurl.Normalize(*r.ClickURL); err != nil {
			unservable(err)
		} else {
			it.ClickURL = u
		}
	}
	if r.ImpressionURL != nil {
		it.HasImpressionURL = true
		if u, err := httpurl.Normalize(*r.ImpressionURL); err != nil {
			unservable(err)
		} else {
			it.ImpressionURL = u
		}
	}
	if opts.Icon != nil {
		it.Icon = opts.Icon(it.Icon)
	}
	return it, nil
}

// validCategory reports whether c is a member of merino-py's Category enum (0..19 without the
// removed 11 Health).
func validCategory(c int32) bool { return c >= 0 && c <= 19 && c != 11 }

// parseFullKeywords reads the RLE list `[[full_keyword, repeat], ...]` with serde's tuple
// rules: exactly two elements, a string and a non-negative integer.
func parseFullKeywords(data []byte) ([]keywords.FullKeyword, error) {
	var pairs []json.RawMessage
	if err := sonic.ConfigStd.Unmarshal(data, &pairs); err != nil || pairs == nil {
		return nil, errors.New(`"full_keywords" must be a list of [keyword, count] pairs`)
	}
	out := make([]keywords.FullKeyword, len(pairs))
	for i, p := range pairs {
		var pair []json.RawMessage
		if err := sonic.ConfigStd.Unmarshal(p, &pair); err != nil || len(pair) != 2 {
			return nil, fmt.Errorf("full_keywords[%d] must be a [keyword, count] pair", i)
		}
		var kw *string
		var n *uint64
		if sonic.ConfigStd.Unmarshal(pair[0], &kw) != nil || kw == nil ||
			sonic.ConfigStd.Unmarshal(pair[1], &n) != nil || n == nil {
			return nil, fmt.Errorf("full_keywords[%d] must be a [keyword, count] pair", i)
		}
		out[i] = keywords.FullKeyword{Keyword: *kw, Repeat: *n}
	}
	return out, nil
}

// maxDerive bounds the keyword lists whose full keywords are derived pairwise (quadratic).
const maxDerive = 4096

// deriveFullKeywords computes, for attachments without full_keywords, each keyword's full
// keyword the way Rust Merino's Remote Settings provider did (get_full_keyword): the first
// longer keyword with more words than the partial one gives that many words; else the longest
// keyword extending it; else the keyword itself.
func deriveFullKeywords(kws []string) []keywords.FullKeyword {
	out := make([]keywords.FullKeyword, 0, len(kws))
	for _, k := range kws {
		full := k
		if len(kws) <= maxDerive {
			full = fullKeyword(k, kws)
		}
		if n := len(out); n > 0 && out[n-1].Keyword == full {
			out[n-1].Repeat++
			continue
		}
		out = append(out, keywords.FullKeyword{Keyword: full, Repeat: 1})
	}
	return out
}

func fullKeyword(partial string, all []string) string {
	n := len(strings.Fields(partial))
	for _, k := range all {
		if strings.HasPrefix(k, partial) {
			if w := strings.Fields(k); len(w) > n {
				return strings.Join(w[:n], " ")
			}
		}
	}
	best, found := partial, false
	for _, k := range all {
		if strings.HasPrefix(k, partial) && (!found || len(k) >= len(best)) {
			best, found = k, true
		}
	}
	return best
}

// short condenses a decoder error to its first line: sonic quotes the input around the error
// position on the lines after.
func short(err error) string {
	msg := err.Error()
	if i := strings.IndexByte(msg, '\n'); i >= 0 {
		msg = strings.TrimSpace(msg[:i])
	}
	if len(msg) > 200 {
		msg = msg[:200] + "..."
	}
	return msg
}
