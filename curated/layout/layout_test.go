package layout

import (
	"encoding/json"
	"slices"
	"testing"
)

var all = []*Layout{FourMedium, FourLarge, SixTiles, EightTwoAds}

// merino-py's model validators: one responsive layout per column count 1–4, positions a
// permutation of 0..n−1, no excerpt on small tiles, no ad on small or large tiles.
func TestInvariants(t *testing.T) {
	for _, l := range all {
		var cols []int
		for _, r := range l.Responsive {
			cols = append(cols, r.Columns)
			var pos []int
			for _, tl := range r.Tiles {
				pos = append(pos, tl.Position)
				if tl.Size == Small && tl.Excerpt {
					t.Errorf("%s/%d: small tile %d with an excerpt", l.Name, r.Columns, tl.Position)
				}
				if tl.Size != Medium && tl.Ad {
					t.Errorf("%s/%d: %s tile %d with an ad", l.Name, r.Columns, tl.Size, tl.Position)
				}
			}
			slices.Sort(pos)
			for i, p := range pos {
				if p != i {
					t.Errorf("%s/%d: positions %v", l.Name, r.Columns, pos)
					break
				}
			}
		}
		slices.Sort(cols)
		if !slices.Equal(cols, []int{1, 2, 3, 4}) {
			t.Errorf("%s: column counts %v", l.Name, cols)
		}
	}
}

func TestTileCounts(t *testing.T) {
	f := func(l *Layout, want int) {
		t.Helper()
		if l.Tiles != want {
			t.Errorf("%s: %d tiles, want %d", l.Name, l.Tiles, want)
		}
	}
	f(FourMedium, 4)
	f(FourLarge, 4)
	f(SixTiles, 6)
	f(EightTwoAds, 8)
}

// The JSON is merino-py's Layout model, field for field; without ads every hasAd is false and
// nothing else changes.
func TestJSON(t *testing.T) {
	got := string(FourMedium.AppendJSON(nil, true))
	want := `{"name":"4-medium-small-1-ad","responsiveLayouts":[` +
		`{"columnCount":4,"tiles":[{"size":"medium","position":0,"hasAd":false,"hasExcerpt":true},{"size":"medium","position":1,"hasAd":false,"hasExcerpt":true},{"size":"medium","position":2,"hasAd":false,"hasExcerpt":true},{"size":"medium","position":3,"hasAd":true,"hasExcerpt":true}]},` +
		`{"columnCount":3,"tiles":[{"size":"medium","position":0,"hasAd":false,"hasExcerpt":true},{"size":"medium","position":1,"hasAd":true,"hasExcerpt":true},{"size":"small","position":2,"hasAd":false,"hasExcerpt":false},{"size":"small","position":3,"hasAd":false,"hasExcerpt":false}]},` +
		`{"columnCount":2,"tiles":[{"size":"medium","position":0,"hasAd":false,"hasExcerpt":true},{"size":"medium","position":1,"hasAd":true,"hasExcerpt":true},{"size":"small","position":2,"hasAd":false,"hasExcerpt":false},{"size":"small","position":3,"hasAd":false,"hasExcerpt":false}]},` +
		`{"columnCount":1,"tiles":[{"size":"medium","position":0,"hasAd":false,"hasExcerpt":true},{"size":"medium","position":1,"hasAd":true,"hasExcerpt":true},{"size":"small","position":2,"hasAd":false,"hasExcerpt":false},{"size":"small","position":3,"hasAd":false,"hasExcerpt":false}]}]}`
	if got != want {
		t.Errorf("FourMedium:\n%s\nwant\n%s", got, want)
	}
	for _, l := range all {
		type tile struct {
			Size       string `json:"size"`
			Position   int    `json:"position"`
			HasAd      bool   `json:"hasAd"`
			HasExcerpt bool   `json:"hasExcerpt"`
		}
		var with, without struct {
			Name string `json:"name"`
			RL   []struct {
				Columns int    `json:"columnCount"`
				Tiles   []tile `json:"tiles"`
			} `json:"responsiveLayouts"`
		}
		if err := json.Unmarshal(l.AppendJSON(nil, true), &with); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(l.AppendJSON(nil, false), &without); err != nil {
			t.Fatal(err)
		}
		ads := 0
		for i := range with.RL {
			for j, tl := range with.RL[i].Tiles {
				o := without.RL[i].Tiles[j]
				if tl.HasAd {
					ads++
				}
				if o.HasAd || o.Size != tl.Size || o.Position != tl.Position || o.HasExcerpt != tl.HasExcerpt {
					t.Errorf("%s: tile %d/%d differs without ads: %+v vs %+v", l.Name, i, j, tl, o)
				}
			}
		}
		if with.Name != l.Name || ads == 0 {
			t.Errorf("%s: name %q, %d ad tiles", l.Name, with.Name, ads)
		}
	}
}

func TestCycle(t *testing.T) {
	var names []string
	for _, l := range Cycle {
		names = append(names, l.Name)
	}
	if want := []string{"6-small-medium-1-ad", "4-large-small-medium-1-ad", "4-medium-small-1-ad"}; !slices.Equal(names, want) {
		t.Errorf("cycle %v, want %v", names, want)
	}
}
