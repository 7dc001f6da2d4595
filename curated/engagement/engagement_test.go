package engagement

import (
	"errors"
	"strings"
	"testing"

	"github.com/mozilla-services/merino-go/loaders"
)

func TestEngagementSumsAndLooksUpExactly(t *testing.T) {
	var h Holder
	n, err := h.Apply([]byte(`[
	 {"corpus_item_id":"AA","region":"US","click_count":1,"impression_count":10},
	 {"corpus_item_id":"AA","region":"US","click_count":2,"impression_count":20,"report_count":3},
	 {"corpus_item_id":"AA","region":"US","click_count":1.0,"impression_count":5,"report_count":null},
	 {"corpus_item_id":"BB","click_count":4,"impression_count":40,"scheduled_corpus_item_id":"s1"},
	 {"scheduled_corpus_item_id":"s2","click_count":1,"impression_count":2}]`))
	if err != nil || n != 3 {
		t.Fatalf("Apply = %d, %v", n, err)
	}
	s := h.Load()
	if c, ok := s.Get("AA", "US"); !ok || c != (Counts{4, 35, 3}) {
		t.Errorf("AA/US = %+v %v", c, ok)
	}
	if _, ok := s.Get("AA", ""); ok {
		t.Error("AA has no global row")
	}
	if c, ok := s.Get("BB", ""); !ok || c.Clicks != 4 {
		t.Errorf("BB = %+v", c)
	}
}

func TestEngagementKeepsLastGood(t *testing.T) {
	h := Holder{MaxSize: 200}
	if _, err := h.Apply([]byte(`[{"corpus_item_id":"AA","click_count":1,"impression_count":10}]`)); err != nil {
		t.Fatal(err)
	}
	good := h.Load()
	for name, doc := range map[string]string{
		"corrupt":   `[{"corpus_item_id":"AA","click_count":1,`,
		"bad row":   `[{"corpus_item_id":"AA","click_count":1.5,"impression_count":10}]`,
		"missing":   `[{"corpus_item_id":"AA","click_count":1}]`,
		"not list":  `{"corpus_item_id":"AA"}`,
		"empty":     `[]`,
		"oversized": `[` + strings.Repeat(`{"corpus_item_id":"AA","click_count":1,"impression_count":10},`, 10) + `{}]`,
	} {
		if _, err := h.Apply([]byte(doc)); err == nil {
			t.Errorf("%s: accepted", name)
		} else if name == "empty" && !errors.Is(err, loaders.ErrEmpty) {
			t.Errorf("empty: %v", err)
		}
		if h.Load() != good {
			t.Fatalf("%s replaced the snapshot", name)
		}
	}
}

// merino-py's test_gcs_prior: US (0.05, 15000, 1e8) → alpha 37.5, beta 750; global (0.03,
// 8000) → alpha 12, beta 400.
func TestPriors(t *testing.T) {
	var h PriorHolder
	if _, ok := h.Load().Get(""); ok {
		t.Error("a prior before any load")
	}
	n, err := h.Apply([]byte(`[
	 {"region":"US","average_ctr_top2_items":0.05,"average_ctr_top10_items":0.03,"impressions_per_item":15000,"total_impressions_per_day":100000000},
	 {"average_ctr_top2_items":0.03,"average_ctr_top10_items":0.02,"impressions_per_item":8000,"total_impressions_per_day":1000000}]`))
	if err != nil || n != 2 {
		t.Fatalf("Apply = %d, %v", n, err)
	}
	us, _ := h.Load().Get("US")
	if us.Alpha != 37.5 || us.Beta != 750 || us.TotalImpressionsPerDay != 1e8 {
		t.Errorf("US = %+v", us)
	}
	g, _ := h.Load().Get("")
	if g.Alpha != 12 || g.Beta != 400 {
		t.Errorf("global = %+v", g)
	}
	if _, ok := h.Load().Get("CA"); ok {
		t.Error("CA has no prior")
	}
	if p, ok := ConstantPriors.Get("XX"); !ok || p != Constant {
		t.Error("the constant prior answers every region")
	}
	if _, err := h.Apply([]byte(`[{"region":"US"}]`)); err == nil {
		t.Error("a row without numbers was accepted")
	}
}
