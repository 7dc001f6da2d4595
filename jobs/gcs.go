package jobs

import (
	"fmt"

	"github.com/mozilla-services/merino-go/gcs"
)

// GCS returns a Cloud Storage client for a job: endpoint is --gcs-endpoint (default
// gcs.endpoint_url; "" for Google's endpoint with the run's credentials, anything else
// anonymous), scopes those a token needs.
func (e *Env) GCS(endpoint string, scopes ...string) (*gcs.Client, error) {
	a, err := gcs.Resolve(endpoint, scopes...)
	if err != nil {
		return nil, Usagef("--gcs-endpoint: %v", err)
	}
	c, err := gcs.New(gcs.Options{Access: a, UserAgent: e.UserAgent(), RetryWait: e.RetryWait, ChunkSize: e.GCSChunkSize})
	if err != nil {
		return nil, fmt.Errorf("cannot reach Cloud Storage: %w", err)
	}
	return c, nil
}
