// Package gcs speaks the Google Cloud Storage JSON API: the reads `merino serve` makes of its
// gs:// sources and the writes of `merino job` (the navigational suggestions manifest and
// favicons, the Wikipedia dump copy).
//
// Where requests go and with what credentials is decided once per process by Resolve:
// gcs.endpoint_url (MERINO_GCS__ENDPOINT_URL, or a job's --gcs-endpoint), else merino-py's
// STORAGE_EMULATOR_HOST, else Google's own endpoint. Only Google's endpoint gets credentials:
// a bearer token from GOOGLE_OAUTH_ACCESS_TOKEN (ad-hoc runs), or from Application Default
// Credentials through golang.org/x/oauth2/google — GOOGLE_APPLICATION_CREDENTIALS (a
// service-account key file), gcloud's ADC file, or the GKE/GCE metadata server (workload
// identity, what Airflow's pods use). Tokens are cached and replaced EarlyRefresh before they
// expire, so no request is sent with an expired one; they are never logged, and error
// messages never carry them. An emulator or a fake is spoken to anonymously.
//
// Client is the write side (and the jobs' reads): object metadata, listings, downloads, small
// multipart uploads with generation preconditions, resumable uploads in chunks that an
// interrupted writer cancels (no partial object is ever visible), deletes, and the
// public-read grant merino-py's make_public makes; idempotent requests are retried on
// network errors, 429 and 5xx. The fake server in gcstest speaks the same API.
package gcs
