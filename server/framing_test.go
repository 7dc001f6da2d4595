package server

import (
	"bufio"
	"strings"
	"testing"

	"github.com/valyala/fasthttp"
)

// firefoxHeaders is what Firefox sends with a suggest request, as fasthttp keeps it raw.
var firefoxHeaders = []byte("Host: merino.services.mozilla.com\r\n" +
	"User-Agent: Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:153.0) Gecko/20100101 Firefox/153.0\r\n" +
	"Accept: */*\r\nAccept-Language: en-US,en;q=0.5\r\nAccept-Encoding: gzip, deflate, br, zstd\r\n" +
	"Connection: keep-alive\r\nSec-Fetch-Dest: empty\r\nSec-Fetch-Mode: no-cors\r\n" +
	"Sec-Fetch-Site: none\r\nPriority: u=4\r\nTE: trailers\r\n\r\n")

func TestFramedTwice(t *testing.T) {
	f := func(raw string, want bool) {
		t.Helper()
		if got := framedTwice([]byte(raw)); got != want {
			t.Errorf("%q: %v, want %v", raw, got, want)
		}
	}
	f(string(firefoxHeaders), false)
	f("Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n", true)
	f("transfer-encoding: chunked\r\ncontent-length: 4\r\n\r\n", true)
	f("TrAnSfEr-EnCoDiNg : chunked\r\nCONTENT-LENGTH\t: 4\r\n", true)
	f("Content-Length: 4\nTransfer-Encoding: chunked", true)
	f("Content-Length: 4\r\n\r\n", false)
	f("Transfer-Encoding: chunked\r\n\r\n", false)
	f("X-Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n", false)
	f("Content-Lengths: 4\r\nTransfer-Encodings: chunked\r\n\r\n", false)
	f("", false)
	f(":\r\n\n\n:", false)
}

func BenchmarkFramedTwice(b *testing.B) {
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		if framedTwice(firefoxHeaders) {
			n++
		}
	}
	if n != 0 {
		b.Fatal(n)
	}
}

func BenchmarkFirstUserAgent(b *testing.B) {
	var h fasthttp.RequestHeader
	if err := h.Read(bufio.NewReader(strings.NewReader("GET /api/v1/suggest?q=goo HTTP/1.1\r\n" + string(firefoxHeaders)))); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		n += len(firstUserAgent(&h))
	}
	if n == 0 {
		b.Fatal("no user agent")
	}
}
