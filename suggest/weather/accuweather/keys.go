package accuweather

import (
	"encoding/hex"
	"sort"

	"golang.org/x/crypto/blake2s"
)

// KeyPrefix starts every cache key: merino-py's class name and cache version.
const KeyPrefix = "AccuweatherBackend:v8:"

// keyer builds merino-py's cache keys: KeyPrefix + the URL path, then, when the request
// has parameters besides the API key, ":" + the BLAKE2s-256 hex digest of the other
// parameters, sorted by name, each fed as name+value.
type keyer struct{ apiKeyParam string }

func (k keyer) key(path string, params []Param) string {
	min := 0
	for _, p := range params {
		if p.Key == k.apiKeyParam && p.Value != "" {
			min = 1
			break
		}
	}
	if len(params) <= min {
		return KeyPrefix + path
	}
	sorted := make([]Param, len(params))
	copy(sorted, params)
	sort.Slice(sorted, func(i, j int) bool {
		if sorted[i].Key != sorted[j].Key {
			return sorted[i].Key < sorted[j].Key
		}
		return sorted[i].Value < sorted[j].Value
	})
	h, _ := blake2s.New256(nil) // cannot fail without a key
	for _, p := range sorted {
		if p.Key == k.apiKeyParam {
			continue
		}
		h.Write([]byte(p.Key))
		h.Write([]byte(p.Value))
	}
	var sum [blake2s.Size]byte
	return KeyPrefix + path + ":" + hex.EncodeToString(h.Sum(sum[:0]))
}
