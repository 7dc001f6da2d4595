// Package suggest is the domain of Firefox Suggest: the request a browser sends, the
// suggestions providers answer with, and the fan-out that asks the chosen providers within
// their timeouts. It knows nothing of HTTP; the server fills a Request and writes the answer.
//
// A provider is a struct with its settings and an atomic pointer to its current snapshot. The
// loaders own building snapshots; the provider owns answering. Providers that are pure memory
// lookups run inline on the request goroutine; the others run concurrently under a deadline.
package suggest

import (
	"context"
	"encoding/json"
	"net/netip"
	"time"

	"github.com/mozilla-services/merino-go/flags"
	"github.com/mozilla-services/merino-go/geoip"
	"github.com/mozilla-services/merino-go/jsonw"
	"github.com/mozilla-services/merino-go/useragent"
)

// Request is one suggest request, parsed by the server. Requests are pooled: strings in it
// borrow the server's request buffers and are valid only until the response is written, so a
// provider that keeps anything beyond Query must copy it.
type Request struct {
	// Query is the raw `q` parameter (valid UTF-8). Providers normalise it themselves, as
	// merino-py's normalize_query does, without allocating where they can.
	Query string
	// Source is urlbar, newtab or unknown.
	Source string
	// RequestType is "", location or weather (the weather provider's parameter).
	RequestType string
	// Location is the client's geolocation (from its IP address). When the request carries
	// city, region and country, those replace Location.City, .Regions (the region parameter
	// split on commas) and .Country, the rest staying from the IP, as merino-py does.
	Location geoip.Location
	// ClientIP is the address geolocation looked up (invalid when there was none); the weather
	// provider asks the database for the city's localized names with it.
	ClientIP netip.Addr
	// HasLocation reports that the IP address was found in the database (merino-py's
	// Location then has a coordinates object, possibly with empty members).
	HasLocation bool
	// UserAgent is the parsed User-Agent header: browser, os_family, form_factor.
	UserAgent useragent.Info
	// Languages is the Accept-Language list, best first; never empty.
	Languages []string
	// IsSoftPII is set when the query holds a digit: providers still answer, logs are skipped.
	IsSoftPII bool
	// ClientVariants is the client_variants parameter split on commas.
	ClientVariants []string
	// Flags are this request's feature-flag decisions (nil: every flag off). They are valid
	// only while the request is; concurrent providers see nil.
	Flags *flags.Decisions
}

// Reset clears the request for reuse, keeping slice capacity.
func (r *Request) Reset() {
	loc := r.Location
	loc.Reset()
	*r = Request{
		Location:       loc,
		Languages:      r.Languages[:0],
		ClientVariants: r.ClientVariants[:0],
	}
}

// Suggestion is one answer, pre-rendered. Static providers render their suggestions to JSON
// once, at index build time; a request only splices the score and, where it varies, the
// full_keyword. All byte slices are read-only and owned by the provider's snapshot, which
// stays alive while a Suggestion refers to it.
//
// The JSON object (AppendJSON) is Head, the score, Details, Tail, then, when HasKeyword is
// set, Keyword (as a JSON string) and Rest. Head starts with `{"title":` and the title (the
// first field of merino-py's BaseSuggestion) and ends with `"score":`; the last part written
// ends with `}`.
//
// What the HTTP layer needs to know of an answer is in typed fields, never read back from
// the bytes: TTL (the response's max-age) and NoContent (a 204).
type Suggestion struct {
	Provider string
	Score    float64
	Head     []byte
	// Details is the custom_details member that follows the score (`,"custom_details":{…}`)
	// when it may be left out: merino-py strips it from a weather report that sets the
	// response's max-age. Most providers keep custom_details in Tail.
	Details    []byte
	Tail       []byte
	HasKeyword bool
	Keyword    string
	Rest       []byte
	// TTL, when HasTTL, is how many seconds the data behind the suggestion stays fresh
	// (merino-py's weather_report_ttl). The sole suggestion of a request for one provider
	// makes it the response's Cache-Control max-age, and is written without Details.
	TTL    int
	HasTTL bool
	// NoContent marks merino-py's "no location" sentinel: an answer made of it alone is a
	// 204 with no body. Elsewhere it is written like any suggestion.
	NoContent bool
}

// AppendHead appends what every suggestion's JSON starts with, merino-py's BaseSuggestion
// fields up to the score: `{"title":…,"url":…,"provider":…,"is_sponsored":…,"score":` (a
// Suggestion's Head, or its start). url is in pydantic HttpUrl form already.
func AppendHead(dst []byte, title, url, provider string, sponsored bool) []byte {
	dst = append(dst, `{"title":`...)
	dst = jsonw.AppendString(dst, title)
	dst = append(dst, `,"url":`...)
	dst = jsonw.AppendString(dst, url)
	dst = append(dst, `,"provider":`...)
	dst = jsonw.AppendString(dst, provider)
	dst = append(dst, `,"is_sponsored":`...)
	dst = jsonw.AppendBool(dst, sponsored)
	return append(dst, `,"score":`...)
}

