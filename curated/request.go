package curated

import (
	"bytes"
	"math"
	"strings"

	"github.com/mozilla-services/merino-go/curated/sections"
	"github.com/mozilla-services/merino-go/curated/surface"
	"github.com/mozilla-services/merino-go/pydantic"
	"github.com/mozilla-services/merino-go/pyjson"
)

// Request is a validated POST /api/v1/curated-recommendations body (merino-py's
// CuratedRecommendationsRequest). Its strings borrow the body: valid while it is.
type Request struct {
	Locale string
	// Region is "" when absent or null.
	Region   string
	CoarseOS string
	// UTCOffset is 0..23, -1 when absent or unusable (it never fails validation).
	UTCOffset int
	// Count is the number of stories (default 100), sliced Python-style: negative counts
	// drop from the end.
	Count    int64
	Topics   []surface.Topic
	Feeds    []string
	Sections []sections.Config
	// Experiment is the Nimbus enrolment ("" for null names and branches).
	Experiment           surface.Experiment
	EnableInterestPicker bool
	// InferredInterests is the interests object's node in the decoder's document, -1 when
	// null or absent.
	InferredInterests int
}

// WantsSections reports whether "sections" is one of the requested feeds.
func (r *Request) WantsSections() bool {
	for _, f := range r.Feeds {
		if f == "sections" {
			return true
		}
	}
	return false
}

// The enums the request is validated against, with pydantic's "expected" wording.
var (
	localeExpected = pydantic.Expected(surface.Locales[:]...)
	coarseOSes     = []string{"mac", "win", "linux", "android", "ios", "other"}
	osExpected     = pydantic.Expected(coarseOSes...)
	// experimentNames is merino-py's ExperimentName enum (not exhaustive: any string passes,
	// but its members are listed when the value is not a string).
	experimentNames = []string{"new-tab-feed-reduce-exploration", "new-tab-topic-feeds-rollout-holdback",
		"new-ranking-for-legacy-topics-in-new-tab-v1", "daily-briefing-v1", "new-tab-ad-updates-nightly",
		"new-tab-contextual-ad-updates-v2-nightly", "new-tab-contextual-ad-updates-beta",
		"new-tab-contextual-ad-updates-v2-beta", "new-tab-contextual-ad-updates-release",
		"new-tab-contextual-ad-updates-v2-release", "new-tab-custom-sections",
		"new-tab-stories-time-zone-based-ranking", "editorial-sections-experiment-germany",
		"sections-in-en-europe", "sections-in-global-spanish", "publisher-constraint-in-germany",
		"new-tab-automated-personalization-local-ranking", "new-tab-automated-personalization-local-ranking-2",
		"new-tab-automated-personalization-v3", "new-tab-automated-personalization-v4"}
	experimentExpected = pydantic.Expected(experimentNames...)
)

// errParseBody is FastAPI's answer to a body json.loads fails on without a JSONDecodeError.
const errParseBody = "There was an error parsing the body"

// decoder validates request bodies; one per request, pooled.
type decoder struct {
	doc      pyjson.Doc
	errs     []pydantic.Error
	req      Request
	topics   []surface.Topic
	feeds    []string
	sections []sections.Config
	// detail is set, instead of errs, for a body FastAPI refuses with a plain detail.
	detail string
	warn   func(msg string, value string)
}

func (d *decoder) reset() {
	d.doc.Reset()
	d.errs = d.errs[:0]
	d.topics = d.topics[:0]
	d.feeds = d.feeds[:0]
	clear(d.sections)
	d.sections = d.sections[:0]
	d.detail = ""
	d.req = Request{}
}

// isJSON is FastAPI's test of a request's content type: absent, or application/json or
// application/*+json (parameters ignored, any case; a type without exactly one '/' is read as
// text/plain, as Python's email parser reads it).
func isJSON(contentType []byte) bool {
	if len(contentType) == 0 {
		return true
	}
	ct := contentType
	for i, c := range ct {
		if c == ';' {
			ct = ct[:i]
			break
		}
	}
	ct = bytes.TrimSpace(ct)
	slash := bytes.IndexByte(ct, '/')
	if slash < 0 || bytes.IndexByte(ct[slash+1:], '/') >= 0 {
		return false
	}
	minor := ct[slash+1:]
	return bytes.EqualFold(ct[:slash], []byte("application")) &&
		(bytes.EqualFold(minor, []byte("json")) || len(minor) >= 5 && bytes.EqualFold(minor[len(minor)-5:], []byte("+json")))
}

