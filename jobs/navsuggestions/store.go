package navsuggestions

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/mozilla-services/merino-go/gcs"
)

// Names of the documents the job writes.
const (
	latestTopPicks = "top_picks_latest.json"
	latestErrors   = "errors_latest.json"
	// maxPrevious bounds the previous manifest read for the diff.
	maxPrevious = 64 << 20
)

// store is where the job's output goes: the bucket, or a directory in local mode.
type store interface {
	// putFavicon stores a favicon unless it is already there (its name is its content's
	// hash), or always when force is set, and returns its public URL.
	putFavicon(ctx context.Context, name string, data []byte, contentType string, force bool) (string, error)
	// previous returns the newest dated manifest (a name with "top_picks", ending .json,
	// not the latest one's), or nil; name says which.
	previous(ctx context.Context) (data []byte, name string, err error)
	// putDocument writes a JSON document, replacing one of that name when replace is set.
	putDocument(ctx context.Context, name string, data []byte, replace bool) error
	// where names an object for messages (gs://bucket/name, or a path).
	where(name string) string
}

// cdnURL is where a favicon is served from: the CDN hostname's ("https://" added unless it
// holds "https" already, as merino-py's _get_public_url does), else "".
func cdnURL(cdn, name string) string {
	if cdn == "" {
		return ""
	}
	base := cdn
	if !strings.Contains(cdn, "https") {
		base = "https://" + cdn
	}
	return join(base, name)
}

// datedManifest reports whether name is a dated manifest, what previous looks for: a name
// with "top_picks", ending .json, not the latest one's. The newest is the greatest name.
func datedManifest(name string) bool {
	return strings.Contains(name, "top_picks") && strings.HasSuffix(name, ".json") && name != latestTopPicks
}

// gcsStore writes to a bucket. Every object is made public as merino-py's make_public does;
// a bucket with uniform bucket-level access refuses that, which is logged once, not failed.
type gcsStore struct {
	c                  *gcs.Client
	bucket, cdn, cache string
	log                *slog.Logger
	aclOnce            sync.Once
}

func (s *gcsStore) where(name string) string { return "gs://" + s.bucket + "/" + name }

func (s *gcsStore) publish(ctx context.Context, name string) {
	if err := s.c.MakePublic(ctx, s.bucket, name); err != nil {
		s.aclOnce.Do(func() {
			s.log.Warn(fmt.Sprintf("Cannot make objects public (uniform bucket-level access?): %v", err))
		})
	}
}

func (s *gcsStore) putFavicon(ctx context.Context, name string, data []byte, contentType string, force bool) (string, error) {
	a := gcs.Attrs{ContentType: contentType, CacheControl: s.cache}
	if !force {
		a.IfGenerationMatch = gcs.IfAbsent()
	}
	_, err := s.c.Upload(ctx, s.bucket, name, data, a)
	switch {
	case gcs.IsPrecondition(err):
		// Already there: the same bytes, by the name.
	case err != nil:
		return "", err
	default:
		s.log.Info("Uploading blob: " + name)
		s.publish(ctx, name)
	}
	if u := cdnURL(s.cdn, name); u != "" {
		return u, nil
	}
	return gcs.PublicURL(s.bucket, name), nil
}

func (s *gcsStore) previous(ctx context.Context) ([]byte, string, error) {
	objs, _, err := s.c.List(ctx, s.bucket, "", "/")
	if err != nil {
		return nil, "", err
	}
	newest := ""
	for _, o := range objs {
		if datedManifest(o.Name) && o.Name > newest {
			newest = o.Name
		}
	}
	if newest == "" {
		return nil, "", nil
	}
	data, err := s.c.ReadAll(ctx, s.bucket, newest, maxPrevious)
	return data, newest, err
}

func (s *gcsStore) putDocument(ctx context.Context, name string, data []byte, replace bool) error {
	a := gcs.Attrs{ContentType: "application/json"}
	if !replace {
		a.IfGenerationMatch = gcs.IfAbsent()
	}
	if _, err := s.c.Upload(ctx, s.bucket, name, data, a); err != nil {
		if !replace && gcs.IsPrecondition(err) {
			return nil // a dated copy of this second exists already
		}
		return fmt.Errorf("cannot upload %s: %w", s.where(name), err)
	}
	s.log.Info("Uploading blob: " + name)
	s.publish(ctx, name)
	return nil
}

// dirStore writes to a local directory (local mode): favicons under favicons/, each file
// written beside its name and renamed into place.
type dirStore struct {
	dir, cdn string
}

func (s *dirStore) where(name string) string { return filepath.Join(s.dir, filepath.FromSlash(name)) }

func writeFileAtomic(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return nil
}

func (s *dirStore) putFavicon(_ context.Context, name string, data []byte, _ string, force bool) (string, error) {
	path := s.where(name)
	if _, err := os.Stat(path); err != nil || force {
		if err := writeFileAtomic(path, data); err != nil {
			return "", err
		}
	}
	if u := cdnURL(s.cdn, name); u != "" {
		return u, nil
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	return (&url.URL{Scheme: "file", Path: filepath.ToSlash(abs)}).String(), nil
}

func (s *dirStore) previous(context.Context) ([]byte, string, error) {
	entries, err := os.ReadDir(s.dir)
	if err != nil {
		if os.IsNotExist(err) {
			return nil, "", nil
		}
		return nil, "", err
	}
	newest := ""
	for _, e := range entries {
		if n := e.Name(); datedManifest(n) && !e.IsDir() && n > newest {
			newest = n
		}
	}
	if newest == "" {
		return nil, "", nil
	}
	data, err := os.ReadFile(filepath.Join(s.dir, newest))
	return data, newest, err
}

func (s *dirStore) putDocument(_ context.Context, name string, data []byte, replace bool) error {
	path := s.where(name)
	if !replace {
		if _, err := os.Stat(path); err == nil {
			return nil
		}
	}
	if err := writeFileAtomic(path, data); err != nil {
		return fmt.Errorf("cannot write %s: %w", path, err)
	}
	return nil
}
