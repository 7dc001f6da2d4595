package wikimedia_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/mozilla-services/merino-go/jobs/wikimedia"
	"github.com/mozilla-services/merino-go/jobs/wikimedia/wikimediatest"
)

func TestTop(t *testing.T) {
	wm := wikimediatest.New(t)
	day := time.Date(2026, 1, 2, 23, 59, 0, 0, time.FixedZone("x", -3600))
	wm.SetDay("en", "desktop", day, []wikimedia.Article{{Article: "A", Views: 3}, {Article: "B", Views: 2}})
	c, err := wikimedia.NewClient(wm.Base, "merino-go/test", time.Second)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	got, err := c.Top(ctx, "en", "desktop", day)
	if err != nil || len(got) != 2 || got[1].Article != "B" || got[1].Rank != 2 {
		t.Errorf("%v %v", got, err)
	}
	if r := wm.Requests(); len(r) != 1 || r[0] != "/api/rest_v1/metrics/pageviews/top/en.wikipedia.org/desktop/2026/01/03" {
		t.Errorf("the UTC date is asked for: %v", r)
	}
	if _, err := c.Top(ctx, "fr", "desktop", day); err == nil || !strings.Contains(err.Error(), "HTTP 404: The date(s) you used are valid") {
		t.Errorf("missing day: %v", err)
	}
	if _, err := wikimedia.NewClient(wm.Base, "", time.Second); err == nil {
		t.Error("a client without a User-Agent")
	}
	req, _ := http.NewRequest(http.MethodGet, wm.Base+"/en.wikipedia.org/desktop/2026/01/03", nil)
	req.Header.Set("User-Agent", "")
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusForbidden {
		t.Errorf("the fake answers an anonymous client: %v %v", resp, err)
	}
	if _, err := c.Top(ctx, "../x", "desktop", day); err == nil {
		t.Error("a language that is not a code went into the URL")
	}
	if _, err := wikimedia.NewClient("wikimedia.org", "x", time.Second); err == nil {
		t.Error("a relative URL")
	}
}
