package corpus

import (
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"

	"github.com/bytedance/sonic"

	"github.com/mozilla-services/merino-go/curated/surface"
	"github.com/mozilla-services/merino-go/httpurl"
)

// GraphQLError is a response with an "errors" member (even with HTTP 200).
type GraphQLError struct {
	Query  Query
	Errors string // the errors member, as sent
}

func (e *GraphQLError) Error() string {
	if e.Query == GetSections {
		return "Sections API returned GraphQL errors " + e.Errors
	}
	return "curated-corpus-api returned GraphQL errors " + e.Errors
}

// MalformedError is a body that is not JSON (merino-py's ValueError from res.json()).
type MalformedError struct{ Err error }

func (e *MalformedError) Error() string {
	return "the corpus API answered with invalid JSON: " + e.Err.Error()
}
func (e *MalformedError) Unwrap() error { return e.Err }

// ShapeError is JSON that is not the query's response (a missing member, a section that
// fails validation): merino-py's KeyError or ValidationError, never retried.
type ShapeError struct{ Msg string }

func (e *ShapeError) Error() string { return "unexpected corpus API response: " + e.Msg }

var errNotObject = errors.New("not an object")

type rawItem = sonic.NoCopyRawMessage

// checkErrors decodes the top level and returns the data member, or the GraphQL error.
func checkErrors(q Query, body []byte) (rawItem, error) {
	var top map[string]rawItem
	if err := sonic.ConfigStd.Unmarshal(body, &top); err != nil {
		return nil, &MalformedError{Err: err}
	}
	if top == nil {
		return nil, &ShapeError{Msg: "the body is not an object"}
	}
	if errs, ok := top["errors"]; ok {
		return nil, &GraphQLError{Query: q, Errors: string(errs)}
	}
	data, ok := top["data"]
	if !ok {
		return nil, &ShapeError{Msg: `no "data" member`}
	}
	return data, nil
}

// ParseScheduled reads a ScheduledSurface response body for surface s.
func ParseScheduled(body []byte, s *surface.Surface, icons Icons, log *slog.Logger) (*Scheduled, error) {
	data, err := checkErrors(ScheduledSurface, body)
	if err != nil {
		return nil, err
	}
	var d struct {
		ScheduledSurface *struct {
			Items *[]rawItem `json:"items"`
		} `json:"scheduledSurface"`
	}
	if err := sonic.ConfigStd.Unmarshal(data, &d); err != nil || d.ScheduledSurface == nil || d.ScheduledSurface.Items == nil {
		return nil, &ShapeError{Msg: "data.scheduledSurface.items is missing or not a list"}
	}
	out := &Scheduled{Items: make([]Item, 0, len(*d.ScheduledSurface.Items))}
	for i, raw := range *d.ScheduledSurface.Items {
		var si struct {
			ID         *string `json:"id"`
			CorpusItem rawItem `json:"corpusItem"`
		}
		err := sonic.ConfigStd.Unmarshal(raw, &si)
		if err == nil && si.ID == nil {
			err = errors.New(`"id" is missing or not a string`)
		}
		var it Item
		if err == nil {
			it, err = buildItem(si.CorpusItem, s, icons)
		}
		if err != nil {
			out.Skipped++
			log.Warn("skipping a malformed corpus item", "query", "scheduled_surface", "surface", string(s.ID), "index", i, "error", err.Error())
			continue
		}
		it.ScheduledID = *si.ID
		out.Items = append(out.Items, it)
	}
	return out, nil
}

