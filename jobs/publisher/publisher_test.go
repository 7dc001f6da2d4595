package publisher_test

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/mozilla-services/merino-go/jobs"
	"github.com/mozilla-services/merino-go/jobs/publisher"
	"github.com/mozilla-services/merino-go/jsonw"
	"github.com/mozilla-services/merino-go/kinto"
	"github.com/mozilla-services/merino-go/kinto/kintotest"
	"github.com/mozilla-services/merino-go/mozlog"
)

const bc = "main-workspace/quicksuggest-other"

func setup(t *testing.T, dryRun bool) (*kintotest.Server, *publisher.Publisher, *bytes.Buffer) {
	t.Helper()
	fake := kintotest.NewWritable(t, bc)
	c, err := kinto.New(kinto.Options{Server: fake.URL, Bucket: "main-workspace", Collection: "quicksuggest-other", RetryWait: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	log := slog.New(mozlog.NewHandler(mozlog.NewWriter(&logs, true, "merino", slog.LevelInfo)))
	return fake, publisher.NewWithClient(c, dryRun, log), &logs
}

func ids(recs []map[string]any) string {
	var s []string
	for _, r := range recs {
		s = append(s, fmt.Sprint(r["id"]))
	}
	return strings.Join(s, " ")
}

// TestChunked follows merino-py's test_chunked_rs_uploader.py: ids, attachments, padding.
func TestChunked(t *testing.T) {
	f := func(size, count, total int, score float64, want string) {
		t.Helper()
		fake, p, _ := setup(t, false)
		ctx := context.Background()
		c := p.Chunked("test-record-type", size, total, nil)
		for i := range count {
			item := jsonw.Object{{Key: "i", Value: i}}
			if i == 0 {
				item = append(item, jsonw.Member{Key: "score", Value: 0.9})
			}
			if err := c.Add(ctx, publisher.WithScore(item, score)); err != nil {
				t.Fatal(err)
			}
		}
		if err := c.Finish(ctx); err != nil {
			t.Fatal(err)
		}
		recs := fake.Records("main-workspace", "quicksuggest-other")
		if got := ids(recs); got != want {
			t.Errorf("size %d, count %d, total %d: ids %q; want %q", size, count, total, got, want)
		}
		if p.Counts.Uploaded != len(recs) {
			t.Errorf("counts %+v", p.Counts)
		}
	}
	f(10, 9, 0, 0, "test-record-type-0-9")
	f(10, 10, 0, 0, "test-record-type-0-10")
	f(10, 19, 0, 0, "test-record-type-0-10 test-record-type-10-19")
	f(10, 20, 0, 0, "test-record-type-0-10 test-record-type-10-20")
	f(500, 1999, 1999, 0, "test-record-type-0000-0500 test-record-type-0500-1000 test-record-type-1000-1500 test-record-type-1500-1999")
	f(200, 450, 450, 0, "test-record-type-000-200 test-record-type-200-400 test-record-type-400-450")

	fake, p, _ := setup(t, false)
	c := p.Chunked("t", 10, 3, nil)
	for i := range 3 {
		_ = c.Add(context.Background(), publisher.WithScore(jsonw.Object{{Key: "i", Value: i}}, map[bool]float64{true: 0.9, false: 0}[i == 0]))
	}
	_ = c.Add(context.Background(), publisher.WithScore(jsonw.Object{{Key: "i", Value: 3}, {Key: "score", Value: 0.1}}, 0.25))
	_ = c.Finish(context.Background())
	got := string(fake.Attachment("main-workspace", "quicksuggest-other", "t-0-4"))
	if want := `[{"i": 0, "score": 0.9}, {"i": 1}, {"i": 2}, {"i": 3, "score": 0.1}]`; got != want {
		t.Errorf("score fallback: %s; want %s", got, want)
	}
}

func TestDryRunAndUnchanged(t *testing.T) {
	fake, p, logs := setup(t, true)
	ctx := context.Background()
	att := publisher.Attachment([]any{"x"})
	fake.Seed("main-workspace", "quicksuggest-other", map[string]any{"id": "old", "type": "t"}, att, nil)
	fake.Seed("main-workspace", "quicksuggest-other", map[string]any{"id": "other", "type": "u"}, nil, nil)
	fake.Log()
	recs, err := p.Records(ctx)
	if err != nil {
		t.Fatal(err)
	}
	c := p.Chunked("t", 10, 1, recs)
	if err := c.DeleteStale(ctx); err != nil {
		t.Fatal(err)
	}
	_ = c.Add(ctx, "a")
	if err := c.Finish(ctx); err != nil {
		t.Fatal(err)
	}
	for _, r := range fake.Log() {
		if r.Mutating() {
			t.Errorf("dry run sent %s %s", r.Method, r.Path)
		}
	}
	sum, err := p.Finish(ctx)
	if err != nil || sum != "1 uploaded, 0 unchanged, 1 deleted, 5 bytes of attachments (dry run: nothing was sent)" {
		t.Errorf("summary %q %v", sum, err)
	}
	for _, want := range []string{"Getting all records", "Deleting records with type: t", "Deleting record: old", "Updating record: t-0-1", "Uploading attachment: t-0-1 (5 bytes)", "merino.jobs.utils.rs_client"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, logs)
		}
	}

	// The unchanged check compares the sha256 of the bytes with the published hash.
	fake2, p2, logs2 := setup(t, false)
	fake2.Seed("main-workspace", "quicksuggest-other", map[string]any{"id": "r", "type": "t"}, att, nil)
	recs, _ = p2.Records(ctx)
	rec := jsonw.Object{{Key: "id", Value: "r"}, {Key: "type", Value: "t"}}
	fake2.Log()
	if up, err := p2.Upload(ctx, rec, att, recs[0], false); up || err != nil {
		t.Errorf("unchanged: %v %v", up, err)
	}
	if up, err := p2.Upload(ctx, rec, att, recs[0], true); !up || err != nil {
		t.Errorf("forced: %v %v", up, err)
	}
	if up, _ := p2.Upload(ctx, rec, publisher.Attachment([]any{"y"}), recs[0], false); !up {
		t.Error("changed bytes are uploaded")
	}
	if n := len(fake2.Log()); n != 4 || p2.Counts.Unchanged != 1 || p2.Counts.Uploaded != 2 || !strings.Contains(logs2.String(), "Record has not changed: r") {
		t.Errorf("%d requests, counts %+v", n, p2.Counts)
	}
}

