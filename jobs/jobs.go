// Package jobs is `merino job <command> <subcommand> [flags]`: merino-py's offline jobs
// (python -m merino.jobs.cli), with merino-py's command, subcommand and flag names so that an
// Airflow task ports by swapping the command.
//
// This package holds what every job shares: the Registry the command line dispatches on and
// its exit-code rules (0 done, 1 failed, 2 usage error, 130 interrupted, always one line on
// stderr naming the problem), the Env a job runs in (its loggers, progress display, summary
// line, clock), the flag defaults taken from configuration, and merino-py's size format. Each
// job lives in its own subpackage and registers nothing globally: cmd/merino lists them.
//
// The subpackages: kinto (the Remote Settings write client), publisher (merino-py's
// RemoteSettingsClient and chunked uploader on top of it: logging, dry runs, unchanged checks,
// counts), and one package per job — csvuploader, amouploader, relevancyuploader,
// geonamesuploader, wikiofflineuploader.
package jobs

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/mozilla-services/merino-go/config"
	"github.com/mozilla-services/merino-go/suggest/amo"
)

// Job is one `merino job <command> <subcommand>`.
type Job struct {
	Command, Subcommand string
	// Help is the one-line description shown in listings.
	Help string
	// Setup declares the job's flags on fs, with defaults from d, and returns the function
	// that runs the job once they are parsed. Run returns a *UsageError for a problem with
	// the flags it finds (before any request), any other error for a failure.
	Setup func(fs *flag.FlagSet, d *Defaults) (run func(ctx context.Context, env *Env) error)
}

// Defaults are the flag defaults that come from configuration.
type Defaults struct {
	// RSServer and RSBucket are remote_settings.server and remote_settings.bucket.
	RSServer, RSBucket string
	config.Jobs
	// Env is the configuration environment (MERINO_ENV): development, testing or production.
	Env string
	// GCSEndpoint is gcs.endpoint_url ("" for Google's), the default of --gcs-endpoint.
	GCSEndpoint string
	// AMOAPIURL is amo.dynamic.api_url, the amo provider's section.
	AMOAPIURL string
}

// NewDefaults takes the defaults from a loaded configuration.
func NewDefaults(cfg *config.Config) *Defaults {
	rs := cfg.RemoteSettings()
	return &Defaults{RSServer: rs.Server, RSBucket: rs.Bucket, Jobs: *cfg.Jobs(), Env: cfg.Env, GCSEndpoint: cfg.GCS().EndpointURL,
		AMOAPIURL: amo.APIURL(cfg)}
}

// UsageError is a problem with the command line: exit status 2.
type UsageError struct{ Msg string }

func (e *UsageError) Error() string { return e.Msg }

// Usagef returns a *UsageError.
func Usagef(format string, args ...any) error {
	return &UsageError{Msg: fmt.Sprintf(format, args...)}
}

// Exit statuses.
const (
	ExitOK          = 0
	ExitFailure     = 1
	ExitUsage       = 2
	ExitInterrupted = 130
)

// Registry is the jobs `merino job` knows, in the order help lists them.
type Registry []*Job

// NeedsConfig reports whether args name a job, whose flag defaults (shown by --help too)
// come from the configuration; listings and help of commands need none.
func (r Registry) NeedsConfig(args []string) bool {
	return len(args) >= 2 && r.find(args[0], args[1]) != nil
}

func isHelp(a string) bool {
	return a == "-h" || a == "-help" || a == "--help" || a == "help"
}

func (r Registry) find(command, sub string) *Job {
	for _, j := range r {
		if j.Command == command && j.Subcommand == sub {
			return j
		}
	}
	return nil
}

func (r Registry) commands() []string {
	var out []string
	for _, j := range r {
		if len(out) == 0 || out[len(out)-1] != j.Command {
			out = append(out, j.Command)
		}
	}
	return out
}

