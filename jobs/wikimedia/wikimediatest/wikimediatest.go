// Package wikimediatest is a fake Wikimedia REST API for tests: the pageviews "top" endpoint,
// <Base>/<lang>.wikipedia.org/<access>/YYYY/MM/DD, answering the day's articles a test set, in
// the API's shape ({"items": [{"project", "access", "year", "month", "day", "articles": [...]}]}),
// Wikimedia's 404 problem document for a day without data, and 403 to a request without a
// User-Agent, as Wikimedia does.
package wikimediatest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mozilla-services/merino-go/jobs/wikimedia"
)

// Server is the fake. Its methods are safe for concurrent use.
type Server struct {
	*httptest.Server
	// Base is the pageviews top endpoint of the fake (the job's --pageviews-base-url).
	Base string

	mu       sync.Mutex
	days     map[string][]wikimedia.Article // "<lang>/<access>/YYYY/MM/DD"
	fail     map[string]int
	requests []string
	agents   map[string]bool
}

const prefix = "/api/rest_v1/metrics/pageviews/top/"

// New starts a fake that stops when the test ends.
func New(t testing.TB) *Server {
	s := &Server{days: map[string][]wikimedia.Article{}, fail: map[string]int{}, agents: map[string]bool{}}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	s.Base = s.URL + strings.TrimSuffix(prefix, "/")
	t.Cleanup(s.Close)
	return s
}

func key(lang, access string, day time.Time) string {
	return lang + "/" + access + "/" + day.UTC().Format("2006/01/02")
}

// SetDay makes the day's top list of <lang>.wikipedia.org for access be articles; their ranks
// are set from the order.
func (s *Server) SetDay(lang, access string, day time.Time, articles []wikimedia.Article) {
	s.mu.Lock()
	defer s.mu.Unlock()
	list := append([]wikimedia.Article(nil), articles...)
	for i := range list {
		list[i].Rank = i + 1
	}
	s.days[key(lang, access, day)] = list
}

// FailDay makes the day answer status (0 restores it).
func (s *Server) FailDay(lang, access string, day time.Time, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fail[key(lang, access, day)] = status
}

// Requests returns the paths requested so far, sorted, and forgets them.
func (s *Server) Requests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.requests
	s.requests = nil
	sort.Strings(r)
	return r
}

// UserAgents returns the User-Agent values seen.
func (s *Server) UserAgents() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for ua := range s.agents {
		out = append(out, ua)
	}
	sort.Strings(out)
	return out
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.requests = append(s.requests, r.URL.Path)
	s.agents[r.UserAgent()] = true
	s.mu.Unlock()
	if r.UserAgent() == "" {
		problem(w, http.StatusForbidden, "Forbidden", "Please set a user-agent and respect our robot policy https://w.wiki/4wJS.")
		return
	}
	rest, ok := strings.CutPrefix(r.URL.Path, prefix)
	parts := strings.Split(rest, "/")
	if !ok || len(parts) != 5 || !strings.HasSuffix(parts[0], ".wikipedia.org") {
		problem(w, http.StatusNotFound, "Not found.", "The requested path does not exist.")
		return
	}
	lang := strings.TrimSuffix(parts[0], ".wikipedia.org")
	k := lang + "/" + strings.Join(parts[1:], "/")
	s.mu.Lock()
	articles, found := s.days[k]
	code := s.fail[k]
	s.mu.Unlock()
	switch {
	case code != 0:
		problem(w, code, http.StatusText(code), "injected failure")
		return
	case !found:
		problem(w, http.StatusNotFound, "Not found.", "The date(s) you used are valid, but we either do not have data for those date(s), or the project you asked for is not loaded yet.")
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_ = json.NewEncoder(w).Encode(map[string]any{"items": []any{map[string]any{
		"project": parts[0], "access": parts[1], "year": parts[2], "month": parts[3], "day": parts[4], "articles": articles,
	}}})
}

func problem(w http.ResponseWriter, code int, title, detail string) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(map[string]any{"type": fmt.Sprintf("https://mediawiki.org/wiki/HyperSwitch/errors/%d", code), "title": title, "method": "get", "detail": detail})
}
