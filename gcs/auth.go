package gcs

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/google"
)

// DefaultEndpoint is Google's Cloud Storage JSON API.
const DefaultEndpoint = "https://storage.googleapis.com"

// OAuth2 scopes of the tokens requested.
const (
	ScopeReadOnly  = "https://www.googleapis.com/auth/devstorage.read_only"
	ScopeReadWrite = "https://www.googleapis.com/auth/devstorage.read_write"
	ScopeBigQuery  = "https://www.googleapis.com/auth/bigquery"
)

// EarlyRefresh is how long before its expiry a token is replaced. Google's own libraries use
// this margin for metadata-server tokens (the server caches a token until four minutes before
// its end, so asking earlier returns the same one); it also absorbs clock skew and the time a
// slow upload takes.
const EarlyRefresh = 225 * time.Second

// Tokens yields OAuth2 access tokens. Implementations are safe for concurrent use.
type Tokens interface {
	// Token returns a token valid for at least a while: a cached one, or a new one when the
	// cached one is within EarlyRefresh of its expiry.
	Token(ctx context.Context) (string, error)
}

// Access is where Cloud Storage requests go and how they are authorised.
type Access struct {
	// Endpoint is the JSON API's base URL, without a trailing slash.
	Endpoint string
	// Tokens authorises requests; nil sends them anonymously (emulators, fakes, public
	// objects).
	Tokens Tokens
}

// EnvEmulatorHost is the variable merino-py's local mode (and Google's libraries) read to
// reach an emulator such as fake-gcs-server: a host:port or a URL.
const EnvEmulatorHost = "STORAGE_EMULATOR_HOST"

// EnvAccessToken holds a bare access token for ad-hoc runs (`gcloud auth print-access-token`);
// it is used as is, never refreshed.
const EnvAccessToken = "GOOGLE_OAUTH_ACCESS_TOKEN"

// Resolve decides where requests go: configured (gcs.endpoint_url, --gcs-endpoint) when set,
// else STORAGE_EMULATOR_HOST, else DefaultEndpoint. Google's endpoint gets DefaultTokens with
// scopes; any other is spoken to anonymously. Credentials are looked for on first use, not
// here, so a process that never touches Cloud Storage never needs them.
func Resolve(configured string, scopes ...string) (Access, error) {
	endpoint := strings.TrimRight(configured, "/")
	if endpoint == "" {
		if host := os.Getenv(EnvEmulatorHost); host != "" {
			endpoint = strings.TrimRight(host, "/")
			if !strings.Contains(endpoint, "://") {
				endpoint = "http://" + endpoint
			}
		}
	}
	if endpoint == "" || endpoint == DefaultEndpoint {
		return Access{Endpoint: DefaultEndpoint, Tokens: DefaultTokens(scopes...)}, nil
	}
	if err := CheckEndpoint(endpoint); err != nil {
		return Access{}, err
	}
	return Access{Endpoint: endpoint}, nil
}

// CheckEndpoint reports whether s can be a JSON API base URL: an absolute http(s) URL with a
// host and no query.
func CheckEndpoint(s string) error {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return fmt.Errorf("cannot use %q as a Cloud Storage endpoint: want an absolute http(s) URL such as http://127.0.0.1:4443", s)
	}
	return nil
}

// DefaultTokens returns the tokens of Google's Application Default Credentials with scopes,
// looked for on the first Token call: GOOGLE_OAUTH_ACCESS_TOKEN if set, else
// GOOGLE_APPLICATION_CREDENTIALS, gcloud's ADC file, or the metadata server. A failed lookup
// is retried on the next call (the metadata server may not be up yet when a pod starts).
func DefaultTokens(scopes ...string) Tokens {
	return &adcTokens{scopes: scopes}
}

type adcTokens struct {
	scopes []string
	mu     sync.Mutex
	src    oauth2.TokenSource
}

func (a *adcTokens) Token(ctx context.Context) (string, error) {
	src, err := a.source(ctx)
	if err != nil {
		return "", err
	}
	tok, err := src.Token()
	if err != nil {
		return "", fmt.Errorf("cannot get a Google access token: %w", err)
	}
	return tok.AccessToken, nil
}

func (a *adcTokens) source(ctx context.Context) (oauth2.TokenSource, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.src != nil {
		return a.src, nil
	}
	if tok := os.Getenv(EnvAccessToken); tok != "" {
		a.src = oauth2.StaticTokenSource(&oauth2.Token{AccessToken: tok})
		return a.src, nil
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	// The token source keeps this context for every later refresh: it must outlive the
	// caller's, and bound each token request itself.
	bg := context.WithValue(context.Background(), oauth2.HTTPClient, &http.Client{Timeout: 30 * time.Second})
	creds, err := google.FindDefaultCredentialsWithParams(bg, google.CredentialsParams{Scopes: a.scopes, EarlyTokenRefresh: EarlyRefresh})
	if err != nil {
		return nil, fmt.Errorf("cannot find Google credentials (%s, GOOGLE_APPLICATION_CREDENTIALS, gcloud's application default credentials or the metadata server): %w", EnvAccessToken, err)
	}
	// Every source google returns caches its token; this sets how early it is replaced.
	a.src = oauth2.ReuseTokenSourceWithExpiry(nil, creds.TokenSource, EarlyRefresh)
	return a.src, nil
}

// StaticToken returns Tokens that always yield token (a --access-token flag).
func StaticToken(token string) Tokens { return staticToken(token) }

type staticToken string

func (s staticToken) Token(context.Context) (string, error) {
	if s == "" {
		return "", errors.New("the access token is empty")
	}
	return string(s), nil
}

// Authorize sets req's Authorization from tokens (nothing when tokens is nil).
func Authorize(ctx context.Context, tokens Tokens, req *http.Request) error {
	if tokens == nil {
		return nil
	}
	tok, err := tokens.Token(ctx)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	return nil
}
