package curated_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/mozilla-services/merino-go/curated/sampler"
)

// parityNow is the clock of testdata/parity/oracle.py (the pinned fresh slot's hour, follow
// recency, the local model's time-zone thresholds).
var parityNow = time.Date(2026, 6, 15, 12, 0, 0, 0, time.UTC)

// TestMerinoPyParity replays testdata/parity/cases.json — sections requests of every kind:
// surfaces, follows and blocks, interests, experiments, the picker, pinned draws from 0.01 to
// 0.999 — and compares merino-go's answers with merino-py's own, computed by its code at the
// reference commit on the same bundle with the same draws (golden.json, see oracle.py): section
// order, ranks, every section field, layouts and ad tiles, each section's stories in order with
// their serverScores, the picker and the local model.
func TestMerinoPyParity(t *testing.T) {
	var cases []struct {
		Name       string            `json:"name"`
		U          float64           `json:"u"`
		Prior      string            `json:"prior"`
		Engagement []json.RawMessage `json:"engagement"`
		Body       json.RawMessage   `json:"body"`
	}
	var golden []struct {
		Name     string          `json:"name"`
		Response json.RawMessage `json:"response"`
	}
	for path, v := range map[string]any{"testdata/parity/cases.json": &cases, "testdata/parity/golden.json": &golden} {
		if err := json.Unmarshal([]byte(readFile(t, path)), v); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
	}
	if len(cases) != len(golden) {
		t.Fatalf("%d cases, %d answers: run oracle.py again", len(cases), len(golden))
	}
	bundleRows := strings.TrimSpace(readFile(t, bundle+"/engagement.json"))
	// One server per setting (draw, priors, engagement): the sampler is stateless, so cases
	// sharing one also share its corpus cache.
	servers := map[string]*harness{}
	for i, c := range cases {
		if golden[i].Name != c.Name {
			t.Fatalf("case %d is %q in golden.json, %q in cases.json", i, golden[i].Name, c.Name)
		}
		extra := make([]string, len(c.Engagement))
		for i, r := range c.Engagement {
			extra[i] = string(r)
		}
		key := fmt.Sprint(c.U, c.Prior, extra)
		h := servers[key]
		if h == nil {
			h = start(t, func(s *setup) {
				s.fixed, s.now = sampler.Fixed(c.U), parityNow
				if c.Prior == "none" {
					s.prior = "-"
				}
				if len(extra) > 0 {
					s.engagement = bundleRows[:len(bundleRows)-1] + "," + strings.Join(extra, ",") + "]"
				}
			})
			servers[key] = h
		}
		t.Run(c.Name, func(t *testing.T) {
			h.t = t
			defer func() { h.t = nil }()
			status, body := h.post(string(c.Body))
			if status != 200 {
				t.Fatalf("%d %s", status, body)
			}
			got, err := digest([]byte(body))
			if err != nil {
				t.Fatalf("%v in %.300s", err, body)
			}
			var want any
			if err := json.Unmarshal(golden[i].Response, &want); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				g, _ := json.Marshal(got)
				w, _ := json.Marshal(want)
				if os.Getenv("PARITY_DUMP") != "" {
					_ = os.WriteFile(os.Getenv("PARITY_DUMP"), append(append(g, '\n'), w...), 0o644)
				}
				t.Errorf("merino-go differs from merino-py:\n got %.2000s\nwant %.2000s", g, w)
			}
		})
	}
}

// digest reduces a response as oracle.py's digest does; feeds keep their JSON order.
func digest(body []byte) (any, error) {
	var r struct {
		SurfaceID          string `json:"surfaceId"`
		Data               []struct{ CorpusItemID string }
		Feeds              json.RawMessage `json:"feeds"`
		InterestPicker     any             `json:"interestPicker"`
		InferredLocalModel any             `json:"inferredLocalModel"`
	}
	if err := json.Unmarshal(body, &r); err != nil {
		return nil, err
	}
	data := []any{}
	for _, d := range r.Data {
		data = append(data, d.CorpusItemID)
	}
	var feeds any
	if !bytes.Equal(r.Feeds, []byte("null")) {
		ids, secs, err := members(r.Feeds)
		if err != nil {
			return nil, err
		}
		list := []any{}
		for i, raw := range secs {
			var s map[string]any
			if err := json.Unmarshal(raw, &s); err != nil {
				return nil, err
			}
			lay := s["layout"].(map[string]any)
			var ads strings.Builder
			for _, rl := range lay["responsiveLayouts"].([]any) {
				for _, tile := range rl.(map[string]any)["tiles"].([]any) {
					ads.WriteByte("01"[boolInt(tile.(map[string]any)["hasAd"].(bool))])
				}
			}
			stories := []any{}
			for j, rec := range s["recommendations"].([]any) {
				m := rec.(map[string]any)
				st := []any{m["corpusItemId"].(string)[:8], m["receivedRank"], m["serverScore"]}
				if j == 0 {
					st = append(st, m["features"])
				}
				stories = append(stories, st)
			}
			delete(s, "recommendations")
			s["id"], s["layout"], s["ads"], s["stories"] = ids[i], lay["name"], ads.String(), stories
			list = append(list, s)
		}
		feeds = list
	}
	out := map[string]any{"surfaceId": r.SurfaceID, "data": data, "feeds": feeds,
		"interestPicker": r.InterestPicker, "inferredLocalModel": r.InferredLocalModel}
	// Through JSON once more, so that numbers and nested values have encoding/json's types.
	b, err := json.Marshal(out)
	if err != nil {
		return nil, err
	}
	var v any
	return v, json.Unmarshal(b, &v)
}

// members returns an object's keys and values in document order.
func members(obj []byte) ([]string, []json.RawMessage, error) {
	dec := json.NewDecoder(bytes.NewReader(obj))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, nil, fmt.Errorf("not an object: %v", err)
	}
	var keys []string
	var vals []json.RawMessage
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, nil, err
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, nil, err
		}
		keys, vals = append(keys, tok.(string)), append(vals, v)
	}
	return keys, vals, nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
