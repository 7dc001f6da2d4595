package bigquery_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/mozilla-services/merino-go/jobs/bigquery"
	"github.com/mozilla-services/merino-go/jobs/bigquery/bigquerytest"
)

func TestQuery(t *testing.T) {
	fake := bigquerytest.New(t)
	fake.SetResult([]bigquerytest.Field{{Name: "rank", Type: "INTEGER"}, {Name: "domain", Type: "STRING"}, {Name: "score", Type: "FLOAT"},
		{Name: "ok", Type: "BOOLEAN"}, {Name: "categories", Type: "STRING", Mode: "REPEATED"}},
		[][]any{{int64(1), "google.com", 0.5, true, []string{"Search Engines"}}, {int64(2), "example.com", nil, false, []string{}}, {int64(3), "x.org", 1.0, true, []string{"News", "Tech"}}})
	fake.SetPending(2)
	fake.SetPageSize(2)
	c, err := bigquery.New(fake.URL, "mozdata", "merino-go/test")
	if err != nil {
		t.Fatal(err)
	}
	rows, err := c.Query(context.Background(), "select 1")
	if err != nil {
		t.Fatal(err)
	}
	got := fmt.Sprint(rows)
	want := "[map[categories:[Search Engines] domain:google.com ok:true rank:1 score:0.5] map[categories:[] domain:example.com ok:false rank:2 score:<nil>] map[categories:[News Tech] domain:x.org ok:true rank:3 score:1]]"
	if got != want {
		t.Errorf("rows\n%s\nwant\n%s", got, want)
	}
	if q := fake.Queries(); len(q) != 1 || q[0].Project != "mozdata" || q[0].SQL != "select 1" || q[0].UseLegacySQL || q[0].Authorization != "" {
		t.Errorf("queries %+v", q)
	}
	if fake.Polls() != 3 { // two waits, one more page
		t.Errorf("%d polls", fake.Polls())
	}

	fake.Fail(403, "Access Denied: Project mozdata: User does not have bigquery.jobs.create permission in project mozdata.")
	if _, err := c.Query(context.Background(), "select 1"); err == nil || !strings.Contains(err.Error(), "BigQuery: POST /bigquery/v2/projects/mozdata/queries: HTTP 403: Access Denied") {
		t.Errorf("denied: %v", err)
	}
	if _, err := bigquery.New(fake.URL, "", "ua"); err == nil {
		t.Error("no project")
	}
}
