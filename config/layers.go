package config

import (
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/mozilla-services/merino-go/configs"
)

// tree is a merged configuration: TOML tables as maps, with the origin of every leaf so that
// errors and `merino check-config` can say where a value came from.
type tree struct {
	root   map[string]any
	origin map[string]string // dotted key path -> "configs/default.toml", "MERINO_X", ...
	// fromEnv marks leaves set by environment variables: an unknown key there is a warning, not
	// an error, because operators carry merino-py variables (es_url, ...) merino-go has no use for.
	fromEnv map[string]bool
	// providerOrder is the order in which [providers.<id>] tables first appear across the
	// layers; /api/v1/providers lists providers in config order, as merino-py does.
	providerOrder []string
}

func newTree() *tree {
	return &tree{root: map[string]any{}, origin: map[string]string{}, fromEnv: map[string]bool{}}
}

// Environ is the environment a configuration is loaded from: a function so that tests do not
// have to mutate the process environment.
type Environ func() []string

// layers reads the embedded defaults, the environment's file, the operator's file and the
// environment variables, later layers winning key by key.
func layers(env Environ) (*tree, string, error) {
	vars := map[string]string{}
	uvicornTrust, hasUvicornTrust := "", false
	for _, kv := range env() {
		k, v, ok := strings.Cut(kv, "=")
		if ok && strings.HasPrefix(k, "MERINO_") {
			vars[k] = v
		}
		if ok && k == forwardedAllowIPs {
			uvicornTrust, hasUvicornTrust = v, true
		}
	}
	envName := vars["MERINO_ENV"]
	if envName == "" {
		envName = "development"
	}
	switch envName {
	case "development", "testing", "stage", "production":
	default:
		return nil, "", fmt.Errorf("MERINO_ENV: unknown environment %q (want development, testing, stage or production)", envName)
	}

	t := newTree()
	for _, name := range []string{"default.toml", envName + ".toml"} {
		data, err := configs.FS.ReadFile(name)
		if err != nil {
			return nil, "", fmt.Errorf("BUG: embedded configs/%s is missing: %w", name, err)
		}
		if err := t.mergeTOML(string(data), "configs/"+name); err != nil {
			return nil, "", err
		}
	}
	if path := vars["MERINO_CONFIG_FILE"]; path != "" {
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, "", fmt.Errorf("MERINO_CONFIG_FILE: cannot read %q: %w", path, err)
		}
		if err := t.mergeTOML(string(data), path); err != nil {
			return nil, "", err
		}
	}

	if _, set := vars["MERINO_LOCATION__FORWARDED_ALLOW_IPS"]; hasUvicornTrust && !set {
		t.setUvicornTrust(uvicornTrust)
	}

	names := make([]string, 0, len(vars))
	for k := range vars {
		if k != "MERINO_ENV" && k != "MERINO_CONFIG_FILE" {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	for _, name := range names {
		if err := t.setEnv(name, vars[name]); err != nil {
			return nil, "", err
		}
	}
	return t, envName, nil
}

// forwardedAllowIPs is uvicorn's own variable, which merino-py's deployments set: merino-go
// honours it unless MERINO_LOCATION__FORWARDED_ALLOW_IPS is set.
const forwardedAllowIPs = "FORWARDED_ALLOW_IPS"

// setUvicornTrust sets location.forwarded_allow_ips from FORWARDED_ALLOW_IPS: uvicorn's
// comma-separated list ("*" trusts every peer); empty entries, which match nothing in
// uvicorn, are dropped.
func (t *tree) setUvicornTrust(value string) {
	entries := []any{}
	for e := range strings.SplitSeq(value, ",") {
		if e = strings.TrimSpace(e); e != "" {
			entries = append(entries, e)
		}
	}
	loc, ok := t.root["location"].(map[string]any)
	if !ok {
		loc = map[string]any{}
		t.root["location"] = loc
	}
	loc["forwarded_allow_ips"] = entries
	t.origin["location.forwarded_allow_ips"] = forwardedAllowIPs
	t.fromEnv["location.forwarded_allow_ips"] = true
}

// mergeTOML deep-merges one TOML document into the tree.
func (t *tree) mergeTOML(doc, origin string) error {
	var m map[string]any
	md, err := toml.Decode(doc, &m)
	if err != nil {
		return fmt.Errorf("%s: cannot parse TOML: %s", origin, oneLine(err.Error()))
	}
	for _, key := range md.Keys() {
		if len(key) == 2 && key[0] == "providers" {
			t.noteProvider(key[1])
		}
	}
	t.merge(t.root, normalize(m).(map[string]any), "", origin, false)
	return nil
}

// normalize makes every list a []any: TOML arrays of tables ([[x]]) decode as
// []map[string]any, inline ones as []any of maps, and the tree treats both alike.
func normalize(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = normalize(e)
		}
		return x
	case []map[string]any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = normalize(e)
		}
		return out
	case []any:
		for i, e := range x {
			x[i] = normalize(e)
		}
		return x
	}
	return v
}

