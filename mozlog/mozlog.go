// Package mozlog writes logs in MozLog, the JSON envelope Mozilla's log pipeline reads
// (Timestamp, Type, Logger, Hostname, EnvVersion, Severity, Pid, Fields), plus the lower-case
// "severity" Google Cloud Logging keys on — the shape merino-py's GCPCompatibleJSONFormatter
// writes. A "pretty" variant writes the same records as readable lines for development.
//
// Two ways in: a log/slog Handler for the process's ordinary logs, and Writer.Append for
// records built by hand on the request path (web.suggest.request), which must not allocate.
package mozlog

import (
	"io"
	"log/slog"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/mozilla-services/merino-go/jsonw"
)

// LevelCritical is Python's CRITICAL, above slog's ERROR.
const LevelCritical = slog.LevelError + 4

// severity maps a level to MozLog's syslog severity and Google Cloud's severity number, as
// merino-py maps Python's levels (CRITICAL 2/600, ERROR 3/500, WARNING 4/400, INFO 6/200,
// DEBUG 7/100).
func severity(l slog.Level) (syslog, gcp int) {
	switch {
	case l >= LevelCritical:
		return 2, 600
	case l >= slog.LevelError:
		return 3, 500
	case l >= slog.LevelWarn:
		return 4, 400
	case l >= slog.LevelInfo:
		return 6, 200
	default:
		return 7, 100
	}
}

// LevelName is the Python name of a level, for pretty output and configuration.
func LevelName(l slog.Level) string {
	switch {
	case l >= LevelCritical:
		return "CRITICAL"
	case l >= slog.LevelError:
		return "ERROR"
	case l >= slog.LevelWarn:
		return "WARNING"
	case l >= slog.LevelInfo:
		return "INFO"
	default:
		return "DEBUG"
	}
}

// ParseLevel reads a Python level name (DEBUG, INFO, WARNING, ERROR, CRITICAL).
func ParseLevel(name string) (slog.Level, bool) {
	switch name {
	case "DEBUG":
		return slog.LevelDebug, true
	case "INFO":
		return slog.LevelInfo, true
	case "WARNING":
		return slog.LevelWarn, true
	case "ERROR":
		return slog.LevelError, true
	case "CRITICAL":
		return LevelCritical, true
	}
	return 0, false
}

// Writer serialises whole records to an output, one line each, safe for concurrent use.
type Writer struct {
	mu       sync.Mutex
	out      io.Writer
	pretty   bool
	logger   string // the MozLog Logger field: "merino"
	hostname string
	pid      string
	level    slog.Level
	bufs     sync.Pool
}

// NewWriter returns a writer of MozLog JSON lines (pretty=false) or readable lines
// (pretty=true) at the given minimum level. logger is MozLog's Logger field.
func NewWriter(out io.Writer, pretty bool, logger string, level slog.Level) *Writer {
	host, _ := os.Hostname()
	w := &Writer{out: out, pretty: pretty, logger: logger, hostname: host, pid: strconv.Itoa(os.Getpid()), level: level}
	w.bufs.New = func() any { b := make([]byte, 0, 1024); return &b }
	return w
}

// Pretty reports whether the writer writes readable lines rather than JSON.
func (w *Writer) Pretty() bool { return w.pretty }

// Enabled reports whether records at level l are written.
func (w *Writer) Enabled(l slog.Level) bool { return l >= w.level }

// Record is one log record being built: AppendHeader, then fields, then Finish.
// Fields are appended with the Field* methods; in JSON they go inside "Fields", in pretty
// output they follow the message as key=value.
type Record struct {
	w      *Writer
	buf    *[]byte
	b      []byte
	fields int
	gcp    int
}

