package gcstest

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// Metadata is a fake of where Google credentials come from: the GKE/GCE metadata server's
// service-account token (GET /computeMetadata/v1/instance/service-accounts/default/token
// with "Metadata-Flavor: Google", what workload identity answers) and an OAuth2 token
// endpoint (POST /token with a signed JWT assertion, what a service-account key file's
// token_uri names). Each token it issues, "tok-1", "tok-2", ..., is said to last Lifetime.
// Point GCE_METADATA_HOST at Host (the variable Google's libraries read) or a key file's
// token_uri at TokenURL.
type Metadata struct {
	*httptest.Server
	// Host is host:port, for GCE_METADATA_HOST.
	Host string
	// TokenURL is the OAuth2 token endpoint.
	TokenURL string

	mu       sync.Mutex
	lifetime time.Duration
	issued   map[string]time.Time
	scopes   []string
	n        int
}

// NewMetadata starts the fake; it stops when the test ends.
func NewMetadata(t testing.TB, lifetime time.Duration) *Metadata {
	m := &Metadata{lifetime: lifetime, issued: map[string]time.Time{}}
	m.Server = httptest.NewServer(http.HandlerFunc(m.serve))
	m.Host = strings.TrimPrefix(m.URL, "http://")
	m.TokenURL = m.URL + "/token"
	t.Cleanup(m.Close)
	return m
}

// Issued counts the tokens issued.
func (m *Metadata) Issued() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.n
}

// Scopes returns the scopes asked for, one entry per token request.
func (m *Metadata) Scopes() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]string(nil), m.scopes...)
}

// AcceptedFor returns a token check for Server.RequireToken: a token issued here, for at
// most d after its issue. A d shorter than the lifetime plays a server whose clock is ahead
// of the client's, which is what refreshing early guards against.
func (m *Metadata) AcceptedFor(d time.Duration) func(string) bool {
	return func(tok string) bool {
		m.mu.Lock()
		defer m.mu.Unlock()
		at, ok := m.issued[tok]
		return ok && time.Since(at) < d
	}
}

func (m *Metadata) issue(w http.ResponseWriter, scope string) {
	m.mu.Lock()
	m.n++
	tok := fmt.Sprintf("tok-%d", m.n)
	m.issued[tok] = time.Now()
	m.scopes = append(m.scopes, scope)
	secs := int(m.lifetime / time.Second)
	m.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"access_token": tok, "expires_in": secs, "token_type": "Bearer"})
}

func (m *Metadata) serve(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/token" {
		m.serveOAuth(w, r)
		return
	}
	if r.Header.Get("Metadata-Flavor") != "Google" {
		http.Error(w, "Missing Metadata-Flavor:Google header.", http.StatusForbidden)
		return
	}
	w.Header().Set("Metadata-Flavor", "Google")
	switch r.URL.Path {
	case "/computeMetadata/v1/instance/service-accounts/default/token":
		m.issue(w, r.URL.Query().Get("scopes"))
	case "/computeMetadata/v1/project/project-id":
		_, _ = w.Write([]byte("merino-test-project"))
	default:
		http.NotFound(w, r)
	}
}

// serveOAuth answers the JWT-bearer grant of a service-account key: the assertion's claims
// must name the key's e-mail and scopes (its signature is not checked).
func (m *Metadata) serveOAuth(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.ParseForm() != nil || r.PostForm.Get("grant_type") != "urn:ietf:params:oauth:grant-type:jwt-bearer" {
		http.Error(w, `{"error":"unsupported_grant_type"}`, http.StatusBadRequest)
		return
	}
	parts := strings.Split(r.PostForm.Get("assertion"), ".")
	var claims struct {
		Iss   string `json:"iss"`
		Scope string `json:"scope"`
	}
	if len(parts) != 3 {
		http.Error(w, `{"error":"invalid_grant"}`, http.StatusBadRequest)
		return
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil || json.Unmarshal(payload, &claims) != nil || claims.Iss == "" || claims.Scope == "" {
		http.Error(w, `{"error":"invalid_grant"}`, http.StatusBadRequest)
		return
	}
	m.issue(w, claims.Scope)
}
