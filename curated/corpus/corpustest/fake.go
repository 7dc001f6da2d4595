// Package corpustest is a fake curated-corpus GraphQL API for tests: it takes the POSTs
// merino-py (and corpus.GraphQL) send, answers them from recorded responses, counts the calls,
// and can fail on demand (an HTTP status, GraphQL errors, garbage, a hang).
package corpustest

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// GraphQLErrorBody is merino-py's tests/data/graphql_error.json.
const GraphQLErrorBody = `{"data":null,"errors":[{"message":"Could not find Scheduled Surface with id of \"NEW_TAB_EN_UX\".","locations":[{"line":1,"column":79}],"path":["scheduledSurface"],"extensions":{"code":"BAD_USER_INPUT"}}]}`

// Failure is how a call fails.
type Failure struct {
	Status  int           // an HTTP status (503, ...) with an empty body
	GraphQL bool          // HTTP 200 with GraphQLErrorBody
	Garbage bool          // HTTP 200 with a body that is not JSON
	Hang    time.Duration // answer only after this long (or when the server closes)
}

// Request is one call as the fake received it.
type Request struct {
	Query     string // "scheduled_surface" or "get_sections"
	Surface   string
	Date      string
	Header    http.Header
	Variables map[string]any
}

// Server is the fake API. Its methods are safe for concurrent use.
type Server struct {
	URL string

	srv      *httptest.Server
	mu       sync.Mutex
	bodies   map[string][]byte // "<query>" or "<query>.<surface>" → body
	failures []Failure
	requests []Request
	closing  chan struct{}
}

// New starts a fake serving the recorded responses in dir, named as corpus.Files reads them
// (scheduled_surface[.<SURFACE>].json, sections[.<SURFACE>].json). It stops with the test.
func New(t testing.TB, dir string) *Server {
	t.Helper()
	s := &Server{bodies: map[string][]byte{}, closing: make(chan struct{})}
	if dir != "" {
		files, err := filepath.Glob(filepath.Join(dir, "*.json"))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			name := strings.TrimSuffix(filepath.Base(f), ".json")
			q, surf, _ := strings.Cut(name, ".")
			if q != "scheduled_surface" && q != "sections" {
				continue
			}
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			key := queryName(q)
			if surf != "" {
				key += "." + surf
			}
			s.bodies[key] = b
		}
	}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.srv.URL
	t.Cleanup(s.Close)
	return s
}

func queryName(file string) string {
	if file == "sections" {
		return "get_sections"
	}
	return "scheduled_surface"
}

// Close releases hanging calls and stops the server.
func (s *Server) Close() {
	s.mu.Lock()
	select {
	case <-s.closing:
	default:
		close(s.closing)
	}
	s.mu.Unlock()
	s.srv.CloseClientConnections()
	s.srv.Close()
}

// SetBody makes query ("scheduled_surface" or "get_sections") answer body, for one surface
// ("" for every surface without a body of its own).
func (s *Server) SetBody(query, surface string, body []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	key := query
	if surface != "" {
		key += "." + surface
	}
	s.bodies[key] = body
}

// Fail makes the next n calls fail as f says.
func (s *Server) Fail(n int, f Failure) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := 0; i < n; i++ {
		s.failures = append(s.failures, f)
	}
}

// Calls counts the calls of query ("" for all).
func (s *Server) Calls(query string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, r := range s.requests {
		if query == "" || r.Query == query {
			n++
		}
	}
	return n
}

// Requests returns the calls received so far.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Error(w, `{"errors":[{"message":"GET query missing."}]}`, http.StatusMethodNotAllowed)
		return
	}
	raw, _ := io.ReadAll(r.Body)
	var body struct {
		Query     string         `json:"query"`
		Variables map[string]any `json:"variables"`
	}
	if err := json.Unmarshal(raw, &body); err != nil || body.Query == "" {
		http.Error(w, `{"errors":[{"message":"POST body missing, invalid Content-Type, or JSON object has no keys."}]}`, http.StatusBadRequest)
		return
	}
	req := Request{Header: r.Header.Clone(), Variables: body.Variables}
	switch {
	case strings.Contains(body.Query, "getSections("):
		req.Query = "get_sections"
		if f, ok := body.Variables["filters"].(map[string]any); ok {
			req.Surface, _ = f["scheduledSurfaceGuid"].(string)
		}
	case strings.Contains(body.Query, "scheduledSurface("):
		req.Query = "scheduled_surface"
		req.Surface, _ = body.Variables["scheduledSurfaceId"].(string)
		req.Date, _ = body.Variables["date"].(string)
	default:
		http.Error(w, `{"errors":[{"message":"unknown query"}]}`, http.StatusBadRequest)
		return
	}

	s.mu.Lock()
	s.requests = append(s.requests, req)
	var fail *Failure
	if len(s.failures) > 0 {
		f := s.failures[0]
		s.failures = s.failures[1:]
		fail = &f
	}
	b, ok := s.bodies[req.Query+"."+req.Surface]
	if !ok {
		b, ok = s.bodies[req.Query]
	}
	s.mu.Unlock()

	w.Header().Set("Content-Type", "application/json")
	if fail != nil {
		switch {
		case fail.Hang > 0:
			select {
			case <-time.After(fail.Hang):
			case <-s.closing:
			case <-r.Context().Done():
			}
			return
		case fail.Status != 0:
			w.WriteHeader(fail.Status)
			return
		case fail.GraphQL:
			_, _ = io.WriteString(w, GraphQLErrorBody)
			return
		case fail.Garbage:
			_, _ = io.WriteString(w, "<html>502 Bad Gateway</html>")
			return
		}
	}
	if !ok {
		_, _ = io.WriteString(w, `{"data":null,"errors":[{"message":"Could not find Scheduled Surface with id of \"`+req.Surface+`\".","extensions":{"code":"BAD_USER_INPUT"}}]}`)
		return
	}
	_, _ = w.Write(b)
}
