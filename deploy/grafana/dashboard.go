// Package grafana holds merino-go's Grafana dashboard (merino.json), built from the panel
// list below so that its queries read as a list: one row per concern an operator has
// (requests, providers, data sources, weather, New Tab, the Go runtime), every query over
// the metrics a replica's admin listener exports at /metrics.
//
// merino-go's histograms are VictoriaMetrics/metrics histograms, whose buckets carry a
// `vmrange` label instead of Prometheus's `le`: the latency quantile panels use MetricsQL's
// histogram_quantile, which reads them, so they need VictoriaMetrics (single-node or vmagent
// with deploy/prometheus/prometheus.yml) behind Grafana's Prometheus data source. Every
// other panel is plain PromQL and works with Prometheus too.
//
// `go test ./deploy/grafana -update` rewrites merino.json; the test fails while the file
// and this list differ, and cmd/merino's test checks every metric and label the queries
// name against a running server's /metrics.
package grafana

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/VictoriaMetrics/metricsql"
)

// sel is the selector every query filters on: the dashboard's job and instance variables.
const sel = `job=~"$job",instance=~"$instance"`

// q is one query of a panel: a PromQL/MetricsQL expression (SEL stands for sel;
// $__rate_interval is Grafana's) and its legend.
type q struct{ expr, legend string }

// panel is one time series (or stat) panel.
type panel struct {
	title, description, unit string
	queries                  []q
	stat                     bool // a single value per series, for gauges read at a glance
	width                    int  // out of 24; 0 = 12
}

// row is a titled group of panels.
type row struct {
	title  string
	panels []panel
}

// ex writes sel where a query says SEL (inside its braces).
func ex(expr string) string { return strings.ReplaceAll(expr, "SEL", sel) }