// decode validates a body. It returns false when the request is invalid: d.errs holds
// pydantic's errors in field order, or d.detail a plain message.
func (d *decoder) decode(contentType, body []byte) bool {
	d.reset()
	if len(body) == 0 {
		d.errs = append(d.errs, pydantic.Missing(pydantic.Value{}).In("body"))
		return false
	}
	if !isJSON(contentType) {
		// FastAPI validates the raw bytes as the model. (merino-py answers 500 when they are
		// not UTF-8; the repaired text is shown instead.)
		d.errs = append(d.errs, pydantic.ModelAttributes(pydantic.Str(strings.ToValidUTF8(string(body), "\uFFFD"))).In("body"))
		return false
	}
	root, err := d.doc.Parse(body)
	if err != nil {
		if se, ok := err.(*pyjson.SyntaxError); ok {
			d.errs = append(d.errs, pydantic.JSONInvalid(se.Msg, se.Pos))
		} else {
			d.detail = errParseBody
		}
		return false
	}
	if d.doc.Node(root).Kind != pyjson.Object {
		d.errs = append(d.errs, pydantic.ModelAttributes(d.input(root)).In("body"))
		return false
	}
	d.validate(root)
	return len(d.errs) == 0
}

// input renders a value as pydantic's error input.
func (d *decoder) input(i int) pydantic.Value {
	n := d.doc.Node(i)
	switch n.Kind {
	case pyjson.Null:
		return pydantic.Value{}
	case pyjson.String:
		return pydantic.Str(n.Text)
	}
	return pydantic.JSON(d.doc.Python(i))
}

func (d *decoder) get(obj int, key string) (*pyjson.Node, int) {
	i, ok := d.doc.Get(obj, key)
	if !ok {
		return nil, -1
	}
	return d.doc.Node(i), i
}

func (d *decoder) fail(e pydantic.Error) { d.errs = append(d.errs, e) }

// validate checks the fields in declaration order.
func (d *decoder) validate(root int) {
	r := &d.req
	r.Count, r.UTCOffset, r.InferredInterests = 100, -1, -1

	switch n, i := d.get(root, "locale"); {
	case n == nil:
		d.fail(pydantic.Missing(d.input(root)).In("body", "locale"))
	case n.Kind == pyjson.String && surface.IsLocale(n.Text):
		r.Locale = n.Text
	default:
		d.fail(pydantic.Enum(d.input(i), localeExpected).In("body", "locale"))
	}

	if n, i := d.get(root, "region"); n != nil && n.Kind != pyjson.Null {
		if n.Kind == pyjson.String {
			r.Region = n.Text
		} else {
			d.fail(pydantic.StringType(d.input(i)).In("body", "region"))
		}
	}

	if n, i := d.get(root, "coarseOs"); n != nil && n.Kind != pyjson.Null {
		ok := false
		if n.Kind == pyjson.String {
			for _, os := range coarseOSes {
				ok = ok || n.Text == os
			}
		}
		if ok {
			r.CoarseOS = n.Text
		} else {
			d.fail(pydantic.Enum(d.input(i), osExpected).In("body", "coarseOs"))
		}
	}

	// utcOffset never fails: a finite number truncated toward zero and kept if 0..23.
	n, _ := d.get(root, "utc_offset") // the alias wins over the field name
	if n == nil {
		n, _ = d.get(root, "utcOffset")
	}
	if n != nil {
		var f float64
		switch n.Kind {
		case pyjson.Int, pyjson.Float:
			f = n.Num
		case pyjson.Bool:
			if n.Bool {
				f = 1
			}
		default:
			f = math.NaN()
		}
		if !math.IsNaN(f) && !math.IsInf(f, 0) && math.Trunc(f) >= 0 && math.Trunc(f) <= 23 {
			r.UTCOffset = int(f)
		}
	}

	if n, i := d.get(root, "count"); n != nil {
		if v, fail := laxInt(n); fail == nil {
			r.Count = v
		} else {
			d.fail(fail(d.input(i)).In("body", "count"))
		}
	}

	if _, i := d.get(root, "topics"); i >= 0 {
		d.topicsOf(i)
	}
	r.Topics = d.topics

	if n, i := d.get(root, "feeds"); n != nil && n.Kind != pyjson.Null {
		if n.Kind != pyjson.Array {
			d.fail(pydantic.ListType(d.input(i)).In("body", "feeds"))
		} else {
			k := 0
			d.doc.Children(i, func(c int) bool {
				if cn := d.doc.Node(c); cn.Kind == pyjson.String {
					d.feeds = append(d.feeds, cn.Text)
				} else {
					d.fail(pydantic.StringType(d.input(c)).In("body", "feeds").Index(k))
				}
				k++
				return true
			})
		}
	}
	r.Feeds = d.feeds

	if n, i := d.get(root, "sections"); n != nil && n.Kind != pyjson.Null {
		if n.Kind != pyjson.Array {
			d.fail(pydantic.ListType(d.input(i)).In("body", "sections"))
		} else {
			k := 0
			d.doc.Children(i, func(c int) bool {
				d.section(c, k)
				k++
				return true
			})
		}
	}
	r.Sections = d.sections

	if n, i := d.get(root, "experimentName"); n != nil && n.Kind != pyjson.Null {
		if n.Kind == pyjson.String {
			r.Experiment.Name = n.Text
		} else {
			in := d.input(i)
			d.fail(pydantic.Enum(in, experimentExpected).In("body", "experimentName", "str-enum[ExperimentName]"))
			d.fail(pydantic.StringType(in).In("body", "experimentName", "str"))
		}
	}
	if n, i := d.get(root, "experimentBranch"); n != nil && n.Kind != pyjson.Null {
		if n.Kind == pyjson.String {
			r.Experiment.Branch = n.Text
		} else {
			d.fail(pydantic.StringType(d.input(i)).In("body", "experimentBranch"))
		}
	}

	if n, i := d.get(root, "enableInterestPicker"); n != nil {
		if v, fail := laxBool(n); fail == nil {
			r.EnableInterestPicker = v
		} else {
			d.fail(fail(d.input(i)).In("body", "enableInterestPicker"))
		}
	}

	if n, i := d.get(root, "inferredInterests"); n != nil && n.Kind != pyjson.Null {
		if n.Kind != pyjson.Object {
			d.fail(pydantic.DictType(d.input(i)).In("body", "inferredInterests"))
		} else if d.interests(i) {
			r.InferredInterests = i
		}
	}
}

