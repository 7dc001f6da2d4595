package server_test

import (
	"bufio"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/mozilla-services/merino-go/mozlog"
)

// With logging.log_query off, no log line carries a query, even at DEBUG and even for
// requests fasthttp cannot parse (its error messages quote the request); with it on, the
// lines that may carry one are marked sensitive.
func TestDebugLogsKeepQueriesOut(t *testing.T) {
	const secret = "s3cretquery"
	requests := []string{
		"GET /api/v1/suggest?q=" + secret + " HTTP/1.1\r\nHost: x\r\n\r\n",
		"GET /api/v1/suggest?q=" + secret + " HTTP/1.1\r\nHost: x\r\nX-Big: " + strings.Repeat("a", 8000) + "\r\n\r\n",
		"GET /api/v1/suggest?q=" + secret + " HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n",
		"GET /api/v1/suggest?q=" + secret + " HTTP/1.1\r\nHost: x\r\nContent-Length: x" + secret + "\r\n\r\n",
		"GET /api/v1/suggest?q=" + secret + " HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz" + secret + "\r\n\r\n",
		"GET /api/v1/suggest?q=" + secret + " HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip" + secret + "\r\n\r\n",
		"GET /api/v1/suggest?q=" + secret + "\x00 HTTP/1.1\r\nHost: x\r\n\r\n",
		"G\x01T /api/v1/suggest?q=" + secret + " HTTP/1.1\r\n\r\n",
		"GET /api/v1/suggest?q=" + secret + " HTTP/1.1\r\nHost: x\r\nHost: y" + secret + "\r\n\r\n",
	}
	for _, logQuery := range []bool{false, true} {
		logs := &syncBuffer{}
		w := mozlog.NewWriter(logs, false, "merino", slog.LevelDebug)
		opts := defaultOptions(newTopPicks(t, "top_picks", true))
		opts.RequestLog, opts.LogQuery = w, logQuery
		opts.Log = slog.New(mozlog.NewHandler(w))
		ts := start(t, opts)
		for _, raw := range requests {
			c := sendRaw(t, ts, raw)
			bufio.NewReader(c).ReadString('\n') // an answer, or the connection closed
			c.Close()
		}
		time.Sleep(200 * time.Millisecond) // fasthttp logs after closing
		logs.mu.Lock()
		lines := strings.Split(strings.TrimSpace(logs.buf.String()), "\n")
		logs.mu.Unlock()
		if len(lines) < 2 {
			t.Fatalf("log_query %v: no logs: %q", logQuery, lines)
		}
		for _, l := range lines {
			if !strings.Contains(l, secret) {
				continue
			}
			if !logQuery {
				t.Errorf("log_query off, the query is in: %s", l)
			} else if !strings.Contains(l, `"sensitive":true`) {
				t.Errorf("log_query on, a line with the query is not marked sensitive: %s", l)
			}
		}
	}
}
