package server_test

import (
	"bufio"
	"io"
	"net/http"
	"testing"
)

// A request with both Content-Length and Transfer-Encoding is how requests are smuggled past
// a proxy that reads the other header (RFC 9112 §6.1): it is rejected with 400 and its
// connection closed, so nothing after it on that connection is read.
func TestContentLengthWithTransferEncoding(t *testing.T) {
	ts := start(t, defaultOptions(newTopPicks(t, "top_picks", true)))
	f := func(raw string, wantStatus int, wantClosed bool) {
		t.Helper()
		c := sendRaw(t, ts, raw)
		defer c.Close()
		br := bufio.NewReader(c)
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatalf("%q: %v", raw, err)
		}
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != wantStatus {
			t.Errorf("%q: %d %s, want %d", raw, resp.StatusCode, body, wantStatus)
		}
		if wantStatus == 400 && string(body) != `{"detail":"Bad Request"}` {
			t.Errorf("%q: body %s", raw, body)
		}
		// The smuggled request behind it gets no answer: the connection is closed.
		_, err = http.ReadResponse(br, nil)
		if closed := err != nil; closed != wantClosed {
			t.Errorf("%q: connection closed %v, want %v (%v)", raw, closed, wantClosed, err)
		}
	}
	smuggled := "GET /__lbheartbeat__ HTTP/1.1\r\nHost: x\r\n\r\n"
	f("POST /api/v1/suggest?q=exam HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"+smuggled, 400, true)
	f("GET /api/v1/suggest?q=exam HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\ncontent-length: 0\r\n\r\n0\r\n\r\n"+smuggled, 400, true)
	f("GET /api/v1/suggest?q=exam HTTP/1.1\r\nHost: x\r\ntransfer-encoding: identity\r\nContent-Length: 5\r\n\r\nhello"+smuggled, 400, true)
	// Either header alone is an ordinary request on a kept-alive connection.
	f("GET /api/v1/suggest?q=exam HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"+smuggled, 200, false)
	f("GET /api/v1/suggest?q=exam HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi"+smuggled, 200, false)
}