// Usage writes the list of commands and subcommands.
func (r Registry) Usage(w io.Writer) {
	fmt.Fprint(w, "usage: merino job <command> <subcommand> [flags]\n\nmerino-py's offline jobs (python -m merino.jobs.cli), with the same names and flags.\n\ncommands:\n")
	for _, j := range r {
		fmt.Fprintf(w, "  %-28s %s\n", j.Command+" "+j.Subcommand, j.Help)
	}
	fmt.Fprint(w, "\n`merino job <command> <subcommand> --help` lists a job's flags. Defaults come from the\nconfiguration (configs/*.toml, MERINO_CONFIG_FILE, MERINO_* variables) under merino-py's keys.\n")
}

func (r Registry) commandUsage(w io.Writer, command string) {
	fmt.Fprintf(w, "usage: merino job %s <subcommand> [flags]\n\nsubcommands:\n", command)
	for _, j := range r {
		if j.Command == command {
			fmt.Fprintf(w, "  %-12s %s\n", j.Subcommand, j.Help)
		}
	}
}

// Run runs `merino job args...` and returns the exit status. Listings and help go to
// env.Stdout (when asked for) or stderr (when a command is incomplete); every error is one
// line on stderr, "merino: job <command> <subcommand>: <what>". d may be nil when
// NeedsConfig(args) is false.
func (r Registry) Run(ctx context.Context, args []string, d *Defaults, env *Env, stderr io.Writer) int {
	fail := func(code int, prefix, format string, a ...any) int {
		msg := strings.Join(strings.Fields(fmt.Sprintf(format, a...)), " ")
		fmt.Fprintf(stderr, "merino: %s: %s\n", prefix, msg)
		return code
	}
	switch {
	case len(args) == 0:
		// merino-py's no_args_is_help: the listing, as a usage error.
		r.Usage(stderr)
		return ExitUsage
	case isHelp(args[0]):
		r.Usage(env.Stdout)
		return ExitOK
	}
	command := args[0]
	known := false
	for _, c := range r.commands() {
		known = known || c == command
	}
	if !known {
		return fail(ExitUsage, "job", "unknown command %q (commands: %s)", command, strings.Join(r.commands(), ", "))
	}
	if len(args) == 1 {
		r.commandUsage(stderr, command)
		return ExitUsage
	}
	if isHelp(args[1]) {
		r.commandUsage(env.Stdout, command)
		return ExitOK
	}
	job := r.find(command, args[1])
	if job == nil {
		return fail(ExitUsage, "job "+command, "unknown subcommand %q", args[1])
	}
	name := "job " + command + " " + job.Subcommand
	fs := flag.NewFlagSet("merino "+name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	noProgress := fs.Bool("no-progress", false, "draw no progress bar and log no progress lines")
	run := job.Setup(fs, d)
	if err := fs.Parse(args[2:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprintf(env.Stdout, "usage: merino %s [flags]\n\n%s\n\nflags:\n", name, job.Help)
			fs.SetOutput(env.Stdout)
			fs.PrintDefaults()
			return ExitOK
		}
		return fail(ExitUsage, name, "%s", flagError(err))
	}
	if fs.NArg() > 0 {
		return fail(ExitUsage, name, "unexpected argument %q", fs.Arg(0))
	}
	env.NoProgress = env.NoProgress || *noProgress
	err := run(ctx, env)
	var uerr *UsageError
	switch {
	case err == nil:
		return ExitOK
	case errors.As(err, &uerr):
		return fail(ExitUsage, name, "%s", err)
	case ctx.Err() != nil:
		return fail(ExitInterrupted, name, "interrupted: %s", err)
	default:
		return fail(ExitFailure, name, "%s", err)
	}
}

// flagError rewrites the flag package's messages with the double dash the help shows.
func flagError(err error) string {
	msg := err.Error()
	for _, p := range []string{"flag provided but not defined: -", "flag needs an argument: -", "for flag -"} {
		if i := strings.Index(msg, p); i >= 0 {
			msg = msg[:i+len(p)] + "-" + msg[i+len(p):]
		}
	}
	return strings.Replace(msg, "flag provided but not defined: ", "unknown flag ", 1)
}

// SortedKeys returns a map's keys in order (for messages that list choices).
func SortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
