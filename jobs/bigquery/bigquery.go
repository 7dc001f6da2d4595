// Package bigquery runs a standard-SQL query through BigQuery's REST API (jobs.query, then
// getQueryResults while the job runs and for further pages) and returns its rows with the
// types of their schema: the navigational suggestions job's domain list, which merino-py reads
// with google-cloud-bigquery. Requests to Google's endpoint carry a token of the run's
// credentials (scope bigquery); an overridden endpoint (a fake) is spoken to anonymously.
package bigquery

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/mozilla-services/merino-go/gcs"
)

// DefaultEndpoint is Google's BigQuery API.
const DefaultEndpoint = "https://bigquery.googleapis.com"

// Row is one result row: column name to value. INTEGER columns are int64, FLOAT float64,
// BOOLEAN bool, NULL nil, REPEATED columns []any, RECORD columns Row, every other type the
// API's string.
type Row map[string]any

// Client queries one project. It is safe for concurrent use.
type Client struct {
	endpoint, project string
	tokens            gcs.Tokens
	http              *http.Client
	ua                string
	// Timeout bounds the whole query, waiting included.
	Timeout time.Duration
}

// New returns a client of project at endpoint ("" for Google's, with the run's credentials).
func New(endpoint, project, userAgent string) (*Client, error) {
	var tokens gcs.Tokens
	if endpoint == "" || strings.TrimRight(endpoint, "/") == DefaultEndpoint {
		endpoint = DefaultEndpoint
		tokens = gcs.DefaultTokens(gcs.ScopeBigQuery)
	}
	u, err := url.Parse(endpoint)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") || u.RawQuery != "" {
		return nil, fmt.Errorf("cannot use %q as the BigQuery endpoint: want an absolute http(s) URL", endpoint)
	}
	if project == "" {
		return nil, errors.New("a GCP project is required to run a BigQuery query")
	}
	return &Client{endpoint: strings.TrimRight(endpoint, "/"), project: project, tokens: tokens,
		http: &http.Client{Timeout: 2 * time.Minute}, ua: userAgent, Timeout: 10 * time.Minute}, nil
}

type field struct {
	Name   string  `json:"name"`
	Type   string  `json:"type"`
	Mode   string  `json:"mode"`
	Fields []field `json:"fields"`
}

type cell struct {
	V json.RawMessage `json:"v"`
}

type rawRow struct {
	F []cell `json:"f"`
}

type answer struct {
	JobComplete  bool `json:"jobComplete"`
	JobReference struct {
		JobID    string `json:"jobId"`
		Location string `json:"location"`
	} `json:"jobReference"`
	Schema struct {
		Fields []field `json:"fields"`
	} `json:"schema"`
	Rows      []rawRow `json:"rows"`
	PageToken string   `json:"pageToken"`
	Errors    []struct {
		Message string `json:"message"`
	} `json:"errors"`
}

// Query runs sql (standard SQL) and returns every row.
func (c *Client) Query(ctx context.Context, sql string) ([]Row, error) {
	ctx, cancel := context.WithTimeout(ctx, c.Timeout)
	defer cancel()
	body, _ := json.Marshal(map[string]any{"query": sql, "useLegacySql": false, "timeoutMs": 30000})
	var a answer
	if err := c.call(ctx, http.MethodPost, "/bigquery/v2/projects/"+url.PathEscape(c.project)+"/queries", body, &a); err != nil {
		return nil, err
	}
	var rows []Row
	for {
		if len(a.Errors) > 0 {
			return nil, fmt.Errorf("BigQuery: the query failed: %s", a.Errors[0].Message)
		}
		if a.JobComplete {
			for i, r := range a.Rows {
				row, err := convertRow(a.Schema.Fields, r)
				if err != nil {
					return nil, fmt.Errorf("BigQuery: row %d: %w", len(rows)+i+1, err)
				}
				rows = append(rows, row)
			}
			if a.PageToken == "" {
				return rows, nil
			}
		}
		if a.JobReference.JobID == "" {
			return nil, errors.New("BigQuery: the answer names no job to wait for or page through")
		}
		q := url.Values{"timeoutMs": {"30000"}}
		if a.JobReference.Location != "" {
			q.Set("location", a.JobReference.Location)
		}
		if a.JobComplete {
			q.Set("pageToken", a.PageToken)
		}
		path := "/bigquery/v2/projects/" + url.PathEscape(c.project) + "/queries/" + url.PathEscape(a.JobReference.JobID) + "?" + q.Encode()
		schema := a.Schema.Fields
		a = answer{}
		if err := c.call(ctx, http.MethodGet, path, nil, &a); err != nil {
			return nil, err
		}
		if len(a.Schema.Fields) == 0 {
			a.Schema.Fields = schema
		}
	}
}

