package main

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/url"
	"os"
	"testing"

	"github.com/mozilla-services/merino-go/suggest"
	"github.com/mozilla-services/merino-go/suggest/adm"
)

// TestCommittedSampleIsCurrent regenerates data/amp.json and checks it is the committed file,
// that it loads, and that it answers like merino-py (the collapse gives "amaz" amazon.com).
func TestCommittedSampleIsCurrent(t *testing.T) {
	shared := "../../../../shared/data"
	if _, err := os.Stat(shared); err != nil {
		t.Skip("no shared data at ../shared/data: cannot regenerate")
	}
	got, st, err := Generate(Config{Shared: shared})
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile("../../amp.json")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("data/amp.json is stale: run `go run ./data/gen/amp -out data/amp.json` (%+v)", st)
	}
	p := adm.New(adm.Settings{Base: suggest.Base{Name: "adm", Score: 0.31}})
	seg := adm.Segment{Country: "US", FormFactor: adm.Desktop}
	if _, err := adm.MARSLoader(p, seg, adm.LoadOptions{ProviderID: "adm"}, slog.New(slog.DiscardHandler))(got); err != nil {
		t.Fatal(err)
	}
	if n := p.Segment(seg).Unservable; n != 0 {
		t.Errorf("%d unservable records", n)
	}
	// Every icon is a URL Firefox can load (the Remote Settings fixtures name icon records).
	var doc struct {
		Suggestions []struct {
			Title, Icon string
		}
	}
	if err := json.Unmarshal(got, &doc); err != nil {
		t.Fatal(err)
	}
	for _, s := range doc.Suggestions {
		if u, err := url.Parse(s.Icon); err != nil || u.Scheme != "https" || u.Host == "" {
			t.Errorf("%q: icon %q is not an https URL", s.Title, s.Icon)
		}
	}
	out, _ := p.Query(context.Background(), &suggest.Request{Query: "amaz"}, nil)
	if len(out) != 1 || out[0].Keyword != "amazon.com" {
		t.Errorf("amaz: %+v", out)
	}
}