// Begin starts a record of the given type (MozLog's Type: the logger name, e.g.
// "web.suggest.request") and message at level l. The Record is a value so that it can live on
// the caller's stack.
func (w *Writer) Begin(now time.Time, l slog.Level, typ, msg string) Record {
	buf := w.bufs.Get().(*[]byte)
	r := Record{w: w, buf: buf, b: (*buf)[:0]}
	sys, gcp := severity(l)
	r.gcp = gcp
	if w.pretty {
		r.b = now.UTC().AppendFormat(r.b, "2006-01-02 15:04:05.000")
		r.b = append(r.b, ' ')
		r.b = append(r.b, LevelName(l)...)
		r.b = append(r.b, ' ')
		r.b = append(r.b, typ...)
		if msg != "" {
			r.b = append(r.b, ": "...)
			r.b = append(r.b, msg...)
		}
		return r
	}
	r.b = append(r.b, `{"Timestamp":`...)
	r.b = strconv.AppendInt(r.b, now.UnixNano(), 10)
	r.b = append(r.b, `,"Type":`...)
	r.b = jsonw.AppendString(r.b, typ)
	r.b = append(r.b, `,"Logger":`...)
	r.b = jsonw.AppendString(r.b, w.logger)
	r.b = append(r.b, `,"Hostname":`...)
	r.b = jsonw.AppendString(r.b, w.hostname)
	r.b = append(r.b, `,"EnvVersion":"2.0","Severity":`...)
	r.b = strconv.AppendInt(r.b, int64(sys), 10)
	r.b = append(r.b, `,"Pid":`...)
	r.b = append(r.b, w.pid...)
	r.b = append(r.b, `,"Fields":{`...)
	if msg != "" {
		r.key("msg")
		r.b = jsonw.AppendString(r.b, msg)
	}
	return r
}

func (r *Record) key(k string) {
	if r.w.pretty {
		r.b = append(r.b, ' ')
		r.b = append(r.b, k...)
		r.b = append(r.b, '=')
		return
	}
	if r.fields > 0 {
		r.b = append(r.b, ',')
	}
	r.fields++
	r.b = jsonw.AppendString(r.b, k)
	r.b = append(r.b, ':')
}

// String appends a string field.
func (r *Record) String(k, v string) {
	r.key(k)
	if r.w.pretty {
		r.b = appendPrettyString(r.b, v)
	} else {
		r.b = jsonw.AppendString(r.b, v)
	}
}

// StringOrNull appends a string field, or null when ok is false (Python's None).
func (r *Record) StringOrNull(k, v string, ok bool) {
	if !ok {
		r.Null(k)
		return
	}
	r.String(k, v)
}

// Int appends an integer field.
func (r *Record) Int(k string, v int64) {
	r.key(k)
	r.b = strconv.AppendInt(r.b, v, 10)
}

// Bool appends a boolean field.
func (r *Record) Bool(k string, v bool) {
	r.key(k)
	r.b = strconv.AppendBool(r.b, v)
}

// Null appends a null field.
func (r *Record) Null(k string) {
	r.key(k)
	if r.w.pretty {
		r.b = append(r.b, "None"...)
	} else {
		r.b = append(r.b, "null"...)
	}
}

// Raw appends a field whose value is already JSON (or text, in pretty output).
func (r *Record) Raw(k string, v []byte) {
	r.key(k)
	r.b = append(r.b, v...)
}

// Finish closes the record and writes it as one line.
func (r *Record) Finish() {
	if !r.w.pretty {
		r.b = append(r.b, `},"severity":`...)
		r.b = strconv.AppendInt(r.b, int64(r.gcp), 10)
		r.b = append(r.b, '}')
	}
	r.b = append(r.b, '\n')
	r.w.mu.Lock()
	_, _ = r.w.out.Write(r.b)
	r.w.mu.Unlock()
	*r.buf = r.b[:0]
	if cap(r.b) <= 64<<10 {
		r.w.bufs.Put(r.buf)
	}
	*r = Record{}
}

// appendPrettyString quotes a value only when it needs it, so lines stay readable.
func appendPrettyString(dst []byte, s string) []byte {
	if s == "" {
		return append(dst, `""`...)
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c == '"' || c == '=' || c == 0x7f {
			return strconv.AppendQuote(dst, s)
		}
	}
	return append(dst, s...)
}