func TestFailedAndReview(t *testing.T) {
	fake, p, _ := setup(t, false)
	ctx := context.Background()
	fake.Inject(kintotest.Fault{Method: "POST", After: 1, Status: 400, Message: "Attachment missing."})
	c := p.Chunked("t", 1, 3, nil)
	var err error
	for i := 0; i < 3 && err == nil; i++ {
		err = c.Add(ctx, i)
	}
	err = p.Failed(err)
	var kerr *kinto.Error
	if !errors.As(err, &kerr) || !strings.HasSuffix(err.Error(), "HTTP 400: Attachment missing.; record t-1-2 was replaced but has no attachment (written before the failure: 1 uploaded, 0 deleted)") {
		t.Errorf("%v", err)
	}

	// --request-review, parsed as a presence flag with an optional comment.
	for _, tc := range []struct {
		args    []string
		want    publisher.Review
		wantErr string
	}{
		{nil, publisher.Review{}, ""},
		{[]string{"--request-review"}, publisher.Review{Requested: true}, ""},
		{[]string{"--request-review=new data"}, publisher.Review{Requested: true, Comment: "new data"}, ""},
		{[]string{"--request-review=false"}, publisher.Review{}, ""},
		{[]string{"--request-review", "--bucket", "main"}, publisher.Review{Requested: true}, "--request-review needs a workspace bucket"},
		{[]string{"--auth", "token"}, publisher.Review{}, "--auth: unsupported value"},
	} {
		fs := flag.NewFlagSet("x", flag.ContinueOnError)
		s := publisher.AddFlags(fs, &jobs.Defaults{RSServer: fake.URL}, publisher.Plain, "main-workspace", publisher.DefaultCollection, true)
		if err := fs.Parse(tc.args); err != nil || s.Review != tc.want {
			t.Errorf("%q: %+v %v", tc.args, s.Review, err)
		}
		var stdout, stderr bytes.Buffer
		env := &jobs.Env{Stdout: &stdout, Console: jobs.NewConsole(&stderr, false), Log: slog.New(slog.DiscardHandler), Version: "t"}
		_, err := s.New(env, publisher.Plain)
		var uerr *jobs.UsageError
		if (tc.wantErr == "") != (err == nil) || (err != nil && (!errors.As(err, &uerr) || !strings.Contains(err.Error(), tc.wantErr))) {
			t.Errorf("%q: %v; want %q", tc.args, err, tc.wantErr)
		}
	}

	fake2, p2, _ := setup(t, false)
	if _, err := p2.Finish(ctx); err != nil || fake2.Metadata("main-workspace", "quicksuggest-other")["status"] != nil {
		t.Errorf("no review without a request: %v", err)
	}
}

