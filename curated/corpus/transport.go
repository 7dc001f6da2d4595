package corpus

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/mozilla-services/merino-go/curated/surface"
	"github.com/mozilla-services/merino-go/jsonw"
	"github.com/mozilla-services/merino-go/loaders"
)

// Transport sends one query and returns the response status and body.
type Transport interface {
	Fetch(ctx context.Context, q Query, s *surface.Surface, date string) (status int, body []byte, err error)
	// Target names where queries go (the endpoint URL or the directory), for logs.
	Target() string
}

// maxBody bounds a corpus response; the largest real one is about 1 MB.
const maxBody = 32 << 20

// The queries' text: the fields merino-py selects.
const (
	scheduledQuery = `query ScheduledSurface($scheduledSurfaceId: ID!, $date: Date!) { scheduledSurface(id: $scheduledSurfaceId) { items: items(date: $date) { id corpusItem { id url title excerpt topic publisher isTimeSensitive imageUrl } } } }`
	sectionsQuery  = `query GetSections($filters: SectionFilters!) { getSections(filters: $filters) { createSource externalId active title description heroTitle heroDescription followable allowAds iab { taxonomy categories } sectionItems { corpusItem { id url title excerpt topic publisher isTimeSensitive imageUrl } } } }`
)

// RequestBody is the GraphQL POST body of a query: {"query": ..., "variables": ...}.
func RequestBody(q Query, s *surface.Surface, date string) []byte {
	b := []byte(`{"query":`)
	if q == GetSections {
		b = jsonw.AppendString(b, sectionsQuery)
		b = append(b, `,"variables":{"filters":{"scheduledSurfaceGuid":`...)
		b = jsonw.AppendString(b, string(s.ID))
		return append(b, "}}}"...)
	}
	b = jsonw.AppendString(b, scheduledQuery)
	b = append(b, `,"variables":{"scheduledSurfaceId":`...)
	b = jsonw.AppendString(b, string(s.ID))
	b = append(b, `,"date":`...)
	b = jsonw.AppendString(b, date)
	return append(b, "}}"...)
}

// GraphQL posts queries to the curated-corpus API.
type GraphQL struct {
	endpoint      string
	clientName    string
	clientVersion string
	timeout       time.Duration
	client        *fasthttp.Client
}

// NewGraphQL returns a transport to endpoint (used as given, e.g.
// https://client-api.getpocket.com). clientName and clientVersion go in the
// apollographql-client-name and -version headers.
func NewGraphQL(endpoint, clientName, clientVersion string, connectTimeout, requestTimeout time.Duration) *GraphQL {
	return &GraphQL{
		endpoint: endpoint, clientName: clientName, clientVersion: clientVersion, timeout: requestTimeout,
		client: loaders.NewHTTPClient(loaders.HTTPOptions{ConnectTimeout: connectTimeout, RequestTimeout: requestTimeout}, maxBody),
	}
}

// Target is the endpoint.
func (g *GraphQL) Target() string { return g.endpoint }

// Fetch posts the query; a non-2xx status is returned, not an error.
func (g *GraphQL) Fetch(ctx context.Context, q Query, s *surface.Surface, date string) (int, []byte, error) {
	req := fasthttp.AcquireRequest()
	resp := fasthttp.AcquireResponse()
	defer fasthttp.ReleaseRequest(req)
	defer fasthttp.ReleaseResponse(resp)
	req.SetRequestURI(g.endpoint)
	req.Header.SetMethod(fasthttp.MethodPost)
	req.Header.SetContentType("application/json")
	req.Header.Set("apollographql-client-name", g.clientName)
	req.Header.Set("apollographql-client-version", g.clientVersion)
	req.SetBodyRaw(RequestBody(q, s, date))
	timeout := g.timeout
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) < timeout {
		timeout = time.Until(dl)
	}
	if err := ctx.Err(); err != nil {
		return 0, nil, err
	}
	if err := g.client.DoTimeout(req, resp, timeout); err != nil {
		return 0, nil, fmt.Errorf("cannot reach the corpus API at %s: %w", g.endpoint, err)
	}
	return resp.StatusCode(), append([]byte(nil), resp.Body()...), nil
}

// Files serves recorded GraphQL responses from a directory, for development and tests: a
// ScheduledSurface query for surface X reads scheduled_surface.X.json, else
// scheduled_surface.json; a GetSections query sections.X.json, else sections.json. The bytes
// are parsed as a live response is (errors, bad items and all), and read again on each fetch,
// so an edited file is served after the next cache refresh.
type Files struct{ Dir string }

// Target is the directory.
func (f Files) Target() string { return f.Dir }

// Fetch reads the file for the query; a missing file is an error (as an unreachable API).
func (f Files) Fetch(_ context.Context, q Query, s *surface.Surface, _ string) (int, []byte, error) {
	base := "scheduled_surface"
	if q == GetSections {
		base = "sections"
	}
	for _, name := range []string{base + "." + string(s.ID) + ".json", base + ".json"} {
		p := filepath.Join(f.Dir, name)
		st, err := os.Stat(p)
		if err != nil {
			continue
		}
		if st.Size() > maxBody {
			return 0, nil, fmt.Errorf("cannot read %q: %d bytes is more than %d", p, st.Size(), maxBody)
		}
		body, err := os.ReadFile(p)
		if err != nil {
			return 0, nil, fmt.Errorf("cannot read %q: %w", p, err)
		}
		return fasthttp.StatusOK, body, nil
	}
	return 0, nil, fmt.Errorf("cannot read a recorded %s response for %s in %q", q, s.ID, f.Dir)
}
