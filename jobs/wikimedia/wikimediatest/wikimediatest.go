// Package wikimediatest is a fake Wikimedia for tests: the REST API's pageviews "top"
// endpoint, <Base>/<lang>.wikipedia.org/<access>/YYYY/MM/DD, answering the day's articles a
// test set, in the API's shape ({"items": [{"project", "access", "year", "month", "day",
// "articles": [...]}]}), Wikimedia's 404 problem document for a day without data; and the
// CirrusSearch dumps at DumpsBase: Apache-style listings of dated snapshots, each export's
// directory (index_name=<lang>wiki_content/, its "=" escaped in links) with its _SUCCESS marker
// and bzip2 shards, served to GET and HEAD, a shard optionally cut mid-stream. Every request
// without a User-Agent gets 403, as Wikimedia answers.
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

	// DumpsBase is the CirrusSearch dumps listing (the job's --export-base-url).
	DumpsBase string

	mu       sync.Mutex
	exports  map[string]*export             // "<date>/<lang>"
	cuts     map[string]int                 // shard path -> bytes sent before the connection drops
	hangs    map[string]int                 // shard path -> bytes sent before the answer stalls
	broken   map[string]int                 // listing path -> status
	days     map[string][]wikimedia.Article // "<lang>/<access>/YYYY/MM/DD"
	fail     map[string]int
	requests []string
	agents   map[string]bool
}

const (
	prefix      = "/api/rest_v1/metrics/pageviews/top/"
	dumpsPrefix = "/other/cirrus_search_index/"
)

type export struct {
	shards   [][]byte
	complete bool
}

// New starts a fake that stops when the test ends.
func New(t testing.TB) *Server {
	s := &Server{days: map[string][]wikimedia.Article{}, fail: map[string]int{}, agents: map[string]bool{},
		exports: map[string]*export{}, cuts: map[string]int{}, hangs: map[string]int{}, broken: map[string]int{}}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	s.Base = s.URL + strings.TrimSuffix(prefix, "/")
	s.DumpsBase = s.URL + dumpsPrefix
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
	if strings.HasPrefix(r.URL.Path, dumpsPrefix) {
		s.serveDumps(w, r)
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

// ShardName is the name Wikimedia gives shard n of an export.
func ShardName(date, lang string, n int) string {
	return fmt.Sprintf("%swiki_content-%s-%d.json.bz2", lang, date, n)
}

// AddExport publishes the export of <lang>wiki in snapshot date (YYYYMMDD): its shards (each
// a bzip2 stream) and, when complete, the _SUCCESS marker.
func (s *Server) AddExport(date, lang string, shards [][]byte, complete bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.exports[date+"/"+lang] = &export{shards: shards, complete: complete}
}

// CutShard makes GETs of shard n of an export send its headers and after bytes, then drop
// the connection.
func (s *Server) CutShard(date, lang string, n, after int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cuts[dumpsPrefix+date+"/index_name="+lang+"wiki_content/"+ShardName(date, lang, n)] = after
}

// StallShard makes GETs of shard n of an export send its headers and after bytes, then
// nothing more until the client goes away.
func (s *Server) StallShard(date, lang string, n, after int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hangs[dumpsPrefix+date+"/index_name="+lang+"wiki_content/"+ShardName(date, lang, n)] = after
}

// BreakListing makes the listing at dir, relative to DumpsBase ("" for the top listing,
// "20240101/index_name=enwiki_content/" for an export's), answer status.
func (s *Server) BreakListing(dir string, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.broken[dumpsPrefix+dir] = status
}

func (s *Server) serveDumps(w http.ResponseWriter, r *http.Request) {
	rest := strings.TrimPrefix(r.URL.Path, dumpsPrefix)
	parts := strings.Split(rest, "/")
	s.mu.Lock()
	defer s.mu.Unlock()
	if code := s.broken[r.URL.Path]; code != 0 {
		http.Error(w, http.StatusText(code), code)
		return
	}
	listing := func(hrefs []string) {
		var b strings.Builder
		b.WriteString("<html>\r\n<head><title>Index of " + r.URL.Path + "</title></head>\r\n<body>\r\n<h1>Index of " + r.URL.Path + "</h1><hr><pre><a href=\"../\">../</a>\r\n")
		for _, h := range hrefs {
			fmt.Fprintf(&b, "<a href=\"%s\">%s</a>%s 01-Jan-2024 00:00    -\r\n", strings.ReplaceAll(h, "=", "%3D"), h, strings.Repeat(" ", max(1, 50-len(h))))
		}
		b.WriteString("</pre><hr></body>\r\n</html>\r\n")
		w.Header().Set("Content-Type", "text/html")
		_, _ = w.Write([]byte(b.String()))
	}
	switch {
	case rest == "":
		dates := map[string]bool{}
		for k := range s.exports {
			dates[k[:strings.IndexByte(k, '/')]] = true
		}
		hrefs := []string{"current/"}
		for d := range dates {
			hrefs = append(hrefs, d+"/")
		}
		sort.Strings(hrefs)
		listing(append(hrefs, "README.txt"))
	case len(parts) == 2 && parts[1] == "":
		var hrefs []string
		for k := range s.exports {
			if d, lang, _ := strings.Cut(k, "/"); d == parts[0] {
				hrefs = append(hrefs, "index_name="+lang+"wiki_content/")
			}
		}
		if hrefs == nil {
			http.NotFound(w, r)
			return
		}
		sort.Strings(hrefs)
		listing(hrefs)
	case len(parts) == 3 && strings.HasPrefix(parts[1], "index_name=") && strings.HasSuffix(parts[1], "wiki_content"):
		lang := strings.TrimSuffix(strings.TrimPrefix(parts[1], "index_name="), "wiki_content")
		e := s.exports[parts[0]+"/"+lang]
		if e == nil {
			http.NotFound(w, r)
			return
		}
		if parts[2] == "" {
			var hrefs []string
			if e.complete {
				hrefs = append(hrefs, "_SUCCESS")
			}
			// Listed in name order, where shard 10 comes before shard 2.
			for i := range e.shards {
				hrefs = append(hrefs, ShardName(parts[0], lang, i))
			}
			sort.Strings(hrefs)
			listing(hrefs)
			return
		}
		for i, data := range e.shards {
			if parts[2] != ShardName(parts[0], lang, i) {
				continue
			}
			w.Header().Set("Content-Type", "application/octet-stream")
			w.Header().Set("Content-Length", fmt.Sprint(len(data)))
			if r.Method == http.MethodHead {
				return
			}
			if stall, ok := s.hangs[r.URL.Path]; ok {
				w.WriteHeader(http.StatusOK)
				_, _ = w.Write(data[:min(stall, len(data))])
				w.(http.Flusher).Flush()
				s.mu.Unlock()
				select {
				case <-r.Context().Done():
				case <-time.After(time.Minute):
				}
				s.mu.Lock()
				return
			}
			if cut, ok := s.cuts[r.URL.Path]; ok {
				w.WriteHeader(http.StatusOK)
				_, _ = w.Write(data[:min(cut, len(data))])
				w.(http.Flusher).Flush()
				panic(http.ErrAbortHandler)
			}
			_, _ = w.Write(data)
			return
		}
		http.NotFound(w, r)
	default:
		http.NotFound(w, r)
	}
}
