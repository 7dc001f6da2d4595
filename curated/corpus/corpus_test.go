package corpus

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mozilla-services/merino-go/curated/sampler"
	"github.com/mozilla-services/merino-go/curated/surface"
)

var discard = slog.New(slog.DiscardHandler)

// merino-py's parse_section_external_id cases.
func TestParseSectionID(t *testing.T) {
	f := func(raw, id string, variant int) {
		t.Helper()
		if gotID, gotV := ParseSectionID(raw); gotID != id || gotV != variant {
			t.Errorf("ParseSectionID(%q) = %q, %d; want %q, %d", raw, gotID, gotV, id, variant)
		}
	}
	f("food", "food", 0)
	f("food__lEN_GB", "food", 0)
	f("government__exp5050", "government", 5050)
	f("government__exp5050__lEN_US", "government", 5050)
	f("government__expABC", "government", 0)
	f("nfl__crawl__x", "nfl", 0)
	f("__exp12", "", 0)
	f("a__exp1__exp2", "a__exp1", 2)
}

func TestParseBundle(t *testing.T) {
	us := surface.Get(surface.EnUS)
	body, err := os.ReadFile("../../data/curated/sections.json")
	if err != nil {
		t.Fatal(err)
	}
	secs, err := ParseSections(body, us, nil, discard)
	if err != nil {
		t.Fatal(err)
	}
	// 46 sections, none inactive or variant: all canonical, duplicates kept.
	if len(secs.List) != 46 || secs.Skipped != 0 {
		t.Errorf("%d sections, %d skipped", len(secs.List), secs.Skipped)
	}
	n := 0
	for _, s := range secs.List {
		if s.ID == "food" {
			n++
		}
		for _, it := range s.Items {
			if !strings.Contains(it.URL, "utm_source=firefox-newtab-en-us") {
				t.Fatalf("%s: %s", it.ID, it.URL)
			}
		}
	}
	if n != 2 {
		t.Errorf("food appears %d times, want 2", n)
	}
	body, err = os.ReadFile("../../data/curated/scheduled_surface.json")
	if err != nil {
		t.Fatal(err)
	}
	sched, err := ParseScheduled(body, surface.Get(surface.DeAT), nil, discard)
	if err != nil || len(sched.Items) != 160 || sched.Items[0].ScheduledID != "de614b6b-6df6-470a-97f2-30344c56c1b3" ||
		strings.Contains(sched.Items[0].URL, "utm_source") {
		t.Errorf("scheduled: %v %d %+v", err, len(sched.Items), sched.Items[0])
	}
}

func TestParseAlternatesAndErrors(t *testing.T) {
	s := surface.Get(surface.EnUS)
	sec := func(id, src string, items string) string {
		return `{"createSource":"` + src + `","externalId":"` + id + `","active":true,"title":"T","iab":null,"followable":true,"allowAds":false,"sectionItems":[` + items + `]}`
	}
	item := `{"corpusItem":{"id":"i","url":"https://a.example/","title":"t","excerpt":"e","topic":"FOOD","publisher":"p","isTimeSensitive":false,"imageUrl":"https://a.example/i.png"}}`
	doc := `{"data":{"getSections":[` + sec("gov", "ML", item) + "," + sec("gov__exp5050", "ML", item) + "," + sec("gov", "MANUAL", item) +
		"," + sec("gov__exp7", "ML", item) + "," + sec("x_crawl", "ML", item) + `]}}`
	secs, err := ParseSections([]byte(doc), s, nil, discard)
	if err != nil {
		t.Fatal(err)
	}
	if len(secs.List) != 2 || secs.List[0].Alternate != nil || secs.List[1].Alternate == nil || secs.List[1].Alternate.Variant != 5050 || !secs.List[1].Manual {
		t.Errorf("alternates: %+v %+v", secs.List[0], secs.List[1])
	}
	for name, c := range map[string]struct {
		body string
		want any
	}{
		"graphql":   {`{"data":null,"errors":[{"message":"boom"}]}`, new(*GraphQLError)},
		"not json":  {`<html>`, new(*MalformedError)},
		"no data":   {`{"x":1}`, new(*ShapeError)},
		"bad shape": {`{"data":{"getSections":{}}}`, new(*ShapeError)},
		"bad src":   {`{"data":{"getSections":[` + sec("a", "BOT", item) + `]}}`, new(*ShapeError)},
	} {
		_, err := ParseSections([]byte(c.body), s, nil, discard)
		if err == nil || !errors.As(err, c.want) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// A cache fetches once per TTL window, serves stale data while it refreshes, and keeps the
// old value when a refresh fails.
func TestCache(t *testing.T) {
	var calls atomic.Int32
	var fail atomic.Bool
	load := func(ctx context.Context, key string) (int, error) {
		n := calls.Add(1)
		time.Sleep(20 * time.Millisecond)
		if fail.Load() {
			return 0, errors.New("down")
		}
		return int(n), nil
	}
	smp, _ := sampler.New("mean", 1)
	c := NewCache("test", load, 50*time.Millisecond, 50*time.Millisecond, smp.Uniform, nil, discard)
	done := make(chan int, 10)
	for i := 0; i < 10; i++ {
		go func() {
			v, err := c.Get(context.Background(), "k")
			if err != nil {
				t.Error(err)
			}
			done <- v
		}()
	}
	for i := 0; i < 10; i++ {
		if v := <-done; v != 1 {
			t.Errorf("coalesced value %d", v)
		}
	}
	time.Sleep(60 * time.Millisecond)
	if v, _ := c.Get(context.Background(), "k"); v != 1 {
		t.Errorf("stale value %d", v)
	}
	eventually(t, func() bool { v, _ := c.Get(context.Background(), "k"); return v == 2 })
	if n := calls.Load(); n != 2 {
		t.Errorf("%d loads, want 2", n)
	}
	fail.Store(true)
	time.Sleep(60 * time.Millisecond)
	c.Get(context.Background(), "k")
	eventually(t, func() bool { return calls.Load() == 3 })
	time.Sleep(30 * time.Millisecond)
	if v, err := c.Get(context.Background(), "k"); v != 2 || err != nil {
		t.Errorf("after a failed refresh: %d %v", v, err)
	}
	if _, err := c.Get(context.Background(), "cold"); err == nil {
		t.Error("a cold failure returned no error")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	fail.Store(false)
	if _, err := c.Get(ctx, "other"); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled wait: %v", err)
	}
}

func TestRequestBody(t *testing.T) {
	got := string(RequestBody(ScheduledSurface, surface.Get(surface.PlPL), "2025-03-17"))
	if !strings.HasSuffix(got, `,"variables":{"scheduledSurfaceId":"NEW_TAB_PL_PL","date":"2025-03-17"}}`) || !strings.Contains(got, "scheduledSurface(id: $scheduledSurfaceId)") {
		t.Errorf("%s", got)
	}
	got = string(RequestBody(GetSections, surface.Get(surface.EnGB), ""))
	if !strings.HasSuffix(got, `,"variables":{"filters":{"scheduledSurfaceGuid":"NEW_TAB_EN_GB"}}}`) {
		t.Errorf("%s", got)
	}
}

func eventually(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatal("timed out")
}
