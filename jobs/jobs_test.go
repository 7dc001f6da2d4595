package jobs_test

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mozilla-services/merino-go/jobs"
	"github.com/mozilla-services/merino-go/mozlog"
)

// testEnv returns an Env writing MozLog records to the returned console buffer.
func testEnv(terminal bool) (*jobs.Env, *bytes.Buffer, *bytes.Buffer) {
	var stdout, stderr bytes.Buffer
	console := jobs.NewConsole(&stderr, terminal)
	w := mozlog.NewWriter(console, false, "merino", slog.LevelInfo)
	return &jobs.Env{Stdout: &stdout, Console: console, Log: slog.New(mozlog.NewHandler(w)), Now: time.Now, Version: "test"}, &stdout, &stderr
}

func registry(ran *[]string) jobs.Registry {
	echo := &jobs.Job{Command: "echo-uploader", Subcommand: "upload", Help: "echoes its flags",
		Setup: func(fs *flag.FlagSet, d *jobs.Defaults) func(context.Context, *jobs.Env) error {
			name := fs.String("name", d.RSBucket, "a name")
			n := fs.Int("n", 1, "a number")
			dry := fs.Bool("dry-run", false, "dry")
			return func(ctx context.Context, env *jobs.Env) error {
				*ran = append(*ran, fmt.Sprintf("%s %d %t", *name, *n, *dry))
				switch *name {
				case "usage":
					return jobs.Usagef("--name: %q is not\na name", *name)
				case "fail":
					return errors.New("PUT /v1/x: HTTP 503: down\nfor maintenance")
				case "wait":
					<-ctx.Done()
					return ctx.Err()
				}
				env.Summary("done %s", *name)
				return nil
			}
		}}
	other := &jobs.Job{Command: "echo-uploader", Subcommand: "other", Help: "nothing",
		Setup: func(*flag.FlagSet, *jobs.Defaults) func(context.Context, *jobs.Env) error { return nil }}
	return jobs.Registry{echo, other}
}

func TestRun(t *testing.T) {
	var ran []string
	r := registry(&ran)
	d := &jobs.Defaults{RSBucket: "main"}
	f := func(args string, code int, wantOut, wantErr string) {
		t.Helper()
		env, stdout, stderr := testEnv(false)
		ctx, cancel := context.WithCancel(context.Background())
		if strings.Contains(args, "wait") {
			cancel()
		}
		defer cancel()
		got := r.Run(ctx, strings.Fields(args), d, env, stderr)
		if got != code || !strings.Contains(stdout.String(), wantOut) || !strings.Contains(stderr.String(), wantErr) {
			t.Errorf("%q: exit %d, stdout %q, stderr %q; want %d, %q, %q", args, got, stdout, stderr, code, wantOut, wantErr)
		}
		if code != 0 && wantOut == "" && strings.Count(strings.TrimSpace(stderr.String()), "\n") > 0 && !strings.Contains(wantErr, "usage") {
			t.Errorf("%q: the error is not one line: %q", args, stderr)
		}
	}
	f("", 2, "", "usage: merino job")
	f("--help", 0, "echo-uploader upload", "")
	f("nope", 2, "", `merino: job: unknown command "nope" (commands: echo-uploader)`)
	f("echo-uploader", 2, "", "usage: merino job echo-uploader <subcommand>")
	f("echo-uploader --help", 0, "subcommands:", "")
	f("echo-uploader nope", 2, "", `merino: job echo-uploader: unknown subcommand "nope"`)
	f("echo-uploader upload --help", 0, "-name string", "")
	f("echo-uploader upload --nope", 2, "", "merino: job echo-uploader upload: unknown flag --nope")
	f("echo-uploader upload --n x", 2, "", `merino: job echo-uploader upload: invalid value "x" for flag --n: parse error`)
	f("echo-uploader upload --n", 2, "", "flag needs an argument: --n")
	f("echo-uploader upload extra", 2, "", `unexpected argument "extra"`)
	f("echo-uploader upload", 0, "done main", "")
	f("echo-uploader upload --name=x --n 3 --dry-run", 0, "done x", "")
	f("echo-uploader upload --name usage", 2, "", `merino: job echo-uploader upload: --name: "usage" is not a name`)
	f("echo-uploader upload --name fail", 1, "", "merino: job echo-uploader upload: PUT /v1/x: HTTP 503: down for maintenance")
	f("echo-uploader upload --name wait", 130, "", "merino: job echo-uploader upload: interrupted: context canceled")
	if strings.Join(ran, "|") != "main 1 false|x 3 true|usage 1 false|fail 1 false|wait 1 false" {
		t.Errorf("runs %q", ran)
	}
	if !r.NeedsConfig([]string{"echo-uploader", "upload", "--n", "1"}) || !r.NeedsConfig([]string{"echo-uploader", "upload", "--help"}) ||
		r.NeedsConfig([]string{"echo-uploader", "--help"}) || r.NeedsConfig(nil) {
		t.Error("NeedsConfig")
	}
}

