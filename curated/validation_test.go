package curated_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

const localeEnum = `'fr', 'fr-BE', 'fr-FR', 'es', 'es-ES', 'it', 'it-IT', 'en', 'en-CA', 'en-GB', 'en-IE', 'en-US', 'de', 'de-DE', 'de-AT', 'de-CH', 'pl' or 'pl-PL'`

// Every 400 body of §2.1, byte for byte.
func TestValidationBodies(t *testing.T) {
	h := start(t, nil)
	f := func(body, want string) {
		t.Helper()
		status, got := h.post(body)
		if status != 400 || got != want {
			t.Errorf("POST %s:\n got %d %s\nwant 400 %s", body, status, got, want)
		}
	}
	f(`{"foo":"bar"}`, `{"detail":[{"type":"missing","loc":["body","locale"],"msg":"Field required","input":{"foo":"bar"}}]}`)
	for _, in := range []string{`"en-XX"`, `null`, `5`, `"EN-us"`, `""`, `"es_123"`} {
		f(`{"locale":`+in+`}`, `{"detail":[{"type":"enum","loc":["body","locale"],"msg":"Input should be `+localeEnum+`","input":`+in+`,"ctx":{"expected":"`+localeEnum+`"}}]}`)
	}
	f(`{"locale":"en-US","coarseOs":"windows11"}`, `{"detail":[{"type":"enum","loc":["body","coarseOs"],"msg":"Input should be 'mac', 'win', 'linux', 'android', 'ios' or 'other'","input":"windows11","ctx":{"expected":"'mac', 'win', 'linux', 'android', 'ios' or 'other'"}}]}`)
	f(`{"locale":"en-US","count":100.5}`, `{"detail":[{"type":"int_from_float","loc":["body","count"],"msg":"Input should be a valid integer, got a number with a fractional part","input":100.5}]}`)
	f(`{"locale":"en-US","count":null}`, `{"detail":[{"type":"int_type","loc":["body","count"],"msg":"Input should be a valid integer","input":null}]}`)
	f(`{"locale":"en-US","count":"abc"}`, `{"detail":[{"type":"int_parsing","loc":["body","count"],"msg":"Input should be a valid integer, unable to parse string as an integer","input":"abc"}]}`)
	f(`{"locale":"en-US","region":675}`, `{"detail":[{"type":"string_type","loc":["body","region"],"msg":"Input should be a valid string","input":675}]}`)
	f(`{"locale":"en-US","feeds":"sections"}`, `{"detail":[{"type":"list_type","loc":["body","feeds"],"msg":"Input should be a valid list","input":"sections"}]}`)
	f(`{"locale":"en-US","feeds":["sections",1]}`, `{"detail":[{"type":"string_type","loc":["body","feeds",1],"msg":"Input should be a valid string","input":1}]}`)
	f(`{"locale":"en-US","sections":[{"sectionId":"nfl","isBlocked":false}]}`,
		`{"detail":[{"type":"missing","loc":["body","sections",0,"isFollowed"],"msg":"Field required","input":{"sectionId":"nfl","isBlocked":false}}]}`)
	f(`{"locale":"en-US","sections":[{"sectionId":"nfl","isFollowed":true,"isBlocked":false,"followedAt":"2025-03-17T12:00:00"}]}`,
		`{"detail":[{"type":"value_error","loc":["body","sections",0,"followedAt"],"msg":"Value error, followedAt must have a timezone (e.g. 'Z' or '+02:00')","input":"2025-03-17T12:00:00","ctx":{"error":{}}}]}`)
	f(`{"locale":"en-US","sections":[{"sectionId":"nfl","isFollowed":true,"isBlocked":false,"followedAt":"March 17, 2025 12:00 PM"}]}`,
		`{"detail":[{"type":"value_error","loc":["body","sections",0,"followedAt"],"msg":"Value error, followedAt must be a valid ISO 8601 datetime with timezone","input":"March 17, 2025 12:00 PM","ctx":{"error":{}}}]}`)
	f(`{"locale":"en-US","sections":[{"sectionId":"nfl","isFollowed":true,"isBlocked":false,"followedAt":1742500800}]}`,
		`{"detail":[{"type":"value_error","loc":["body","sections",0,"followedAt"],"msg":"Value error, followedAt must be a datetime or string in ISO 8601 format with timezone","input":1742500800,"ctx":{"error":{}}}]}`)
	f(`{"locale":"en-US","sections":[5]}`, `{"detail":[{"type":"model_attributes_type","loc":["body","sections",0],"msg":"Input should be a valid dictionary or object to extract fields from","input":5}]}`)
	f(`{"locale":"en-US","enableInterestPicker":null}`, `{"detail":[{"type":"bool_type","loc":["body","enableInterestPicker"],"msg":"Input should be a valid boolean","input":null}]}`)
	f(`{"locale":"en-US","enableInterestPicker":"maybe"}`, `{"detail":[{"type":"bool_parsing","loc":["body","enableInterestPicker"],"msg":"Input should be a valid boolean, unable to interpret input","input":"maybe"}]}`)
	f(`{"locale":"en-US","experimentBranch":3}`, `{"detail":[{"type":"string_type","loc":["body","experimentBranch"],"msg":"Input should be a valid string","input":3}]}`)
	f(`{"locale":"en-US","inferredInterests":[1]}`, `{"detail":[{"type":"dict_type","loc":["body","inferredInterests"],"msg":"Input should be a valid dictionary","input":[1]}]}`)
	f(`{bad`, `{"detail":[{"type":"json_invalid","loc":["body",1],"msg":"JSON decode error","input":{},"ctx":{"error":"Expecting property name enclosed in double quotes"}}]}`)
	f(`{"locale":"en-US",}`, `{"detail":[{"type":"json_invalid","loc":["body",17],"msg":"JSON decode error","input":{},"ctx":{"error":"Illegal trailing comma before end of object"}}]}`)
	f(`{"locale":"é"} x`, `{"detail":[{"type":"json_invalid","loc":["body",15],"msg":"JSON decode error","input":{},"ctx":{"error":"Extra data"}}]}`)
	f(``, `{"detail":[{"type":"missing","loc":["body"],"msg":"Field required","input":null}]}`)
	f(`[{"locale":"en-US"}]`, `{"detail":[{"type":"model_attributes_type","loc":["body"],"msg":"Input should be a valid dictionary or object to extract fields from","input":[{"locale":"en-US"}]}]}`)
	// Errors come in field order, each field once.
	f(`{"count":1.5,"region":1,"locale":"xx","coarseOs":"beos"}`, `{"detail":[`+
		`{"type":"enum","loc":["body","locale"],"msg":"Input should be `+localeEnum+`","input":"xx","ctx":{"expected":"`+localeEnum+`"}},`+
		`{"type":"string_type","loc":["body","region"],"msg":"Input should be a valid string","input":1},`+
		`{"type":"enum","loc":["body","coarseOs"],"msg":"Input should be 'mac', 'win', 'linux', 'android', 'ios' or 'other'","input":"beos","ctx":{"expected":"'mac', 'win', 'linux', 'android', 'ios' or 'other'"}},`+
		`{"type":"int_from_float","loc":["body","count"],"msg":"Input should be a valid integer, got a number with a fractional part","input":1.5}]}`)
	// A non-string experiment name fails both members of the ExperimentName | str union.
	status, got := h.post(`{"locale":"en-US","experimentName":5}`)
	if status != 400 || !strings.Contains(got, `"loc":["body","experimentName","str-enum[ExperimentName]"]`) ||
		!strings.Contains(got, `{"type":"string_type","loc":["body","experimentName","str"],"msg":"Input should be a valid string","input":5}`) {
		t.Errorf("experimentName: %d %s", status, got)
	}
}

