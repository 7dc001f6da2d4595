package main

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mozilla-services/merino-go/kinto/kintotest"
)

// TestJobBinary runs `merino job` as Airflow would: exit statuses, one-line errors, MozLog on
// stderr, the summary on stdout, configuration defaults from MERINO_* variables.
func TestJobBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := sharedBinary(t)
	fake := kintotest.NewWritable(t, "main-workspace/quicksuggest-other", "main-workspace/quicksuggest")
	fake.RequireAuth("Bearer s3cret")
	repo, _ := filepath.Abs("../..")
	mdn := filepath.Join(repo, "jobs/csvuploader/testdata/mdn.csv")
	env := []string{"MERINO_ENV=testing", "MERINO_LOGGING__FORMAT=mozlog", "MERINO_REMOTE_SETTINGS__SERVER=" + fake.URL,
		"MERINO_REMOTE_SETTINGS__AUTH=Bearer s3cret", "MERINO_REMOTE_SETTINGS__BUCKET=main-workspace",
		// The adm reader's collection must not redirect an upload.
		"MERINO_REMOTE_SETTINGS__COLLECTION=quicksuggest"}
	type result struct {
		code           int
		stdout, stderr string
	}
	run := func(extraEnv []string, args ...string) result {
		t.Helper()
		c := exec.Command(bin, append([]string{"job"}, args...)...)
		c.Env = cleanEnv(append(append([]string{}, env...), extraEnv...)...)
		var stdout, stderr bytes.Buffer
		c.Stdout, c.Stderr = &stdout, &stderr
		err := c.Run()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return result{code, stdout.String(), stderr.String()}
	}
	lastLine := func(s string) string {
		lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
		return lines[len(lines)-1]
	}
	oneLine := func(name string, r result, code int, want string) {
		t.Helper()
		if r.code != code || strings.Count(r.stderr, "\n") != 1 || !strings.Contains(r.stderr, want) {
			t.Errorf("%s: exit %d, stderr %q; want %d and one line with %q", name, r.code, r.stderr, code, want)
		}
	}

	if r := run(nil); r.code != 2 || !strings.Contains(r.stderr, "usage: merino job <command> <subcommand>") {
		t.Errorf("no command: %+v", r)
	}
	if r := run(nil, "--help"); r.code != 0 || !strings.Contains(r.stdout, "amo-rs-uploader upload") || !strings.Contains(r.stdout, "geonames-uploader upload") {
		t.Errorf("--help: %+v", r)
	}
	if r := run(nil, "csv-rs-uploader", "upload", "--help"); r.code != 0 || !strings.Contains(r.stdout, "-csv-path") || strings.Contains(r.stdout, "s3cret") {
		t.Errorf("upload --help: %+v", r)
	}
	oneLine("unknown model", run(nil, "csv-rs-uploader", "upload", "--csv-path", mdn, "--model-name", "amp"), 2,
		`merino: job csv-rs-uploader upload: --model-name: suggestion model "amp" not found (known: mdn, pocket, yelp)`)
	oneLine("missing flag", run(nil, "csv-rs-uploader", "upload", "--model-name", "mdn"), 2, "merino: job csv-rs-uploader upload: --csv-path must be given")
	oneLine("bad flag", run(nil, "geonames-uploader", "upload", "--rs-bucket"), 2, "merino: job geonames-uploader upload: flag needs an argument: --rs-bucket")
	oneLine("bad auth", run([]string{"MERINO_REMOTE_SETTINGS__AUTH=s3cret"}, "amo-rs-uploader", "upload"), 2, "merino: job amo-rs-uploader upload: --auth: unsupported value")
	oneLine("bad config", run([]string{"MERINO_REMOTE_SETTINGS__CHUNK_SIZE=0"}, "csv-rs-uploader", "upload"), 1, "merino: config: remote_settings.chunk_size: must be between 1 and")
	bad := filepath.Join(t.TempDir(), "bad.csv")
	os.WriteFile(bad, []byte("url,title,summary,keyword\nhttps://x.org/,T,S,\"k\nhttps://y.org/,T,S,k\n"), 0o644)
	if r := run(nil, "csv-rs-uploader", "upload", "--csv-path", bad, "--model-name", "mdn"); r.code != 1 ||
		lastLine(r.stderr) != "merino: job csv-rs-uploader upload: "+bad+": line 3 (record starting on line 2): quoted field not terminated at the end of the file" {
		t.Errorf("bad CSV: %+v", r)
	}
	if n := len(fake.Log()); n != 0 {
		t.Errorf("%d requests before a valid run", n)
	}

	// A run: the summary on stdout, MozLog records on stderr with merino-py's messages and
	// logger names, no progress redraws off a terminal; the records in quicksuggest-other.
	r := run(nil, "csv-rs-uploader", "upload", "--csv-path", mdn, "--model-name", "mdn")
	if r.code != 0 || r.stdout != "csv-rs-uploader upload: 1 uploaded, 0 unchanged, 0 deleted, 767 bytes of attachments\n" ||
		!strings.Contains(r.stderr, `"Type":"merino.jobs.utils.rs_client"`) || !strings.Contains(r.stderr, `"msg":"Uploading attachment: mdn-suggestions-0-3 (767 bytes)"`) ||
		strings.Contains(r.stderr, "\r") || strings.Contains(r.stderr, "s3cret") {
		t.Errorf("run: %+v", r)
	}
	if recs := fake.Records("main-workspace", "quicksuggest-other"); len(recs) != 1 || len(fake.Records("main-workspace", "quicksuggest")) != 0 {
		t.Errorf("records %v", recs)
	}
	for _, req := range fake.Log() {
		if req.Authorization != "Bearer s3cret" {
			t.Errorf("%s %s without the configured credentials", req.Method, req.Path)
		}
	}
	if r := run(nil, "csv-rs-uploader", "upload", "--csv-path", mdn, "--model-name", "mdn", "--dry-run"); r.code != 0 || !strings.Contains(r.stdout, "dry run") {
		t.Errorf("dry run: %+v", r)
	}
	r = run(nil, "csv-rs-uploader", "upload", "--csv-path", mdn, "--model-name", "mdn", "--auth", "Bearer wrong")
	if r.code != 1 || lastLine(r.stderr) != "merino: job csv-rs-uploader upload: GET /v1/buckets/main-workspace/collections/quicksuggest-other/records: HTTP 401: Please authenticate yourself to use this endpoint. (nothing was written)" {
		t.Errorf("auth failure: %+v", r)
	}

	// SIGINT while a download hangs: exit 130, one "interrupted" line, nothing written.
	fake.Log()
	arrived := make(chan struct{}, 1)
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		arrived <- struct{}{}
		<-r.Context().Done()
	}))
	defer hang.Close()
	c := exec.Command(bin, "job", "geonames-uploader", "upload", "--geonames-url-format", hang.URL+"/{country}.zip")
	c.Env = cleanEnv(env...)
	var stderr bytes.Buffer
	c.Stderr = &stderr
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-arrived:
	case <-time.After(20 * time.Second):
		c.Process.Kill()
		t.Fatal("the job did not download")
	}
	c.Process.Signal(syscall.SIGINT)
	err := c.Wait()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 130 || !strings.HasPrefix(lastLine(stderr.String()), "merino: job geonames-uploader upload: interrupted: ") {
		t.Errorf("SIGINT: %v, %q", err, lastLine(stderr.String()))
	}
	if w := fake.Log(); len(w) != 0 {
		t.Errorf("interrupted run sent %d requests to Remote Settings", len(w))
	}
}
