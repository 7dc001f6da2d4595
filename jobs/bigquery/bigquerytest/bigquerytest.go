// Package bigquerytest is a fake BigQuery REST API for tests: jobs.query (POST
// /bigquery/v2/projects/<p>/queries) and getQueryResults (GET .../queries/<job>), answering a
// result a test set in the API's shape — the schema, rows of cells {"v": ...} with every
// scalar a string and REPEATED values lists of cells — with jobComplete false for as many
// polls as asked, pages of a chosen size with pageToken, and Google's error document.
package bigquerytest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// Field is a column of the schema.
type Field struct {
	Name, Type string
	// Mode is NULLABLE, REQUIRED or REPEATED.
	Mode string
}

// Query is a query received.
type Query struct {
	Project, SQL  string
	UseLegacySQL  bool
	Authorization string
}

// Server is the fake. Its methods are safe for concurrent use.
type Server struct {
	*httptest.Server

	mu       sync.Mutex
	fields   []Field
	rows     [][]any
	pageSize int
	pending  int
	status   int
	message  string
	queries  []Query
	polls    int
}

// New starts the fake; it stops when the test ends.
func New(t testing.TB) *Server {
	s := &Server{}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

// SetResult sets the answer of every query: the columns and the rows, whose values are
// int64, float64, bool, string, nil, or []string for a REPEATED column.
func (s *Server) SetResult(fields []Field, rows [][]any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fields, s.rows = fields, rows
}

// SetPageSize makes answers hold at most n rows (0: all).
func (s *Server) SetPageSize(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pageSize = n
}

// SetPending makes a query answer jobComplete false to its first n requests.
func (s *Server) SetPending(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pending = n
}

// Fail makes every request answer status with message (0 restores).
func (s *Server) Fail(status int, message string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.status, s.message = status, message
}

// Queries returns the queries received.
func (s *Server) Queries() []Query {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Query(nil), s.queries...)
}

// Polls counts the getQueryResults requests.
func (s *Server) Polls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.polls
}

func cellValue(v any) any {
	switch x := v.(type) {
	case nil:
		return nil
	case []string:
		out := make([]any, len(x))
		for i, s := range x {
			out[i] = map[string]any{"v": s}
		}
		return out
	case int64:
		return strconv.FormatInt(x, 10)
	case int:
		return strconv.Itoa(x)
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	default:
		return fmt.Sprint(x)
	}
}

func writeError(w http.ResponseWriter, code int, msg string) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"code": code, "message": msg, "status": strings.ToUpper(strings.ReplaceAll(http.StatusText(code), " ", "_"))}})
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.status != 0 {
		writeError(w, s.status, s.message)
		return
	}
	parts := strings.Split(strings.TrimPrefix(r.URL.Path, "/bigquery/v2/projects/"), "/")
	if !strings.HasPrefix(r.URL.Path, "/bigquery/v2/projects/") || len(parts) < 2 || parts[1] != "queries" {
		writeError(w, http.StatusNotFound, "Not found: "+r.URL.Path)
		return
	}
	start := 0
	switch {
	case r.Method == http.MethodPost && len(parts) == 2:
		var q struct {
			Query        string `json:"query"`
			UseLegacySQL *bool  `json:"useLegacySql"`
		}
		body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if json.Unmarshal(body, &q) != nil || q.Query == "" {
			writeError(w, http.StatusBadRequest, "Required parameter is missing: query")
			return
		}
		s.queries = append(s.queries, Query{Project: parts[0], SQL: q.Query, UseLegacySQL: q.UseLegacySQL == nil || *q.UseLegacySQL, Authorization: r.Header.Get("Authorization")})
	case r.Method == http.MethodGet && len(parts) == 3 && parts[2] == "job-1":
		s.polls++
		if t := r.URL.Query().Get("pageToken"); t != "" {
			n, err := strconv.Atoi(t)
			if err != nil || n < 0 || n > len(s.rows) {
				writeError(w, http.StatusBadRequest, "Invalid page token")
				return
			}
			start = n
		}
	default:
		writeError(w, http.StatusNotFound, "Not found: Job "+r.URL.Path)
		return
	}
	doc := map[string]any{
		"kind":         "bigquery#queryResponse",
		"jobReference": map[string]any{"projectId": parts[0], "jobId": "job-1", "location": "US"},
	}
	if s.pending > 0 {
		s.pending--
		doc["jobComplete"] = false
		writeJSON(w, doc)
		return
	}
	var fields []any
	for _, f := range s.fields {
		mode := f.Mode
		if mode == "" {
			mode = "NULLABLE"
		}
		fields = append(fields, map[string]any{"name": f.Name, "type": f.Type, "mode": mode})
	}
	end := len(s.rows)
	if s.pageSize > 0 && start+s.pageSize < end {
		end = start + s.pageSize
		doc["pageToken"] = strconv.Itoa(end)
	}
	var rows []any
	for _, row := range s.rows[start:end] {
		var cells []any
		for _, v := range row {
			cells = append(cells, map[string]any{"v": cellValue(v)})
		}
		rows = append(rows, map[string]any{"f": cells})
	}
	doc["jobComplete"] = true
	doc["schema"] = map[string]any{"fields": fields}
	doc["totalRows"] = strconv.Itoa(len(s.rows))
	if rows != nil {
		doc["rows"] = rows
	}
	writeJSON(w, doc)
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	_ = json.NewEncoder(w).Encode(v)
}
