package publisher

import (
	"bytes"
	"encoding/json"
	"reflect"
	"sort"

	"github.com/mozilla-services/merino-go/jsonw"
	"github.com/mozilla-services/merino-go/kinto"
)

// serverFields are the fields Kinto and its plugins manage: they are not part of what a job
// writes.
var serverFields = map[string]bool{"id": true, "last_modified": true, "attachment": true, "schema": true}

// Changed reports whether record differs from the published existing (nil: there is none,
// which is not a change of fields; Upload then sends the record anyway). Every field counts,
// including one the new record no longer has (merino-py compares only the new record's keys,
// so a partition that lost its client countries was not noticed); numbers compare by value.
func Changed(record jsonw.Object, existing kinto.Record) bool {
	if existing == nil {
		return false
	}
	var fresh map[string]any
	dec := json.NewDecoder(bytes.NewReader(jsonw.Compact.Marshal(record)))
	dec.UseNumber()
	if err := dec.Decode(&fresh); err != nil {
		return true
	}
	a, b := userFields(fresh), userFields(existing)
	return !reflect.DeepEqual(normalize(a), normalize(b))
}

func userFields(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		if !serverFields[k] {
			out[k] = v
		}
	}
	return out
}

// normalize turns json.Numbers into float64s, so that 1 and 1.0 compare equal, as in Python.
func normalize(v any) any {
	switch x := v.(type) {
	case json.Number:
		f, err := x.Float64()
		if err != nil {
			return string(x)
		}
		return f
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, item := range x {
			out[k] = normalize(item)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, item := range x {
			out[i] = normalize(item)
		}
		return out
	}
	return v
}

func sortedIDs(m map[string]kinto.Record) []string {
	ids := make([]string, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}