// isTableList reports whether v is a non-empty list of tables (an array of tables, such as a
// multiplexer's providers): its items are walked like tables, key by key.
func isTableList(v any) ([]any, bool) {
	list, ok := v.([]any)
	if !ok || len(list) == 0 {
		return nil, false
	}
	for _, e := range list {
		if _, ok := e.(map[string]any); !ok {
			return nil, false
		}
	}
	return list, true
}

// note records the origin of a value set at path, and of every leaf inside it when it is a
// list of tables.
func (t *tree) note(path string, v any, origin string, env bool) {
	t.origin[path] = origin
	t.fromEnv[path] = env
	if list, ok := isTableList(v); ok {
		for i, e := range list {
			t.noteTable(join(path, strconv.Itoa(i)), e.(map[string]any), origin, env)
		}
	}
}

func (t *tree) noteTable(prefix string, m map[string]any, origin string, env bool) {
	for k, v := range m {
		if sub, ok := v.(map[string]any); ok {
			t.noteTable(join(prefix, k), sub, origin, env)
			continue
		}
		t.note(join(prefix, k), v, origin, env)
	}
}

func (t *tree) noteProvider(id string) {
	for _, p := range t.providerOrder {
		if p == id {
			return
		}
	}
	t.providerOrder = append(t.providerOrder, id)
}

func (t *tree) merge(dst, src map[string]any, prefix, origin string, env bool) {
	for k, v := range src {
		path := join(prefix, k)
		if sub, ok := v.(map[string]any); ok {
			d, ok := dst[k].(map[string]any)
			if !ok {
				d = map[string]any{}
				dst[k] = d
			}
			t.merge(d, sub, path, origin, env)
			continue
		}
		// Values, lists included, replace what an earlier layer set.
		dst[k] = v
		t.note(path, v, origin, env)
	}
}

// setEnv applies one MERINO_A__B__C variable. Its value is read as a TOML value when it parses as
// one (0.2, 5, true, ["US","DE"], "quoted"), else taken verbatim as a string; an empty value sets
// the empty string. This is Dynaconf's behaviour, which merino-py's operators rely on.
func (t *tree) setEnv(name, raw string) error {
	parts := strings.Split(strings.ToLower(strings.TrimPrefix(name, "MERINO_")), "__")
	for _, p := range parts {
		if p == "" {
			return fmt.Errorf("%s: malformed variable name (empty key between \"__\")", name)
		}
	}
	value := normalize(parseEnvValue(raw))
	node := t.root
	for i := 0; i < len(parts)-1; i++ {
		p := parts[i]
		next, ok := node[p]
		if !ok {
			m := map[string]any{}
			node[p] = m
			node = m
			if i == 1 && parts[0] == "providers" {
				t.noteProvider(p)
			}
			continue
		}
		if list, isList := isTableList(next); isList {
			// An item of a list of tables: MERINO_PROVIDERS__M__PROVIDERS__1__MAX_TIME_MS.
			j, err := strconv.Atoi(parts[i+1])
			if err != nil || j < 0 || j >= len(list) || i+2 >= len(parts) {
				return fmt.Errorf("%s: %s is a list of %d tables: name an item 0..%d, then its key", name, strings.Join(parts[:i+1], "."), len(list), len(list)-1)
			}
			node = list[j].(map[string]any)
			i++
			continue
		}
		m, ok := next.(map[string]any)
		if !ok {
			return fmt.Errorf("%s: %s is a value, not a table", name, strings.Join(parts[:i+1], "."))
		}
		node = m
	}
	last := parts[len(parts)-1]
	if _, isTable := node[last].(map[string]any); isTable {
		if _, ok := value.(map[string]any); !ok {
			return fmt.Errorf("%s: %s is a table; set its keys instead", name, strings.Join(parts, "."))
		}
	}
	path := strings.Join(parts, ".")
	if sub, ok := value.(map[string]any); ok {
		if len(parts) == 2 && parts[0] == "providers" {
			t.noteProvider(parts[1])
		}
		d, ok := node[last].(map[string]any)
		if !ok {
			d = map[string]any{}
			node[last] = d
		}
		t.merge(d, sub, path, name, true)
		return nil
	}
	node[last] = value
	t.note(path, value, name, true)
	return nil
}

func parseEnvValue(raw string) any {
	if raw == "" {
		return ""
	}
	var m map[string]any
	if _, err := toml.Decode("v = "+raw, &m); err != nil {
		return raw
	}
	switch v := m["v"].(type) {
	case time.Time:
		// A value that happens to look like a TOML date stays the string the operator wrote.
		return raw
	default:
		return v
	}
}

func join(prefix, k string) string {
	if prefix == "" {
		return k
	}
	return prefix + "." + k
}

func oneLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return s
}
