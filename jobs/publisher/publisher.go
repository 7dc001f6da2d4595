// Package publisher is how the jobs publish to Remote Settings: merino-py's
// RemoteSettingsClient (merino/jobs/utils/rs_client.py) and chunked uploader
// (utils/chunked_rs_uploader.py) on top of the kinto client, with their log lines, their dry
// run (every read happens, no write is sent), the unchanged-attachment check, and counts of
// what was written.
//
// Attachments are written as Python's json.dumps writes them (jsonw.Python), so that a
// record merino-py uploaded, or an earlier run, is recognised as unchanged by the sha256 of
// the bytes, and the bytes are identical whichever implementation wrote them.
package publisher

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/mozilla-services/merino-go/jobs"
	"github.com/mozilla-services/merino-go/jsonw"
	"github.com/mozilla-services/merino-go/kinto"
	"github.com/mozilla-services/merino-go/mozlog"
)

// DefaultCollection is every job's collection unless --collection says otherwise: merino-py's
// quicksuggest-other. (The [remote_settings] collection is the adm reader's.)
const DefaultCollection = "quicksuggest-other"

// Settings are the Remote Settings flags of a job.
type Settings struct {
	Server, Bucket, Collection string
	// Auth is --auth (--rs-auth), whose default is remote_settings.auth.
	Auth   Secret
	DryRun bool
	// KeepExisting is --keep-existing-records: skip the deletion of old records.
	KeepExisting bool
	// AllowEmpty is --allow-empty: let an empty input delete the published records.
	AllowEmpty bool
	// Review is --request-review[=comment].
	Review Review

	defaultCollection string
}

// Secret is a flag value that is never shown: help prints "********" for a configured
// default, as check-config does.
type Secret string

// String implements flag.Value.
func (s *Secret) String() string {
	if s == nil || *s == "" {
		return ""
	}
	return "********"
}

// Set implements flag.Value.
func (s *Secret) Set(v string) error { *s = Secret(v); return nil }

// Review is the --request-review flag: set, with an optional comment.
type Review struct {
	Requested bool
	Comment   string
}

// String implements flag.Value.
func (r *Review) String() string {
	if r == nil || !r.Requested {
		return ""
	}
	return r.Comment
}

// Set implements flag.Value: a bare --request-review, --request-review=<comment>, or
// --request-review=false.
func (r *Review) Set(v string) error {
	switch v {
	case "true":
		*r = Review{Requested: true}
	case "false":
		*r = Review{}
	default:
		*r = Review{Requested: true, Comment: v}
	}
	return nil
}

// IsBoolFlag makes --request-review a presence flag that also takes =<comment>.
func (r *Review) IsBoolFlag() bool { return true }

// FlagNames are the names of the Remote Settings flags: merino-py's uploaders call them
// --server, --bucket, ...; the geonames uploader --rs-server, --rs-bucket, ....
type FlagNames struct {
	Server, Bucket, Collection, Auth, DryRun string
}

// Plain and RS are the two naming schemes.
var (
	Plain = FlagNames{"server", "bucket", "collection", "auth", "dry-run"}
	RS    = FlagNames{"rs-server", "rs-bucket", "rs-collection", "rs-auth", "rs-dry-run"}
)

// AddFlags declares the Remote Settings flags on fs, with defaults from d (bucket and
// collection as given: merino-py's uploaders differ), and returns where they land. keep adds
// --keep-existing-records (the geonames uploader has none: it always replaces).
func AddFlags(fs *flag.FlagSet, d *jobs.Defaults, names FlagNames, bucket, collection string, keep bool) *Settings {
	s := &Settings{defaultCollection: collection}
	fs.StringVar(&s.Server, names.Server, d.RSServer, "Remote Settings API root, with its /v1 (remote_settings.server)")
	fs.StringVar(&s.Bucket, names.Bucket, bucket, "Remote Settings bucket: main-workspace to publish through review")
	fs.StringVar(&s.Collection, names.Collection, collection, "Remote Settings collection")
	s.Auth = Secret(d.RSAuth)
	fs.Var(&s.Auth, names.Auth, `Authorization: "Bearer <token>", "Basic <base64>" or user:password (remote_settings.auth)`)
	fs.BoolVar(&s.DryRun, names.DryRun, d.RSDryRun, "read and log everything, send no write (remote_settings.dry_run)")
	if keep {
		fs.BoolVar(&s.KeepExisting, "keep-existing-records", false, "keep the existing records instead of deleting them first")
	}
	fs.BoolVar(&s.AllowEmpty, "allow-empty", false, "let an empty input replace (delete) the published records")
	fs.Var(&s.Review, "request-review", "after a run that wrote, ask for review of the workspace collection (=<comment> for the reviewer)")
	return s
}

