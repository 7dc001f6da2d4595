package main

import (
	"bytes"
	"context"
	"log/slog"
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
	out, _ := p.Query(context.Background(), &suggest.Request{Query: "amaz"}, nil)
	if len(out) != 1 || out[0].Keyword != "amazon.com" {
		t.Errorf("amaz: %+v", out)
	}
}
