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
	want := Addrs{Proxy: "127.0.0.1:18700", Stats: "127.0.0.1:18704",
		Replicas: []string{"127.0.0.1:18710", "127.0.0.1:18711", "127.0.0.1:18712"},
		Admins:   []string{"127.0.0.1:18720", "127.0.0.1:18721", "127.0.0.1:18722"}}
	if p.Proxy != want.Proxy || p.Stats != want.Stats || !slices.Equal(p.Replicas, want.Replicas) || !slices.Equal(p.Admins, want.Admins) {
		t.Errorf("got %+v, want %+v", p, want)
	}
	p, err = allocate(Options{Replicas: 3})
	if err != nil {
		t.Fatal(err)
	}
	all := append(append([]string{p.Proxy}, p.Replicas...), p.Admins...)
	slices.Sort(all)
	if len(slices.Compact(all)) != 7 || p.Stats != "" || !strings.HasPrefix(p.Proxy, "127.0.0.1:") {
		t.Errorf("free ports: %+v", p)
	}
}

// Every replica listens on its own ports, whatever spare capacity the shared settings have.
func TestReplicaEnv(t *testing.T) {
	addrs, err := allocate(Options{Replicas: 3, BasePort: 18700})
	if err != nil {
		t.Fatal(err)
	}
	env := make([]string, 1, 16)
	env[0] = "MERINO_ENV=production"
	for i, r := range newReplicas(Options{Replicas: 3}, addrs, env) {
		want := []string{"MERINO_ENV=production", "MERINO_HTTP__LISTEN=" + addrs.Replicas[i], "MERINO_HTTP__ADMIN_LISTEN=" + addrs.Admins[i]}
		if !slices.Equal(r.env, want) || r.Addr != addrs.Replicas[i] {
			t.Errorf("replica %d (%s): env %q, want %q", i, r.Addr, r.env, want)
		}
	}
}
