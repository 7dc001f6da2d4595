// Package prometheus holds scrape configurations for merino-go: the local fleet's
// (prometheus.yml) and a Kubernetes job over the Deployment's annotations (kubernetes.yml).
// Its test keeps them pointed at what the fleet and the Deployment really expose.
package prometheus

import (
	"os"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/mozilla-services/merino-go/deploy/local/fleet"
)

type scrapeConfig struct {
	Global struct {
		ScrapeInterval string `yaml:"scrape_interval"`
	} `yaml:"global"`
	ScrapeConfigs []struct {
		JobName       string `yaml:"job_name"`
		MetricsPath   string `yaml:"metrics_path"`
		StaticConfigs []struct {
			Targets []string `yaml:"targets"`
		} `yaml:"static_configs"`
		RelabelConfigs []struct {
			SourceLabels []string `yaml:"source_labels"`
			TargetLabel  string   `yaml:"target_label"`
		} `yaml:"relabel_configs"`
	} `yaml:"scrape_configs"`
}

func load(t *testing.T, path string) scrapeConfig {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var c scrapeConfig
	if err := yaml.Unmarshal(data, &c); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return c
}

// The fleet's scrape targets are `make fleet`'s admin listeners and HAProxy's stats port.
func TestFleetTargets(t *testing.T) {
	c := load(t, "prometheus.yml")
	addrs := fleet.Layout(8000, 3) // make fleet's defaults (deploy/local/main.go)
	targets := map[string][]string{}
	for _, sc := range c.ScrapeConfigs {
		if sc.MetricsPath != "/metrics" {
			t.Errorf("job %s scrapes %q", sc.JobName, sc.MetricsPath)
		}
		for _, st := range sc.StaticConfigs {
			targets[sc.JobName] = append(targets[sc.JobName], st.Targets...)
		}
	}
	if !slices.Equal(targets["merino"], addrs.Admins) {
		t.Errorf("merino targets %q, the fleet's admin listeners %q", targets["merino"], addrs.Admins)
	}
	if !slices.Equal(targets["haproxy"], []string{addrs.Stats}) {
		t.Errorf("haproxy targets %q, its stats port %s", targets["haproxy"], addrs.Stats)
	}
	if c.Global.ScrapeInterval == "" {
		t.Error("no scrape interval")
	}
}

// The Kubernetes job keeps the pods the Deployment annotates, on the annotated port and path.
func TestKubernetesJobReadsTheDeploymentsAnnotations(t *testing.T) {
	data, err := os.ReadFile("../kubernetes/deployment.yaml")
	if err != nil {
		t.Fatal(err)
	}
	c := load(t, "kubernetes.yml")
	if len(c.ScrapeConfigs) != 1 {
		t.Fatalf("%d jobs", len(c.ScrapeConfigs))
	}
	var sources []string
	for _, r := range c.ScrapeConfigs[0].RelabelConfigs {
		sources = append(sources, r.SourceLabels...)
	}
	for _, a := range []string{"scrape", "port", "path"} {
		// Kubernetes service discovery writes an annotation's name with '.' and '/' as '_'.
		label := "__meta_kubernetes_pod_annotation_prometheus_io_" + a
		if !slices.Contains(sources, label) {
			t.Errorf("the job does not read %s", label)
		}
		if !strings.Contains(string(data), "prometheus.io/"+a+":") {
			t.Errorf("the Deployment sets no prometheus.io/%s annotation", a)
		}
	}
	if !strings.Contains(string(data), `prometheus.io/port: "8001"`) || !strings.Contains(string(data), "prometheus.io/path: /metrics") {
		t.Error("the Deployment's annotations do not name the admin listener's /metrics")
	}
}
