package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
)

// Segments are the MARS country × form factor segments written, ten of them.
var Segments = func() []string {
	var s []string
	for _, c := range []string{"US", "CA", "GB", "DE", "FR"} {
		for _, ff := range []string{"desktop", "phone"} {
			s = append(s, c+"-"+ff)
		}
	}
	return s
}()

// writeMARS writes one MARS body per segment into dir, from the large adm set at ampPath:
// the same suggestions and keywords in every segment (real segments overlap that much, and
// each is indexed on its own anyway), in a segment's own order, with the segment in their
// ids and URLs so that no two bodies are alike.
func writeMARS(ampPath, dir string, seed uint64) (int, error) {
	data, err := os.ReadFile(ampPath)
	if err != nil {
		return 0, fmt.Errorf("cannot read the adm set (make data-amp-large writes it): %w", err)
	}
	var body struct {
		Suggestions []map[string]any `json:"suggestions"`
	}
	if err := json.Unmarshal(data, &body); err != nil {
		return 0, fmt.Errorf("cannot parse %s: %w", ampPath, err)
	}
	if len(body.Suggestions) == 0 {
		return 0, fmt.Errorf("%s holds no suggestion", ampPath)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return 0, err
	}
	for si, seg := range Segments {
		r := rand.New(rand.NewPCG(seed, uint64(si)))
		sugs := make([]map[string]any, len(body.Suggestions))
		for i, j := range r.Perm(len(sugs)) {
			s := map[string]any{}
			for k, v := range body.Suggestions[j] {
				s[k] = v
			}
			s["id"] = (si+1)*1_000_000 + i
			for _, k := range []string{"click_url", "impression_url"} {
				if u, ok := s[k].(string); ok {
					s[k] = u + "&segment=" + seg
				}
			}
			sugs[i] = s
		}
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(map[string]any{"suggestions": sugs}); err != nil {
			return 0, err
		}
		if err := os.WriteFile(filepath.Join(dir, seg+".json"), buf.Bytes(), 0o644); err != nil {
			return 0, err
		}
	}
	return len(Segments), nil
}

var segmentRE = regexp.MustCompile(`^[A-Z]{2}-(desktop|phone)$`)

// ServeMARS serves dir's <country>-<form factor>.json files as MARS does: any path, the
// segment in the country and form_factor parameters, an ETag from the file's time and size
// (If-None-Match answers 304), 404 for an unknown segment. It returns when the listener fails.
func ServeMARS(dir, listen string, log io.Writer) error {
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return err
	}
	fmt.Fprintf(log, "serving the MARS bodies of %s at http://%s/\n", dir, ln.Addr())
	return http.Serve(ln, marsHandler(dir))
}

func marsHandler(dir string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		q := req.URL.Query()
		seg := q.Get("country") + "-" + q.Get("form_factor")
		if !segmentRE.MatchString(seg) {
			http.Error(w, `{"detail":"unknown segment"}`, http.StatusNotFound)
			return
		}
		f, err := os.Open(filepath.Join(dir, seg+".json"))
		if err != nil {
			http.Error(w, `{"detail":"unknown segment"}`, http.StatusNotFound)
			return
		}
		defer f.Close()
		st, err := f.Stat()
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("ETag", fmt.Sprintf(`"%x-%x"`, st.ModTime().UnixNano(), st.Size()))
		w.Header().Set("Content-Type", "application/json")
		http.ServeContent(w, req, "", st.ModTime(), f)
	})
}