// topicsOf is merino-py's validate_topics: it never fails. A non-empty value that is not a
// list is dropped with a warning; in a list, topic values are kept, other strings dropped with
// a warning, anything else dropped silently.
func (d *decoder) topicsOf(i int) {
	n := d.doc.Node(i)
	if !truthy(n, d.doc.Len(i)) {
		return
	}
	if n.Kind != pyjson.Array {
		d.warn("Topics not wrapped in a list: ", pyStr(&d.doc, i))
		return
	}
	d.doc.Children(i, func(c int) bool {
		cn := d.doc.Node(c)
		if cn.Kind != pyjson.String {
			return true
		}
		if t := surface.TopicOf(cn.Text); t != surface.NoTopic {
			d.topics = append(d.topics, t)
		} else {
			d.warn("Invalid topic: ", cn.Text)
		}
		return true
	})
}

// truthy is Python's truth value.
func truthy(n *pyjson.Node, length int) bool {
	switch n.Kind {
	case pyjson.Null:
		return false
	case pyjson.Bool:
		return n.Bool
	case pyjson.Int, pyjson.Float:
		return n.Num != 0
	case pyjson.String:
		return n.Text != ""
	}
	return length > 0
}

// pyStr is str(value) for a log line: strings as they are, the rest as JSON.
func pyStr(doc *pyjson.Doc, i int) string {
	if n := doc.Node(i); n.Kind == pyjson.String {
		return n.Text
	}
	return doc.Python(i)
}

// failure makes a pydantic error from the input that failed.
type failure func(pydantic.Value) pydantic.Error

// laxInt is pydantic's int in lax mode; a nil failure means v is the value.
func laxInt(n *pyjson.Node) (int64, failure) {
	switch n.Kind {
	case pyjson.Int:
		return n.Int(), nil
	case pyjson.Bool:
		if n.Bool {
			return 1, nil
		}
		return 0, nil
	case pyjson.Float:
		f := n.Num
		switch {
		case math.IsNaN(f) || math.IsInf(f, 0):
			return 0, pydantic.FiniteNumber
		case f != math.Trunc(f):
			return 0, pydantic.IntFromFloat
		case f <= -(1<<63) || f >= 1<<63:
			return 0, pydantic.IntParsingSize
		}
		return int64(f), nil
	case pyjson.String:
		digits, ok := pydantic.IntString(n.Text)
		if !ok {
			return 0, pydantic.IntParsing
		}
		return (&pyjson.Node{Kind: pyjson.Int, Text: digits}).Int(), nil
	}
	return 0, pydantic.IntType
}

