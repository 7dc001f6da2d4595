// Package geonamestest is a fake GeoNames download server for tests: it serves
// /export/dump/<CC>.zip and /export/dump/alternatenames/<CC>.zip, each a zip holding
// <CC>.txt, built from rows a test gives, as download.geonames.org lays them out
// (https://download.geonames.org/export/dump/readme.txt). Rows can come from the shared
// cities1000 dump (Cities), with alternate names derived from it (SyntheticAlternates).
package geonamestest

import (
	"archive/zip"
	"bufio"
	"bytes"
	"compress/flate"
	"compress/gzip"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"unicode"
)

// Server is the fake. Its methods are safe for concurrent use.
type Server struct {
	*httptest.Server
	mu       sync.Mutex
	files    map[string][]byte
	fail     map[string]int
	requests []string
}

// New starts a fake that stops when the test ends.
func New(t testing.TB) *Server {
	s := &Server{files: map[string][]byte{}, fail: map[string]int{}}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.requests = append(s.requests, r.URL.Path)
		b, ok := s.files[r.URL.Path]
		code := s.fail[r.URL.Path]
		s.mu.Unlock()
		switch {
		case code != 0:
			http.Error(w, http.StatusText(code), code)
		case !ok:
			http.NotFound(w, r)
		default:
			w.Header().Set("Content-Type", "application/zip")
			w.Header().Set("Content-Length", strconv.Itoa(len(b)))
			_, _ = w.Write(b)
		}
	}))
	t.Cleanup(s.Close)
	return s
}

// GeonamesURLFormat and AlternatesURLFormat are the job's URL formats pointed at the fake.
func (s *Server) GeonamesURLFormat() string { return s.URL + "/export/dump/{country}.zip" }

// AlternatesURLFormat is the alternates zip's URL format.
func (s *Server) AlternatesURLFormat() string {
	return s.URL + "/export/dump/alternatenames/{country}.zip"
}

// SetGeonames serves rows of the geoname table as <CC>.zip.
func (s *Server) SetGeonames(cc string, rows [][]string) {
	s.SetFile("/export/dump/"+cc+".zip", Zip(cc+".txt", rows))
}

// SetAlternates serves rows of the alternate names table as alternatenames/<CC>.zip.
func (s *Server) SetAlternates(cc string, rows [][]string) {
	s.SetFile("/export/dump/alternatenames/"+cc+".zip", Zip(cc+".txt", rows))
}

// SetFile serves data at path.
func (s *Server) SetFile(path string, data []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.files[path] = data
}

// Fail makes path answer status (0 restores it).
func (s *Server) Fail(path string, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fail[path] = status
}

// Requests returns the paths requested so far, and forgets them.
func (s *Server) Requests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.requests
	s.requests = nil
	return r
}

// Zip returns a zip file holding member, the rows tab-separated, one a line.
func Zip(member string, rows [][]string) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	// Deflated as GeoNames' are, at the fastest level: tests build large ones.
	zw.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) { return flate.NewWriter(w, flate.BestSpeed) })
	w, err := zw.Create(member)
	if err != nil {
		panic(err)
	}
	bw := bufio.NewWriter(w)
	for _, r := range rows {
		bw.WriteString(strings.Join(r, "\t"))
		bw.WriteByte('\n')
	}
	if err := bw.Flush(); err != nil {
		panic(err)
	}
	if err := zw.Close(); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

// Place is a row of the geoname table.
type Place struct {
	ID                     int64
	Name, ASCIIName        string
	Latitude, Longitude    string
	Class, Code, Country   string
	Admin1, Admin2, Admin3 string
	Admin4                 string
	Population             int64
}

// Row returns the place's 19 columns.
func (p Place) Row() []string {
	r := make([]string, 19)
	r[0], r[1], r[2], r[4], r[5] = strconv.FormatInt(p.ID, 10), p.Name, p.ASCIIName, p.Latitude, p.Longitude
	r[6], r[7], r[8] = p.Class, p.Code, p.Country
	r[10], r[11], r[12], r[13] = p.Admin1, p.Admin2, p.Admin3, p.Admin4
	r[14] = strconv.FormatInt(p.Population, 10)
	return r
}

// Alt is a row of the alternate names table.
type Alt struct {
	GeonameID        int64
	Language, Name   string
	Preferred, Short bool
}

// Row returns the alternate name's 10 columns (its own id made from the row's position).
func (a Alt) Row(n int) []string {
	flag := func(b bool) string {
		if b {
			return "1"
		}
		return ""
	}
	return []string{strconv.Itoa(n + 1), strconv.FormatInt(a.GeonameID, 10), a.Language, a.Name, flag(a.Preferred), flag(a.Short), "", "", "", ""}
}

// AltRows returns the rows of alts.
func AltRows(alts []Alt) [][]string {
	rows := make([][]string, len(alts))
	for i, a := range alts {
		rows[i] = a.Row(i)
	}
	return rows
}

// Cities reads a cities1000.txt.gz dump (../shared/data/geonames-cities) into its rows, by
// country code (column 8).
func Cities(path string) (map[string][][]string, int, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, 0, err
	}
	out := map[string][][]string{}
	sc := bufio.NewScanner(zr)
	sc.Buffer(nil, 1<<20)
	n := 0
	for sc.Scan() {
		r := strings.Split(sc.Text(), "\t")
		if len(r) != 19 {
			return nil, 0, fmt.Errorf("%s: a row of %d columns", path, len(r))
		}
		out[r[8]] = append(out[r[8]], r)
		n++
	}
	return out, n, sc.Err()
}

// SyntheticAlternates derives alternate-name rows from the alternatenames column (3) of
// geoname rows, which lists names without languages. The languages are made up, by a fixed
// rule, so that the tables have the size and variety of GeoNames' own: a name of ASCII
// letters is "en", a Latin name with accents "de", "fr", "it" or "pl" (by position), an
// upper-case name of two to four letters is also an "abbr"; names in other scripts get no
// language. The first name of a place is preferred; names of four characters or fewer are
// short.
func SyntheticAlternates(rows [][]string) [][]string {
	var out [][]string
	latin := []string{"de", "fr", "it", "pl"}
	for _, r := range rows {
		id, _ := strconv.ParseInt(r[0], 10, 64)
		if r[3] == "" {
			continue
		}
		for k, name := range strings.Split(r[3], ",") {
			lang := ""
			switch {
			case isASCII(name):
				lang = "en"
			case isLatin(name):
				lang = latin[(int(id)+k)%len(latin)]
			}
			a := Alt{GeonameID: id, Language: lang, Name: name, Preferred: k == 0, Short: len([]rune(name)) <= 4}
			out = append(out, a.Row(len(out)))
			if n := len(name); n >= 2 && n <= 4 && strings.ToUpper(name) == name && isASCII(name) {
				out = append(out, Alt{GeonameID: id, Language: "abbr", Name: name}.Row(len(out)))
			}
		}
	}
	return out
}

func isASCII(s string) bool {
	for _, r := range s {
		if r >= 0x80 {
			return false
		}
	}
	return true
}

func isLatin(s string) bool {
	for _, r := range s {
		if r >= 0x80 && (r > 0x24f || !unicode.IsLetter(r)) {
			return false
		}
	}
	return true
}
