// Package weathertest provides what the weather tests need from the outside world: a fake
// AccuWeather that speaks its HTTP API on loopback with the response shapes of merino-py's
// test fixtures (testdata/, derived by testdata/gen_fixtures.py), and a real redis-server
// started on a free loopback port.
package weathertest

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

//go:embed testdata/*.json
var fixtures embed.FS

// Fixture returns a testdata file.
func Fixture(name string) []byte {
	b, err := fixtures.ReadFile("testdata/" + name)
	if err != nil {
		panic("BUG: missing fixture " + name)
	}
	return b
}

// APIKey is the key the fake accepts; any other answers 401.
const APIKey = "test-key"

// Kinds of AccuWeather calls, as the fake counts them.
const (
	Locations         = "locations"
	CurrentConditions = "currentconditions"
	Forecasts         = "forecasts"
	HourlyForecasts   = "hourlyforecasts"
	Autocomplete      = "autocomplete"
)

// Mode is how the fake answers one kind of call.
type Mode int

// The modes.
const (
	Normal  Mode = iota
	Fail         // 500
	Garbage      // 200 with a body that is not JSON
	Empty        // 200 with []
	Hang         // no answer until the client gives up (or the server closes)
	Shape        // 200 with JSON of an unexpected shape ({})
)

// City is a location the fake's city search knows.
type City struct {
	Country, Admin, Name string
	Key, LocalizedName   string
	AdminID, CountryName string
}

// SanFrancisco is the city of merino-py's fixtures (location key 39376).
var SanFrancisco = City{Country: "US", Admin: "CA", Name: "San Francisco", Key: "39376",
	LocalizedName: "San Francisco", AdminID: "CA", CountryName: "United States"}

// Fake is a fake AccuWeather.
type Fake struct {
	URL string

	mu      sync.Mutex
	cities  map[string]City // "country/admin/name"; admin "" for the country-wide search
	modes   map[string]Mode
	expires time.Time
	gate    chan struct{}
	calls   map[string]*atomic.Int64
	paths   []string
	srv     *http.Server
	ln      net.Listener
	hangs   chan struct{}
	close   sync.Once

	anyCity     bool
	recordPaths bool
}

// An Option configures a fake started with Start.
type Option func(*Fake)

// AnyCity makes the city search find every city: one the fake does not know is answered
// with a synthetic location whose key is derived from the country, admin code and name
// (see SyntheticKey), so that a realistic spread of cities gives a realistic spread of
// location keys, and so of cache keys. Current conditions and forecasts answer every key.
func AnyCity() Option { return func(f *Fake) { f.anyCity = true } }

// NoPaths makes the fake keep no record of request URIs (Paths returns nil): a long load
// test would otherwise grow the record without bound.
func NoPaths() Option { return func(f *Fake) { f.recordPaths = false } }

// Start starts a fake on a loopback port; Close stops it. It knows San Francisco under
// US/CA.
func Start(opts ...Option) (*Fake, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("cannot listen: %w", err)
	}
	f := &Fake{
		URL:         "http://" + ln.Addr().String(),
		cities:      map[string]City{},
		modes:       map[string]Mode{},
		calls:       map[string]*atomic.Int64{},
		ln:          ln,
		hangs:       make(chan struct{}),
		recordPaths: true,
	}
	for _, o := range opts {
		o(f)
	}
	for _, k := range []string{Locations, CurrentConditions, Forecasts, HourlyForecasts, Autocomplete} {
		f.calls[k] = new(atomic.Int64)
	}
	f.AddCity(SanFrancisco)
	f.srv = &http.Server{Handler: http.HandlerFunc(f.serve), ReadHeaderTimeout: 5 * time.Second}
	go f.srv.Serve(ln)
	return f, nil
}

// NewFake starts a fake on a loopback port, stopped when the test ends. It knows San
// Francisco under US/CA.
func NewFake(t testing.TB, opts ...Option) *Fake {
	t.Helper()
	f, err := Start(opts...)
	if err != nil {
		t.Fatalf("cannot start the fake AccuWeather: %v", err)
	}
	t.Cleanup(f.Close)
	return f
}

// Close stops the fake: calls left hanging return, open connections are closed. Calling
// it again does nothing.
func (f *Fake) Close() {
	f.close.Do(func() {
		close(f.hangs)
		f.srv.Close()
	})
}

// AddCity makes the city search find c (under its admin code, and country-wide).
func (f *Fake) AddCity(c City) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.cities[c.Country+"/"+c.Admin+"/"+c.Name] = c
	f.cities[c.Country+"//"+c.Name] = c
}

// SetMode sets how calls of one kind are answered.
func (f *Fake) SetMode(kind string, m Mode) {
	f.mu.Lock()
	f.modes[kind] = m
	f.mu.Unlock()
}

// SetExpires makes every answer carry this Expires header (zero: none).
func (f *Fake) SetExpires(t time.Time) {
	f.mu.Lock()
	f.expires = t
	f.mu.Unlock()
}

// Hold makes every call wait until the returned release function is called.
func (f *Fake) Hold() (release func()) {
	gate := make(chan struct{})
	f.mu.Lock()
	f.gate = gate
	f.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			f.mu.Lock()
			f.gate = nil
			f.mu.Unlock()
			close(gate)
		})
	}
}

// Calls returns how many calls of a kind the fake received.
func (f *Fake) Calls(kind string) int64 { return f.calls[kind].Load() }

// TotalCalls returns how many calls the fake received.
func (f *Fake) TotalCalls() int64 {
	var n int64
	for _, c := range f.calls {
		n += c.Load()
	}
	return n
}