func TestPrettySize(t *testing.T) {
	f := func(n int64, want string) {
		t.Helper()
		if got := jobs.PrettySize(n); got != want {
			t.Errorf("PrettySize(%d) = %q; want %q", n, got, want)
		}
	}
	// merino-py's tests/unit/jobs/utils/test_utils.py
	f(0, "0 bytes")
	f(1, "1 bytes")
	f(999, "999 bytes")
	f(1_000, "1 KB")
	f(1_001, "1.001 KB")
	f(999*1_000, "999 KB")
	f(1_000*1_000, "1 MB")
	f(1_001*1_000, "1.001 MB")
	f(1_000*1_000*1_000, "1 GB")
	f(1_000*1_000*1_000*1_000, "1000 GB")
	f(1_001*1_000*1_000*1_000, "1001 GB")
	f(1234567, "1.23457 MB")

	python, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 not found; skipping the comparison with merino-py's pretty_file_size")
	}
	var sizes []int64
	var in strings.Builder
	for i := int64(1); i < 1<<50; i = i*7 + i/3 + 1 {
		for _, n := range []int64{i, i - 1 + 1, i * 999 / 1000} {
			if n > 0 {
				sizes = append(sizes, n)
				in.WriteString(strconv.FormatInt(n, 10) + "\n")
			}
		}
	}
	script := `
import math, sys
for line in sys.stdin:
    n = int(line)
    units = ["bytes", "KB", "MB", "GB"]
    exp = min(int(math.floor(math.log(n, 1_000))), len(units) - 1)
    print(f"{n / math.pow(1_000, exp):g} {units[exp]}")
`
	cmd := exec.Command(python, "-I", "-c", script)
	cmd.Stdin = strings.NewReader(in.String())
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	for i, n := range sizes {
		if got := jobs.PrettySize(n); got != lines[i] {
			t.Errorf("PrettySize(%d) = %q; merino-py writes %q", n, got, lines[i])
		}
	}
}

func TestProgress(t *testing.T) {
	env, _, stderr := testEnv(false)
	p := env.Progress(env.Logger("merino.jobs.test"), "upload", "records", 20)
	for range 20 {
		p.Add(1)
	}
	p.Finish()
	lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
	if len(lines) != 10 || !strings.Contains(lines[0], `"msg":"upload: 10% (2/20 records)"`) || !strings.Contains(lines[9], "100% (20/20 records)") ||
		strings.Contains(stderr.String(), "\r") {
		t.Errorf("a line per 10 %%, no redraws:\n%s", stderr)
	}

	env, _, stderr = testEnv(true)
	p = env.Progress(env.Logger("merino.jobs.test"), "upload", "records", 4)
	p.Add(4)
	env.Logger("merino.jobs.test").Info("Updating record: x")
	p.Finish()
	out := stderr.String()
	if !strings.Contains(out, "\r\033[Kupload [") || !strings.Contains(out, "100% 4/4 records") || !strings.Contains(out, "Updating record: x") ||
		!strings.HasSuffix(out, "\r\033[K") {
		t.Errorf("terminal: %q", out)
	}
	if strings.Contains(out, `"msg":"upload: 100%`) {
		t.Errorf("a terminal gets the bar, not progress log lines: %q", out)
	}

	env.NoProgress = true
	if env.Progress(nil, "x", "y", 1) != nil {
		t.Error("--no-progress")
	}
	var nilProgress *jobs.Progress
	nilProgress.Add(1)
	nilProgress.Finish()
}
