package wikipedia

import "math"

// DefaultMaxDocs is merino-py's Builder default for max_docs, the N of the weight formula.
const DefaultMaxDocs = 6_500_000

// Scorer computes merino-py's completion weight of a title (merino/jobs/wikipedia_indexer/
// suggestion.py, itself CirrusSearch's QualityScore plus popularity; reference §3.3.1).
//
// The arithmetic is done step by step in float64, in merino-py's order, so that the truncated
// integer comes out the same: Go would otherwise fold constant sums exactly where Python
// rounds at each step.
type Scorer struct {
	maxDocs      float64
	incomingNorm float64
}

// NewScorer returns the scorer for N = maxDocs.
func NewScorer(maxDocs int64) Scorer {
	// int(float(max_docs) * 0.1), truncated as Python's int() does.
	factor := 0.1
	return Scorer{maxDocs: float64(maxDocs), incomingNorm: float64(int64(float64(maxDocs) * factor))}
}

// The weights and norms of merino-py's Scorer, as variables: see the Scorer comment.
var (
	incomingWeight   = 0.6
	externalWeight   = 0.1
	pageSizeWeight   = 0.1
	headingWeight    = 0.2
	redirectWeight   = 0.1
	qscoreWeight     = 1.0
	popularityWeight = 0.4
	popularityMax    = 0.0004
	scoreRange       = 10_000_000.0
)

const (
	externalLinksNorm = 20
	pageSizeNorm      = 50000
	headingNorm       = 20
	redirectNorm      = 30
)

// Weight returns the title's weight, and false when merino-py's formula has no valid answer
// for the document: a negative weight (Elasticsearch rejects it, so merino-py's bulk request
// drops the document) or a popularity that makes the logarithm undefined.
func (s Scorer) Weight(a *Article) (int64, bool) {
	incoming := normLog2(a.IncomingLinks, s.incomingNorm)
	page := normLog2(a.TextBytes, pageSizeNorm)
	external := normLog(float64(a.ExternalLinks), externalLinksNorm)
	heading := normLog(float64(a.Headings), headingNorm)
	redirect := normLog(float64(a.Redirects), redirectNorm)

	score := incoming * incomingWeight
	score += external * externalWeight
	score += page * pageSizeWeight
	score += heading * headingWeight
	score += redirect * redirectWeight
	sum := incomingWeight + externalWeight
	sum += pageSizeWeight
	sum += headingWeight
	sum += redirectWeight
	score = score / sum * qscoreWeight

	popularity := a.PopularityScore
	if popularity > popularityMax {
		popularity = 1
	} else {
		base := 1 + popularityMax*s.maxDocs
		if base > 1 {
			x := 1 + popularity*s.maxDocs
			if x <= 0 {
				return 0, false // math domain error in Python
			}
			popularity = math.Log(x) / math.Log(base)
		} else {
			popularity = 0
		}
	}
	score += popularity * popularityWeight
	score /= qscoreWeight + popularityWeight
	w := score * scoreRange
	if w < 0 || w >= 1<<31 || math.IsNaN(w) {
		return 0, false
	}
	return int64(w), true
}

// normLog2 is _score_norm_log2: log2(2) below the norm, else log2(v/norm + 1).
func normLog2(v, norm float64) float64 {
	if v < norm {
		return 1
	}
	return math.Log2(v/norm + 1)
}

// normLog is _score_norm: log(1) = 0 below the norm, else ln(v/norm).
func normLog(v, norm float64) float64 {
	if v < norm {
		return 0
	}
	return math.Log(v / norm)
}