// rows is the dashboard.
var rows = []row{
	{"Requests", []panel{
		{title: "Requests by route", unit: "reqps", description: "Responses per second by path (404s have no path), all replicas.",
			queries: []q{{`sum by (path) (rate(merino_http_requests_total{SEL}[$__rate_interval]))`, "{{path}}"}}},
		{title: "Responses by status", unit: "reqps", description: "Responses per second by status code: 204 is weather without a location, 4xx bad requests, 5xx failures.",
			queries: []q{{`sum by (status_code) (rate(merino_http_requests_total{SEL}[$__rate_interval]))`, "{{status_code}}"}}},
		{title: "Latency p99 by route", unit: "s", description: "99th percentile of the time to answer, by path (MetricsQL: vmrange buckets).",
			queries: []q{{`histogram_quantile(0.99, sum by (path, vmrange) (rate(merino_http_request_duration_seconds_bucket{SEL}[$__rate_interval])))`, "{{path}} p99"}}},
		{title: "Latency p50 and mean by route", unit: "s", description: "Median (MetricsQL) and mean time to answer, by path.",
			queries: []q{
				{`histogram_quantile(0.5, sum by (path, vmrange) (rate(merino_http_request_duration_seconds_bucket{SEL}[$__rate_interval])))`, "{{path}} p50"},
				{`sum by (path) (rate(merino_http_request_duration_seconds_sum{SEL}[$__rate_interval])) / sum by (path) (rate(merino_http_request_duration_seconds_count{SEL}[$__rate_interval]))`, "{{path}} mean"},
			}},
		{title: "5xx ratio", unit: "percentunit", description: "Share of responses that are 5xx, all routes.",
			queries: []q{{`(sum(rate(merino_http_requests_total{status_code=~"5..",SEL}[$__rate_interval])) or vector(0)) / sum(rate(merino_http_requests_total{SEL}[$__rate_interval]))`, "5xx"}}},
		{title: "Connections", unit: "short", description: "Open connections per listener and replica, connections refused over the cap, accept errors, and replicas draining after SIGTERM (1).",
			queries: []q{
				{`sum by (instance, listener) (merino_http_open_connections{SEL})`, "{{instance}} {{listener}} open"},
				{`sum by (listener) (rate(merino_http_rejected_connections_total{SEL}[$__rate_interval]))`, "{{listener}} rejected/s"},
				{`sum by (listener) (rate(merino_http_accept_errors_total{SEL}[$__rate_interval]))`, "{{listener}} accept errors/s"},
				{`sum(merino_http_draining{SEL})`, "draining replicas"},
			}},
		{title: "Manifest requests", unit: "reqps", description: "/api/v1/manifest answers: success, not_modified (304), error.",
			queries: []q{{`sum by (result) (rate(merino_manifest_requests_total{SEL}[$__rate_interval]))`, "{{result}}"}}},
		{title: "Suggestions per request", unit: "short", description: "Mean suggestions in an answer, and queries that looked like personal data (not sent to providers).",
			queries: []q{
				{`sum(rate(merino_suggestions_per_request_sum{SEL}[$__rate_interval])) / sum(rate(merino_suggestions_per_request_count{SEL}[$__rate_interval]))`, "mean"},
				{`sum by (type) (rate(merino_suggestions_query_pii_detected_total{SEL}[$__rate_interval]))`, "PII {{type}}/s"},
			}},
	}},
	{"Providers", []panel{
		{title: "Provider latency p99", unit: "s", description: "99th percentile of each provider's query time (MetricsQL: vmrange buckets).",
			queries: []q{{`histogram_quantile(0.99, sum by (provider, vmrange) (rate(merino_providers_query_duration_seconds_bucket{SEL}[$__rate_interval])))`, "{{provider}}"}}},
		{title: "Provider mean latency", unit: "s", description: "Mean query time per provider.",
			queries: []q{{`sum by (provider) (rate(merino_providers_query_duration_seconds_sum{SEL}[$__rate_interval])) / sum by (provider) (rate(merino_providers_query_duration_seconds_count{SEL}[$__rate_interval]))`, "{{provider}}"}}},
		{title: "Provider timeouts and errors", unit: "short", description: "Queries per second cut off by the provider's query_timeout_sec, failing, or cut off inside a provider tree.",
			queries: []q{
				{`sum by (provider) (rate(merino_providers_query_timeouts_total{SEL}[$__rate_interval]))`, "{{provider}} timeouts"},
				{`sum by (provider) (rate(merino_providers_query_errors_total{SEL}[$__rate_interval]))`, "{{provider}} errors"},
				{`sum by (provider) (rate(merino_provider_tree_timeouts_total{SEL}[$__rate_interval]))`, "{{provider}} tree timeouts"},
			}},
		{title: "Provider caches hit ratio", unit: "percentunit", description: "memory_cache and redis_cache: answers served from the cache over all lookups.",
			queries: []q{{`sum by (provider, cache) (rate(merino_provider_cache_total{result="hit",SEL}[$__rate_interval])) / sum by (provider, cache) (rate(merino_provider_cache_total{SEL}[$__rate_interval]))`, "{{provider}} ({{cache}})"}}},
		{title: "Suggestions per provider", unit: "short", description: "Mean suggestions a provider answers with.",
			queries: []q{{`sum by (provider) (rate(merino_suggestions_per_provider_sum{SEL}[$__rate_interval])) / sum by (provider) (rate(merino_suggestions_per_provider_count{SEL}[$__rate_interval]))`, "{{provider}}"}}},
		{title: "adm fuzzy matching", unit: "short", description: "Typo-forgiving matches made and refused by the guardrails, per second.",
			queries: []q{
				{`sum(rate(merino_adm_fuzzy_total{SEL}[$__rate_interval]))`, "fuzzy matches"},
				{`sum(rate(merino_adm_fuzzy_rejected_total{SEL}[$__rate_interval]))`, "rejected"},
			}},
	}},
	{"Data sources", []panel{
		{title: "Source age", unit: "s", description: "Time since each data set last loaded, the oldest replica's: a source stuck at an old version grows here.",
			queries: []q{{`time() - min by (source) (merino_source_last_success_timestamp_seconds{SEL})`, "{{source}}"}}},
		{title: "Source failures", unit: "short", description: "Refreshes that failed (fetch, parse, empty) or were refused as too large, over the last hour.",
			queries: []q{
				{`sum by (source) (increase(merino_source_errors_total{SEL}[1h]))`, "{{source}} failed"},
				{`sum by (source) (increase(merino_source_too_large_total{SEL}[1h]))`, "{{source}} too large"},
			}},
		{title: "Source items", unit: "short", stat: true, description: "Records in each data set being served (the smallest replica's).",
			queries: []q{{`min by (source) (merino_source_items{SEL})`, "{{source}}"}}},
		{title: "Source size", unit: "bytes", stat: true, description: "Bytes of each data set's last loaded version.",
			queries: []q{{`max by (source) (merino_source_size_bytes{SEL})`, "{{source}}"}}},
	}},
	{"Weather", []panel{
		{title: "Weather cache hit ratio", unit: "percentunit", description: "AccuWeather answers served from the cache (memory or the shared Redis), by kind of data.",
			queries: []q{{`sum by (data) (rate(merino_accuweather_cache_total{result="hit",SEL}[$__rate_interval])) / sum by (data) (rate(merino_accuweather_cache_total{SEL}[$__rate_interval]))`, "{{data}}"}}},
		{title: "AccuWeather calls", unit: "reqps", description: "Upstream calls by kind, failed ones, and calls one request shared with others waiting for the same key.",
			queries: []q{
				{`sum by (type) (rate(merino_accuweather_upstream_requests_total{SEL}[$__rate_interval]))`, "{{type}}"},
				{`sum by (type) (rate(merino_accuweather_upstream_errors_total{SEL}[$__rate_interval]))`, "{{type}} errors"},
				{`sum(rate(merino_accuweather_upstream_shared_total{SEL}[$__rate_interval]))`, "shared"},
			}},
		{title: "Weather failures", unit: "short", description: "Per second: cache read/write errors, bad cached data, locations AccuWeather does not know, answers it sent that did not parse, calls the circuit breaker refused.",
			queries: []q{
				{`sum by (op) (rate(merino_accuweather_cache_errors_total{SEL}[$__rate_interval]))`, "cache {{op}} errors"},
				{`sum(rate(merino_accuweather_cache_data_errors_total{SEL}[$__rate_interval]))`, "bad cached data"},
				{`sum(rate(merino_accuweather_location_not_found_total{SEL}[$__rate_interval]))`, "location not found"},
				{`sum by (type) (rate(merino_accuweather_processor_errors_total{SEL}[$__rate_interval]))`, "{{type}} unparsable"},
				{`sum by (breaker) (rate(merino_weather_circuit_breaker_rejections_total{SEL}[$__rate_interval]))`, "{{breaker}} open"},
			}},
	}},
	{"New Tab", []panel{
		{title: "Story requests", unit: "reqps", description: "curated-recommendations requests by result: ok, invalid (400), error (500).",
			queries: []q{{`sum by (result) (rate(merino_curated_requests_total{SEL}[$__rate_interval]))`, "{{result}}"}}},
		{title: "Corpus cache", unit: "short", description: "Corpus API lookups per second by query and result (hit, stale: served while a refresh runs, miss), and whether the sections query's circuit is open.",
			queries: []q{
				{`sum by (query, result) (rate(merino_corpus_api_cache_total{SEL}[$__rate_interval]))`, "{{query}} {{result}}"},
				{`max by (query) (merino_corpus_api_circuit_open{SEL})`, "{{query}} circuit open"},
			}},
		{title: "Corpus API", unit: "s", description: "Corpus API latency p99 (MetricsQL), responses by status, GraphQL errors and skipped items per second.",
			queries: []q{
				{`histogram_quantile(0.99, sum by (query, vmrange) (rate(merino_corpus_api_request_duration_seconds_bucket{SEL}[$__rate_interval])))`, "{{query}} p99"},
				{`sum by (query, status_code) (rate(merino_corpus_api_responses_total{SEL}[$__rate_interval]))`, "{{query}} {{status_code}}/s"},
				{`sum by (query) (rate(merino_corpus_api_graphql_errors_total{SEL}[$__rate_interval]))`, "{{query}} GraphQL errors/s"},
				{`sum by (query) (rate(merino_corpus_api_items_skipped_total{SEL}[$__rate_interval]))`, "{{query}} skipped items/s"},
			}},
		{title: "Stories and engagement", unit: "short", description: "Mean stories per answer, takedowns per second, and the engagement data's rows.",
			queries: []q{
				{`sum(rate(merino_curated_stories_per_response_sum{SEL}[$__rate_interval])) / sum(rate(merino_curated_stories_per_response_count{SEL}[$__rate_interval]))`, "stories per answer"},
				{`sum(rate(merino_curated_takedowns_total{SEL}[$__rate_interval]))`, "takedowns/s"},
				{`max(merino_curated_engagement_rows_total{SEL})`, "engagement rows"},
			}},
	}},
	{"Go runtime", []panel{
		{title: "CPU", unit: "short", description: "Cores used per replica, and the share of it the garbage collector takes.",
			queries: []q{
				{`sum by (instance) (rate(process_cpu_seconds_total{SEL}[$__rate_interval]))`, "{{instance}}"},
				{`sum by (instance) (rate(go_gc_cpu_seconds_total{SEL}[$__rate_interval]))`, "{{instance}} GC"},
			}},
		{title: "Memory", unit: "bytes", description: "Resident memory and Go heap in use per replica.",
			queries: []q{
				{`sum by (instance) (process_resident_memory_bytes{SEL})`, "{{instance}} RSS"},
				{`sum by (instance) (go_memstats_heap_inuse_bytes{SEL})`, "{{instance}} heap"},
			}},
		{title: "Goroutines and threads", unit: "short",
			queries: []q{
				{`sum by (instance) (go_goroutines{SEL})`, "{{instance}} goroutines"},
				{`sum by (instance) (go_threads{SEL})`, "{{instance}} threads"},
			}},
		{title: "GC pauses and scheduling latency p99", unit: "s", description: "Stop-the-world pauses and the time goroutines wait to run (Go's runtime histograms, with Prometheus's le buckets).",
			queries: []q{
				{`histogram_quantile(0.99, sum by (instance, le) (rate(go_gc_pauses_seconds_bucket{SEL}[$__rate_interval])))`, "{{instance}} GC pause"},
				{`histogram_quantile(0.99, sum by (instance, le) (rate(go_sched_latencies_seconds_bucket{SEL}[$__rate_interval])))`, "{{instance}} scheduling"},
			}},
	}},
}

