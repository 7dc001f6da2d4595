package main

import (
	"bufio"
	"crypto/rand"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// A corrupt or changing Wikipedia index must never take the process down (issue 17): the
// attacks of the campaign, against the real binary on loopback, with the full-text fallback
// on so that Bleve's files are in use.
//
//  1. A random Bleve segment beside a valid meta.json at startup: that language fails (the
//     heartbeat says which), the others serve.
//  2. The live index's files overwritten in place (cp over a served index): the server keeps
//     answering from what it verified; the changed index is refused.
//  3. A new build with a truncated segment, published by rename: refused, the last good
//     index keeps serving.
//
// Each failure is visible in the logs and in merino_source_errors_total; then a good build
// published by rename is served again.
func TestCorruptWikipediaIndex(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := sharedBinary(t)
	dir := t.TempDir()
	en, de := filepath.Join(dir, "enwiki"), filepath.Join(dir, "dewiki")
	buildWiki(t, "testdata/fixture-en.json", en, "en", "--fulltext")
	buildWiki(t, "testdata/fixture-de.json", de, "de", "--fulltext")
	overwrite(t, segment(t, de), randomBytes(t, fileSize(t, segment(t, de))))

	srv := startBinary(t, bin,
		"MERINO_PROVIDERS__WIKIPEDIA__TYPE=wikipedia",
		"MERINO_PROVIDERS__WIKIPEDIA__ENABLED_BY_DEFAULT=true",
		"MERINO_PROVIDERS__WIKIPEDIA__INDEX_DIR="+dir,
		`MERINO_PROVIDERS__WIKIPEDIA__LANGUAGES=["en","de"]`,
		"MERINO_PROVIDERS__WIKIPEDIA__FALLBACK=true",
		"MERINO_PROVIDERS__WIKIPEDIA__RESYNC_INTERVAL_SEC=1")
	food := `"title":"Wikipedia - Food"`
	expect := func(q, lang, want string) {
		t.Helper()
		got := srv.suggest(q, lang)
		if (want == "" && strings.Contains(got, `"title"`)) || !strings.Contains(got, want) {
			t.Errorf("%q (%s): %s, want %s", q, lang, got, want)
		}
	}

	// 1. Startup with a corrupt de: de fails alone.
	srv.waitLog(`cannot load ` + de)
	expect("foo", "en", food)
	expect("fxod", "en", "Food") // a typo: the fallback searches Bleve
	expect("berliner", "de", "")
	code, hb := srv.get(srv.base + "/__heartbeat__")
	if code != 500 || !strings.Contains(hb, `"wikipedia-de":"error"`) || !strings.Contains(hb, `"wikipedia-en":"ok"`) {
		t.Errorf("heartbeat %d %s", code, hb)
	}
	if n := srv.sourceErrors("wikipedia-de"); n < 1 {
		t.Errorf("wikipedia-de errors = %d", n)
	}

	// 2. The served index overwritten in place: every file, shorter than before, then a new
	// meta.json (as `cp -r new/* enwiki/` would leave it).
	for _, f := range []string{segment(t, en), filepath.Join(en, "completion.bin"), filepath.Join(en, "bleve", "store", "root.bolt")} {
		overwrite(t, f, randomBytes(t, fileSize(t, f)/3))
	}
	for i := 0; i < 50; i++ {
		expect("fxod", "en", "Food")
		expect("fo", "en", food)
	}
	meta, _ := os.ReadFile(filepath.Join(en, "meta.json"))
	overwrite(t, filepath.Join(en, "meta.json"), regexp.MustCompile(`"build_id": "[^"]*"`).ReplaceAll(meta, []byte(`"build_id": "overwritten"`)))
	srv.waitLog(`cannot load ` + en)
	expect("fxod", "en", "Food")
	expect("foo", "en", food)
	before := srv.sourceErrors("wikipedia-en")
	if before < 1 {
		t.Errorf("wikipedia-en errors = %d", before)
	}

	// 3. A new build with a truncated segment, published by rename.
	staging := filepath.Join(t.TempDir(), "enwiki")
	os.WriteFile(filepath.Join(dir, "new.json"), []byte(`{"title":"Foodstuff","popularity_score":0.01}`+"\n"), 0o644)
	buildWiki(t, filepath.Join(dir, "new.json"), staging, "en", "--fulltext")
	truncateTo(t, segment(t, staging), fileSize(t, segment(t, staging))/2)
	publish(t, staging, en)
	srv.waitFor(func() bool { return srv.sourceErrors("wikipedia-en") > before })
	expect("foo", "en", food)
	expect("fxod", "en", "Food")

	// A good build published by rename is served.
	buildWiki(t, filepath.Join(dir, "new.json"), staging, "en", "--fulltext")
	publish(t, staging, en)
	srv.waitLog(`"source":"wikipedia-en"`, "loaded a new snapshot")
	expect("foo", "en", `"title":"Wikipedia - Foodstuff"`)
	srv.stop()
}

// segment is the one Bleve segment file of an index directory.
func segment(t *testing.T, dir string) string {
	t.Helper()
	m, _ := filepath.Glob(filepath.Join(dir, "bleve", "store", "*.zap"))
	if len(m) != 1 {
		t.Fatalf("segments of %s: %q", dir, m)
	}
	return m[0]
}

func fileSize(t *testing.T, path string) int {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return int(st.Size())
}

func randomBytes(t *testing.T, n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}

// overwrite replaces path's content in place, keeping its inode, as cp does.
func overwrite(t *testing.T, path string, data []byte) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_TRUNC, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write(data); err != nil {
		t.Fatal(err)
	}
	f.Close()
}