// CallCounts returns how many calls of each kind the fake received.
func (f *Fake) CallCounts() map[string]int64 {
	out := make(map[string]int64, len(f.calls))
	for k, c := range f.calls {
		out[k] = c.Load()
	}
	return out
}

// Paths returns the request URIs received, in order (without the API key).
func (f *Fake) Paths() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.paths...)
}

func (f *Fake) serve(w http.ResponseWriter, r *http.Request) {
	path := r.URL.EscapedPath()
	kind, body := f.route(path, r)
	if kind == "" {
		http.NotFound(w, r)
		return
	}
	f.calls[kind].Add(1)
	q := r.URL.Query()
	key := q.Get("apikey")
	q.Del("apikey")
	f.mu.Lock()
	if f.recordPaths {
		f.paths = append(f.paths, path+"?"+q.Encode())
	}
	mode, gate, expires := f.modes[kind], f.gate, f.expires
	f.mu.Unlock()
	if gate != nil {
		select {
		case <-gate:
		case <-r.Context().Done():
			return
		}
	}
	if key != APIKey {
		http.Error(w, `{"Code":"Unauthorized"}`, http.StatusUnauthorized)
		return
	}
	switch mode {
	case Fail:
		http.Error(w, `{"Code":"ServiceError"}`, http.StatusInternalServerError)
		return
	case Garbage:
		body = []byte("<html>not json")
	case Empty:
		body = []byte("[]")
	case Shape:
		body = []byte("{}")
	case Hang:
		select {
		case <-r.Context().Done():
		case <-f.hangs:
		}
		return
	}
	w.Header().Set("Content-Type", "application/json")
	if !expires.IsZero() {
		w.Header().Set("Expires", expires.UTC().Format(http.TimeFormat))
	}
	w.Write(body)
}

// route maps a path to its kind and normal body.
func (f *Fake) route(path string, r *http.Request) (string, []byte) {
	parts := strings.Split(strings.Trim(path, "/"), "/")
	switch {
	case len(parts) == 3 && parts[0] == "currentconditions":
		return CurrentConditions, withKey(Fixture("currentconditions_39376.json"), strings.TrimSuffix(parts[2], ".json"))
	case len(parts) == 5 && parts[0] == "forecasts" && parts[2] == "daily":
		return Forecasts, withKey(Fixture("forecast_39376_celsius.json"), strings.TrimSuffix(parts[4], ".json"))
	case len(parts) == 5 && parts[0] == "forecasts" && parts[2] == "hourly":
		return HourlyForecasts, withKey(Fixture("hourly_39376.json"), strings.TrimSuffix(parts[4], ".json"))
	case len(parts) >= 4 && parts[0] == "locations" && parts[len(parts)-1] == "autocomplete.json":
		return Autocomplete, Fixture("autocomplete_new.json")
	case (len(parts) == 5 || len(parts) == 6) && parts[0] == "locations" && parts[len(parts)-1] == "search.json":
		country, admin := parts[3], ""
		if len(parts) == 6 {
			admin = parts[4]
		}
		name := r.URL.Query().Get("q")
		f.mu.Lock()
		c, ok := f.cities[country+"/"+admin+"/"+name]
		f.mu.Unlock()
		if !ok && f.anyCity && name != "" {
			c, ok = syntheticCity(country, admin, name), true
		}
		if !ok {
			return Locations, []byte("[]")
		}
		return Locations, cityBody(c)
	}
	return "", nil
}

// SyntheticKey is the location key of a city the fake does not know, in AnyCity mode: a
// decimal number, as AccuWeather's keys are, from a hash of "country/admin/name" (admin ""
// for the country-wide search). Equal triples give equal keys.
func SyntheticKey(country, admin, name string) string {
	h := fnv.New64a()
	h.Write([]byte(country + "/" + admin + "/" + name))
	// Ten digits from 1000000000: never the fixture's 39376, nor a short real key.
	return strconv.FormatUint(1_000_000_000+h.Sum64()%9_000_000_000, 10)
}

// countryNames are the names the synthetic locations carry for the countries of the
// bench's client addresses; other countries carry their code.
var countryNames = map[string]string{"US": "United States", "CA": "Canada"}

// syntheticCity is the location AnyCity mode answers for a city the fake does not know.
func syntheticCity(country, admin, name string) City {
	c := City{Country: country, Admin: admin, Name: name, Key: SyntheticKey(country, admin, name),
		LocalizedName: name, AdminID: admin, CountryName: countryNames[country]}
	if c.AdminID == "" {
		c.AdminID = country
	}
	if c.CountryName == "" {
		c.CountryName = country
	}
	return c
}

// withKey rewrites the fixture's location key (39376) in its links to key.
func withKey(body []byte, key string) []byte {
	return bytes.ReplaceAll(body, []byte("/39376?"), []byte("/"+key+"?"))
}

// cityBody is merino-py's city search fixture with c's values.
func cityBody(c City) []byte {
	var list []map[string]any
	if err := json.Unmarshal(Fixture("locations_san_francisco.json"), &list); err != nil {
		panic(fmt.Sprintf("BUG: fixture: %v", err))
	}
	first := list[0]
	first["Key"] = c.Key
	first["LocalizedName"] = c.LocalizedName
	first["EnglishName"] = c.LocalizedName
	first["AdministrativeArea"].(map[string]any)["ID"] = c.AdminID
	first["Country"].(map[string]any)["LocalizedName"] = c.CountryName
	first["Country"].(map[string]any)["ID"] = c.Country
	b, _ := json.Marshal(list)
	return b
}