// TestChunkedUnchanged: a second run over the same items sends nothing; a changed item or
// record field re-uploads its chunk only; stale records of the type go, others stay.
func TestChunkedUnchanged(t *testing.T) {
	fake, _, _ := setup(t, false)
	ctx := context.Background()
	fake.Seed("main-workspace", "quicksuggest-other", map[string]any{"id": "t-9-10", "type": "t"}, []byte("[]"), nil)
	fake.Seed("main-workspace", "quicksuggest-other", map[string]any{"id": "u-0-1", "type": "u"}, []byte("[]"), nil)
	run := func(items []int, extra string) (string, publisher.Counts) {
		t.Helper()
		p := publisher.NewWithClient(clientOf(t, fake), false, slog.New(slog.DiscardHandler))
		recs, err := p.Records(ctx)
		if err != nil {
			t.Fatal(err)
		}
		fake.Log()
		c := p.Chunked("t", 2, len(items), recs).WithRecord(func(start, end string) jsonw.Object {
			rec := jsonw.Object{{Key: "id", Value: "t-" + start + "-" + end}, {Key: "type", Value: "t"}}
			if extra != "" {
				rec = append(rec, jsonw.Member{Key: "filter_expression", Value: extra})
			}
			return rec
		})
		if err := c.DeleteStale(ctx); err != nil {
			t.Fatal(err)
		}
		for _, i := range items {
			if err := c.Add(ctx, i); err != nil {
				t.Fatal(err)
			}
		}
		if err := c.Finish(ctx); err != nil {
			t.Fatal(err)
		}
		var reqs []string
		for _, r := range fake.Log() {
			reqs = append(reqs, r.Method+" "+r.Path[strings.LastIndex(r.Path, "records/")+8:])
		}
		return strings.Join(reqs, ", "), p.Counts
	}
	if reqs, _ := run([]int{1, 2, 3}, ""); reqs != "DELETE t-9-10, PUT t-0-2, POST t-0-2/attachment, PUT t-2-3, POST t-2-3/attachment" {
		t.Errorf("first run: %s", reqs)
	}
	if reqs, c := run([]int{1, 2, 3}, ""); reqs != "" || c.Unchanged != 2 {
		t.Errorf("re-run: %q %+v", reqs, c)
	}
	if reqs, _ := run([]int{1, 2, 4}, ""); reqs != "PUT t-2-3, POST t-2-3/attachment" {
		t.Errorf("changed item: %s", reqs)
	}
	if reqs, _ := run([]int{1, 2, 4}, "env.country in ['US']"); reqs != "PUT t-0-2, POST t-0-2/attachment, PUT t-2-3, POST t-2-3/attachment" {
		t.Errorf("changed record field: %s", reqs)
	}
	if reqs, _ := run([]int{1, 2, 4}, ""); reqs != "PUT t-0-2, POST t-0-2/attachment, PUT t-2-3, POST t-2-3/attachment" {
		t.Errorf("a removed record field counts as a change: %s", reqs)
	}
	if ids := ids(fake.Records("main-workspace", "quicksuggest-other")); ids != "t-0-2 t-2-3 u-0-1" {
		t.Errorf("records %s", ids)
	}
}

func clientOf(t *testing.T, fake *kintotest.Server) *kinto.Client {
	c, err := kinto.New(kinto.Options{Server: fake.URL, Bucket: "main-workspace", Collection: "quicksuggest-other"})
	if err != nil {
		t.Fatal(err)
	}
	return c
}
