package engagement

import (
	"sync"
	"testing"
)

// A view's rows are the snapshot's, by story index; regions without rows share nil, and
// concurrent first uses agree.
func TestView(t *testing.T) {
	s, err := ParseEngagement([]byte(`[
	 {"corpus_item_id":"AA","click_count":5,"impression_count":50,"report_count":1},
	 {"corpus_item_id":"AA","region":"US","click_count":1,"impression_count":10},
	 {"corpus_item_id":"CC","region":"US","click_count":2,"impression_count":20}]`))
	if err != nil {
		t.Fatal(err)
	}
	ids := []string{"AA", "BB", "CC"}
	v := NewView(s, ids)
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, region := range []string{"", "US", "CA", ""} {
				rows := v.Region(region)
				for i, id := range ids {
					c, ok := s.Get(id, region)
					var got Row
					if rows != nil {
						got = rows[i]
					}
					if got.OK != ok || got.Counts != c {
						t.Errorf("%s/%q: %+v, want %+v %v", id, region, got, c, ok)
					}
				}
			}
		}()
	}
	wg.Wait()
	if v.Region("CA") != nil || v.Snapshot() != s {
		t.Error("a region without rows has rows")
	}
	if NewView(nil, ids).Region("") != nil {
		t.Error("no snapshot, rows")
	}
}