// Coercions that never fail, and lax values that pass.
func TestValidationAccepts(t *testing.T) {
	h := start(t, nil)
	for _, body := range []string{
		`{"locale":"en-US","utcOffset":-1}`, `{"locale":"en-US","utcOffset":11.5}`, `{"locale":"en-US","utcOffset":25}`,
		`{"locale":"en-US","utcOffset":null}`, `{"locale":"en-US","utcOffset":"Z"}`, `{"locale":"en-US","utc_offset":5}`,
		`{"locale":"en-US","count":"10"}`, `{"locale":"en-US","count":10.0}`, `{"locale":"en-US","count":true}`,
		`{"locale":"en-US","topics":"arts"}`, `{"locale":"en-US","topics":["nope",5,"arts"]}`, `{"locale":"en-US","topics":0}`,
		`{"locale":"en-US","region":null,"coarseOs":null,"feeds":null,"sections":null,"experimentName":null}`,
		`{"locale":"en-US","coarse_os":"beos"}`, `{"locale":"en-US","unknown":{"deep":[1,2,3]}}`,
		`{"locale":"en-US","enableInterestPicker":"yes"}`, `{"locale":"en-US","enableInterestPicker":1}`,
		`{"locale":"en-US","experimentName":"anything-at-all","experimentBranch":"x"}`,
		`{"locale":"en-US","sections":[{"sectionId":"nfl","isFollowed":true,"isBlocked":false,"followedAt":"2025-03-17T18:07:31.991Z"}]}`,
		`{"locale":"en-US","inferredInterests":{"model_id":"x","values":["01"],"sports":0.5}}`,
		"\xef\xbb\xbf" + `{"locale":"en-US"}`,
	} {
		if status, got := h.post(body); status != 200 {
			t.Errorf("POST %s: %d %s", body, status, got)
		}
	}
	if !strings.Contains(h.logs.String(), "Topics not wrapped in a list: arts") || !strings.Contains(h.logs.String(), "Invalid topic: nope") {
		t.Errorf("topic warnings missing from the log:\n%s", h.logs.String())
	}
}

