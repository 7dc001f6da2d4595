package adm_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/VictoriaMetrics/metrics"

	"github.com/mozilla-services/merino-go/kinto/kintotest"
	"github.com/mozilla-services/merino-go/loaders"
	"github.com/mozilla-services/merino-go/suggest"
	"github.com/mozilla-services/merino-go/suggest/adm"
)

func setup(t *testing.T) (*kintotest.Server, *adm.Provider, *loaders.Syncer, *metrics.Counter) {
	t.Helper()
	fake := kintotest.New(t, "testdata/kinto")
	c, err := adm.NewKintoClient(adm.KintoOptions{Server: fake.URL, Bucket: kintotest.Bucket, Collection: kintotest.Collection, RequestTimeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	p := adm.New(adm.Settings{Base: suggest.Base{Name: "adm", Score: 0.31, EnabledByDefault: true}, Fuzzy: true, MinSubstitutionLen: 7})
	s := loaders.NewSyncer(t.Name(), adm.NewRemoteSettingsSource(c), time.Hour, adm.RemoteSettingsLoader(p, adm.LoadOptions{ProviderID: "adm"}, discard), discard)
	return fake, p, s, metrics.GetOrCreateCounter(fmt.Sprintf(`merino_source_errors_total{source=%q}`, t.Name()))
}

func readBytes(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestSyncFromKinto(t *testing.T) {
	fake, p, s, errs := setup(t)
	ctx := context.Background()
	if changed, err := s.Sync(ctx); !changed || err != nil {
		t.Fatalf("first sync: %v %v", changed, err)
	}
	reqs := strings.Join(fake.Requests(), "\n")
	for _, want := range []string{
		"/v1/buckets/monitor/collections/changes/changeset?_expected=0&bucket=main&collection=quicksuggest",
		"/v1/buckets/main/collections/quicksuggest/changeset?_expected=1700000000106",
		"/v1/",
		"/attachments/main-workspace/quicksuggest/data-1.json",
	} {
		if !strings.Contains(reqs, want+"\n") && !strings.HasSuffix(reqs, want) {
			t.Errorf("no request %s in\n%s", want, reqs)
		}
	}
	if strings.Contains(reqs, "data-2.json") {
		t.Error("an amo-suggestions attachment was downloaded")
	}

	// Attachment items lack full_keywords: Rust Merino's get_full_keyword derives them
	// ("lo" → "los"); missing click/impression URLs are left out; icons come from icon records.
	base := strings.TrimSuffix(fake.URL, "/v1") + "/attachments/main-workspace/quicksuggest/"
	want := `{"title":"Los Pollos Hermanos - Albuquerque","url":"https://www.lph-nm.biz/","provider":"adm","is_sponsored":false,"score":0.31,"icon":"` + base + `icon-los-pollos-favicon.bin","is_top_pick":false,"block_id":100,"full_keyword":"los","advertiser":"Los Pollos Hermanos","impression_url":"https://example.com/impression_url","click_url":"https://example.com/click_url"}`
	if got := query(p, "lo", "", ""); got != want {
		t.Errorf("lo:\n got %s\nwant %s", got, want)
	}
	want = `{"title":"California","url":"https://wikipedia.org/California","provider":"adm","is_sponsored":false,"score":0.31,"icon":"` + base + `icon-caltech-favicon.bin","is_top_pick":false,"block_id":2001,"full_keyword":"california","advertiser":"Wikipedia"}`
	if got := query(p, "cal", "US", "desktop"); !strings.Contains(got, `"block_id":2001,"full_keyword":"california","advertiser":"Wikipedia"}`) {
		// The later record (caltech, 2001) overwrites the identical keywords of california.
		t.Errorf("cal:\n got %s\nwant %s", got, want)
	}
	if got := query(p, "lo", "US", "phone"); got != "" {
		t.Errorf("records without a segment serve US/desktop only: %s", got)
	}

	// Nothing changed: one monitor request.
	if changed, err := s.Sync(ctx); changed || err != nil {
		t.Fatalf("unchanged sync: %v %v", changed, err)
	}
	if reqs := fake.Requests(); len(reqs) != 1 {
		t.Errorf("unchanged sync made %d requests: %q", len(reqs), reqs)
	}
	// Another record type changed: the changeset is read, no attachment downloaded.
	fake.Touch()
	if changed, err := s.Sync(ctx); changed || err != nil {
		t.Fatalf("touched sync: %v %v", changed, err)
	}
	if reqs := fake.Requests(); len(reqs) != 2 {
		t.Errorf("touched sync made requests %q", reqs)
	}

	// A new record for DE phones, from Rust Merino's contract data (numeric icon ids).
	fake.Publish("data-01", "amp", readBytes(t, "testdata/merino-rust/data-01.json"), map[string]any{"country": "DE", "form_factor": "phone"})
	if changed, err := s.Sync(ctx); !changed || err != nil {
		t.Fatalf("publish: %v %v", changed, err)
	}
	if got := query(p, "hello", "DE", "phone"); !strings.Contains(got, `"icon":"-1"`) || !strings.Contains(got, `"is_sponsored":true`) || !strings.Contains(got, `"full_keyword":"hello"`) {
		t.Errorf("DE/phone hello: %s", got)
	}
	if got := query(p, "lo", "", ""); got == "" {
		t.Error("US/desktop lost")
	}

	// Bad input keeps the old indexes and counts an error.
	before := errs.Get()
	fail := func(what string, wantErr error, setup func()) {
		t.Helper()
		setup()
		_, err := s.Sync(ctx)
		if err == nil || (wantErr != nil && !errors.Is(err, wantErr)) {
			t.Errorf("%s: err = %v", what, err)
		}
		if query(p, "hello", "DE", "phone") == "" || query(p, "lo", "", "") == "" {
			t.Errorf("%s: an index was lost", what)
		}
	}
	fail("hash mismatch", adm.ErrIntegrity, func() {
		fake.Publish("data-03", "data", readBytes(t, "testdata/merino-rust/data-03.json"), nil)
		fake.ServeBytes("data-03", readBytes(t, "testdata/merino-rust/data-03-refresh.json"))
	})
	fail("truncated attachment", adm.ErrIntegrity, func() {
		fake.ServeBytes("data-03", readBytes(t, "testdata/merino-rust/data-03.json")[:100])
	})
	fail("not JSON", nil, func() { fake.Publish("data-03", "data", []byte("{not json"), nil) })
	fail("missing required field", nil, func() { fake.Publish("data-03", "data", []byte(`[{"id":1,"title":"x"}]`), nil) })
	fail("HTTP 503", nil, func() { fake.Fail(503) })
	fake.Fail(0)
	if got := errs.Get() - before; got != 5 {
		t.Errorf("errors counted = %d, want 5", got)
	}

	// Repaired: the refresh replaces record data-03.
	fake.Publish("data-03", "data", readBytes(t, "testdata/merino-rust/data-03-refresh.json"), nil)
	if changed, err := s.Sync(ctx); !changed || err != nil {
		t.Fatalf("refresh: %v %v", changed, err)
	}
	// Deleting a record rebuilds without it.
	fake.Delete("data-01")
	if changed, err := s.Sync(ctx); !changed || err != nil {
		t.Fatalf("delete: %v %v", changed, err)
	}
	if got := query(p, "hello", "DE", "phone"); got != "" {
		t.Errorf("deleted record still served: %s", got)
	}
}

func TestVerify(t *testing.T) {
	a := &adm.Attachment{Size: 3, Hash: "BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD"}
	if err := adm.Verify([]byte("abc"), a); err != nil {
		t.Error(err)
	}
	for _, bad := range []string{"abd", "ab", "abcd", ""} {
		if err := adm.Verify([]byte(bad), a); !errors.Is(err, adm.ErrIntegrity) {
			t.Errorf("Verify(%q) = %v", bad, err)
		}
	}
}

func TestClientErrors(t *testing.T) {
	fake := kintotest.New(t, "testdata/kinto")
	f := func(opts adm.KintoOptions) {
		t.Helper()
		if _, err := adm.NewKintoClient(opts); err == nil {
			t.Errorf("NewClient(%+v): no error", opts)
		}
	}
	f(adm.KintoOptions{Server: "localhost:8888", Bucket: "main", Collection: "c"})
	f(adm.KintoOptions{Server: "http://x/v1", Bucket: "", Collection: "c"})
	f(adm.KintoOptions{Server: "http://x/v1", Bucket: "main", Collection: "a/b"})
	c, err := adm.NewKintoClient(adm.KintoOptions{Server: fake.URL, Bucket: "main", Collection: "other"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.CollectionTimestamp(context.Background()); err == nil || !strings.Contains(err.Error(), "does not list") {
		t.Errorf("unknown collection: %v", err)
	}
	if _, err := c.Changeset(context.Background(), 1); err == nil || !strings.Contains(err.Error(), "HTTP 404") {
		t.Errorf("unknown collection changeset: %v", err)
	}
}
