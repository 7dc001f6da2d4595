package all_test

import (
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/mozilla-services/merino-go/"

// deps lists the packages of this module pkg depends on, directly or not.
func deps(t *testing.T, pkg string) []string {
	t.Helper()
	out, err := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}}", module+pkg).Output()
	if err != nil {
		t.Fatalf("go list %s: %v", pkg, err)
	}
	var mine []string
	for _, p := range strings.Fields(string(out)) {
		if strings.HasPrefix(p, module) && p != module+pkg {
			mine = append(mine, strings.TrimPrefix(p, module))
		}
	}
	return mine
}

// Imports run one way (ARCHITECTURE.md): the HTTP layer knows providers only through package
// suggest's interfaces; configuration, data sources and indexes know no provider; no provider
// package knows another's, but for the shared Redis client.
func TestImportDirection(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	f := func(pkg string, forbidden ...string) {
		t.Helper()
		for _, d := range deps(t, pkg) {
			for _, f := range forbidden {
				if d == f || strings.HasPrefix(d, f+"/") {
					t.Errorf("%s depends on %s", pkg, d)
				}
			}
		}
	}
	f("server", "suggest/adm", "suggest/amo", "suggest/geolocation", "suggest/toppicks", "suggest/weather", "suggest/wikipedia",
		"suggest/tree", "suggest/cache", "suggest/dev", "suggest/kit", "manifest", "config", "loaders", "index")
	f("suggest", "suggest/kit", "config", "loaders", "index", "server")
	f("config", "suggest", "loaders", "index", "server")
	f("loaders", "suggest", "index", "server", "config")
	f("index/...", "suggest", "loaders", "server", "config")
	f("suggest/kit", "suggest/adm", "suggest/amo", "suggest/geolocation", "suggest/toppicks", "suggest/weather", "suggest/wikipedia", "server")
	for _, p := range []string{"adm", "amo", "geolocation", "toppicks", "wikipedia", "tree", "dev"} {
		f("suggest/"+p, "server", "suggest/adm", "suggest/amo", "suggest/geolocation", "suggest/toppicks", "suggest/weather", "suggest/wikipedia")
	}
}