// ParseSections reads a GetSections response body for surface s (merino-py's
// SectionsBackend.fetch after the HTTP call).
func ParseSections(body []byte, s *surface.Surface, icons Icons, log *slog.Logger) (*Sections, error) {
	data, err := checkErrors(GetSections, body)
	if err != nil {
		return nil, err
	}
	var d struct {
		GetSections *[]rawItem `json:"getSections"`
	}
	if err := sonic.ConfigStd.Unmarshal(data, &d); err != nil || d.GetSections == nil {
		return nil, &ShapeError{Msg: "data.getSections is missing or not a list"}
	}
	out := &Sections{}
	var parsed []*Section
	for i, raw := range *d.GetSections {
		sec, skipped, err := parseSection(raw, s, icons, log)
		if err != nil {
			return nil, &ShapeError{Msg: fmt.Sprintf("section %d: %v", i, err)}
		}
		out.Skipped += skipped
		if sec != nil {
			parsed = append(parsed, sec)
		}
	}
	// Canonical sections in order, duplicates included; each variant attaches to the last
	// canonical section with its id, if that one has no alternate yet.
	last := map[string]*Section{}
	for _, sec := range parsed {
		if sec.Variant == 0 {
			out.List = append(out.List, sec)
			last[sec.ID] = sec
		}
	}
	for _, sec := range parsed {
		if sec.Variant != 0 {
			if base := last[sec.ID]; base != nil && base.Alternate == nil {
				base.Alternate = sec
			}
		}
	}
	return out, nil
}

func parseSection(raw rawItem, s *surface.Surface, icons Icons, log *slog.Logger) (*Section, int, error) {
	var r map[string]rawItem
	if err := sonic.ConfigStd.Unmarshal(raw, &r); err != nil || r == nil {
		return nil, 0, errNotObject
	}
	externalID, _ := optString(r["externalId"])
	if !truthy(r["active"]) || strings.HasSuffix(externalID, "_crawl") {
		log.Info("Skipping inactive section " + externalID + " for " + string(s.ID))
		return nil, 0, nil
	}
	if _, ok := r["externalId"]; !ok {
		return nil, 0, errors.New(`"externalId" is missing`)
	}
	sec := &Section{}
	var err error
	if externalID, err = reqString(r, "externalId"); err != nil {
		return nil, 0, err
	}
	sec.ID, sec.Variant = ParseSectionID(externalID)
	if sec.Title, err = reqString(r, "title"); err != nil {
		return nil, 0, err
	}
	for _, f := range []struct {
		key string
		dst **string
	}{{"description", &sec.Description}, {"heroTitle", &sec.HeroTitle}, {"heroDescription", &sec.HeroSubtitle}} {
		v, ok := r[f.key]
		if !ok || string(v) == "null" {
			continue
		}
		str, ok := optString(v)
		if !ok {
			return nil, 0, fmt.Errorf("%q is not a string", f.key)
		}
		*f.dst = &str
	}
	if v, ok := r["iab"]; !ok {
		return nil, 0, errors.New(`"iab" is missing`)
	} else if string(v) != "null" {
		var iab struct {
			Taxonomy   *string   `json:"taxonomy"`
			Categories *[]string `json:"categories"`
		}
		if sonic.ConfigStd.Unmarshal(v, &iab) != nil || iab.Categories == nil {
			return nil, 0, errors.New(`"iab" is not {taxonomy, categories}`)
		}
		sec.IAB = &IAB{Taxonomy: "IAB-3.0", Categories: *iab.Categories}
		if iab.Taxonomy != nil {
			sec.IAB.Taxonomy = *iab.Taxonomy
		}
	}
	switch src, _ := reqString(r, "createSource"); src {
	case "ML":
	case "MANUAL":
		sec.Manual = true
	default:
		return nil, 0, fmt.Errorf("createSource %q is neither ML nor MANUAL", src)
	}
	if sec.Followable, err = reqBool(r, "followable"); err != nil {
		return nil, 0, err
	}
	if sec.AllowAds, err = reqBool(r, "allowAds"); err != nil {
		return nil, 0, err
	}
	var items []struct {
		CorpusItem rawItem `json:"corpusItem"`
	}
	if sonic.ConfigStd.Unmarshal(r["sectionItems"], &items) != nil || items == nil {
		return nil, 0, errors.New(`"sectionItems" is missing or not a list`)
	}
	skipped := 0
	for i, si := range items {
		it, err := buildItem(si.CorpusItem, s, icons)
		if err != nil {
			skipped++
			log.Warn("skipping a malformed corpus item", "query", "get_sections", "surface", string(s.ID),
				"section", externalID, "index", i, "error", err.Error())
			continue
		}
		sec.Items = append(sec.Items, it)
	}
	return sec, skipped, nil
}