// Hostile bodies get a clear 4xx, never a 500 or a hang.
func TestHostileBodies(t *testing.T) {
	h := start(t, nil)
	f := func(name, contentType, body string, wantStatus int, want string) {
		t.Helper()
		status, got := h.postType(contentType, body)
		if status != wantStatus || !strings.Contains(got, want) {
			t.Errorf("%s: %d %.300s, want %d containing %q", name, status, got, wantStatus, want)
		}
	}
	f("deep nesting", "application/json", `{"locale":"en-US","x":`+strings.Repeat("[", 5000)+strings.Repeat("]", 5000)+`}`, 400, `{"detail":"There was an error parsing the body"}`)
	f("nesting within limits", "application/json", `{"locale":"en-US","x":`+strings.Repeat("[", 500)+strings.Repeat("]", 500)+`}`, 200, `"surfaceId"`)
	f("huge array", "application/json", `{"locale":"en-US","feeds":[`+strings.Repeat(`"x",`, 12000)+`"x"]}`, 200, `"surfaceId"`)
	f("invalid UTF-8", "application/json", "{\"locale\":\"en-US\xff\"}", 400, `{"detail":"There was an error parsing the body"}`)
	f("form content type", "application/x-www-form-urlencoded", `{"locale":"en-US"}`, 400,
		`{"detail":[{"type":"model_attributes_type","loc":["body"],"msg":"Input should be a valid dictionary or object to extract fields from","input":"{\"locale\":\"en-US\"}"}]}`)
	f("no content type", "", `{"locale":"en-US"}`, 200, `"surfaceId"`)
	f("json suffix", "application/vnd.api+json; charset=utf-8", `{"locale":"en-US"}`, 200, `"surfaceId"`)
	f("many errors", "application/json", `{"locale":"en-US","feeds":[`+strings.Repeat(`1,`, 3000)+`1]}`, 400, `"loc":["body","feeds",3000]`)
	f("huge integer", "application/json", `{"locale":"en-US","count":`+strings.Repeat("9", 5000)+`}`, 400, `{"detail":"There was an error parsing the body"}`)
	f("NaN count", "application/json", `{"locale":"en-US","count":NaN}`, 400, `"finite_number"`)
}

// A 10 MB body is refused from its Content-Length with 413 before it is read; the server then
// closes the connection, so the client reads the answer while it is still sending.
func TestTenMegabyteBody(t *testing.T) {
	h := start(t, nil)
	conn, err := net.Dial("tcp", strings.TrimPrefix(h.url, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	size := 10 << 20
	go func() {
		fmt.Fprintf(conn, "POST /api/v1/curated-recommendations HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n", size)
		chunk := []byte(strings.Repeat("a", 64<<10))
		for sent := 0; sent < size; sent += len(chunk) {
			if _, err := conn.Write(chunk); err != nil {
				return
			}
		}
	}()
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 413 || string(body) != `{"detail":"Request Entity Too Large"}` {
		t.Errorf("10 MB: %d %s", resp.StatusCode, body)
	}
}

func TestMethodsAndCORS(t *testing.T) {
	h := start(t, nil)
	status, body := h.get("/api/v1/curated-recommendations")
	if status != 405 || body != `{"detail":"Method Not Allowed"}` {
		t.Errorf("GET: %d %s", status, body)
	}
	req, _ := http.NewRequest(http.MethodHead, h.url+"/api/v1/curated-recommendations/legacy-114?locale_lang=en-US", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 405 || resp.Header.Get("Allow") != "GET" {
		t.Errorf("HEAD legacy: %d Allow %q", resp.StatusCode, resp.Header.Get("Allow"))
	}
	req, _ = http.NewRequest(http.MethodPost, h.url+"/api/v1/curated-recommendations", strings.NewReader(`{"locale":"en-US"}`))
	req.Header.Set("Origin", "https://example.com")
	req.Header.Set("Content-Type", "application/json")
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Access-Control-Allow-Origin") != "*" || resp.Header.Get("X-Request-Id") == "" ||
		resp.Header.Get("Content-Type") != "application/json" {
		t.Errorf("POST with Origin: %d %v", resp.StatusCode, resp.Header)
	}
	req, _ = http.NewRequest(http.MethodOptions, h.url+"/api/v1/curated-recommendations", nil)
	req.Header.Set("Origin", "https://example.com")
	req.Header.Set("Access-Control-Request-Method", "POST")
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 400 {
		t.Errorf("preflight for POST: %d", resp.StatusCode)
	}
}
