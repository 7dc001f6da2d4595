package ranking

import "github.com/mozilla-services/merino-go/curated/sampler"

// ThrottleFresh is merino-py's filter_fresh_items_with_probability: it walks items in order
// and appends up to max of them to out, holding fresh stories (few impressions yet) back in a
// backlog that drains, before each story, while uniform draws fall below p; room left at the
// end is filled from the backlog. It returns out and the backlog still waiting (appended to
// backlog[:0]). The stories examined are always the first len(out)+len(waiting). With p ≤ 0 it
// is the first max stories and draws nothing, as it is when no story is fresh.
func ThrottleFresh(out, backlog, items []Candidate, p float64, max int, s *sampler.Sampler) ([]Candidate, []Candidate) {
	start := len(out)
	backlog = backlog[:0]
	if max <= 0 {
		return out, backlog
	}
	if p <= 0 {
		return append(out, items[:min(max, len(items))]...), backlog
	}
	head := 0 // the backlog is a queue: backlog[head:] waits
	full := func() bool { return len(out)-start >= max }
	for i := range items {
		for head < len(backlog) && s.Float64() < p {
			out = append(out, backlog[head])
			head++
			if full() {
				return out, backlog[head:]
			}
		}
		if full() {
			return out, backlog[head:]
		}
		if items[i].Fresh {
			backlog = append(backlog, items[i])
			continue
		}
		out = append(out, items[i])
		if full() {
			return out, backlog[head:]
		}
	}
	for head < len(backlog) && !full() {
		out = append(out, backlog[head])
		head++
	}
	return out, backlog[head:]
}

// PickFresh is merino-py's pick_random_fresh_story: among the fresh stories that may appear in
// Popular Today, maybe one, with probability proportional to the impressions each still needs.
// When the fresh stories need fewer impressions than a Popular Today tile gets in a cycle
// (perCycle), the leftover share of the cycle is the chance of picking none. It returns the
// index of the pick in items, or -1.
func PickFresh(items []Candidate, perCycle int, s *sampler.Sampler) int {
	total, n := 0, 0
	for i := range items {
		if c := &items[i]; c.Fresh && !c.BlockedFromPopularToday() {
			total += c.Remaining
			n++
		}
	}
	if n == 0 {
		return -1
	}
	if perCycle > 0 {
		if left := perCycle - total; left > 0 && s.Float64() < min(float64(left)/float64(perCycle), 1) {
			return -1
		}
	}
	if total <= 0 {
		// random.choices raises when every weight is zero (merino-py answers 500); nothing
		// is picked instead.
		return -1
	}
	// random.choices: the first whose cumulative weight exceeds a uniform draw over the total.
	x := s.Float64() * float64(total)
	cum := 0
	last := -1
	for i := range items {
		if c := &items[i]; c.Fresh && !c.BlockedFromPopularToday() {
			cum += c.Remaining
			last = i
			if float64(cum) > x {
				return i
			}
		}
	}
	return last
}
