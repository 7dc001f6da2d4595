package ranking

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/mozilla-services/merino-go/curated/engagement"
	"github.com/mozilla-services/merino-go/curated/sampler"
	"github.com/mozilla-services/merino-go/curated/surface"
)

// snapshot builds engagement from "id|region|clicks|impressions|reports" rows.
func snapshot(t *testing.T, rows ...string) *engagement.Snapshot {
	t.Helper()
	var b strings.Builder
	b.WriteString("[")
	for i, r := range rows {
		f := strings.Split(r, "|")
		if i > 0 {
			b.WriteString(",")
		}
		region := "null"
		if f[1] != "" {
			region = strconv.Quote(f[1])
		}
		reports := "0"
		if len(f) > 4 {
			reports = f[4]
		}
		fmt.Fprintf(&b, `{"corpus_item_id":%q,"region":%s,"click_count":%s,"impression_count":%s,"report_count":%s}`, f[0], region, f[2], f[3], reports)
	}
	b.WriteString("]")
	s, err := engagement.ParseEngagement([]byte(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func priors(t *testing.T, rows ...string) *engagement.Priors {
	t.Helper()
	// "region|alpha|beta": impressions_per_item = beta/0.05, ctr = alpha/beta.
	var b strings.Builder
	b.WriteString("[")
	for i, r := range rows {
		f := strings.Split(r, "|")
		a, _ := strconv.ParseFloat(f[1], 64)
		be, _ := strconv.ParseFloat(f[2], 64)
		if i > 0 {
			b.WriteString(",")
		}
		region := "null"
		if f[0] != "" {
			region = strconv.Quote(f[0])
		}
		fmt.Fprintf(&b, `{"region":%s,"average_ctr_top2_items":%v,"average_ctr_top10_items":0,"impressions_per_item":%v,"total_impressions_per_day":1000000}`, region, a/be, be/0.05)
	}
	b.WriteString("]")
	p, err := engagement.ParsePriors([]byte(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func mean(t *testing.T) *sampler.Sampler {
	s, err := sampler.New("mean", 1)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func cands(ids ...string) []Candidate {
	out := make([]Candidate, len(ids))
	for i, id := range ids {
		out[i] = Candidate{ID: id, Publisher: "p" + id, Topic: surface.Business, Ref: int32(i)}
	}
	return out
}

const branch = "DE-publisher-constraint-in-germany-treatment"

func approx(a, b float64) bool { return math.Abs(a-b) < 1e-9*math.Max(1, math.Abs(b)) }

// merino-py's TestThompsonSampling: the α and β of branch engagement and priors.
func TestThompsonSamplingArithmetic(t *testing.T) {
	f := func(name string, p *engagement.Priors, e *engagement.Snapshot, id string, alpha, beta float64) {
		t.Helper()
		c := cands("item", "base-only-item")
		in := &Inputs{Engagement: e, Priors: p, Region: "DE", EngagementRegion: branch, Sampler: mean(t)}
		ThompsonSampling(c, in)
		for _, x := range c {
			if x.ID == id && (!approx(x.Alpha, alpha) || !approx(x.Beta, beta)) {
				t.Errorf("%s: α %v β %v, want %v %v", name, x.Alpha, x.Beta, alpha, beta)
			}
		}
	}
	// A fixed prior (every region 10/100).
	fixed := priors(t, "|10|100", "DE|10|100", branch+"|10|100")
	f("branch engagement", fixed, snapshot(t, "item||1|101", "item|"+branch+"|40|100"), "item", 48.05, 162)
	f("branch prior", priors(t, "|10|100", "DE|20|200", branch+"|30|300"),
		snapshot(t, "item||1|101", "item|"+branch+"|40|100"), "item", 67.05, 352)
	f("country prior fallback", priors(t, "|10|100", "DE|20|200"),
		snapshot(t, "item||1|101", "item|"+branch+"|40|100"), "item", 57.55, 257)
	f("country engagement fallback", fixed, snapshot(t, "item||1|101", "item|DE|20|100"), "item", 29.05, 181)
	f("whole list uses the branch", fixed, snapshot(t, "item||1|101", "base-only-item||2|102",
		"item|"+branch+"|40|100", "base-only-item|DE|20|100"), "base-only-item", 12, 200)
}

func TestThompsonSamplingFreshness(t *testing.T) {
	p := priors(t, "|1|10")
	in := &Inputs{Engagement: snapshot(t, "fresh||0|4", "stale||0|12"), Priors: p, Rescaler: Crawled, Sampler: mean(t)}
	c := cands("fresh", "stale")
	ThompsonSampling(c, in)
	for _, x := range c {
		switch x.ID {
		case "fresh":
			if !x.Fresh || x.Remaining != 6 {
				t.Errorf("fresh: %v %d", x.Fresh, x.Remaining)
			}
		case "stale":
			if x.Fresh || x.Remaining != 0 {
				t.Errorf("stale: %v %d", x.Fresh, x.Remaining)
			}
		}
	}
}

// With the mean sampler the order is by α/(α+β), ties in input order.
func TestThompsonSamplingOrder(t *testing.T) {
	e := snapshot(t, "low||10|1000", "high||100|1000", "mid||50|1000")
	in := &Inputs{Engagement: e, Priors: priors(t, "|1|100"), Sampler: mean(t)}
	c := cands("nodata1", "low", "high", "nodata2", "mid")
	ThompsonSampling(c, in)
	got := ids(c)
	// α/(α+β) with the prior 1/100: high 101/1001, mid 51/1051, low 11/1101 (0.00999),
	// nodata 1/101 (0.00990), the two without data in their input order.
	if want := "high mid low nodata1 nodata2"; got != want {
		t.Errorf("order %q, want %q", got, want)
	}
}

func ids(c []Candidate) string {
	s := make([]string, len(c))
	for i := range c {
		s[i] = c[i].ID
	}
	return strings.Join(s, " ")
}

// merino-py's TestCuratedRecommendationsProviderSpreadPublishers.
func TestSpreadPublishers(t *testing.T) {
	f := func(publishers, want string) {
		t.Helper()
		ps := strings.Fields(publishers)
		src := make([]Candidate, len(ps))
		for i, p := range ps {
			src[i] = Candidate{ID: strconv.Itoa(i + 1), Publisher: p}
		}
		if got := ids(SpreadPublishers(nil, src, 3, new([]bool))); got != want {
			t.Errorf("%s: %s, want %s", publishers, got, want)
		}
	}
	f("thedude walter donnie thedude innout bowling walter abides", "1 2 3 5 4 6 7 8")
	f("thedude walter walter thedude innout innout donnie abides", "1 2 5 7 4 3 6 8")
	f("thedude abides walter donnie donnie innout donnie innout", "1 2 3 4 6 5 7 8")
	f("thedude abides donnie donnie thedude abides thedude donnie", "1 2 3 4 5 6 7 8")
}

// merino-py's TestCuratedRecommendationsProviderBoostPreferredTopic.
func TestBoostTopics(t *testing.T) {
	list := func(topics ...surface.Topic) []Candidate {
		c := make([]Candidate, len(topics))
		for i, tp := range topics {
			c[i] = Candidate{ID: strconv.Itoa(i + 1), Topic: tp}
		}
		return c
	}
	S := surface.TopicOf
	twenty := list(S("business"), S("travel"), S("arts"), S("sports"), S("food"), S("education"), S("hobbies"), S("travel"),
		S("government"), S("arts"), S("arts"), S("government"), S("sports"), S("business"), S("society-parenting"),
		S("education"), S("business"), S("food"), S("hobbies"), S("government"))
	f := func(src []Candidate, topics []surface.Topic, wantPrefix string) {
		t.Helper()
		got := ids(BoostTopics(nil, src, topics, new([]bool)))
		if !strings.HasPrefix(got, wantPrefix) || len(strings.Fields(got)) != len(src) {
			t.Errorf("%v: %s, want prefix %s", topics, got, wantPrefix)
		}
	}
	f(list(S("travel"), S("arts"), S("sports"), S("food"), S("education"), S("food")), []surface.Topic{S("career"), S("food")}, "4 6 ")
	f(twenty, []surface.Topic{S("education")}, "6 16 ")
	f(twenty, []surface.Topic{S("government"), S("education")}, "6 9 12 16 ")
	f(twenty, []surface.Topic{S("government"), S("education"), S("travel"), S("business"), S("arts")}, "1 2 3 6 8 9 10 12 14 16 ")
	f(twenty, []surface.Topic{S("hobbies"), S("government"), S("education"), S("travel"), S("business"), S("arts")}, "1 2 3 6 7 8 9 10 12 14 ")
	f(list(S("government"), S("arts")), []surface.Topic{S("career")}, "1 2")
}

// merino-py's TestTakedownReportedRecommendations and §7.5's cases, with the default
// threshold (0.001) and cap.
func TestTakedown(t *testing.T) {
	f := func(rows []string, list []string, want string) {
		t.Helper()
		var removed []string
		got := Takedown(cands(list...), &Inputs{Engagement: snapshot(t, rows...)}, "US", func(r Reported) { removed = append(removed, r.Candidate.ID) })
		if ids(got) != want {
			t.Errorf("%v: kept %q, want %q (removed %v)", rows, ids(got), want, removed)
		}
	}
	f(nil, []string{"1", "2"}, "1 2")
	f([]string{"a|US|0|50|5"}, []string{"a", "b"}, "a b")   // 5 reports: too few
	f([]string{"a|US|0|1000|1"}, []string{"a", "b"}, "a b") // ratio = threshold
	f([]string{"a|US|0|100|20"}, []string{"a", "b"}, "b")   // removed
	f([]string{"a|US|0|100|35", "b|US|0|50|0"}, []string{"a", "b"}, "b")
	f([]string{"a|US|0|0|5"}, []string{"a"}, "a")         // no impressions
	f([]string{"a||0|100|35"}, []string{"a", "b"}, "a b") // only the request's region counts
	rows := []string{"1|US|0|50|25", "2|US|0|50|30", "3|US|0|50|25", "4|US|0|50|25"}
	f(rows, []string{"1", "2", "3", "4"}, "3 4") // at most half, most reported first
}

func TestRescalers(t *testing.T) {
	plain := &Candidate{Topic: surface.Business}
	games := &Candidate{Topic: surface.Hobbies}
	urgent := &Candidate{Topic: surface.Business, TimeSensitive: true}
	if a, b := Crawled.RescalePrior(plain, 188, 12500); a != 188*0.4 || b != 12500 {
		t.Errorf("crawled prior %v %v", a, b)
	}
	if a, _ := Crawled.RescalePrior(games, 188, 12500); a != 188*0.35 {
		t.Errorf("crawled games prior %v", a)
	}
	if a, _ := Crawled.RescalePrior(urgent, 188, 12500); a != 188 {
		t.Errorf("time-sensitive prior %v", a)
	}
	if o, n := Crawled.Rescale(games, 2, 3); o != 10 || n != 15 {
		t.Errorf("games rescale %v %v", o, n)
	}
	if o, n := SchedulerHoldback.Rescale(plain, 2, 3); !approx(o, 20) || !approx(n, 30) {
		t.Errorf("holdback %v %v", o, n)
	}
	if Crawled.BoostSection("worldcup-2026") != 0.0018 || Crawled.BoostSection("nfl") != 0 || SchedulerHoldback.BoostSection("worldcup") != 0 {
		t.Error("section boost")
	}
}
