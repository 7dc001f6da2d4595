package kinto_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/mozilla-services/merino-go/jsonw"
	"github.com/mozilla-services/merino-go/kinto"
	"github.com/mozilla-services/merino-go/kinto/kintotest"
)

const (
	bucket     = "main-workspace"
	collection = "quicksuggest-other"
	auth       = "Bearer s3cr3t:token"
)

func setup(t *testing.T) (*kintotest.Server, *kinto.Client) {
	t.Helper()
	fake := kintotest.NewWritable(t, bucket+"/"+collection)
	fake.RequireAuth(auth)
	c, err := kinto.New(kinto.Options{Server: fake.URL, Bucket: bucket, Collection: collection, Authorization: auth,
		UserAgent: "merino-go/test", RetryWait: time.Millisecond, MaxWait: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return fake, c
}

func TestAuthHeader(t *testing.T) {
	f := func(in, want string, wantErr bool) {
		t.Helper()
		got, err := kinto.AuthHeader(in)
		if got != want || (err != nil) != wantErr {
			t.Errorf("AuthHeader(%q) = %q, %v; want %q (error %t)", in, got, err, want, wantErr)
		}
		if err != nil && strings.Contains(err.Error(), in) {
			t.Errorf("the error quotes the secret: %v", err)
		}
	}
	f("", "", false)
	f("Bearer abc", "Bearer abc", false)
	f("bearer a:b", "bearer a:b", false) // kinto-http would send Basic
	f("Basic dXNlcjpwYXNz", "Basic dXNlcjpwYXNz", false)
	f("user:pass", "Basic dXNlcjpwYXNz", false)
	f("justatoken", "", true)
}

func TestFilterExpression(t *testing.T) {
	f := func(countries, locales []string, want string) {
		t.Helper()
		if got := kinto.FilterExpression(countries, locales); got != want {
			t.Errorf("FilterExpression(%q, %q) = %q; want %q", countries, locales, got, want)
		}
	}
	f(nil, nil, "")
	f([]string{"US"}, nil, "env.country in ['US']")
	f([]string{"US", "GB"}, nil, "env.country in ['GB', 'US']")
	f(nil, []string{"en-US"}, "env.locale in ['en-US']")
	f(nil, []string{"en-US", "en-GB"}, "env.locale in ['en-GB', 'en-US']")
	f([]string{"US", "GB"}, []string{"en-US", "en-GB"}, "env.country in ['GB', 'US'] && env.locale in ['en-GB', 'en-US']")
}

func TestNew(t *testing.T) {
	f := func(opts kinto.Options) {
		t.Helper()
		if _, err := kinto.New(opts); err == nil {
			t.Errorf("New(%+v): no error", opts)
		} else if strings.Contains(err.Error(), "pw") {
			t.Errorf("the error shows the password: %v", err)
		}
	}
	f(kinto.Options{Server: "remote-settings/v1", Bucket: "b", Collection: "c"})
	f(kinto.Options{Server: "ftp://user:pw@x/v1", Bucket: "b", Collection: "c"})
	f(kinto.Options{Server: "http://x/v1", Bucket: "a/b", Collection: "c"})
	f(kinto.Options{Server: "http://x/v1", Bucket: "b", Collection: ""})
}

// TestUpload checks the exact requests of an upload: PUT {"data": record} then one multipart
// part with merino-py's two headers, and what the server then lists.
func TestUpload(t *testing.T) {
	fake, c := setup(t)
	ctx := context.Background()
	attachment := jsonw.Python.Marshal([]any{jsonw.Object{{Key: "url", Value: "https://example.com/é"}, {Key: "score", Value: 0.25}}})
	record := jsonw.Object{{Key: "id", Value: "mdn-suggestions-0-1"}, {Key: "type", Value: "mdn-suggestions"}}
	if err := c.Upload(ctx, record, attachment); err != nil {
		t.Fatal(err)
	}
	log := fake.Log()
	if len(log) != 2 || log[0].Method != "PUT" || log[1].Method != "POST" {
		t.Fatalf("requests %+v", log)
	}
	put, post := log[0], log[1]
	if put.Path != "/v1/buckets/main-workspace/collections/quicksuggest-other/records/mdn-suggestions-0-1" ||
		put.Authorization != auth || put.ContentType != "application/json" ||
		string(put.Body) != `{"data": {"id": "mdn-suggestions-0-1", "type": "mdn-suggestions"}}` {
		t.Errorf("PUT %+v %s", put, put.Body)
	}
	if post.Path != put.Path+"/attachment" || !strings.HasPrefix(post.ContentType, "multipart/form-data; boundary=") || len(post.Parts) != 1 {
		t.Fatalf("POST %+v", post)
	}
	part := post.Parts[0]
	wantHeader := map[string][]string{
		"Content-Disposition": {`form-data; name="attachment"; filename="mdn-suggestions-0-1.json"`},
		"Content-Type":        {"application/json"},
	}
	if !reflect.DeepEqual(map[string][]string(part.Header), wantHeader) || string(part.Body) != string(attachment) {
		t.Errorf("part %v %s", part.Header, part.Body)
	}
	if string(attachment) != `[{"url": "https://example.com/\u00e9", "score": 0.25}]` {
		t.Errorf("attachment bytes %s", attachment)
	}

	recs, err := c.Records(ctx)
	if err != nil || len(recs) != 1 {
		t.Fatalf("%v %v", recs, err)
	}
	sum := sha256.Sum256(attachment)
	if recs[0].ID() != "mdn-suggestions-0-1" || recs[0].String("type") != "mdn-suggestions" || recs[0].AttachmentHash() != hex.EncodeToString(sum[:]) {
		t.Errorf("listed %v", recs[0])
	}
	if got := fake.Attachment(bucket, collection, "mdn-suggestions-0-1"); string(got) != string(attachment) {
		t.Errorf("stored %s", got)
	}

	// A second PUT drops fields the new record no longer has, and the attachment until the
	// POST lands.
	if _, err := c.Put(ctx, jsonw.Object{{Key: "id", Value: "mdn-suggestions-0-1"}}); err != nil {
		t.Fatal(err)
	}
	if got := fake.Records(bucket, collection)[0]; got["type"] != nil || got["attachment"] != nil {
		t.Errorf("after PUT: %v", got)
	}
}

func TestRecordsPages(t *testing.T) {
	fake, c := setup(t)
	for _, id := range []string{"a", "b", "c", "d", "e"} {
		fake.Seed(bucket, collection, map[string]any{"id": id, "type": "x", "n": 12345678901234567}, nil, nil)
	}
	fake.SetPageSize(2)
	fake.Log()
	recs, err := c.Records(context.Background())
	if err != nil || len(recs) != 5 {
		t.Fatalf("%d records, %v", len(recs), err)
	}
	if n := recs[0]["n"]; n != json.Number("12345678901234567") {
		t.Errorf("numbers are kept exact: %v", n)
	}
	log := fake.Log()
	if len(log) != 3 || log[0].Query != "" || log[1].Query != "_limit=2&_token=2" {
		t.Errorf("requests %+v", log)
	}

	// Next-Page points to the fake's 127.0.0.1; a client configured with localhost must not
	// send its credentials there.
	other, err := kinto.New(kinto.Options{Server: strings.Replace(fake.URL, "127.0.0.1", "localhost", 1), Bucket: bucket, Collection: collection, Authorization: auth})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := other.Records(context.Background()); err == nil || !strings.Contains(err.Error(), "Next-Page") {
		t.Errorf("followed a Next-Page to another origin: %v", err)
	}
}

func TestErrors(t *testing.T) {
	fake, c := setup(t)
	ctx := context.Background()
	wrong, _ := kinto.New(kinto.Options{Server: fake.URL, Bucket: bucket, Collection: collection, Authorization: "Bearer wrong", MaxTries: 1})
	_, err := wrong.Records(ctx)
	var kerr *kinto.Error
	if !errors.As(err, &kerr) || kerr.Status != 401 || kerr.Errno != 104 ||
		err.Error() != "GET /v1/buckets/main-workspace/collections/quicksuggest-other/records: HTTP 401: Please authenticate yourself to use this endpoint." {
		t.Errorf("wrong token: %v", err)
	}
	if strings.Contains(err.Error(), "wrong") {
		t.Errorf("the error shows the token: %v", err)
	}

	missing, _ := kinto.New(kinto.Options{Server: fake.URL, Bucket: bucket, Collection: "nope", Authorization: auth})
	if err := missing.Delete(ctx, "x"); !errors.As(err, &kerr) || kerr.Status != 404 {
		t.Errorf("unknown collection: %v", err)
	}
	if err := c.Delete(ctx, "x"); !errors.As(err, &kerr) || kerr.Status != 404 {
		t.Errorf("a missing record on the first attempt is an error: %v", err)
	}
	if _, err := c.Put(ctx, jsonw.Object{{Key: "id", Value: "../../x"}}); err == nil {
		t.Error("an id that is not a Kinto id was sent")
	}
	unreachable, _ := kinto.New(kinto.Options{Server: "http://127.0.0.1:1/v1", Bucket: bucket, Collection: collection, MaxTries: 2, RetryWait: time.Millisecond})
	if _, err := unreachable.Records(ctx); !errors.As(err, &kerr) || kerr.Status != 0 || !strings.HasPrefix(err.Error(), "GET /v1/buckets/") {
		t.Errorf("unreachable: %v", err)
	}
}

func TestRetries(t *testing.T) {
	fake, c := setup(t)
	ctx := context.Background()
	rec := jsonw.Object{{Key: "id", Value: "r"}}
	methods := func() string {
		var m []string
		for _, r := range fake.Log() {
			m = append(m, r.Method)
		}
		return strings.Join(m, " ")
	}

	fake.Inject(kintotest.Fault{Method: "PUT", Times: 1, Status: 503, RetryAfter: "1"})
	if err := c.Upload(ctx, rec, []byte("[]")); err != nil || methods() != "PUT PUT POST" {
		t.Errorf("503 on PUT: %v", err)
	}
	fake.Inject(kintotest.Fault{Method: "POST", Times: 1, Drop: true})
	if err := c.Upload(ctx, rec, []byte("[]")); err != nil || methods() != "PUT POST PUT POST" {
		t.Errorf("dropped POST: %v", err)
	}
	fake.Inject(kintotest.Fault{Method: "POST", Status: 500, Message: "boom"})
	err := c.Upload(ctx, rec, []byte("[]"))
	if err == nil || !strings.Contains(err.Error(), "POST /v1/buckets/main-workspace/collections/quicksuggest-other/records/r/attachment: HTTP 500: boom") ||
		methods() != "PUT POST PUT POST PUT POST" {
		t.Errorf("500 on every POST: %v", err)
	}
	fake.Inject(kintotest.Fault{Method: "PUT", PathSuffix: "/q", Status: 400, Message: "bad"})
	if _, err := c.Put(ctx, jsonw.Object{{Key: "id", Value: "q"}}); err == nil || methods() != "PUT" {
		t.Errorf("a 400 is not retried: %v", err)
	}
	fake.Inject(kintotest.Fault{Method: "DELETE", Times: 1, Drop: true})
	if err := c.Delete(ctx, "r"); err != nil || methods() != "DELETE DELETE" {
		t.Errorf("dropped DELETE: %v", err)
	}

	// A Backoff header delays the next request (capped at MaxWait, 50 ms here).
	fake.Inject(kintotest.Fault{Method: "GET", Times: 1, Status: 503, Backoff: "10"})
	start := time.Now()
	if _, err := c.Records(ctx); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < 40*time.Millisecond {
		t.Errorf("backoff not honoured: %v", d)
	}

	ctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := c.Records(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}

func TestRequestReview(t *testing.T) {
	fake, c := setup(t)
	ctx := context.Background()
	if err := c.RequestReview(ctx, "geonames: 3 uploaded"); err != nil {
		t.Fatal(err)
	}
	log := fake.Log()
	if len(log) != 1 || log[0].Method != "PATCH" || log[0].Path != "/v1/buckets/main-workspace/collections/quicksuggest-other" ||
		string(log[0].Body) != `{"data": {"status": "to-review", "last_editor_comment": "geonames: 3 uploaded"}}` {
		t.Errorf("%+v", log)
	}
	if s := fake.Metadata(bucket, collection)["status"]; s != "to-review" {
		t.Errorf("status %v", s)
	}
	if _, err := c.Put(ctx, jsonw.Object{{Key: "id", Value: "x"}}); err != nil {
		t.Fatal(err)
	}
	if s := fake.Metadata(bucket, collection)["status"]; s != "work-in-progress" {
		t.Errorf("a write puts the collection back to work in progress: %v", s)
	}
}