func truncateTo(t *testing.T, path string, n int) {
	t.Helper()
	if err := os.Truncate(path, int64(n)); err != nil {
		t.Fatal(err)
	}
}

// publish moves the index directory from into to's place by renames, as an operator must.
func publish(t *testing.T, from, to string) {
	t.Helper()
	old := to + ".old"
	if err := os.Rename(to, old); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(from, to); err != nil {
		t.Fatal(err)
	}
	os.RemoveAll(old)
}

// binaryServer is `merino serve` in a child process, on loopback ports it picked itself.
type binaryServer struct {
	t     *testing.T
	cmd   *exec.Cmd
	lines chan string
	log   strings.Builder // every line read so far
	base  string
	admin string
}

// startBinary runs bin serve with the testing environment plus env, and waits until it
// serves.
func startBinary(t *testing.T, bin string, env ...string) *binaryServer {
	t.Helper()
	c := exec.Command(bin, "serve")
	c.Env = cleanEnv(append([]string{"MERINO_ENV=testing", "MERINO_LOGGING__FORMAT=mozlog", "MERINO_HTTP__ADMIN_LISTEN=127.0.0.1:0"}, env...)...)
	stdout, _ := c.StdoutPipe()
	c.Stderr = c.Stdout
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	s := &binaryServer{t: t, cmd: c, lines: make(chan string, 1000)}
	t.Cleanup(func() { c.Process.Kill(); c.Wait() })
	go func() {
		sc := bufio.NewScanner(stdout)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			s.lines <- sc.Text()
		}
		close(s.lines)
	}()
	addr := regexp.MustCompile(`"address":"(http://)?([0-9.:]+)"`)
	deadline := time.After(30 * time.Second)
	for s.base == "" || s.admin == "" {
		select {
		case l, ok := <-s.lines:
			if !ok {
				t.Fatalf("the server exited before serving:\n%s", s.log.String())
			}
			s.log.WriteString(l + "\n")
			if m := addr.FindStringSubmatch(l); m != nil {
				if m[1] != "" {
					s.base = "http://" + m[2]
				} else {
					s.admin = "http://" + m[2]
				}
			}
		case <-deadline:
			t.Fatalf("the server did not say where it listens:\n%s", s.log.String())
		}
	}
	return s
}

// waitLog waits for a log line (since the last wait) holding every one of want.
func (s *binaryServer) waitLog(want ...string) {
	s.t.Helper()
	deadline := time.After(20 * time.Second)
	for {
		select {
		case l, ok := <-s.lines:
			if !ok {
				s.t.Fatalf("the server exited before logging %q:\n%s", want, s.log.String())
			}
			s.log.WriteString(l + "\n")
			all := true
			for _, w := range want {
				all = all && strings.Contains(l, w)
			}
			if all {
				return
			}
		case <-deadline:
			s.t.Fatalf("no log line with %q:\n%s", want, s.log.String())
		}
	}
}

// waitFor polls cond for 20 seconds, reading the log meanwhile.
func (s *binaryServer) waitFor(cond func() bool) {
	s.t.Helper()
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); {
		if cond() {
			return
		}
		select {
		case l, ok := <-s.lines:
			if !ok {
				s.t.Fatalf("the server exited:\n%s", s.log.String())
			}
			s.log.WriteString(l + "\n")
		case <-time.After(100 * time.Millisecond):
		}
	}
	s.t.Fatalf("condition not met in 20 s:\n%s", s.log.String())
}

func (s *binaryServer) get(url string) (int, string) {
	s.t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		s.t.Fatalf("GET %s: %v (the server is down?)\n%s", url, err, s.log.String())
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// suggest asks the wikipedia provider for q in language lang.
func (s *binaryServer) suggest(q, lang string) string {
	s.t.Helper()
	req, _ := http.NewRequest("GET", s.base+"/api/v1/suggest?providers=wikipedia&q="+q, nil)
	req.Header.Set("Accept-Language", lang)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatalf("%q: %v (the server is down?)\n%s", q, err, s.log.String())
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		s.t.Fatalf("%q: %d %s", q, resp.StatusCode, b)
	}
	return string(b)
}

// sourceErrors reads merino_source_errors_total{source=name} from the admin /metrics.
func (s *binaryServer) sourceErrors(name string) int {
	s.t.Helper()
	_, body := s.get(s.admin + "/metrics")
	m := regexp.MustCompile(`(?m)^merino_source_errors_total\{source="` + regexp.QuoteMeta(name) + `"\} (\d+)$`).FindStringSubmatch(body)
	if m == nil {
		return 0
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// stop sends SIGTERM and expects a clean exit: the process was alive until now.
func (s *binaryServer) stop() {
	s.t.Helper()
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		s.t.Fatalf("the server is gone: %v\n%s", err, s.log.String())
	}
	go func() {
		for l := range s.lines {
			s.log.WriteString(l + "\n")
		}
	}()
	if err := s.cmd.Wait(); err != nil {
		s.t.Errorf("exit: %v", err)
	}
}
