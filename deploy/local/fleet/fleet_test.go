package fleet

import (
	"slices"
	"strings"
	"testing"
)

func TestPorts(t *testing.T) {
	p, err := allocate(Options{Replicas: 3, BasePort: 18700})
	if err != nil {
		t.Fatal(err)
	}
	want := ports{proxy: "127.0.0.1:18700", stats: "127.0.0.1:18704",
		replicas: []string{"127.0.0.1:18710", "127.0.0.1:18711", "127.0.0.1:18712"},
		admins:   []string{"127.0.0.1:18720", "127.0.0.1:18721", "127.0.0.1:18722"}}
	if p.proxy != want.proxy || p.stats != want.stats || !slices.Equal(p.replicas, want.replicas) || !slices.Equal(p.admins, want.admins) {
		t.Errorf("got %+v, want %+v", p, want)
	}
	p, err = allocate(Options{Replicas: 3})
	if err != nil {
		t.Fatal(err)
	}
	all := append(append([]string{p.proxy}, p.replicas...), p.admins...)
	slices.Sort(all)
	if len(slices.Compact(all)) != 7 || p.stats != "" || !strings.HasPrefix(p.proxy, "127.0.0.1:") {
		t.Errorf("free ports: %+v", p)
	}
}
