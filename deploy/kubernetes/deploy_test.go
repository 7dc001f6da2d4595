// Package kubernetes holds merino-go's Kubernetes manifests; its test keeps them in step with
// the binary: the probes hit real endpoints and every MERINO_ setting is a known key.
package kubernetes

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/valyala/fasthttp"
	"gopkg.in/yaml.v3"

	"github.com/mozilla-services/merino-go/config"
	"github.com/mozilla-services/merino-go/deploy/local/fleet"
	"github.com/mozilla-services/merino-go/server"
	"github.com/mozilla-services/merino-go/suggest"
	_ "github.com/mozilla-services/merino-go/suggest/all" // the binary's provider types and sections
	"github.com/mozilla-services/merino-go/suggest/kit"
)

func documents(t *testing.T, path string) []map[string]any {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var docs []map[string]any
	for {
		var d map[string]any
		if err := dec.Decode(&d); errors.Is(err, io.EOF) {
			return docs
		} else if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		docs = append(docs, d)
	}
}

func TestProbesHitRealEndpoints(t *testing.T) {
	set, err := suggest.NewSet(nil, time.Second, nil)
	if err != nil {
		t.Fatal(err)
	}
	srv := server.New(server.Options{Providers: set, QueryCharacterMax: 500, HeaderCharacterMax: 100, ClientVariantCharacterMax: 100})
	var paths []string
	for _, d := range documents(t, "deployment.yaml") {
		if d["kind"] != "Deployment" {
			continue
		}
		containers := d["spec"].(map[string]any)["template"].(map[string]any)["spec"].(map[string]any)["containers"].([]any)
		for _, c := range containers {
			for _, probe := range []string{"livenessProbe", "readinessProbe", "startupProbe"} {
				p, ok := c.(map[string]any)[probe].(map[string]any)
				if !ok {
					t.Errorf("no %s", probe)
					continue
				}
				paths = append(paths, p["httpGet"].(map[string]any)["path"].(string))
			}
		}
	}
	if len(paths) != 3 {
		t.Fatalf("probes: %q", paths)
	}
	for _, path := range paths {
		var ctx fasthttp.RequestCtx
		ctx.Request.SetRequestURI(path)
		srv.Handle(&ctx)
		if ctx.Response.StatusCode() != 200 {
			t.Errorf("probe %s answers %d", path, ctx.Response.StatusCode())
		}
	}
}

func TestConfigMapKeysAreKnown(t *testing.T) {
	var env []string
	for _, d := range documents(t, "configmap.yaml") {
		for k, v := range d["data"].(map[string]any) {
			if !strings.HasPrefix(k, "MERINO_") {
				t.Errorf("%s is not a merino-go setting", k)
			}
			env = append(env, k+"="+v.(string))
		}
	}
	env = append(env, "MERINO_ACCUWEATHER__API_KEY=from-the-secret")
	cfg, err := config.Load(func() []string { return env })
	if err != nil {
		t.Fatalf("the ConfigMap's settings do not load: %v", err)
	}
	if len(cfg.Warnings) != 0 {
		t.Errorf("unknown keys: %q", cfg.Warnings)
	}
}

// configMapConfig loads the ConfigMap's settings as a replica does.
func configMapConfig(t *testing.T) *config.Config {
	t.Helper()
	var env []string
	for _, d := range documents(t, "configmap.yaml") {
		for k, v := range d["data"].(map[string]any) {
			env = append(env, k+"="+v.(string))
		}
	}
	cfg, err := config.Load(func() []string { return env })
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// Kubernetes kills a pod terminationGracePeriodSeconds after SIGTERM: the drain delay and
// the grace for in-flight requests must fit in it.
func TestTerminationGraceCoversTheDrain(t *testing.T) {
	cfg := configMapConfig(t)
	for _, d := range documents(t, "deployment.yaml") {
		if d["kind"] != "Deployment" {
			continue
		}
		spec := d["spec"].(map[string]any)["template"].(map[string]any)["spec"].(map[string]any)
		grace := time.Duration(spec["terminationGracePeriodSeconds"].(int)) * time.Second
		if need := cfg.HTTP.ShutdownDelay + cfg.HTTP.ShutdownGrace; grace <= need || cfg.HTTP.ShutdownDelay == 0 {
			t.Errorf("terminationGracePeriodSeconds %v, drain delay %v + grace %v", grace, cfg.HTTP.ShutdownDelay, cfg.HTTP.ShutdownGrace)
		}
	}
	// Production configures geolocation, off by default, as merino-py does.
	found := false
	for _, n := range kit.Configured(cfg) {
		found = found || (n.ID() == "geolocation" && !n.Base().EnabledByDefault)
	}
	if !found {
		t.Errorf("no geolocation provider: %v", kit.Describe(cfg))
	}
}

// probe returns the Deployment's probe's path.
func probe(t *testing.T, name string) string {
	t.Helper()
	for _, d := range documents(t, "deployment.yaml") {
		if d["kind"] != "Deployment" {
			continue
		}
		c := d["spec"].(map[string]any)["template"].(map[string]any)["spec"].(map[string]any)["containers"].([]any)[0]
		return c.(map[string]any)[name].(map[string]any)["httpGet"].(map[string]any)["path"].(string)
	}
	t.Fatal("no Deployment")
	return ""
}

// The local fleet's test (make test-fleet) rolls and kills replicas behind HAProxy with no
// failed request; it proves something about this Deployment only while both agree: HAProxy
// checks the probes' endpoints (liveness, with the drain's 503, and readiness), the replicas
// run production's drain delay and grace, and the load balancer takes a draining replica
// out well within that delay.
func TestFleetProvesTheDeployment(t *testing.T) {
	if got := probe(t, "livenessProbe"); got != fleet.LivenessPath {
		t.Errorf("liveness probe %s, the fleet's HAProxy checks %s", got, fleet.LivenessPath)
	}
	if got := probe(t, "readinessProbe"); got != fleet.ReadinessPath {
		t.Errorf("readiness probe %s, the fleet's HAProxy gates on %s", got, fleet.ReadinessPath)
	}
	if !slices.Equal(fleet.Check.Paths, []string{fleet.ReadinessPath, fleet.LivenessPath}) {
		t.Errorf("the fleet's HAProxy checks %q", fleet.Check.Paths)
	}
	var env []string
	for _, e := range fleet.Env {
		if v, ok := strings.CutPrefix(e, "MERINO_CONFIG_FILE="); ok {
			e = "MERINO_CONFIG_FILE=" + filepath.Join("..", "..", v)
		}
		env = append(env, e)
	}
	local, err := config.Load(func() []string { return env })
	if err != nil {
		t.Fatalf("the fleet's configuration: %v", err)
	}
	k8s := configMapConfig(t)
	if local.Env != k8s.Env || local.HTTP.ShutdownDelay != k8s.HTTP.ShutdownDelay || local.HTTP.ShutdownGrace != k8s.HTTP.ShutdownGrace {
		t.Errorf("the fleet runs %s with drain delay %v and grace %v, the Deployment %s with %v and %v", local.Env,
			local.HTTP.ShutdownDelay, local.HTTP.ShutdownGrace, k8s.Env, k8s.HTTP.ShutdownDelay, k8s.HTTP.ShutdownGrace)
	}
	if d := fleet.Check.Detection(); 2*d > k8s.HTTP.ShutdownDelay {
		t.Errorf("HAProxy may take %v to take a draining replica out: not well within the %v drain delay", d, k8s.HTTP.ShutdownDelay)
	}
}