// Publisher writes records to one collection, or logs what it would write in a dry run. It is
// not safe for concurrent use.
type Publisher struct {
	client   *kinto.Client
	dryRun   bool
	review   Review
	log      *slog.Logger // merino-py's merino.jobs.utils.rs_client
	chunkLog *slog.Logger // merino.jobs.utils.chunked_rs_uploader
	progress *jobs.Progress
	// Counts are what was written (or, in a dry run, would have been).
	Counts Counts
}

// Counts are the records a run uploaded, found unchanged and deleted, and the attachment
// bytes uploaded.
type Counts struct {
	Uploaded, Unchanged, Deleted int
	Bytes                        int64
}

func (c Counts) String() string {
	return fmt.Sprintf("%d uploaded, %d unchanged, %d deleted, %s of attachments", c.Uploaded, c.Unchanged, c.Deleted, jobs.PrettySize(c.Bytes))
}

// New checks the settings and returns a publisher. A bad --auth or server is a usage error.
func (s *Settings) New(env *jobs.Env, names FlagNames) (*Publisher, error) {
	if s.Collection == "" {
		// merino-py: an empty --collection means the default.
		s.Collection = s.defaultCollection
	}
	authz, err := kinto.AuthHeader(string(s.Auth))
	if err != nil {
		return nil, jobs.Usagef("--%s: %v", names.Auth, err)
	}
	if s.Review.Requested && !strings.HasSuffix(s.Bucket, "-workspace") {
		return nil, jobs.Usagef("--request-review needs a workspace bucket (such as main-workspace), not %q", s.Bucket)
	}
	c, err := kinto.New(kinto.Options{Server: s.Server, Bucket: s.Bucket, Collection: s.Collection, Authorization: authz, UserAgent: env.UserAgent(), RetryWait: env.RetryWait})
	if err != nil {
		return nil, jobs.Usagef("--%s, --%s, --%s: %v", names.Server, names.Bucket, names.Collection, err)
	}
	p := NewWithClient(c, s.DryRun, env.Log)
	p.review = s.Review
	return p, nil
}

// NewWithClient returns a publisher over a client, logging through log with merino-py's
// logger names.
func NewWithClient(c *kinto.Client, dryRun bool, log *slog.Logger) *Publisher {
	return &Publisher{client: c, dryRun: dryRun,
		log:      log.With(mozlog.TypeKey, "merino.jobs.utils.rs_client"),
		chunkLog: log.With(mozlog.TypeKey, "merino.jobs.utils.chunked_rs_uploader")}
}

// DryRun reports whether writes are only logged.
func (p *Publisher) DryRun() bool { return p.dryRun }

// Progress starts the display of the records written (uploaded, found unchanged or deleted)
// out of total planned; the caller finishes it.
func (p *Publisher) Progress(env *jobs.Env, log *slog.Logger, label string, total int) *jobs.Progress {
	p.progress = env.Progress(log, label, "records", int64(total))
	return p.progress
}

// Records lists every record of the collection (also in a dry run).
func (p *Publisher) Records(ctx context.Context) ([]kinto.Record, error) {
	p.log.Info("Getting all records")
	return p.client.Records(ctx)
}

// Attachment returns the bytes an attachment is uploaded as: Python's json.dumps.
func Attachment(v any) []byte { return jsonw.Python.Marshal(v) }