func (c *Client) call(ctx context.Context, method, path string, body []byte, into *answer) error {
	req, err := http.NewRequestWithContext(ctx, method, c.endpoint+path, bytes.NewReader(body))
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("User-Agent", c.ua)
	if err := gcs.Authorize(ctx, c.tokens, req); err != nil {
		return fmt.Errorf("BigQuery: %w", err)
	}
	shown := method + " " + strings.SplitN(path, "?", 2)[0]
	resp, err := c.http.Do(req)
	if err != nil {
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err
		}
		return fmt.Errorf("BigQuery: %s: %w", shown, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 256<<20))
	if err != nil {
		return fmt.Errorf("BigQuery: %s: %w", shown, err)
	}
	if resp.StatusCode != http.StatusOK {
		var doc struct {
			Error struct {
				Message string `json:"message"`
			} `json:"error"`
		}
		msg := strings.Join(strings.Fields(string(data)), " ")
		if json.Unmarshal(data, &doc) == nil && doc.Error.Message != "" {
			msg = doc.Error.Message
		}
		if len(msg) > 300 {
			msg = msg[:300] + "..."
		}
		return fmt.Errorf("BigQuery: %s: HTTP %d: %s", shown, resp.StatusCode, msg)
	}
	if err := json.Unmarshal(data, into); err != nil {
		return fmt.Errorf("BigQuery: %s: the answer is not a query result: %w", shown, err)
	}
	return nil
}

func convertRow(fields []field, r rawRow) (Row, error) {
	if len(r.F) != len(fields) {
		return nil, fmt.Errorf("%d cells for %d columns", len(r.F), len(fields))
	}
	row := make(Row, len(fields))
	for i, f := range fields {
		v, err := convert(f, r.F[i].V, f.Mode == "REPEATED")
		if err != nil {
			return nil, fmt.Errorf("column %s: %w", f.Name, err)
		}
		row[f.Name] = v
	}
	return row, nil
}

// convert turns a cell's value into the Go value of its type; repeated is whether it is
// the list of a REPEATED column.
func convert(f field, raw json.RawMessage, repeated bool) (any, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	if repeated {
		var items []cell
		if err := json.Unmarshal(raw, &items); err != nil {
			return nil, errors.New("a REPEATED value is not a list")
		}
		out := make([]any, 0, len(items))
		for _, it := range items {
			v, err := convert(f, it.V, false)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	}
	if f.Type == "RECORD" || f.Type == "STRUCT" {
		var r rawRow
		if err := json.Unmarshal(raw, &r); err != nil {
			return nil, errors.New("a RECORD value is not a row")
		}
		return convertRow(f.Fields, r)
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return nil, fmt.Errorf("a %s value is not a string", f.Type)
	}
	switch f.Type {
	case "INTEGER", "INT64":
		return strconv.ParseInt(s, 10, 64)
	case "FLOAT", "FLOAT64":
		return strconv.ParseFloat(s, 64)
	case "BOOLEAN", "BOOL":
		return strconv.ParseBool(s)
	}
	return s, nil
}
