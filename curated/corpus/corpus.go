// Package corpus reads Mozilla's curated corpus, the stories New Tab recommends, from the
// curated-corpus GraphQL API (merino-py's corpus_backends): the ScheduledSurface query (the
// items scheduled for a surface's day) and the GetSections query (the sections of a surface).
//
// A Client sends a query through a Transport (the GraphQL API over HTTP, or recorded responses
// in a directory), retries failures with exponential backoff and jitter, guards the sections
// query with a circuit breaker, and parses the response into immutable values: URLs with the
// surface's utm_source and pydantic's normalisation, topics mapped, icons from the favicon
// manifest. A Cache keeps one value per key fresh (stale-while-revalidate, a randomised TTL,
// one upstream call however many requests wait).
//
// One deliberate difference from merino-py: a malformed item is skipped and counted
// (merino_corpus_api_items_skipped_total) instead of failing the whole response.
package corpus

import (
	"github.com/mozilla-services/merino-go/curated/surface"
)

// Query is one of the corpus API's queries.
type Query uint8

// The queries.
const (
	ScheduledSurface Query = iota
	GetSections
)

// String is the query's metric label: scheduled_surface or get_sections.
func (q Query) String() string {
	if q == GetSections {
		return "get_sections"
	}
	return "scheduled_surface"
}

// Item is one story, read-only once parsed.
type Item struct {
	// ID is the corpus item id; ScheduledID the scheduled item's id (ScheduledSurface only).
	ID, ScheduledID string
	// URL carries the surface's utm_source and is normalised as pydantic's HttpUrl.
	URL                       string
	Title, Excerpt, Publisher string
	Topic                     surface.Topic
	TimeSensitive             bool
	// ImageURL is normalised; IconURL is the manifest's icon for URL's domain, "" for none.
	ImageURL, IconURL string
}

// IAB is a section's IAB metadata.
type IAB struct {
	Taxonomy   string
	Categories []string
}

// Section is one section of a GetSections response.
type Section struct {
	// ID is the externalId without its locale suffix and experiment marker (food__lEN_GB → food).
	ID string
	// Variant is the experiment variant from an "__exp<digits>" marker; 0 for a canonical section.
	Variant int
	Title   string
	// Description, HeroTitle and HeroSubtitle are nil when absent (null).
	Description, HeroTitle, HeroSubtitle *string
	IAB                                  *IAB
	// Manual is createSource MANUAL (a curated section); false for ML.
	Manual               bool
	Followable, AllowAds bool
	Items                []Item
	// Alternate is the 50/50 (or other variant) slate competing with this canonical section.
	Alternate *Section
}

// Sections is a parsed GetSections response: the canonical sections in response order,
// duplicates included, alternates attached.
type Sections struct {
	List []*Section
	// Skipped counts the malformed items left out.
	Skipped int
}

// Scheduled is a parsed ScheduledSurface response.
type Scheduled struct {
	Items   []Item
	Skipped int
}

// Icons finds a story's icon: the favicon manifest (*manifest.Holder).
type Icons interface {
	Icon(pageURL string) string
}
