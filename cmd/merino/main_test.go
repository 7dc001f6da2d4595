package main

import (
	"bufio"
	"bytes"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// cleanEnv drops MERINO_ variables of the developer's shell.
func cleanEnv(extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "MERINO_") {
			env = append(env, kv)
		}
	}
	return append(env, extra...)
}

func TestBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := sharedBinary(t)
	repo, _ := filepath.Abs("../..")

	t.Run("version", func(t *testing.T) {
		out, err := exec.Command(bin, "version").Output()
		if err != nil || !strings.HasPrefix(string(out), "merino-go ") {
			t.Errorf("%v %q", err, out)
		}
	})

	t.Run("startup errors are one line naming the key", func(t *testing.T) {
		f := func(want string, env ...string) {
			t.Helper()
			for _, cmd := range []string{"serve", "check-config"} {
				c := exec.Command(bin, cmd)
				c.Env = cleanEnv(env...)
				var stderr bytes.Buffer
				c.Stderr = &stderr
				err := c.Run()
				lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
				if err == nil || len(lines) != 1 || !strings.Contains(lines[0], want) {
					t.Errorf("%s %q: err %v, stderr %q, want one line with %q", cmd, env, err, stderr.String(), want)
				}
			}
		}
		f("runtime.query_timeout_sec", "MERINO_ENV=production", "MERINO_RUNTIME__QUERY_TIMEOUT_SEC=2")
		f(`providers.x.type: unknown provider type "nope"`, "MERINO_ENV=testing", "MERINO_PROVIDERS__X__TYPE=nope")
		f("MERINO_CONFIG_FILE", "MERINO_CONFIG_FILE=/nonexistent")
		// The provider tree: each bad table named by its dotted key path.
		dev := `is a development provider type: it needs debug = true`
		f(`providers.f.type: "fixed" `+dev, "MERINO_ENV=production", "MERINO_PROVIDERS__F__TYPE=fixed", "MERINO_PROVIDERS__F__VALUE=x")
		f(`providers.t.inner.type: "wiki_fruit" `+dev, "MERINO_ENV=testing", "MERINO_DEBUG=false",
			"MERINO_PROVIDERS__T__TYPE=timeout", "MERINO_PROVIDERS__T__INNER__TYPE=wiki_fruit")
		f(`providers.t.inner.type: unknown provider type "nope"`, "MERINO_ENV=testing", "MERINO_PROVIDERS__T__TYPE=timeout", "MERINO_PROVIDERS__T__INNER__TYPE=nope")
		f("providers.t.inner: required", "MERINO_ENV=testing", "MERINO_PROVIDERS__T__TYPE=stealth")
		f(`providers.m.providers.1.type: unknown provider type "nope"`, "MERINO_ENV=testing", "MERINO_PROVIDERS__M__TYPE=multiplexer",
			`MERINO_PROVIDERS__M__PROVIDERS=[{type="null"}, {type="nope"}]`)
		f("providers.f.suggestion_blocklist.bad: invalid regular expression: error parsing regexp: missing closing )", "MERINO_ENV=testing",
			"MERINO_PROVIDERS__F__TYPE=keyword_filter", `MERINO_PROVIDERS__F__SUGGESTION_BLOCKLIST={ok="^a", bad="(unclosed"}`,
			"MERINO_PROVIDERS__F__INNER__TYPE=null")
	})

	t.Run("check-config", func(t *testing.T) {
		c := exec.Command(bin, "check-config")
		c.Env = cleanEnv("MERINO_ENV=testing", "MERINO_ACCUWEATHER__API_KEY=secret")
		out, err := c.Output()
		if err != nil || !strings.Contains(string(out), `http.listen = "127.0.0.1:0"  # configs/testing.toml`) || strings.Contains(string(out), "secret\"") {
			t.Errorf("%v\n%s", err, out)
		}
	})

	t.Run("check-config prints the provider tree", func(t *testing.T) {
		c := exec.Command(bin, "check-config")
		c.Env = cleanEnv("MERINO_ENV=testing", "MERINO_PROVIDERS__F__TYPE=keyword_filter", "MERINO_PROVIDERS__F__ENABLED_BY_DEFAULT=true",
			"MERINO_PROVIDERS__F__INNER__TYPE=multiplexer", `MERINO_PROVIDERS__F__INNER__PROVIDERS=[{type="fixed", value="a"}, {type="debug"}]`)
		out, err := c.Output()
		want := "# providers: 1 enabled\n" +
			"#   providers.f: keyword_filter (enabled_by_default, score 0, query_timeout_sec 0.5)\n" +
			"#     providers.f.inner: multiplexer\n" +
			"#       providers.f.inner.providers.0: fixed\n" +
			"#       providers.f.inner.providers.1: debug\n"
		if err != nil || !strings.HasSuffix(string(out), want) ||
			!strings.Contains(string(out), `providers.f.inner.providers.0.value = "a"  # MERINO_PROVIDERS__F__INNER__PROVIDERS`) {
			t.Errorf("%v\n%s", err, out)
		}
	})

	t.Run("serve, reload, drain on SIGTERM", func(t *testing.T) {
		dir := t.TempDir()
		data := filepath.Join(dir, "top_picks.json")
		fixture, err := os.ReadFile(filepath.Join(repo, "server/testdata/top_picks.json"))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(data, fixture, 0o644); err != nil {
			t.Fatal(err)
		}
		c := exec.Command(bin, "serve")
		c.Dir = repo
		c.Env = cleanEnv("MERINO_ENV=testing", "MERINO_LOGGING__FORMAT=mozlog",
			"MERINO_PROVIDERS__TP__TYPE=top_picks", "MERINO_PROVIDERS__TP__ENABLED_BY_DEFAULT=true",
			"MERINO_PROVIDERS__TP__TOP_PICKS_FILE_PATH="+data, "MERINO_PROVIDERS__TP__RESYNC_INTERVAL_SEC=1",
			"MERINO_HTTP__ADMIN_LISTEN=127.0.0.1:0")
		stdout, _ := c.StdoutPipe()
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
		defer c.Process.Kill()
		lines := make(chan string, 100)
		go func() {
			sc := bufio.NewScanner(stdout)
			for sc.Scan() {
				lines <- sc.Text()
			}
			close(lines)
		}()
		addr := regexp.MustCompile(`"address":"http://([0-9.:]+)"`)
		var base string
		deadline := time.After(20 * time.Second)
		for base == "" {
			select {
			case l := <-lines:
				if m := addr.FindStringSubmatch(l); m != nil {
					base = "http://" + m[1]
				}
			case <-deadline:
				t.Fatal("the server did not say where it listens")
			}
		}
		get := func(q string) string {
			resp, err := http.Get(base + "/api/v1/suggest?q=" + q)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			return string(b)
		}
		if got := get("exam"); !strings.Contains(got, `"title":"Example"`) {
			t.Fatalf("exam: %s", got)
		}
		// A broken file is rejected and the old index keeps serving...
		if err := os.WriteFile(data, []byte(`{"domains": [`), 0o644); err != nil {
			t.Fatal(err)
		}
		waitLog(t, lines, "keeping the current snapshot")
		if got := get("exam"); !strings.Contains(got, `"title":"Example"`) {
			t.Fatalf("after a broken file: %s", got)
		}
		// ...and a good new file is swapped in.
		changed := bytes.ReplaceAll(fixture, []byte(`"title": "Example"`), []byte(`"title": "Example Two"`))
		if err := os.WriteFile(data, changed, 0o644); err != nil {
			t.Fatal(err)
		}
		waitLog(t, lines, "loaded a new snapshot")
		if got := get("exam"); !strings.Contains(got, `"title":"Example Two"`) {
			t.Fatalf("after a reload: %s", got)
		}
		if err := c.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		waitLog(t, lines, "shut down")
		if err := c.Wait(); err != nil {
			t.Errorf("exit: %v", err)
		}
	})
}

func waitLog(t *testing.T, lines <-chan string, want string) {
	t.Helper()
	deadline := time.After(20 * time.Second)
	for {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("output ended before %q", want)
			}
			if strings.Contains(l, want) {
				return
			}
		case <-deadline:
			t.Fatalf("no log line with %q", want)
		}
	}
}
