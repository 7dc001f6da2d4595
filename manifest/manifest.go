// Package manifest is the favicon manifest served by /api/v1/manifest: merino-py's
// ManifestData document (reference/merino-py.md §2.4), validated as its pydantic models
// validate it and rendered once, at load time, into the exact bytes merino-py answers with.
//
// A Snapshot is immutable: its body and ETag are shared by every request that loaded it. A
// Holder keeps the current snapshot behind an atomic pointer; its Apply method is the apply
// function of the manifest's loaders.Syncer.
package manifest

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"sync/atomic"
	"unicode/utf8"

	"github.com/mozilla-services/merino-go/httpurl"
	"github.com/mozilla-services/merino-go/jsonw"
	"github.com/mozilla-services/merino-go/loaders"
	"github.com/mozilla-services/merino-go/pydantic"
	"github.com/mozilla-services/merino-go/pyjson"
)

// Snapshot is one loaded manifest.
type Snapshot struct {
	// Body is the response body: merino-py's json.dumps of the model dump, compact, UTF-8,
	// keys in model order (rank, domain, categories, serp_categories, url, title, icon), URLs
	// in pydantic HttpUrl form, extra keys dropped. Read-only.
	Body []byte
	// ETag is the quoted strong entity tag of Body (a hash of its bytes), sent as is and
	// compared byte for byte with If-None-Match. Read-only.
	ETag []byte
	// Domains and Partners count the entries of each list.
	Domains, Partners int

	// icons maps the full domain (FullDomain) of each entry's url to its icon; a later entry
	// wins, as in merino-py's lookup table.
	icons map[string]icon
}

// Parse validates a manifest document as merino-py's ManifestData.model_validate does on
// orjson's output, and renders the snapshot. Any invalid field fails the whole document, as it
// fails merino-py's fetch. A document whose "domains" list is empty parses; Holder.Apply is
// what refuses it.
func Parse(data []byte) (*Snapshot, error) {
	if !utf8.Valid(data) {
		return nil, errors.New("not a manifest: the document is not valid UTF-8")
	}
	// orjson rejects a lone surrogate escape; encoding/json would turn it into U+FFFD.
	if err := checkSurrogates(data); err != nil {
		return nil, fmt.Errorf("not a manifest: %w", err)
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil {
		return nil, fmt.Errorf("not a manifest: %w", err)
	}
	if top == nil {
		// `null`: Unmarshal leaves the map nil; pydantic wants a dict.
		return nil, errors.New("not a manifest: the document is not a JSON object")
	}
	rawDomains, ok := top["domains"]
	if !ok {
		return nil, errors.New(`not a manifest: "domains" is missing`)
	}
	rawPartners, ok := top["partners"]
	if !ok {
		return nil, errors.New(`not a manifest: "partners" is missing`)
	}
	var domains []json.RawMessage
	if !isArray(rawDomains) || json.Unmarshal(rawDomains, &domains) != nil {
		return nil, errors.New(`not a manifest: "domains" is not a list`)
	}
	if !isArray(rawPartners) {
		return nil, errors.New(`not a manifest: "partners" is not a list`)
	}

	b := make([]byte, 0, len(data))
	b = append(b, `{"domains":[`...)
	for i, raw := range domains {
		if i > 0 {
			b = append(b, ',')
		}
		var err error
		if b, err = appendDomain(b, raw); err != nil {
			return nil, fmt.Errorf("domains[%d]: %w", i, err)
		}
	}
	b = append(b, `],"partners":`...)
	b, partners, err := appendPartners(b, rawPartners)
	if err != nil {
		return nil, err
	}
	b = append(b, '}')

	sum := sha256.Sum256(b)
	etag := make([]byte, 0, 34)
	etag = append(etag, '"')
	etag = hex.AppendEncode(etag, sum[:16])
	etag = append(etag, '"')
	return &Snapshot{Body: b, ETag: etag, Domains: len(domains), Partners: partners, icons: iconTable(b)}, nil
}

// appendDomain validates one Domain and appends it in model field order.
func appendDomain(b []byte, raw json.RawMessage) ([]byte, error) {
	var d map[string]json.RawMessage
	if !isObject(raw) || json.Unmarshal(raw, &d) != nil {
		return b, errors.New("not an object")
	}
	field := func(name string) (json.RawMessage, error) {
		v, ok := d[name]
		if !ok {
			return nil, fmt.Errorf("%q is missing", name)
		}
		return v, nil
	}

	rawRank, err := field("rank")
	if err != nil {
		return b, err
	}
	rank, err := laxInt(rawRank)
	if err != nil {
		return b, fmt.Errorf(`"rank": %w`, err)
	}
	b = append(b, `{"rank":`...)
	b = append(b, rank...)

	domain, err := strField(field, "domain")
	if err != nil {
		return b, err
	}
	b = append(b, `,"domain":`...)
	b = jsonw.AppendString(b, domain)

	rawCats, err := field("categories")
	if err != nil {
		return b, err
	}
	var cats []json.RawMessage
	if !isArray(rawCats) || json.Unmarshal(rawCats, &cats) != nil {
		return b, errors.New(`"categories" is not a list`)
	}
	b = append(b, `,"categories":[`...)
	for i, c := range cats {
		s, ok := str(c)
		if !ok {
			return b, fmt.Errorf(`"categories"[%d] is not a string`, i)
		}
		if i > 0 {
			b = append(b, ',')
		}
		b = jsonw.AppendString(b, s)
	}
	b = append(b, ']')

	rawSerp, err := field("serp_categories")
	if err != nil {
		return b, err
	}
	var serp []json.RawMessage
	if !isArray(rawSerp) || json.Unmarshal(rawSerp, &serp) != nil {
		return b, errors.New(`"serp_categories" is not a list`)
	}
	b = append(b, `,"serp_categories":[`...)
	for i, c := range serp {
		n, err := laxInt(c)
		if err != nil {
			return b, fmt.Errorf(`"serp_categories"[%d]: %w`, i, err)
		}
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, n...)
	}
	b = append(b, ']')

	rawURL, err := strField(field, "url")
	if err != nil {
		return b, err
	}
	u, err := httpurl.Normalize(rawURL)
	if err != nil {
		return b, fmt.Errorf(`"url": %w`, err)
	}
	b = append(b, `,"url":`...)
	b = jsonw.AppendString(b, u)

	for _, f := range [...]struct{ name, key string }{{"title", `,"title":`}, {"icon", `,"icon":`}} {
		s, err := strField(field, f.name)
		if err != nil {
			return b, err
		}
		b = append(b, f.key...)
		b = jsonw.AppendString(b, s)
	}
	return append(b, '}'), nil
}

