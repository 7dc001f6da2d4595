package main

import (
	"fmt"

	"github.com/mozilla-services/merino-go/config"
	"github.com/mozilla-services/merino-go/gcs"
	"github.com/mozilla-services/merino-go/loaders"
)

// useGCS makes every gs:// source of the process read where gcs.endpoint_url says: Google's
// endpoint with the pod's credentials (read-only scope), or an emulator anonymously. It runs
// before any source is built.
func useGCS(cfg *config.Config) error {
	a, err := gcs.Resolve(cfg.GCS().EndpointURL, gcs.ScopeReadOnly)
	if err != nil {
		return fmt.Errorf("gcs.endpoint_url: %w", err)
	}
	loaders.SetGCSAccess(a)
	return nil
}