// Variables are the dashboard's template variables: the data source, then job and instance
// from the series every replica exports.
var variables = []map[string]any{
	{"name": "datasource", "label": "Data source", "type": "datasource", "query": "prometheus"},
	queryVariable("job", `label_values(merino_http_requests_total, job)`),
	queryVariable("instance", `label_values(merino_http_requests_total{job=~"$job"}, instance)`),
}

var datasource = map[string]any{"type": "prometheus", "uid": "${datasource}"}

func queryVariable(name, query string) map[string]any {
	return map[string]any{
		"name": name, "label": name, "type": "query", "datasource": datasource,
		"query": map[string]any{"query": query, "refId": name}, "definition": query,
		"includeAll": true, "multi": true, "allValue": ".*", "refresh": 2, "sort": 1,
		"current": map[string]any{"text": "All", "value": "$__all"},
	}
}

// Build returns the dashboard's JSON (Grafana's schema 39, for Grafana 10 and later).
func Build() ([]byte, error) {
	var panels []map[string]any
	id, y := 1, 0
	for _, r := range rows {
		panels = append(panels, map[string]any{
			"type": "row", "id": id, "title": r.title, "collapsed": false, "panels": []any{},
			"gridPos": map[string]int{"h": 1, "w": 24, "x": 0, "y": y},
		})
		id, y = id+1, y+1
		x := 0
		for _, p := range r.panels {
			w := p.width
			if w == 0 {
				w = 12
			}
			if x+w > 24 {
				x, y = 0, y+8
			}
			panels = append(panels, p.json(id, x, y, w))
			id, x = id+1, x+w
		}
		y += 8
	}
	return json.MarshalIndent(map[string]any{
		"title": "merino-go", "uid": "merino-go", "tags": []string{"merino"},
		"description": "merino-go replicas: requests, providers, data sources, weather, New Tab, Go runtime (deploy/grafana).",
		"editable":    true, "graphTooltip": 1, "schemaVersion": 39, "version": 1, "refresh": "30s",
		"time":        map[string]string{"from": "now-1h", "to": "now"},
		"templating":  map[string]any{"list": variables},
		"annotations": map[string]any{"list": []any{}},
		"panels":      panels,
	}, "", "  ")
}

