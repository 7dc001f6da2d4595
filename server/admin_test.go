package server_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/mozilla-services/merino-go/server"
)

// startAdmin serves an admin listener on loopback until the test ends.
func startAdmin(t *testing.T, o server.AdminOptions) *testServer {
	t.Helper()
	a := server.NewAdmin(o)
	ln, err := server.Listen("127.0.0.1:0", server.ListenOptions{Name: "admin", MaxConnections: 4})
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = a.Serve(ln) }()
	t.Cleanup(func() { _ = a.Shutdown(context.Background()) })
	return &testServer{url: "http://" + ln.Addr().String()}
}

// The admin listener: /metrics always; pprof and the detailed heartbeat behind the token when
// one is set, and off without one where a token is required (production).
func TestAdminListener(t *testing.T) {
	checks := []server.Check{{Name: "adm", Status: func() server.CheckStatus {
		return server.CheckStatus{Loaded: true, LastSuccess: time.Now(), LastError: "cannot fetch https://mars.internal/v1/suggest/data: HTTP 503"}
	}}}
	f := func(o server.AdminOptions, path string, auth string, want int) response {
		t.Helper()
		a := startAdmin(t, o)
		var headers []string
		if auth != "" {
			headers = []string{"Authorization", auth}
		}
		r := a.get(t, path, headers...)
		if r.status != want {
			t.Errorf("%+v %s %q: %d %s, want %d", o.Token, path, auth, r.status, r.body, want)
		}
		return r
	}
	open := server.AdminOptions{Checks: checks, ReadTimeout: time.Second, WriteTimeout: time.Second}
	withToken := open
	withToken.Token = "s3cret"
	required := open
	required.TokenRequired = true

	f(open, "/metrics", "", 200)
	f(open, "/debug/pprof/cmdline", "", 200)
	if r := f(open, "/debug/pprof/", "", 200); !strings.Contains(r.body, "goroutine") {
		t.Errorf("pprof index: %.200s", r.body)
	}
	r := f(open, "/__heartbeat__", "", 200)
	if !strings.Contains(r.body, `"last_error":"cannot fetch https://mars.internal/v1/suggest/data: HTTP 503"`) {
		t.Errorf("the admin heartbeat hides the error: %s", r.body)
	}
	f(open, "/api/v1/suggest?q=a", "", 404)

	f(withToken, "/metrics", "", 200)
	if r := f(withToken, "/debug/pprof/", "", 401); r.header.Get("WWW-Authenticate") != "Bearer" {
		t.Errorf("401 without a challenge: %v", r.header)
	}
	f(withToken, "/debug/pprof/", "Bearer wrong", 401)
	f(withToken, "/debug/pprof/", "s3cret", 401)
	f(withToken, "/debug/pprof/cmdline", "Bearer s3cret", 200)
	f(withToken, "/__heartbeat__", "", 401)
	f(withToken, "/__heartbeat__", "Bearer s3cret", 200)

	f(required, "/metrics", "", 200)
	f(required, "/debug/pprof/", "", 403)
	f(required, "/__heartbeat__", "", 403)
	required.Token = "s3cret"
	f(required, "/debug/pprof/heap", "Bearer s3cret", 200)
}

// A CPU profile longer than the write timeout is not cut off: fasthttp arms the deadline once
// the handler has returned.
func TestAdminProfileOutlivesWriteTimeout(t *testing.T) {
	if testing.Short() {
		t.Skip("takes two seconds")
	}
	a := startAdmin(t, server.AdminOptions{ReadTimeout: time.Second, WriteTimeout: time.Second})
	r := a.get(t, "/debug/pprof/profile?seconds=2")
	if r.status != 200 || len(r.body) == 0 {
		t.Errorf("profile: %d, %d bytes", r.status, len(r.body))
	}
}