// ParseSectionID is merino-py's parse_section_external_id: the locale suffix ("__l...") cut,
// then the last "__exp<digits>" marker read as the experiment variant, else everything from the
// first "__" cut.
func ParseSectionID(raw string) (string, int) {
	id, _, _ := strings.Cut(raw, "__l")
	if i := strings.LastIndex(id, "__exp"); i > 0 {
		digits := id[i+len("__exp"):]
		if digits != "" && allDigits(digits) {
			if v, err := strconv.Atoi(digits); err == nil {
				return id[:i], v
			}
		}
	}
	base, _, _ := strings.Cut(id, "__")
	return base, 0
}

// allDigits is Python's str.isdigit for ASCII input.
func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// buildItem is merino-py's build_corpus_item, validated as its CorpusItem model.
func buildItem(raw rawItem, s *surface.Surface, icons Icons) (Item, error) {
	var c struct {
		ID              *string `json:"id"`
		URL             *string `json:"url"`
		Title           *string `json:"title"`
		Excerpt         *string `json:"excerpt"`
		Topic           *string `json:"topic"`
		Publisher       *string `json:"publisher"`
		IsTimeSensitive rawItem `json:"isTimeSensitive"`
		ImageURL        *string `json:"imageUrl"`
	}
	if err := sonic.ConfigStd.Unmarshal(raw, &c); err != nil {
		return Item{}, fmt.Errorf("not a corpus item: %w", err)
	}
	for _, f := range []struct {
		name string
		v    *string
	}{{"id", c.ID}, {"url", c.URL}, {"title", c.Title}, {"excerpt", c.Excerpt}, {"topic", c.Topic}, {"publisher", c.Publisher}, {"imageUrl", c.ImageURL}} {
		if f.v == nil {
			return Item{}, fmt.Errorf("%q is missing or not a string", f.name)
		}
	}
	ts, ok := laxBool(c.IsTimeSensitive)
	if !ok {
		return Item{}, errors.New(`"isTimeSensitive" is not a boolean`)
	}
	u := *c.URL
	if s.UTMSource != "" {
		u = SetUTMSource(u, s.UTMSource)
	}
	norm, err := httpurl.Normalize(u)
	if err != nil {
		return Item{}, fmt.Errorf(`"url": %w`, err)
	}
	img, err := httpurl.Normalize(*c.ImageURL)
	if err != nil {
		return Item{}, fmt.Errorf(`"imageUrl": %w`, err)
	}
	it := Item{
		ID: *c.ID, URL: norm, Title: *c.Title, Excerpt: *c.Excerpt, Publisher: *c.Publisher,
		Topic: surface.CorpusTopic(*c.Topic), TimeSensitive: ts, ImageURL: img,
	}
	if icons != nil {
		it.IconURL = icons.Icon(u)
	}
	return it, nil
}

func optString(raw rawItem) (string, bool) {
	var s *string
	if sonic.ConfigStd.Unmarshal(raw, &s) != nil || s == nil {
		return "", false
	}
	return *s, true
}

func reqString(r map[string]rawItem, key string) (string, error) {
	s, ok := optString(r[key])
	if !ok {
		return "", fmt.Errorf("%q is missing or not a string", key)
	}
	return s, nil
}

func reqBool(r map[string]rawItem, key string) (bool, error) {
	v, ok := laxBool(r[key])
	if !ok {
		return false, fmt.Errorf("%q is missing or not a boolean", key)
	}
	return v, nil
}

// laxBool reads a JSON boolean (pydantic would also take 0/1 and "true"/"false"; the API
// sends booleans).
func laxBool(raw rawItem) (bool, bool) {
	switch strings.TrimSpace(string(raw)) {
	case "true", "1", `"true"`:
		return true, true
	case "false", "0", `"false"`:
		return false, true
	}
	return false, false
}

// truthy is Python's truth value of a JSON value (section.get("active")).
func truthy(raw rawItem) bool {
	switch v := strings.TrimSpace(string(raw)); v {
	case "", "null", "false", "0", "0.0", `""`, "[]", "{}":
		return false
	default:
		if f, err := strconv.ParseFloat(v, 64); err == nil {
			return f != 0
		}
		return true
	}
}