// AppendJSON appends the suggestion's JSON object to dst.
func (s *Suggestion) AppendJSON(dst []byte) []byte {
	dst = append(dst, s.Head...)
	dst = jsonw.AppendFloat(dst, s.Score)
	dst = append(dst, s.Details...)
	dst = append(dst, s.Tail...)
	if s.HasKeyword {
		dst = jsonw.AppendString(dst, s.Keyword)
		dst = append(dst, s.Rest...)
	}
	return dst
}

// Availability is what /api/v1/providers reports for a provider.
type Availability uint8

// The availabilities of merino-py's ProviderResponse.
const (
	EnabledByDefault Availability = iota
	DisabledByDefault
	Hidden
)

// String returns merino-py's wire name of the availability.
func (a Availability) String() string {
	switch a {
	case EnabledByDefault:
		return "enabled_by_default"
	case DisabledByDefault:
		return "disabled_by_default"
	default:
		return "hidden"
	}
}

// AvailabilityOf is a provider's availability from its enabled_by_default setting.
func AvailabilityOf(enabledByDefault bool) Availability {
	if enabledByDefault {
		return EnabledByDefault
	}
	return DisabledByDefault
}

// Provider answers suggest requests. Implementations are safe for concurrent use.
type Provider interface {
	// ID is the configured id (the [providers.<id>] table name).
	ID() string
	// Availability says whether the provider answers requests that do not name it.
	Availability() Availability
	// Timeout is the provider's query_timeout_sec.
	Timeout() time.Duration
	// Inline reports whether Query is a pure in-memory lookup that never blocks. Inline
	// providers run on the request goroutine: a goroutine costs more than their lookup.
	Inline() bool
	// Validate checks a request before any provider is queried; an error (an *Error, usually
	// 400) fails the whole request, as merino-py's provider validate() does.
	Validate(req *Request) error
	// Query appends the provider's suggestions to dst. An error drops this provider's results
	// and nothing else. Query must not retain req or its strings.
	Query(ctx context.Context, req *Request, dst []Suggestion) ([]Suggestion, error)
}

// Title returns the suggestion's title, decoded from the JSON string Head starts with. A
// title without escapes (almost all) is returned as a slice of Head, valid as long as the
// suggestion is; one with escapes is decoded and appended to buf. ok is false when Head does
// not start with a title, which breaks Suggestion's contract.
func (s *Suggestion) Title(buf []byte) (title []byte, ok bool) {
	const prefix = `{"title":"`
	if len(s.Head) < len(prefix) || string(s.Head[:len(prefix)]) != prefix {
		return buf, false
	}
	rest := s.Head[len(prefix)-1:] // from the opening quote
	escaped := false
	for i := 1; i < len(rest); i++ {
		switch rest[i] {
		case '\\':
			escaped = true
			i++ // the escaped character
		case '"':
			if !escaped {
				return rest[1:i:i], true
			}
			var t string
			if json.Unmarshal(rest[:i+1], &t) != nil {
				return buf, false
			}
			return append(buf, t...), true
		}
	}
	return buf, false
}

// Base holds the settings every provider has, read by the provider kit for any type:
// [providers.<id>]'s id, enabled_by_default, score and query_timeout_sec. A provider's
// settings embed it, and the provider embeds its settings, so that ID, Availability,
// Timeout and Validate (which accepts every request) need no code of their own.
type Base struct {
	// Name is the provider's id: the [providers.<id>] table name, which `provider` fields,
	// `providers=` and metrics use (merino-py calls it the provider's name). A provider
	// nested in a tree has its top-level provider's id.
	Name             string
	EnabledByDefault bool
	Score            float64
	// QueryTimeout is query_timeout_sec.
	QueryTimeout time.Duration
}

// ID implements Provider.
func (b *Base) ID() string { return b.Name }

// Availability implements Provider.
func (b *Base) Availability() Availability { return AvailabilityOf(b.EnabledByDefault) }

// Timeout implements Provider.
func (b *Base) Timeout() time.Duration { return b.QueryTimeout }

// Validate implements Provider: by default a provider accepts every request.
func (b *Base) Validate(*Request) error { return nil }

// Suggestion is a suggestion of this provider, with its id and score, from pre-rendered
// parts.
func (b *Base) Suggestion(head, tail []byte) Suggestion {
	return Suggestion{Provider: b.Name, Score: b.Score, Head: head, Tail: tail}
}

// Common returns b: through embedding, the provider kit reaches the Base of any settings.
func (b *Base) Common() *Base { return b }

// Error is an error with the HTTP status and detail merino-py would answer with.
type Error struct {
	Status int
	Detail string
}

func (e *Error) Error() string { return e.Detail }