// appendPartners validates partners, a list[dict[str, str]], and appends it with each dict's
// keys in first-occurrence order and the last value of a repeated key, as a Python dict built
// by orjson keeps them.
func appendPartners(b []byte, raw json.RawMessage) ([]byte, int, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	if _, err := dec.Token(); err != nil { // '['
		return b, 0, fmt.Errorf(`"partners": %w`, err)
	}
	b = append(b, '[')
	n := 0
	for dec.More() {
		var obj json.RawMessage
		if err := dec.Decode(&obj); err != nil {
			return b, 0, fmt.Errorf(`"partners"[%d]: %w`, n, err)
		}
		keys, values, err := orderedStrings(obj)
		if err != nil {
			return b, 0, fmt.Errorf(`"partners"[%d]: %w`, n, err)
		}
		if n > 0 {
			b = append(b, ',')
		}
		b = append(b, '{')
		for i := range keys {
			if i > 0 {
				b = append(b, ',')
			}
			b = jsonw.AppendKey(b, keys[i])
			b = jsonw.AppendString(b, values[i])
		}
		b = append(b, '}')
		n++
	}
	return append(b, ']'), n, nil
}

// orderedStrings reads an object whose values must all be strings, keeping key order.
func orderedStrings(obj json.RawMessage) (keys, values []string, err error) {
	if !isObject(obj) {
		return nil, nil, errors.New("not an object")
	}
	dec := json.NewDecoder(bytes.NewReader(obj))
	if _, err := dec.Token(); err != nil { // '{'
		return nil, nil, err
	}
	index := map[string]int{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, nil, err
		}
		key, _ := tok.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, nil, err
		}
		s, ok := str(v)
		if !ok {
			return nil, nil, fmt.Errorf("the value of %q is not a string", key)
		}
		if i, seen := index[key]; seen {
			values[i] = s
			continue
		}
		index[key] = len(keys)
		keys = append(keys, key)
		values = append(values, s)
	}
	return keys, values, nil
}

// strField reads a required str field: pydantic's lax mode still accepts only strings there.
func strField(field func(string) (json.RawMessage, error), name string) (string, error) {
	raw, err := field(name)
	if err != nil {
		return "", err
	}
	s, ok := str(raw)
	if !ok {
		return "", fmt.Errorf("%q is not a string", name)
	}
	return s, nil
}

func str(raw json.RawMessage) (string, bool) {
	if len(raw) == 0 || raw[0] != '"' {
		return "", false
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return "", false
	}
	return s, true
}

func isArray(raw json.RawMessage) bool  { return len(raw) > 0 && raw[0] == '[' }
func isObject(raw json.RawMessage) bool { return len(raw) > 0 && raw[0] == '{' }