// Upload creates or replaces a record and its attachment, as merino-py's upload: when
// existing (the published record of that id, or nil) has an attachment whose hash is that of
// the new bytes and force is false, nothing is sent ("Record has not changed"). Callers that
// must also notice changed record fields compare them and pass force. It reports whether the
// record was uploaded.
func (p *Publisher) Upload(ctx context.Context, record jsonw.Object, attachment []byte, existing kinto.Record, force bool) (bool, error) {
	idv, _ := record.Get("id")
	id, _ := idv.(string)
	if !force && existing != nil {
		sum := sha256.Sum256(attachment)
		if existing.AttachmentHash() == hex.EncodeToString(sum[:]) {
			p.log.Info("Record has not changed: " + id)
			p.Counts.Unchanged++
			p.progress.Add(1)
			return false, nil
		}
	}
	p.log.Info("Updating record: " + id)
	if p.log.Enabled(ctx, slog.LevelDebug) {
		p.log.Debug(string(jsonw.Python.Marshal(record)))
	}
	p.log.Info(fmt.Sprintf("Uploading attachment: %s (%s)", id, jobs.PrettySize(int64(len(attachment)))))
	if !p.dryRun {
		if err := p.client.Upload(ctx, record, attachment); err != nil {
			var kerr *kinto.Error
			if errors.As(err, &kerr) && kerr.Method == http.MethodPost {
				// The PUT went through: the record is published without its attachment.
				return false, &withoutAttachment{id: id, err: err}
			}
			return false, err
		}
	}
	p.Counts.Uploaded++
	p.Counts.Bytes += int64(len(attachment))
	p.progress.Add(1)
	return true, nil
}

// Delete deletes a record ("Deleting record: <id>").
func (p *Publisher) Delete(ctx context.Context, id string) error {
	p.log.Info("Deleting record: " + id)
	if !p.dryRun {
		if err := p.client.Delete(ctx, id); err != nil {
			return err
		}
	}
	p.Counts.Deleted++
	p.progress.Add(1)
	return nil
}

// DeleteWhere lists the records and deletes those match selects, one by one.
func (p *Publisher) DeleteWhere(ctx context.Context, match func(kinto.Record) bool) error {
	recs, err := p.Records(ctx)
	if err != nil {
		return err
	}
	for _, r := range recs {
		if match(r) {
			if err := p.Delete(ctx, r.ID()); err != nil {
				return err
			}
		}
	}
	return nil
}

// Finish asks for review when --request-review was given and the run wrote something, and
// returns the summary line of the run: the counts, "(dry run)" when nothing was sent.
func (p *Publisher) Finish(ctx context.Context) (string, error) {
	wrote := p.Counts.Uploaded+p.Counts.Deleted > 0
	if p.review.Requested && wrote && !p.dryRun {
		comment := p.review.Comment
		if comment == "" {
			comment = "merino-go: " + p.Counts.String()
		}
		p.log.Info("Requesting review: " + p.client.String())
		if err := p.client.RequestReview(ctx, comment); err != nil {
			return "", p.Failed(err)
		}
	}
	if p.dryRun {
		return p.Counts.String() + " (dry run: nothing was sent)", nil
	}
	return p.Counts.String(), nil
}

// Failed adds to a write failure what the run had written before it, so that the one-line
// error tells the operator the state the collection was left in.
func (p *Publisher) Failed(err error) error {
	c := p.Counts
	if c.Uploaded+c.Deleted == 0 {
		var wa *withoutAttachment
		if errors.As(err, &wa) {
			return fmt.Errorf("%w (no other record was written)", err)
		}
		return fmt.Errorf("%w (nothing was written)", err)
	}
	return fmt.Errorf("%w (written before the failure: %d uploaded, %d deleted)", err, c.Uploaded, c.Deleted)
}

// withoutAttachment is an upload whose PUT went through and whose POST failed: the record is
// published without its attachment.
type withoutAttachment struct {
	id  string
	err error
}

func (e *withoutAttachment) Error() string {
	return e.err.Error() + "; record " + e.id + " was replaced but has no attachment"
}

func (e *withoutAttachment) Unwrap() error { return e.err }
