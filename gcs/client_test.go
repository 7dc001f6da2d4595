package gcs_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mozilla-services/merino-go/gcs"
	"github.com/mozilla-services/merino-go/gcs/gcstest"
)

func newClient(t *testing.T, fake *gcstest.Server, chunk int) *gcs.Client {
	t.Helper()
	c, err := gcs.New(gcs.Options{Access: gcs.Access{Endpoint: fake.URL}, RetryWait: time.Millisecond, ChunkSize: chunk, UserAgent: "merino-go/test"})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestUploadStatListDelete(t *testing.T) {
	fake := gcstest.New(t, "merino-images")
	c := newClient(t, fake, 0)
	ctx := context.Background()

	obj, err := c.Upload(ctx, "merino-images", "favicons/abc_3.png", []byte("png"), gcs.Attrs{
		ContentType: "image/png", CacheControl: "public, max-age=43200", Metadata: map[string]string{"source": "https://example.com/f.png"}, IfGenerationMatch: gcs.IfAbsent(),
	})
	if err != nil || obj.Name != "favicons/abc_3.png" || obj.Size != 3 || obj.Generation == 0 || obj.ContentType != "image/png" {
		t.Fatalf("upload: %+v %v", obj, err)
	}
	stored := fake.Object("merino-images", "favicons/abc_3.png")
	if string(stored.Data) != "png" || stored.ContentType != "image/png" || stored.CacheControl != "public, max-age=43200" || stored.Metadata["source"] != "https://example.com/f.png" {
		t.Errorf("stored: %+v", stored)
	}
	// Upload-if-absent of an existing object: 412, which the caller reads as "already there".
	if _, err := c.Upload(ctx, "merino-images", "favicons/abc_3.png", []byte("other"), gcs.Attrs{IfGenerationMatch: gcs.IfAbsent()}); !gcs.IsPrecondition(err) {
		t.Errorf("second upload-if-absent: %v", err)
	}
	if got := string(fake.Bytes("merino-images", "favicons/abc_3.png")); got != "png" {
		t.Errorf("the precondition did not hold: %q", got)
	}
	// A precondition on the live generation passes.
	gen := obj.Generation
	if _, err := c.Upload(ctx, "merino-images", "favicons/abc_3.png", []byte("png2"), gcs.Attrs{IfGenerationMatch: &gen}); err != nil {
		t.Errorf("conditional overwrite: %v", err)
	}

	st, err := c.Stat(ctx, "merino-images", "favicons/abc_3.png")
	if err != nil || st.Size != 4 || st.Generation <= gen || st.CacheControl != "" {
		t.Errorf("stat: %+v %v", st, err)
	}
	if _, err := c.Stat(ctx, "merino-images", "nope.json"); !gcs.IsNotFound(err) || !strings.Contains(err.Error(), "HTTP 404: No such object: merino-images/nope.json") {
		t.Errorf("stat of a missing object: %v", err)
	}

	for _, n := range []string{"top_picks_latest.json", "20240102000000_top_picks.json", "20240101000000_top_picks.json", "errors_latest.json"} {
		fake.Put("merino-images", n, []byte(`{"domains": []}`), "application/json")
	}
	fake.SetPageSize(2) // every page is followed
	objs, prefixes, err := c.List(ctx, "merino-images", "", "/")
	var names []string
	for _, o := range objs {
		names = append(names, o.Name)
	}
	if err != nil || strings.Join(names, " ") != "20240101000000_top_picks.json 20240102000000_top_picks.json errors_latest.json top_picks_latest.json" || strings.Join(prefixes, " ") != "favicons/" {
		t.Errorf("list: %v %v %v", names, prefixes, err)
	}
	objs, _, err = c.List(ctx, "merino-images", "favicons/", "")
	if err != nil || len(objs) != 1 {
		t.Errorf("list under a prefix: %v %v", objs, err)
	}

	data, err := c.ReadAll(ctx, "merino-images", "top_picks_latest.json", 1<<20)
	if err != nil || string(data) != `{"domains": []}` {
		t.Errorf("read: %q %v", data, err)
	}
	if _, err := c.ReadAll(ctx, "merino-images", "top_picks_latest.json", 4); err == nil || !strings.Contains(err.Error(), "larger than the 4 bytes allowed") {
		t.Errorf("read over the limit: %v", err)
	}

	if err := c.MakePublic(ctx, "merino-images", "top_picks_latest.json"); err != nil || !fake.Object("merino-images", "top_picks_latest.json").Public {
		t.Errorf("make public: %v", err)
	}
	fake.SetUniformAccess("merino-images")
	if err := c.MakePublic(ctx, "merino-images", "errors_latest.json"); err == nil || !strings.Contains(err.Error(), "HTTP 400: Cannot use ACL API") {
		t.Errorf("make public under uniform access: %v", err)
	}

	if err := c.Delete(ctx, "merino-images", "errors_latest.json"); err != nil || fake.Object("merino-images", "errors_latest.json") != nil {
		t.Errorf("delete: %v", err)
	}
	if err := c.Delete(ctx, "merino-images", "errors_latest.json"); !gcs.IsNotFound(err) {
		t.Errorf("delete of a missing object: %v", err)
	}
	if gcs.PublicURL("merino-images", "2024 top_picks.json") != "https://storage.googleapis.com/merino-images/2024%20top_picks.json" {
		t.Error(gcs.PublicURL("merino-images", "2024 top_picks.json"))
	}
	for _, r := range fake.Log() {
		if r.Authorization != "" || r.Status == 0 {
			t.Errorf("an emulator is spoken to anonymously, every request answered: %+v", r)
		}
	}
}

func TestRetriesAndErrors(t *testing.T) {
	fake := gcstest.New(t, "b")
	c := newClient(t, fake, 0)
	ctx := context.Background()
	fake.Inject(gcstest.Fault{Op: gcstest.OpUpload, Times: 1, Status: http.StatusServiceUnavailable, Message: "Backend Error"})
	fake.Inject(gcstest.Fault{Op: gcstest.OpUpload, Times: 1, Drop: true})
	if _, err := c.Upload(ctx, "b", "x.json", []byte("{}"), gcs.Attrs{ContentType: "application/json"}); err != nil {
		t.Fatalf("upload after a 503 and a dropped connection: %v", err)
	}
	if n := len(fake.Log()); n != 3 {
		t.Errorf("%d requests, want 3", n)
	}

	fake.DenyWrites()
	_, err := c.Upload(ctx, "b", "top_picks_latest.json", []byte("{}"), gcs.Attrs{})
	var gerr *gcs.Error
	if !errors.As(err, &gerr) || gerr.Status != 403 || err.Error() != "POST gs://b/top_picks_latest.json: HTTP 403: merino-jobs@example.iam.gserviceaccount.com does not have storage.objects.create access to the Google Cloud Storage object. Permission 'storage.objects.create' denied on resource (or it may not exist)." {
		t.Errorf("denied write: %v", err)
	}
	if n := len(fake.Log()); n != 1 {
		t.Errorf("a 403 is not retried: %d requests", n)
	}
	if _, err := c.Upload(ctx, "nobucket", "x", nil, gcs.Attrs{}); err == nil {
		t.Error("upload to a missing bucket")
	}

	fake.ClearFaults()
	fake.Log()
	fake.Inject(gcstest.Fault{Op: gcstest.OpGet, Status: 500, Message: "Internal Error"})
	start := time.Now()
	if _, err := c.Stat(ctx, "b", "x.json"); err == nil || !strings.Contains(err.Error(), "HTTP 500: Internal Error") {
		t.Errorf("stat against a failing server: %v", err)
	}
	if n := len(fake.Log()); n != 4 {
		t.Errorf("%d attempts, want 4", n)
	}
	if time.Since(start) > 5*time.Second {
		t.Error("retries too slow")
	}
	if _, err := gcs.New(gcs.Options{Access: gcs.Access{Endpoint: "ftp://x"}}); err == nil {
		t.Error("an ftp endpoint")
	}
}

// pattern is a deterministic test stream.
func pattern(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7 + i/251)
	}
	return b
}

