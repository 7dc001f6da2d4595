package csvuploader

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/mozilla-services/merino-go/httpurl"
	"github.com/mozilla-services/merino-go/jsonw"
	"github.com/mozilla-services/merino-go/pycsv"
	"github.com/mozilla-services/merino-go/pystr"
)

// model turns the rows of a CSV file into suggestions: merino-py's Suggestion classes of
// merino/jobs/csv_rs_uploader (mdn.py, pocket.py, yelp.py).
type model interface {
	// check verifies that the header has every column the model reads.
	check(h *pycsv.Header) error
	// row validates one data row and returns its suggestion, or nil when the model collects
	// the whole file into one suggestion (yelp).
	row(h *pycsv.Header, rec []string) (jsonw.Object, error)
	// finish returns the suggestions collected over the rows (yelp's one), or nil.
	finish() []jsonw.Object
}

// models are the known --model-name values.
var models = map[string]func() model{
	"mdn": func() model {
		return &rowMajor{fields: []field{
			{"url", "url", urlField}, {"title", "title", stringField}, {"summary", "description", stringField}, {"keyword", "keywords", keywordsField},
		}}
	},
	"pocket": func() model {
		return &rowMajor{fields: []field{
			{"Collection URL", "url", urlField}, {"Collection Title", "title", stringField}, {"Collection Description", "description", stringField},
			{"Low-Confidence Keywords", "lowConfidenceKeywords", keywordsField}, {"High-Confidence Keywords", "highConfidenceKeywords", keywordsField},
		}, after: pocketDisjoint}
	},
	"yelp": func() model { return &yelp{} },
}

// fieldError is a problem with one field of a row, named by its JSON key (merino-py's
// pydantic field name).
type fieldError struct {
	key string
	err error
}

func (e *fieldError) Error() string { return e.key + ": " + e.err.Error() }

func (e *fieldError) Unwrap() error { return e.err }

var errEmpty = errors.New("must not be empty")

// field maps a CSV column to a suggestion key through a validator.
type field struct {
	column, key string
	parse       func(string) (any, error)
}

// rowMajor is merino-py's RowMajorBaseSuggestion: one suggestion per row, its keys in field
// order.
type rowMajor struct {
	fields []field
	// after validates the whole suggestion (pocket's keyword lists).
	after func(jsonw.Object) error
}

func (m *rowMajor) check(h *pycsv.Header) error {
	for _, f := range m.fields {
		if !h.Has(f.column) {
			return fmt.Errorf("expected CSV field `%s` is missing from the header", f.column)
		}
	}
	return nil
}

func (m *rowMajor) row(h *pycsv.Header, rec []string) (jsonw.Object, error) {
	s := make(jsonw.Object, 0, len(m.fields)+1)
	for _, f := range m.fields {
		raw, ok := h.Get(rec, f.column)
		if !ok {
			return nil, &fieldError{f.key, fmt.Errorf("missing: the row has %d fields, column %q is beyond them", len(rec), f.column)}
		}
		v, err := f.parse(raw)
		if err != nil {
			return nil, &fieldError{f.key, err}
		}
		s = append(s, jsonw.Member{Key: f.key, Value: v})
	}
	if m.after != nil {
		if err := m.after(s); err != nil {
			return nil, err
		}
	}
	return s, nil
}

func (m *rowMajor) finish() []jsonw.Object { return nil }

// stringField is merino-py's _validate_str: strip, then every run of white space becomes one
// space; empty is an error.
func stringField(v string) (any, error) {
	s := collapseSpace(pystr.TrimSpace(v))
	if s == "" {
		return nil, errEmpty
	}
	return s, nil
}

// collapseSpace is Python's re.sub(r"\s+", " ", s): \s is str.isspace().
func collapseSpace(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	inSpace := false
	for _, r := range s {
		if pystr.IsSpace(r) {
			if !inSpace {
				b.WriteByte(' ')
			}
			inSpace = true
			continue
		}
		inSpace = false
		b.WriteRune(r)
	}
	return b.String()
}

