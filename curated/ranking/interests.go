package ranking

import (
	"math"

	"github.com/mozilla-services/merino-go/curated/surface"
)

// Score is one interest and its score.
type Score struct {
	Key   string
	Value float64
}

// Interests are a request's processed interests (merino-py's ProcessedInterests), used on the
// sections feed: raw scores move sections up, normalised scores boost stories.
type Interests struct {
	// Scores are the raw scores in the request's order (a repeated key keeps its first place
	// and its last value, as a Python dict does).
	Scores []Score
	// Normalized are the scores without the time zone, divided by their L2 norm (plus 1e-6),
	// with the model's expected keys that were missing set to their mean; empty when fewer
	// than two scores remain. Set by Normalize.
	Normalized []Score
}

// TimeZoneKey is the interest that carries the client's time-zone bucket, not an interest in
// content (merino-py's TIME_ZONE_OFFSET_INFERRED_KEY).
const TimeZoneKey = "timeZoneOffset"

// otherInterest is the interest of every topic a model has no feature for
// (DEFAULT_INTERESTS_KEY).
const otherInterest = "other"

// minScoresToNormalize is ProcessedInterests.minimum_value_count_for_normalization.
const minScoresToNormalize = 2

// Normalize fills Normalized from Scores (ProcessedInterests.compute_norm); expected are the
// model's interest keys (none for interests sent as plain numbers).
func (in *Interests) Normalize(expected []string) {
	in.Normalized = in.Normalized[:0]
	var sq float64
	for _, s := range in.Scores {
		if s.Key != TimeZoneKey {
			in.Normalized = append(in.Normalized, s)
			sq += s.Value * s.Value
		}
	}
	if len(in.Normalized) < minScoresToNormalize {
		in.Normalized = in.Normalized[:0]
		return
	}
	norm := math.Sqrt(sq) + 1e-6
	var sum float64
	for i := range in.Normalized {
		in.Normalized[i].Value /= norm
		sum += in.Normalized[i].Value
	}
	mean := sum / float64(len(in.Normalized))
	for _, k := range expected {
		if _, ok := in.normalized(k); !ok && k != TimeZoneKey {
			in.Normalized = append(in.Normalized, Score{k, mean})
		}
	}
}

// normalized looks a normalised score up (a handful of keys: a scan beats a map).
func (in *Interests) normalized(key string) (float64, bool) {
	for _, s := range in.Normalized {
		if s.Key == key {
			return s.Value, true
		}
	}
	return 0, false
}

// inferredScoreWeight is merino-py's INFERRED_SCORE_WEIGHT: how much a normalised interest adds
// to a story's Thompson-sampling score.
const inferredScoreWeight = 0.0006

// topicWeight is PERSONALIZATION_TOPIC_WEIGHTING: broad topics weigh less.
func topicWeight(t surface.Topic) float64 {
	switch t {
	case surface.Arts:
		return 0.6
	case surface.Government, surface.Tech:
		return 0.7
	case surface.Sports:
		return 0.8
	}
	return 1.0
}
