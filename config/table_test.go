package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func env(vars ...string) Environ {
	return func() []string { return vars }
}

func load(t *testing.T, vars ...string) *Config {
	t.Helper()
	c, err := Load(env(vars...))
	if err != nil {
		t.Fatalf("Load(%q): %v", vars, err)
	}
	return c
}

// tables is a section that reads nested tables the way the provider kit reads a tree.
var tables = NewSection("tables_test", func(t *Table) []string {
	var got []string
	var walk func(t *Table)
	walk = func(t *Table) {
		got = append(got, t.Path("kind")+"="+t.Str("kind", "?"))
		if in, ok := t.Sub("inner"); ok {
			walk(in)
		}
		for _, item := range t.List("items") {
			walk(item)
		}
		for _, kv := range t.StringMap("rules", nil) {
			got = append(got, kv[0]+":"+kv[1])
		}
	}
	for _, k := range t.Keys() {
		if sub, ok := t.Sub(k); ok {
			walk(sub)
		}
	}
	return got
})

// Nested tables, arrays of tables ([[x]] and inline) and maps of strings are configured like
// any key: in TOML, by environment variables (through a list by index), with unknown keys
// reported under their full path.
func TestNestedTables(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "nested.toml")
	doc := `
[tables_test.a]
kind = "root"
inner = { kind = "child", inner = { kind = "grandchild" } }
items = [ { kind = "zero" }, { kind = "one", rules = { b = "x+", a = "^y" } } ]

[[tables_test.b.items]]
kind = "b0"
`
	if err := os.WriteFile(path, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	c := load(t, "MERINO_ENV=testing", "MERINO_CONFIG_FILE="+path,
		"MERINO_TABLES_TEST__A__INNER__INNER__KIND=env",
		"MERINO_TABLES_TEST__A__ITEMS__1__KIND=env1",
		"MERINO_TABLES_TEST__C__INNER__KIND=created")
	want := "tables_test.a.kind=root,tables_test.a.inner.kind=child,tables_test.a.inner.inner.kind=env," +
		"tables_test.a.items.0.kind=zero,tables_test.a.items.1.kind=env1,a:^y,b:x+," +
		"tables_test.b.kind=?,tables_test.b.items.0.kind=b0,tables_test.c.kind=?,tables_test.c.inner.kind=created"
	if got := strings.Join(tables.Get(c), ","); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	eff := strings.Join(c.Effective(), "\n")
	for _, line := range []string{
		`tables_test.a.items.1.kind = "env1"  # MERINO_TABLES_TEST__A__ITEMS__1__KIND`,
		`tables_test.a.items.1.rules.b = "x+"  # ` + path,
		`tables_test.b.items.0.kind = "b0"  # ` + path,
	} {
		if !strings.Contains(eff, line) {
			t.Errorf("check-config lacks %q:\n%s", line, eff)
		}
	}

	f := func(want string, vars ...string) {
		t.Helper()
		_, err := Load(env(append([]string{"MERINO_ENV=testing", "MERINO_CONFIG_FILE=" + path}, vars...)...))
		if err == nil || !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%q: %v, want one line with %q", vars, err, want)
		}
	}
	c = load(t, "MERINO_ENV=testing", "MERINO_CONFIG_FILE="+path, "MERINO_TABLES_TEST__A__ITEMS__0__KND=x")
	if len(c.Warnings) != 1 || c.Warnings[0] != "tables_test.a.items.0.knd: unknown key (set in MERINO_TABLES_TEST__A__ITEMS__0__KND)" {
		t.Errorf("an unknown key in a list item from the environment: %q", c.Warnings)
	}
	typo := filepath.Join(dir, "typo.toml")
	if err := os.WriteFile(typo, []byte(doc+"\n[[tables_test.b.items]]\nknd = 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(env("MERINO_ENV=testing", "MERINO_CONFIG_FILE="+typo)); err == nil || !strings.Contains(err.Error(), "tables_test.b.items.1.knd: unknown key (set in "+typo+")") {
		t.Errorf("an unknown key in a list item from TOML: %v", err)
	}
	f("MERINO_TABLES_TEST__A__ITEMS__2__KIND: tables_test.a.items is a list of 2 tables: name an item 0..1, then its key", "MERINO_TABLES_TEST__A__ITEMS__2__KIND=x")
	f("tables_test.d.inner: must be a table, got the string", "MERINO_TABLES_TEST__D__INNER=x")
	f("tables_test.d.items: must be a list of tables, got the integer 3", "MERINO_TABLES_TEST__D__ITEMS=3")
	f("tables_test.d.items.0: must be a table, got the integer 1", "MERINO_TABLES_TEST__D__ITEMS=[1]")
	f("tables_test.d.rules.a: must be a string, got the integer 1", "MERINO_TABLES_TEST__D__RULES__A=1")
}

func TestDebugKey(t *testing.T) {
	if c := load(t); !c.Debug {
		t.Error("development: debug is false")
	}
	if c := load(t, "MERINO_ENV=testing"); !c.Debug {
		t.Error("testing: debug is false")
	}
	if c := load(t, "MERINO_ENV=production"); c.Debug {
		t.Error("production: debug is true")
	}
	if _, err := Load(env("MERINO_ENV=production", "MERINO_DEBUG=true")); err == nil || !strings.Contains(err.Error(), "debug: must be false in production") {
		t.Errorf("production with debug: %v", err)
	}
}