// keywordsField is merino-py's _validate_keywords: lower-case, collapse white space, ’ to ',
// split on commas, strip each, drop empty ones and duplicates, sort; none left is an error.
func keywordsField(v string) (any, error) {
	s := strings.ReplaceAll(collapseSpace(pystr.Lower(v)), "’", "'")
	var kws []string
	for _, kw := range strings.Split(s, ",") {
		if kw = pystr.TrimSpace(kw); kw != "" {
			kws = append(kws, kw)
		}
	}
	slices.Sort(kws)
	kws = slices.Compact(kws)
	if len(kws) == 0 {
		return nil, errEmpty
	}
	return kws, nil
}

// urlField is pydantic's HttpUrl: WHATWG parsing, http or https, serialised normalised.
func urlField(v string) (any, error) {
	u, err := httpurl.Normalize(v)
	if err != nil {
		return nil, err
	}
	return u, nil
}

// pocketDisjoint removes from the low-confidence keywords those also high-confidence; none
// left is an error.
func pocketDisjoint(s jsonw.Object) error {
	low := s[3].Value.([]string)
	high := s[4].Value.([]string)
	var kept []string
	for _, kw := range low {
		if !slices.Contains(high, kw) {
			kept = append(kept, kw)
		}
	}
	if len(kept) == 0 {
		return &fieldError{"lowConfidenceKeywords", errors.New("became empty after removing keywords that are also present in highConfidenceKeywords")}
	}
	s[3].Value = kept
	return nil
}

// yelp is merino-py's yelp.py: the whole file is one suggestion whose lists collect the
// non-empty cells of their columns in row order, unchanged.
type yelp struct {
	subjects, businessSubjects, preModifiers, postModifiers, yelpModifiers []string
	locationSigns                                                          []any
}

var yelpColumns = []string{"subjects", "business-subjects", "pre-modifiers", "post-modifiers", "location-modifiers", "location-signs", "yelp-modifiers"}

func (y *yelp) check(h *pycsv.Header) error {
	for _, c := range yelpColumns {
		if !h.Has(c) {
			return fmt.Errorf("expected CSV field `%s` is missing from the header", c)
		}
	}
	return nil
}

func (y *yelp) row(h *pycsv.Header, rec []string) (jsonw.Object, error) {
	cell := func(column string) string { v, _ := h.Get(rec, column); return v }
	add := func(list *[]string, column string) {
		if v := cell(column); v != "" {
			*list = append(*list, v)
		}
	}
	add(&y.subjects, "subjects")
	add(&y.businessSubjects, "business-subjects")
	add(&y.preModifiers, "pre-modifiers")
	add(&y.postModifiers, "post-modifiers")
	if v := cell("location-modifiers"); v != "" {
		y.locationSigns = append(y.locationSigns, jsonw.Object{{Key: "keyword", Value: v}, {Key: "needLocation", Value: false}})
	}
	if v := cell("location-signs"); v != "" {
		y.locationSigns = append(y.locationSigns, jsonw.Object{{Key: "keyword", Value: v}, {Key: "needLocation", Value: true}})
	}
	add(&y.yelpModifiers, "yelp-modifiers")
	return nil, nil
}

// yelpIcon is the id of the icon record merino-py's operators uploaded by hand
// (icon-yelp-favicon).
const yelpIcon = "yelp-favicon"

func (y *yelp) finish() []jsonw.Object {
	list := func(l []string) []string {
		if l == nil {
			return []string{}
		}
		return l
	}
	signs := y.locationSigns
	if signs == nil {
		signs = []any{}
	}
	return []jsonw.Object{{
		{Key: "subjects", Value: list(y.subjects)}, {Key: "businessSubjects", Value: list(y.businessSubjects)},
		{Key: "preModifiers", Value: list(y.preModifiers)}, {Key: "postModifiers", Value: list(y.postModifiers)},
		{Key: "locationSigns", Value: signs}, {Key: "yelpModifiers", Value: list(y.yelpModifiers)},
		{Key: "icon", Value: yelpIcon},
	}}
}
