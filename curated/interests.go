package curated

import (
	"math"

	"github.com/mozilla-services/merino-go/curated/ranking"
	"github.com/mozilla-services/merino-go/curated/surface"
	"github.com/mozilla-services/merino-go/pyjson"
)

// The static models whose differentially private values a request may send back (merino-py's
// SUPPORTED_LIVE_MODELS), and the keys of inferredInterests that are not interests.
const (
	v3ModelID    = "inferred-v3-model"
	smallModelID = "inferred-small-v1"
	modelIDKey   = "model_id"
	dpValuesKey  = "values"
)

// decodingModel is the part of a static local model that decodes its values: the private
// features in interest-vector order (the time zone last) and the topic thresholds.
type decodingModel struct {
	id         string
	features   []string
	thresholds []float64
}

var (
	v3Decoding    = decodingModel{v3ModelID, append(append([]string(nil), v3Topics...), ranking.TimeZoneKey), []float64{1.1, 1.4, 1.7}}
	smallDecoding = decodingModel{smallModelID, append(append([]string(nil), smallTopics...), ranking.TimeZoneKey), []float64{1.4}}
)

// modelFor is the static local model backend asked for a model id: nothing for an id it does
// not support, else the surface's model, whose id may still differ from the one asked for.
func modelFor(id surface.ID, modelID string) *decodingModel {
	if modelID != v3ModelID && modelID != smallModelID {
		return nil
	}
	if id == surface.EnCA {
		return &smallDecoding
	}
	return &v3Decoding
}

// interests is merino-py's process_request_interests: nothing without inferredInterests or a
// string model_id; the decoded values when the surface's model has that id and the request
// sends values; else every numeric member (booleans count, as in Python) as raw scores.
// The result lives in x and is valid until the next request.
func (x *exchange) interests(s *surface.Surface, log func(string)) *ranking.Interests {
	d := &x.dec
	obj := d.req.InferredInterests
	if obj < 0 {
		return nil
	}
	mi, ok := d.doc.Get(obj, modelIDKey)
	if !ok || d.doc.Node(mi).Kind != pyjson.String {
		return nil
	}
	modelID := d.doc.Node(mi).Text
	in := &x.interestBuf
	in.Scores = in.Scores[:0]
	if m := modelFor(s.ID, modelID); m != nil && m.id == modelID {
		if vi, ok := d.doc.Get(obj, dpValuesKey); ok {
			x.decodeDP(m, vi, log)
			in.Normalize(m.features)
			return in
		}
	}
	x.members = x.members[:0]
	var index map[string]int // past a few dozen members, repeats are found by a map
	d.doc.Children(obj, func(c int) bool {
		n := d.doc.Node(c)
		if n.Key == modelIDKey || n.Key == dpValuesKey {
			return true
		}
		// A repeated key keeps its first place and its last value, as in a dict.
		if index == nil && len(x.members) >= 32 {
			index = make(map[string]int, d.doc.Len(obj))
			for i, m := range x.members {
				index[d.doc.Node(m).Key] = i
			}
		}
		if index != nil {
			if i, ok := index[n.Key]; ok {
				x.members[i] = c
				return true
			}
			index[n.Key] = len(x.members)
		} else {
			for i := range x.members {
				if d.doc.Node(x.members[i]).Key == n.Key {
					x.members[i] = c
					return true
				}
			}
		}
		x.members = append(x.members, c)
		return true
	})
	for _, c := range x.members {
		n := d.doc.Node(c)
		switch n.Kind {
		case pyjson.Int, pyjson.Float:
			// NaN and infinities (Python's json reads them) would make merino-py write NaN
			// scores and fail to encode its answer (HTTP 500); they are left out instead.
			if !math.IsNaN(n.Num) && !math.IsInf(n.Num, 0) {
				in.Scores = append(in.Scores, ranking.Score{Key: n.Key, Value: n.Num})
			}
		case pyjson.Bool:
			v := 0.0
			if n.Bool {
				v = 1
			}
			in.Scores = append(in.Scores, ranking.Score{Key: n.Key, Value: v})
		}
	}
	in.Normalize(nil)
	return in
}

// decodeDP is InferredLocalModel.decode_dp_interests: each private feature pairs with the value
// at its position, a unary string of 0s and 1s (any character but '0' counts as 1); one 1 at
// index i scores the threshold i−1 (0 for i = 0), two 1s the mean of both, anything else
// nothing; the time zone scores the index of its last 1. A string stands for the list of its
// characters, as Python iterates it.
func (x *exchange) decodeDP(m *decodingModel, vi int, log func(string)) {
	d := &x.dec
	x.values = x.values[:0]
	switch n := d.doc.Node(vi); n.Kind {
	case pyjson.Array:
		d.doc.Children(vi, func(c int) bool {
			x.values = append(x.values, d.doc.Node(c).Text)
			return true
		})
	case pyjson.String:
		for i := 0; i < len(n.Text); {
			// Characters, not bytes: a non-ASCII one makes the value undecodable below.
			size := 1
			for size < 4 && i+size < len(n.Text) && n.Text[i+size]&0xC0 == 0x80 {
				size++
			}
			x.values = append(x.values, n.Text[i:i+size])
			i += size
		}
	default:
		// A number here makes merino-py fail ("".join of a float: HTTP 500); it is read as no
		// values instead.
		return
	}
	in := &x.interestBuf
	for idx, key := range m.features {
		if idx >= len(x.values) {
			log("Model DP incorrect length")
			continue
		}
		first, second, n, ok := unary(x.values[idx])
		if !ok || n == 0 || n > 2 {
			continue
		}
		if key == ranking.TimeZoneKey {
			last := first
			if n == 2 {
				last = second
			}
			in.Scores = append(in.Scores, ranking.Score{Key: key, Value: float64(last)})
			continue
		}
		a, okA := threshold(m.thresholds, first)
		if n == 1 {
			if okA {
				in.Scores = append(in.Scores, ranking.Score{Key: key, Value: a})
			}
			continue
		}
		if b, okB := threshold(m.thresholds, second); okA && okB {
			in.Scores = append(in.Scores, ranking.Score{Key: key, Value: 0.5 * (a + b)})
		}
	}
}

// unary finds the 1s of a unary string: the first two positions and how many there are; ok is
// false for a string that is not ASCII (merino-py: UnicodeEncodeError, HTTP 500).
func unary(s string) (first, second, n int, ok bool) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x80 {
			return 0, 0, 0, false
		}
		if c == '0' {
			continue
		}
		switch n {
		case 0:
			first = i
		case 1:
			second = i
		}
		n++
	}
	return first, second, n, true
}

// threshold is the score of unary index i: 0 for 0, else thresholds[i−1]; ok is false past the
// thresholds (merino-py: IndexError, HTTP 500).
func threshold(thresholds []float64, i int) (float64, bool) {
	if i == 0 {
		return 0, true
	}
	if i-1 < len(thresholds) {
		return thresholds[i-1], true
	}
	return 0, false
}
