package grafana

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"slices"
	"testing"
)

var update = flag.Bool("update", false, "rewrite merino.json from the panel list")

// merino.json is what operators import: it must be the panel list's build.
func TestDashboardFileIsBuilt(t *testing.T) {
	want, err := Build()
	if err != nil {
		t.Fatal(err)
	}
	want = append(want, '\n')
	if *update {
		if err := os.WriteFile("merino.json", want, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile("merino.json")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Error("merino.json differs from the panel list: go test ./deploy/grafana -update")
	}
}

// Every query parses as MetricsQL and reads at least one metric; every panel has a unique
// id, a place on the grid inside its 24 columns, and the dashboard's data source.
func TestDashboardQueries(t *testing.T) {
	data, err := os.ReadFile("merino.json")
	if err != nil {
		t.Fatal(err)
	}
	queries, err := Queries(data)
	if err != nil {
		t.Fatal(err)
	}
	if len(queries) < 40 {
		t.Fatalf("%d queries", len(queries))
	}
	for _, q := range queries {
		u, err := Parse(q.Expr)
		if err != nil {
			t.Errorf("%s: %v", q.Panel, err)
			continue
		}
		if len(u.Metrics) == 0 {
			t.Errorf("%s: %q reads no metric", q.Panel, q.Expr)
		}
	}
	var d struct {
		Panels []struct {
			ID         int               `json:"id"`
			Type       string            `json:"type"`
			Title      string            `json:"title"`
			GridPos    map[string]int    `json:"gridPos"`
			Datasource map[string]string `json:"datasource"`
		} `json:"panels"`
	}
	if err := json.Unmarshal(data, &d); err != nil {
		t.Fatal(err)
	}
	var ids []int
	for _, p := range d.Panels {
		ids = append(ids, p.ID)
		if g := p.GridPos; g["w"] < 1 || g["x"]+g["w"] > 24 || g["h"] < 1 {
			t.Errorf("%s: grid position %v", p.Title, g)
		}
		if p.Type != "row" && p.Datasource["uid"] != "${datasource}" {
			t.Errorf("%s: data source %v", p.Title, p.Datasource)
		}
	}
	slices.Sort(ids)
	if len(slices.Compact(ids)) != len(d.Panels) {
		t.Errorf("panel ids repeat: %v", ids)
	}
}

func TestParse(t *testing.T) {
	f := func(expr string, metrics, labels []string) {
		t.Helper()
		u, err := Parse(expr)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(u.Metrics, metrics) || !slices.Equal(u.Labels, labels) {
			t.Errorf("%s: %+v, want metrics %q labels %q", expr, u, metrics, labels)
		}
	}
	f(`sum by (path) (rate(merino_http_requests_total{job=~"$job"}[$__rate_interval]))`, []string{"merino_http_requests_total"}, []string{"job", "path"})
	f(`histogram_quantile(0.99, sum by (provider, vmrange) (rate(x_bucket{a="1"}[5m]))) / on (provider) group_left (b) y`,
		[]string{"x_bucket", "y"}, []string{"a", "b", "provider", "vmrange"})
	f(`time() - min by (source) (merino_source_last_success_timestamp_seconds)`, []string{"merino_source_last_success_timestamp_seconds"}, []string{"source"})
	f(`label_values(merino_http_requests_total{job=~"$job"}, instance)`, []string{"merino_http_requests_total"}, []string{"instance", "job"})
	if _, err := Parse(`sum by (path (rate(x[5m]))`); err == nil {
		t.Error("a broken expression parsed")
	}
}
