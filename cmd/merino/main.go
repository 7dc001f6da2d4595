// Command merino is merino-go's one binary: the server, the index builders and the operator's
// tools.
//
//	merino [serve]        run the HTTP server until SIGINT/SIGTERM
//	merino check-config   print the effective configuration, exit non-zero if it is invalid
//	merino index wikipedia --input FILE --out DIR   build a Wikipedia index
//	merino job <command> <subcommand> [flags]        run one of merino-py's offline jobs
//	merino version        print the version, commit and Go version
package main

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
)

// Set at build time: go build -ldflags "-X main.version=... -X main.commit=...".
var (
	version = "dev"
	commit  = "unknown"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	cmd := "serve"
	if len(args) > 0 {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		return serve(args, stderr)
	case "check-config":
		return checkConfig(stdout, stderr)
	case "index":
		return indexCommand(args, stdout, stderr)
	case "job":
		return jobCommand(args, stdout, stderr)
	case "version", "--version":
		fmt.Fprintf(stdout, "merino-go %s (commit %s, %s)\n", version, commit, runtime.Version())
		return 0
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "merino: unknown command %q\n%s", cmd, usage)
		return 2
	}
}

const usage = `usage: merino [command]

commands:
  serve          run the HTTP server (the default)
  check-config   load and validate the configuration, print the effective values
  index          build an index: merino index wikipedia --input FILE --out DIR [--lang en]
                 [--category-blocklist CSV] [--max-docs N]
  job            run one of merino-py's offline jobs: merino job <command> <subcommand> [flags]
                 (merino job --help lists them)
  version        print the version

Configuration: configs/default.toml and configs/$MERINO_ENV.toml (embedded), then the file
named by MERINO_CONFIG_FILE, then MERINO_A__B=value environment variables.
`

// fatal prints a startup error as one line, the way operators grep for it.
func fatal(stderr io.Writer, err error) int {
	fmt.Fprintf(stderr, "merino: %s\n", strings.ReplaceAll(err.Error(), "\n", " "))
	return 1
}
