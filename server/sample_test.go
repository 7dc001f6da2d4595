package server

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/url"
	"testing"
)

// The bundled AMP sample (what `make run` serves) gives Firefox an icon URL for every
// suggestion, the Remote Settings fixture records included.
func TestBundledAMPIconsAreURLs(t *testing.T) {
	s := benchServerAdm(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go s.Serve(ln)
	t.Cleanup(func() { s.Shutdown(context.Background()) })
	for _, q := range []string{"los pollos", "lasagna", "amaz", "lo", "la"} {
		resp, err := http.Get("http://" + ln.Addr().String() + "/api/v1/suggest?providers=adm&q=" + url.QueryEscape(q))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		var body struct {
			Suggestions []struct{ Title, Icon string }
		}
		if err := json.Unmarshal(b, &body); err != nil || len(body.Suggestions) == 0 {
			t.Fatalf("%q: %v %s", q, err, b)
		}
		for _, sg := range body.Suggestions {
			if u, err := url.Parse(sg.Icon); err != nil || u.Scheme != "https" || u.Host == "" {
				t.Errorf("%q: %q has icon %q", q, sg.Title, sg.Icon)
			}
		}
	}
}
