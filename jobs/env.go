package jobs

import (
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/mozilla-services/merino-go/mozlog"
)

// Env is what a job runs with.
type Env struct {
	// Stdout receives the job's one summary line (and help).
	Stdout io.Writer
	// Console is stderr, shared by the logs and the progress bar.
	Console *Console
	// Log writes MozLog records on the console; Logger derives a job's named loggers.
	Log *slog.Logger
	// Now is the clock (tests pin it).
	Now func() time.Time
	// Version is merino-go's version, for the User-Agent.
	Version string
	// NoProgress turns progress display off (--no-progress).
	NoProgress bool
	// RetryWait is the first wait before retrying a request (0: the clients' default of a
	// second; tests shorten it).
	RetryWait time.Duration
	// GCSChunkSize is the chunk of resumable Cloud Storage uploads (0: 40 MiB, merino-py's;
	// tests shorten it).
	GCSChunkSize int
}

// Logger returns a logger whose records carry MozLog type name: merino-py's module names
// (merino.jobs.utils.rs_client, ...), which operators grep for.
func (e *Env) Logger(name string) *slog.Logger {
	return e.Log.With(mozlog.TypeKey, name)
}

// UserAgent identifies merino-go to the services a job calls (Wikimedia refuses anonymous
// clients).
func (e *Env) UserAgent() string {
	return "merino-go/" + e.Version + " (+https://github.com/mozilla-services/merino-go)"
}

// Summary writes the job's summary line to Stdout.
func (e *Env) Summary(format string, args ...any) {
	fmt.Fprintf(e.Stdout, format+"\n", args...)
}

// Console is a job's stderr. On a terminal it keeps a progress bar on the last line and
// writes log lines above it; elsewhere it passes log lines through. It is safe for concurrent
// use.
type Console struct {
	mu       sync.Mutex
	out      io.Writer
	terminal bool
	bar      string
}

// NewConsole returns the console writing to out; terminal says whether out is one.
func NewConsole(out io.Writer, terminal bool) *Console {
	return &Console{out: out, terminal: terminal}
}

// Write writes log lines, above the progress bar if one is drawn.
func (c *Console) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.bar != "" {
		_, _ = io.WriteString(c.out, "\r\033[K")
	}
	n, err := c.out.Write(p)
	if c.bar != "" {
		_, _ = io.WriteString(c.out, c.bar)
	}
	return n, err
}

func (c *Console) draw(line string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	_, _ = io.WriteString(c.out, "\r\033[K"+line)
	c.bar = line
}

func (c *Console) clear() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.bar != "" {
		_, _ = io.WriteString(c.out, "\r\033[K")
		c.bar = ""
	}
}

// Progress shows how far one phase of a job has come: on a terminal a bar redrawn at most
// five times a second, elsewhere a log line at each whole 10 %. A nil *Progress does nothing,
// so code can report progress unconditionally. It is safe for concurrent use.
type Progress struct {
	mu          sync.Mutex
	console     *Console
	log         *slog.Logger
	label, unit string
	total, done int64
	tenths      int64 // the 10 % steps logged
	drawn       time.Time
}

// Progress starts the progress of a phase: label names it ("csv-rs-uploader upload"), unit
// what is counted ("records", "bytes"), total how many are expected (0 if unknown: a terminal
// shows the count, logs show nothing).
func (e *Env) Progress(log *slog.Logger, label, unit string, total int64) *Progress {
	if e.NoProgress || e.Console == nil {
		return nil
	}
	return &Progress{console: e.Console, log: log, label: label, unit: unit, total: total}
}

// SetTotal changes the expected total.
func (p *Progress) SetTotal(total int64) {
	if p == nil {
		return
	}
	p.mu.Lock()
	p.total = total
	p.mu.Unlock()
}

// Add counts n more done.
func (p *Progress) Add(n int64) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done += n
	if p.console.terminal {
		if now := time.Now(); now.Sub(p.drawn) >= 200*time.Millisecond || (p.total > 0 && p.done >= p.total) {
			p.drawn = now
			p.console.draw(p.line())
		}
		return
	}
	if p.total <= 0 {
		return
	}
	if t := min(p.done*10/p.total, 10); t > p.tenths {
		p.tenths = t
		p.log.Info(fmt.Sprintf("%s: %d%% (%d/%d %s)", p.label, t*10, p.done, p.total, p.unit),
			"progress", p.label, "done", p.done, "total", p.total)
	}
}

func (p *Progress) line() string {
	if p.total <= 0 {
		return fmt.Sprintf("%s: %d %s ", p.label, p.done, p.unit)
	}
	const width = 30
	frac := min(float64(p.done)/float64(p.total), 1)
	filled := int(frac * width)
	return fmt.Sprintf("%s [%s%s] %3.0f%% %d/%d %s ", p.label, strings.Repeat("#", filled), strings.Repeat(".", width-filled), frac*100, p.done, p.total, p.unit)
}

// Finish ends the phase: the bar is cleared.
func (p *Progress) Finish() {
	if p == nil {
		return
	}
	if p.console.terminal {
		p.console.clear()
	}
}

// CountBytes returns a reader that adds the bytes read from r to p.
func CountBytes(r io.Reader, p *Progress) io.Reader { return &countingReader{r: r, p: p} }

type countingReader struct {
	r io.Reader
	p *Progress
}

func (c *countingReader) Read(b []byte) (int, error) {
	n, err := c.r.Read(b)
	c.p.Add(int64(n))
	return n, err
}