// laxBool is pydantic's bool in lax mode.
func laxBool(n *pyjson.Node) (bool, failure) {
	switch n.Kind {
	case pyjson.Bool:
		return n.Bool, nil
	case pyjson.String:
		if v, ok := pydantic.BoolString(n.Text); ok {
			return v, nil
		}
		return false, pydantic.BoolParsing
	case pyjson.Int, pyjson.Float:
		f := n.Num
		if n.Kind == pyjson.Float && (math.IsNaN(f) || math.IsInf(f, 0) || f != math.Trunc(f)) {
			return false, pydantic.BoolType
		}
		switch f {
		case 0:
			return false, nil
		case 1:
			return true, nil
		}
		return false, pydantic.BoolParsing
	}
	return false, pydantic.BoolType
}

// section validates one SectionConfiguration.
func (d *decoder) section(i, k int) {
	n := d.doc.Node(i)
	if n.Kind != pyjson.Object {
		d.fail(pydantic.ModelAttributes(d.input(i)).In("body", "sections").Index(k))
		return
	}
	var sc sections.Config
	ok := true
	at := func(e pydantic.Error, field string) {
		d.fail(e.In("body", "sections").Index(k).Field(field))
		ok = false
	}
	switch f, fi := d.get(i, "sectionId"); {
	case f == nil:
		at(pydantic.Missing(d.input(i)), "sectionId")
	case f.Kind != pyjson.String:
		at(pydantic.StringType(d.input(fi)), "sectionId")
	default:
		sc.ID = f.Text
	}
	for _, b := range []struct {
		name string
		dst  *bool
	}{{"isFollowed", &sc.Followed}, {"isBlocked", &sc.Blocked}} {
		f, fi := d.get(i, b.name)
		if f == nil {
			at(pydantic.Missing(d.input(i)), b.name)
			continue
		}
		v, fail := laxBool(f)
		if fail != nil {
			at(fail(d.input(fi)), b.name)
			continue
		}
		*b.dst = v
	}
	if f, fi := d.get(i, "followedAt"); f != nil && f.Kind != pyjson.Null {
		if f.Kind != pyjson.String {
			at(pydantic.ValueError("followedAt must be a datetime or string in ISO 8601 format with timezone", d.input(fi)), "followedAt")
		} else if t, zone, err := fromISOFormat(f.Text); err != nil {
			at(pydantic.ValueError("followedAt must be a valid ISO 8601 datetime with timezone", d.input(fi)), "followedAt")
		} else if !zone {
			at(pydantic.ValueError("followedAt must have a timezone (e.g. 'Z' or '+02:00')", d.input(fi)), "followedAt")
		} else {
			sc.FollowedAt, sc.HasFollowedAt = t, true
		}
	}
	if ok {
		d.sections = append(d.sections, sc)
	}
}

// interests validates inferredInterests: a dict whose values are each a number, a string or
// a list of strings (a smart union: a failing value lists each choice's error).
func (d *decoder) interests(obj int) bool {
	ok := true
	d.doc.Children(obj, func(c int) bool {
		n := d.doc.Node(c)
		switch n.Kind {
		case pyjson.Int, pyjson.Float, pyjson.Bool, pyjson.String:
			return true
		case pyjson.Array:
			bad := -1
			k := 0
			d.doc.Children(c, func(e int) bool {
				if d.doc.Node(e).Kind != pyjson.String && bad < 0 {
					bad = k
				}
				k++
				return bad < 0
			})
			if bad < 0 {
				return true
			}
		}
		ok = false
		in := d.input(c)
		d.fail(pydantic.FloatType(in).In("body", "inferredInterests", n.Key, "float"))
		d.fail(pydantic.StringType(in).In("body", "inferredInterests", n.Key, "str"))
		if n.Kind != pyjson.Array {
			d.fail(pydantic.ListType(in).In("body", "inferredInterests", n.Key, "list[str]"))
			return true
		}
		k := 0
		d.doc.Children(c, func(e int) bool {
			if d.doc.Node(e).Kind != pyjson.String {
				d.fail(pydantic.StringType(d.input(e)).In("body", "inferredInterests", n.Key, "list[str]").Index(k))
			}
			k++
			return true
		})
		return true
	})
	return ok
}
