package config

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
)

// reader pulls typed values out of a merged tree, remembers which keys it consumed (so that
// the rest can be reported as unknown) and keeps the first error: one bad key stops startup
// with one line that names it.
type reader struct {
	t    *tree
	used map[string]bool
	err  error
}

func (r *reader) fail(path, format string, args ...any) {
	if r.err == nil {
		msg := fmt.Sprintf(format, args...)
		if o := r.t.origin[path]; o != "" {
			msg += " (set in " + o + ")"
		}
		r.err = fmt.Errorf("%s: %s", path, msg)
	}
}

// lookup returns the value at a dotted path and marks it used. A path goes through a list
// of tables by index (providers.m.providers.1.type).
func (r *reader) lookup(path string) (any, bool) {
	node := any(r.t.root)
	for _, p := range strings.Split(path, ".") {
		switch c := node.(type) {
		case map[string]any:
			var ok bool
			if node, ok = c[p]; !ok {
				return nil, false
			}
		case []any:
			i, err := strconv.Atoi(p)
			if err != nil || i < 0 || i >= len(c) {
				return nil, false
			}
			node = c[i]
		default:
			return nil, false
		}
	}
	r.used[path] = true
	return node, true
}

// required values come from configs/default.toml, so a missing one is a bug in the build,
// unless the operator's layer replaced a table with something else.
func (r *reader) get(path string) (any, bool) {
	v, ok := r.lookup(path)
	if !ok {
		r.fail(path, "missing (it has a default in configs/default.toml; was its table replaced?)")
	}
	return v, ok
}

func (r *reader) str(path string) string {
	v, ok := r.get(path)
	if !ok {
		return ""
	}
	return r.asString(path, v)
}

func (r *reader) asString(path string, v any) string {
	s, ok := v.(string)
	if !ok {
		r.fail(path, "must be a string, got %s", describe(v))
	}
	return s
}

func (r *reader) integer(path string, min, max int64) int {
	v, ok := r.get(path)
	if !ok {
		return 0
	}
	return r.asInt(path, v, min, max)
}

func (r *reader) asInt(path string, v any, min, max int64) int {
	n, ok := v.(int64)
	if !ok {
		r.fail(path, "must be an integer, got %s", describe(v))
		return 0
	}
	if n < min || n > max {
		r.fail(path, "must be between %d and %d, got %d", min, max, n)
	}
	return int(n)
}

func (r *reader) float(path string, min, max float64) float64 {
	v, ok := r.get(path)
	if !ok {
		return 0
	}
	return r.asFloat(path, v, min, max)
}

func (r *reader) asFloat(path string, v any, min, max float64) float64 {
	var f float64
	switch n := v.(type) {
	case float64:
		f = n
	case int64:
		f = float64(n)
	default:
		r.fail(path, "must be a number, got %s", describe(v))
		return 0
	}
	if math.IsNaN(f) || f < min || f > max {
		r.fail(path, "must be between %g and %g, got %g", min, max, f)
	}
	return f
}

// seconds reads a duration given in (possibly fractional) seconds, as merino-py's *_sec keys.
func (r *reader) seconds(path string, min, max float64) time.Duration {
	return secondsToDuration(r.float(path, min, max))
}

func secondsToDuration(f float64) time.Duration {
	return time.Duration(f * float64(time.Second))
}

func (r *reader) boolean(path string) bool {
	v, ok := r.get(path)
	if !ok {
		return false
	}
	return r.asBool(path, v)
}

func (r *reader) asBool(path string, v any) bool {
	b, ok := v.(bool)
	if !ok {
		r.fail(path, "must be true or false, got %s", describe(v))
	}
	return b
}

func (r *reader) strList(path string) []string {
	v, ok := r.get(path)
	if !ok {
		return nil
	}
	return r.asStrList(path, v)
}

func (r *reader) asStrList(path string, v any) []string {
	list, ok := v.([]any)
	if !ok {
		// An environment variable holding a bare word (MERINO_X=amo) is a one-element list
		// for the operator, as Dynaconf would not do but everyone expects.
		if s, isStr := v.(string); isStr && r.t.fromEnv[path] {
			if s == "" {
				return []string{}
			}
			return strings.Split(s, ",")
		}
		r.fail(path, "must be a list of strings, got %s", describe(v))
		return nil
	}
	out := make([]string, 0, len(list))
	for i, item := range list {
		s, ok := item.(string)
		if !ok {
			r.fail(path, "item %d must be a string, got %s", i, describe(item))
			return nil
		}
		out = append(out, s)
	}
	return out
}

// skip marks every key below path as used: the table is deliberately not read.
func (r *reader) skip(path string) {
	v, _ := r.lookup(path)
	if m, ok := v.(map[string]any); ok {
		for k := range m {
			r.skip(path + "." + k)
		}
	}
	if list, ok := isTableList(v); ok {
		for i := range list {
			r.skip(path + "." + strconv.Itoa(i))
		}
	}
}

// unknown lists every leaf the reader did not consume: TOML typos are errors, stray
// environment variables are warnings.
func (r *reader) unknown() (errs, warnings []string) {
	var walk func(prefix string, m map[string]any)
	walk = func(prefix string, m map[string]any) {
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			path := join(prefix, k)
			if sub, ok := m[k].(map[string]any); ok {
				walk(path, sub)
				continue
			}
			if list, ok := isTableList(m[k]); ok {
				for i, item := range list {
					walk(join(path, strconv.Itoa(i)), item.(map[string]any))
				}
				continue
			}
			if r.used[path] {
				continue
			}
			msg := fmt.Sprintf("%s: unknown key (set in %s)", path, r.t.origin[path])
			if r.t.fromEnv[path] {
				warnings = append(warnings, msg)
			} else {
				errs = append(errs, msg)
			}
		}
	}
	walk("", r.t.root)
	return errs, warnings
}

func describe(v any) string {
	switch x := v.(type) {
	case string:
		return fmt.Sprintf("the string %q", x)
	case int64:
		return fmt.Sprintf("the integer %d", x)
	case float64:
		return fmt.Sprintf("the number %g", x)
	case bool:
		return fmt.Sprintf("%t", x)
	case []any:
		return "a list"
	case map[string]any:
		return "a table"
	default:
		return fmt.Sprintf("%T", v)
	}
}