func (p panel) json(id, x, y, w int) map[string]any {
	var targets []map[string]any
	for i, qu := range p.queries {
		targets = append(targets, map[string]any{
			"refId": string(rune('A' + i)), "datasource": datasource, "expr": ex(qu.expr), "legendFormat": qu.legend, "range": true,
		})
	}
	out := map[string]any{
		"id": id, "title": p.title, "type": "timeseries", "datasource": datasource, "targets": targets,
		"gridPos":     map[string]int{"h": 8, "w": w, "x": x, "y": y},
		"fieldConfig": map[string]any{"defaults": map[string]any{"unit": p.unit}, "overrides": []any{}},
		"options": map[string]any{
			"legend":  map[string]any{"displayMode": "table", "placement": "bottom", "calcs": []string{"mean", "max", "lastNotNull"}, "showLegend": true},
			"tooltip": map[string]any{"mode": "multi", "sort": "desc"},
		},
	}
	if p.description != "" {
		out["description"] = p.description
	}
	if p.stat {
		out["type"] = "stat"
		out["options"] = map[string]any{"reduceOptions": map[string]any{"calcs": []string{"lastNotNull"}, "fields": "", "values": false},
			"colorMode": "none", "graphMode": "area", "textMode": "value_and_name"}
	}
	return out
}