func TestResumableUpload(t *testing.T) {
	const chunk = 256 << 10
	data := pattern(3*chunk + 1000)
	ctx := context.Background()

	t.Run("chunks and the total", func(t *testing.T) {
		fake := gcstest.New(t, "dumps")
		c := newClient(t, fake, chunk)
		w := c.NewWriter(ctx, "dumps", "wiki/enwiki-20240101-cirrussearch-content.json.bz2", gcs.Attrs{ContentType: "application/x-bzip2"})
		// Odd-sized writes, as a stream copy makes them.
		for rest := data; len(rest) > 0; {
			n := min(len(rest), 100_003)
			if _, err := w.Write(rest[:n]); err != nil {
				t.Fatal(err)
			}
			rest = rest[n:]
		}
		if fake.Object("dumps", "wiki/enwiki-20240101-cirrussearch-content.json.bz2") != nil {
			t.Fatal("the object is visible before Close")
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		o := fake.Object("dumps", "wiki/enwiki-20240101-cirrussearch-content.json.bz2")
		if o == nil || !bytes.Equal(o.Data, data) || o.ContentType != "application/x-bzip2" || w.Object().Size != int64(len(data)) {
			t.Fatalf("object: %v", o != nil)
		}
		var ranges []string
		for _, r := range fake.Log() {
			if r.Op == gcstest.OpChunk {
				ranges = append(ranges, r.ContentRange)
			}
		}
		want := fmt.Sprintf("bytes 0-262143/* bytes 262144-524287/* bytes 524288-786431/* bytes 786432-787431/%d", len(data))
		if strings.Join(ranges, " ") != want {
			t.Errorf("chunks %q\nwant %q", ranges, want)
		}
	})

	t.Run("a chunk lost midway is resumed from what arrived", func(t *testing.T) {
		fake := gcstest.New(t, "dumps")
		c := newClient(t, fake, 2*chunk)
		fake.Inject(gcstest.Fault{Op: gcstest.OpChunk, Times: 1, Keep: chunk})
		fake.Inject(gcstest.Fault{Op: gcstest.OpChunk, After: 2, Times: 1, Drop: true})
		w := c.NewWriter(ctx, "dumps", "d.bz2", gcs.Attrs{})
		if _, err := io.Copy(w, bytes.NewReader(data)); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		if got := fake.Bytes("dumps", "d.bz2"); !bytes.Equal(got, data) {
			t.Fatalf("%d bytes stored, want %d, equal %v", len(got), len(data), bytes.Equal(got, data))
		}
	})

	t.Run("abort leaves no object and no session", func(t *testing.T) {
		fake := gcstest.New(t, "dumps")
		c := newClient(t, fake, chunk)
		w := c.NewWriter(ctx, "dumps", "d.bz2", gcs.Attrs{})
		if _, err := w.Write(data); err != nil {
			t.Fatal(err)
		}
		w.Abort()
		if fake.Object("dumps", "d.bz2") != nil || fake.Sessions() != 0 {
			t.Error("an aborted upload left something")
		}
		log := fake.Log()
		if last := log[len(log)-1]; last.Op != gcstest.OpCancel || last.Status != 499 {
			t.Errorf("last request %+v, want the session's cancel answered 499", last)
		}
		if err := w.Close(); err == nil {
			t.Error("Close after Abort succeeded")
		}
	})

	t.Run("a refused chunk fails Close and cancels", func(t *testing.T) {
		fake := gcstest.New(t, "dumps")
		c := newClient(t, fake, chunk)
		fake.Inject(gcstest.Fault{Op: gcstest.OpChunk, After: 1, Status: 403, Message: "Access denied."})
		w := c.NewWriter(ctx, "dumps", "d.bz2", gcs.Attrs{})
		_, err := w.Write(data)
		if err == nil {
			err = w.Close()
		} else {
			w.Abort()
		}
		if err == nil || !strings.Contains(err.Error(), "HTTP 403: Access denied.") || fake.Sessions() != 0 || fake.Object("dumps", "d.bz2") != nil {
			t.Errorf("err %v, sessions %d", err, fake.Sessions())
		}
	})

	t.Run("empty and small objects", func(t *testing.T) {
		fake := gcstest.New(t, "dumps")
		c := newClient(t, fake, chunk)
		for _, n := range []int{0, 10, chunk} {
			w := c.NewWriter(ctx, "dumps", fmt.Sprint(n), gcs.Attrs{})
			if _, err := w.Write(data[:n]); err != nil {
				t.Fatal(err)
			}
			if err := w.Close(); err != nil {
				t.Fatalf("%d bytes: %v", n, err)
			}
			if o := fake.Object("dumps", fmt.Sprint(n)); o == nil || len(o.Data) != n {
				t.Errorf("%d bytes: %v", n, o)
			}
		}
	})
}

func TestResolve(t *testing.T) {
	t.Setenv(gcs.EnvEmulatorHost, "")
	a, err := gcs.Resolve("http://127.0.0.1:4443/", gcs.ScopeReadWrite)
	if err != nil || a.Endpoint != "http://127.0.0.1:4443" || a.Tokens != nil {
		t.Errorf("an overridden endpoint is anonymous: %+v %v", a, err)
	}
	a, err = gcs.Resolve("")
	if err != nil || a.Endpoint != gcs.DefaultEndpoint || a.Tokens == nil {
		t.Errorf("Google's endpoint has credentials: %+v %v", a, err)
	}
	t.Setenv(gcs.EnvEmulatorHost, "localhost:4443")
	a, err = gcs.Resolve("")
	if err != nil || a.Endpoint != "http://localhost:4443" || a.Tokens != nil {
		t.Errorf("STORAGE_EMULATOR_HOST: %+v %v", a, err)
	}
	if _, err := gcs.Resolve("storage.example"); err == nil {
		t.Error("an endpoint without a scheme")
	}
}

// isolate keeps a test from finding the developer's credentials or a real metadata server.
func isolate(t *testing.T) {
	t.Setenv("HOME", t.TempDir())
	t.Setenv("GOOGLE_APPLICATION_CREDENTIALS", "")
	t.Setenv(gcs.EnvAccessToken, "")
	t.Setenv("GCE_METADATA_HOST", "127.0.0.1:1") // nothing listens: never the link-local address
}

func TestMetadataTokenRefresh(t *testing.T) {
	isolate(t)
	// The client is told each token lasts EarlyRefresh + 1 s; the bucket accepts it for 1.5 s
	// only (its clock is ahead). A client that waited for the expiry it was told would be
	// refused after 1.5 s; one that refreshes early never is.
	meta := gcstest.NewMetadata(t, gcs.EarlyRefresh+time.Second)
	t.Setenv("GCE_METADATA_HOST", meta.Host)
	fake := gcstest.New(t, "private")
	fake.Put("private", "top_picks.json", []byte("{}"), "application/json")
	fake.RequireToken(meta.AcceptedFor(1500 * time.Millisecond))
	tokens := gcs.DefaultTokens(gcs.ScopeReadOnly)
	c, err := gcs.New(gcs.Options{Access: gcs.Access{Endpoint: fake.URL, Tokens: tokens}, MaxTries: 1})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	stat := func() {
		t.Helper()
		if _, err := c.Stat(ctx, "private", "top_picks.json"); err != nil {
			t.Fatal(err)
		}
	}
	stat()
	stat()
	time.Sleep(1100 * time.Millisecond)
	stat() // the token is within EarlyRefresh of its end: replaced before this request
	stat()
	if n := meta.Issued(); n != 2 {
		t.Errorf("%d tokens issued, want 2 (one refresh)", n)
	}
	var auths []string
	for _, r := range fake.Log() {
		if r.Status != http.StatusOK {
			t.Errorf("a request failed: %+v", r)
		}
		auths = append(auths, r.Authorization)
	}
	if strings.Join(auths, ",") != "Bearer tok-1,Bearer tok-1,Bearer tok-2,Bearer tok-2" {
		t.Errorf("tokens sent: %v", auths)
	}
	if s := meta.Scopes(); len(s) == 0 || s[0] != gcs.ScopeReadOnly {
		t.Errorf("scopes asked: %v", s)
	}

	// A refused token is an error that does not carry it.
	fake.RequireToken(func(string) bool { return false })
	_, err = c.Stat(ctx, "private", "top_picks.json")
	if err == nil || !strings.Contains(err.Error(), "HTTP 401: Invalid Credentials") || strings.Contains(err.Error(), "tok-") {
		t.Errorf("refused: %v", err)
	}
}

func TestStaticToken(t *testing.T) {
	isolate(t)
	t.Setenv(gcs.EnvAccessToken, "ya29.adhoc")
	fake := gcstest.New(t, "b")
	fake.RequireToken(func(tok string) bool { return tok == "ya29.adhoc" })
	c, _ := gcs.New(gcs.Options{Access: gcs.Access{Endpoint: fake.URL, Tokens: gcs.DefaultTokens(gcs.ScopeReadWrite)}})
	if _, err := c.Upload(context.Background(), "b", "x", []byte("x"), gcs.Attrs{}); err != nil {
		t.Error(err)
	}
	c, _ = gcs.New(gcs.Options{Access: gcs.Access{Endpoint: fake.URL, Tokens: gcs.StaticToken("")}, MaxTries: 1})
	if _, err := c.Stat(context.Background(), "b", "x"); err == nil || !strings.Contains(err.Error(), "the access token is empty") {
		t.Errorf("empty token: %v", err)
	}
}

func TestServiceAccountKeyFile(t *testing.T) {
	isolate(t)
	meta := gcstest.NewMetadata(t, time.Hour)
	key, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	der, _ := x509.MarshalPKCS8PrivateKey(key)
	keyFile := filepath.Join(t.TempDir(), "key.json")
	doc, _ := json.Marshal(map[string]string{
		"type": "service_account", "project_id": "merino-test", "private_key_id": "k1",
		"private_key":  string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})),
		"client_email": "merino-jobs@merino-test.iam.gserviceaccount.com", "token_uri": meta.TokenURL,
	})
	if err := os.WriteFile(keyFile, doc, 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("GOOGLE_APPLICATION_CREDENTIALS", keyFile)
	fake := gcstest.New(t, "b")
	fake.RequireToken(meta.AcceptedFor(time.Hour))
	c, _ := gcs.New(gcs.Options{Access: gcs.Access{Endpoint: fake.URL, Tokens: gcs.DefaultTokens(gcs.ScopeReadWrite)}})
	for range 3 {
		if _, err := c.Upload(context.Background(), "b", "x", []byte("x"), gcs.Attrs{}); err != nil {
			t.Fatal(err)
		}
	}
	if meta.Issued() != 1 || meta.Scopes()[0] != gcs.ScopeReadWrite {
		t.Errorf("%d tokens for scopes %v", meta.Issued(), meta.Scopes())
	}

	// A key file that does not parse is an error naming the variable, not a panic.
	os.WriteFile(keyFile, []byte("{"), 0o600)
	_, err = gcs.DefaultTokens(gcs.ScopeReadWrite).Token(context.Background())
	if err == nil || !strings.Contains(err.Error(), "GOOGLE_APPLICATION_CREDENTIALS") {
		t.Errorf("bad key file: %v", err)
	}
}