// laxInt validates an int field as pydantic's lax (Python) mode does on orjson's values, and
// returns its decimal form as Python writes it:
//   - true and false are 1 and 0;
//   - an integer literal within 64 bits is itself (orjson reads a longer one as a float);
//   - a float is accepted when it is integral and within the int64 range ("rank": 1.0 → 1);
//   - a string is accepted when it reads as an integer after stripping white space: an
//     optional sign, ASCII digits with single underscores between them, and an optional
//     fraction of zeros (" 3.0 " → 3, "1_000" → 1000; "3.5", "1e3", "3." are not).
func laxInt(raw json.RawMessage) ([]byte, error) {
	if len(raw) == 0 {
		return nil, errors.New("not an integer")
	}
	switch c := raw[0]; {
	case c == 't' && string(raw) == "true":
		return []byte("1"), nil
	case c == 'f' && string(raw) == "false":
		return []byte("0"), nil
	case c == '"':
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return nil, errors.New("not an integer")
		}
		return intFromString(s)
	case c == '-' || ('0' <= c && c <= '9'):
		lit := string(raw)
		if !bytes.ContainsAny(raw, ".eE") {
			if v, err := strconv.ParseInt(lit, 10, 64); err == nil {
				return strconv.AppendInt(nil, v, 10), nil
			}
			if v, err := strconv.ParseUint(lit, 10, 64); err == nil {
				return strconv.AppendUint(nil, v, 10), nil
			}
		}
		f, err := strconv.ParseFloat(lit, 64)
		if err != nil || math.IsInf(f, 0) {
			return nil, fmt.Errorf("%.40s is not a finite number", lit)
		}
		if f != math.Trunc(f) {
			return nil, fmt.Errorf("%.40s has a fractional part", lit)
		}
		if f < -(1<<63) || f >= 1<<63 {
			return nil, fmt.Errorf("%.40s is out of the integer range", lit)
		}
		return strconv.AppendInt(nil, int64(f), 10), nil
	}
	return nil, errors.New("not an integer")
}

// intFromString is pydantic's lax str-to-int.
func intFromString(s string) ([]byte, error) {
	digits, ok := pydantic.IntString(s)
	if !ok {
		return nil, fmt.Errorf("%q is not an integer", truncate(s, 40))
	}
	return []byte(digits), nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// checkSurrogates rejects a \uD800-\uDFFF escape that is not half of a surrogate pair. It
// expects syntactically valid JSON or garbage; either way it only reads. Backslashes occur only
// inside strings in JSON, so no string state is tracked.
func checkSurrogates(data []byte) error {
	for i := 0; i < len(data); i++ {
		if data[i] != '\\' {
			continue
		}
		if i+1 >= len(data) || data[i+1] != 'u' {
			i++ // a two-character escape such as \\ or \"
			continue
		}
		r, ok := pyjson.Hex4(data[i+2:])
		if !ok {
			return nil // malformed: json.Unmarshal reports it
		}
		switch {
		case 0xD800 <= r && r <= 0xDBFF:
			if i+11 < len(data) && data[i+6] == '\\' && data[i+7] == 'u' {
				if lo, ok := pyjson.Hex4(data[i+8:]); ok && 0xDC00 <= lo && lo <= 0xDFFF {
					i += 11
					continue
				}
			}
			return fmt.Errorf(`a lone surrogate escape \u%04x`, r)
		case 0xDC00 <= r && r <= 0xDFFF:
			return fmt.Errorf(`a lone surrogate escape \u%04x`, r)
		}
		i += 5
	}
	return nil
}

// Holder keeps the manifest being served. The zero value holds nothing; it is safe for
// concurrent use, and a nil *Holder holds nothing too.
type Holder struct {
	snap atomic.Pointer[Snapshot]
}

// Load returns the current snapshot, nil when none was loaded. A caller uses the one snapshot
// it loaded for the whole request.
func (h *Holder) Load() *Snapshot {
	if h == nil {
		return nil
	}
	return h.snap.Load()
}

// Current returns the body and ETag of the snapshot being served (ok false when none was
// loaded): what /api/v1/manifest needs (server.Manifest). The bytes are the snapshot's,
// shared and read-only.
func (h *Holder) Current() (body, etag []byte, ok bool) {
	if s := h.Load(); s != nil {
		return s.Body, s.ETag, true
	}
	return nil, nil, false
}

// Store makes s the snapshot every later Load returns.
func (h *Holder) Store(s *Snapshot) { h.snap.Store(s) }

// Apply parses data and swaps the new snapshot in; it is the apply function of the manifest's
// loaders.Syncer and returns the number of domains served. An invalid document, or one with no
// domains, leaves the current snapshot in place. (merino-py stores an empty manifest and then
// answers 404; here the last good manifest keeps serving, as every data set does.)
func (h *Holder) Apply(data []byte) (int, error) {
	s, err := Parse(data)
	if err != nil {
		return 0, err
	}
	if s.Domains == 0 {
		return 0, fmt.Errorf("%w (the manifest has no domains)", loaders.ErrEmpty)
	}
	h.Store(s)
	return s.Domains, nil
}