// Query is one expression of a dashboard, with where it is.
type Query struct {
	Panel string // the panel's title, or "variable <name>"
	Expr  string
}

// Queries returns every expression of a dashboard's JSON: each panel target's, each query
// variable's.
func Queries(dashboard []byte) ([]Query, error) {
	var d struct {
		Panels []struct {
			Title   string `json:"title"`
			Targets []struct {
				Expr string `json:"expr"`
			} `json:"targets"`
		} `json:"panels"`
		Templating struct {
			List []struct {
				Name       string `json:"name"`
				Type       string `json:"type"`
				Definition string `json:"definition"`
			} `json:"list"`
		} `json:"templating"`
	}
	if err := json.Unmarshal(dashboard, &d); err != nil {
		return nil, fmt.Errorf("cannot parse the dashboard: %w", err)
	}
	var out []Query
	for _, p := range d.Panels {
		for _, t := range p.Targets {
			out = append(out, Query{Panel: p.Title, Expr: t.Expr})
		}
	}
	for _, v := range d.Templating.List {
		if v.Type == "query" {
			out = append(out, Query{Panel: "variable " + v.Name, Expr: v.Definition})
		}
	}
	return out, nil
}

// labelValues is Grafana's variable query label_values(<selector>, <label>).
var labelValues = regexp.MustCompile(`^label_values\((.*),\s*([a-zA-Z_][a-zA-Z0-9_]*)\)$`)

// Grafana's variables, replaced by values that parse before an expression is read.
var grafanaVars = strings.NewReplacer("$__rate_interval", "5m", "$__interval", "1m", "$__range", "1h", "$job", ".*", "$instance", ".*")

// Uses is what one expression reads: the metric names it selects, and the labels it filters
// or groups on.
type Uses struct {
	Metrics []string
	Labels  []string
}

// Parse reads an expression as MetricsQL (a superset of PromQL) and returns what it uses.
func Parse(expr string) (Uses, error) {
	var u Uses
	if m := labelValues.FindStringSubmatch(expr); m != nil {
		expr = m[1]
		u.Labels = append(u.Labels, m[2])
	}
	e, err := metricsql.Parse(grafanaVars.Replace(expr))
	if err != nil {
		return u, fmt.Errorf("cannot parse %q: %w", expr, err)
	}
	metricsql.VisitAll(e, func(e metricsql.Expr) {
		switch e := e.(type) {
		case *metricsql.MetricExpr:
			for _, filters := range e.LabelFilterss {
				for _, f := range filters {
					if f.Label == "__name__" {
						u.Metrics = append(u.Metrics, f.Value)
					} else {
						u.Labels = append(u.Labels, f.Label)
					}
				}
			}
		case *metricsql.AggrFuncExpr:
			u.Labels = append(u.Labels, e.Modifier.Args...)
		case *metricsql.BinaryOpExpr:
			u.Labels = append(u.Labels, e.GroupModifier.Args...)
			u.Labels = append(u.Labels, e.JoinModifier.Args...)
		}
	})
	slices.Sort(u.Metrics)
	slices.Sort(u.Labels)
	u.Metrics, u.Labels = slices.Compact(u.Metrics), slices.Compact(u.Labels)
	return u, nil
}
