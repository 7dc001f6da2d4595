package loaders

import (
	"context"
	"sync/atomic"

	"github.com/valyala/fasthttp"

	"github.com/mozilla-services/merino-go/gcs"
)

// defaultGCS is the Cloud Storage access of gs:// sources whose options name no endpoint.
var defaultGCS atomic.Pointer[gcs.Access]

// SetGCSAccess sets where gs:// sources created afterwards read, and with which credentials,
// when their HTTPOptions name no GCSEndpoint: `merino serve` calls it once at startup with
// what gcs.endpoint_url resolves to (gcs.Resolve), before it builds any source. Without it
// they read Google's endpoint anonymously (public objects only).
func SetGCSAccess(a gcs.Access) { defaultGCS.Store(&a) }

// gcsAccess is the access of a gs:// source with opts: an explicit endpoint is used with
// opts.GCSTokens (nil: anonymous, as fakes and emulators are spoken to); else the process's.
func (o HTTPOptions) gcsAccess() gcs.Access {
	if o.GCSEndpoint != "" {
		return gcs.Access{Endpoint: o.GCSEndpoint, Tokens: o.GCSTokens}
	}
	if a := defaultGCS.Load(); a != nil {
		return *a
	}
	return gcs.Access{Endpoint: gcs.DefaultEndpoint}
}

// authorize puts the bearer token on a request of a gs:// source: a cached token, refreshed
// before it expires, never logged.
func (g *gcsSource) authorize(ctx context.Context, req *fasthttp.Request) error {
	if g.tokens == nil {
		return nil
	}
	tok, err := g.tokens.Token(ctx)
	if err != nil {
		return err
	}
	req.Header.Set(fasthttp.HeaderAuthorization, "Bearer "+tok)
	return nil
}
