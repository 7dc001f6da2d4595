package server_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/mozilla-services/merino-go/server"
)

// Slowloris: a thousand connections trickle their headers one byte at a time while others
// ask as usual. The others are answered at once; the slow ones are dropped at the read
// timeout and their slots under the cap come back.
func TestSlowlorisDoesNotStarveOthers(t *testing.T) {
	if testing.Short() {
		t.Skip("holds a thousand connections for a few seconds")
	}
	opts := defaultOptions(newTopPicks(t, "top_picks", true))
	opts.ReadTimeout, opts.WriteTimeout = 2*time.Second, 2*time.Second
	srv := server.New(opts)
	ln, err := server.Listen("127.0.0.1:0", server.ListenOptions{Name: "public", MaxConnections: 1500})
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Shutdown(context.Background()) })
	addr := ln.Addr().String()

	const slow = 1000
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var mu sync.Mutex
	dropped := 0
	for i := 0; i < slow; i++ {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatalf("slow connection %d: %v", i, err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer c.Close()
			req := "GET /api/v1/suggest?q=exam HTTP/1.1\r\nHost: x\r\nX-Slow: "
			for j := 0; ; j++ {
				select {
				case <-stop:
					return
				case <-time.After(300 * time.Millisecond):
				}
				if _, err := io.WriteString(c, req[j%len(req):j%len(req)+1]); err != nil {
					mu.Lock()
					dropped++
					mu.Unlock()
					return
				}
			}
		}()
	}
	client := &http.Client{Timeout: time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	deadline := time.Now().Add(3 * time.Second)
	n := 0
	for time.Now().Before(deadline) {
		resp, err := client.Get("http://" + addr + "/api/v1/suggest?q=exam")
		if err != nil {
			t.Fatalf("an ordinary request during the attack: %v", err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("an ordinary request during the attack: %d", resp.StatusCode)
		}
		n++
	}
	// Connections still trickling past the read timeout are cut (the write of the next byte
	// fails once the server has closed).
	cut := func() int {
		mu.Lock()
		defer mu.Unlock()
		return dropped
	}
	for end := time.Now().Add(5 * time.Second); cut() < slow && time.Now().Before(end); {
		time.Sleep(100 * time.Millisecond)
	}
	close(stop)
	wg.Wait()
	if dropped < slow/2 {
		t.Errorf("only %d of %d slow connections were cut at the read timeout", dropped, slow)
	}
	if n < 10 {
		t.Errorf("%d ordinary requests answered in 3 s", n)
	}
}
