package flags

import (
	"crypto/sha256"
	"math"
	"testing"
)

func TestInterval(t *testing.T) {
	f := func(id []byte, want float64) {
		t.Helper()
		if got := Interval(id); got != want {
			t.Errorf("%x: got %v, want %v", id, got, want)
		}
	}
	f([]byte{0x80}, 0.5)
	f([]byte{0x7f}, 0)
	f([]byte{0x80, 0x80}, 0.75)
	f([]byte{0x00, 0xff, 0x00, 0xff}, 5.0/16)
	all := make([]byte, 32)
	for i := range all {
		all[i] = 0xff
	}
	f(all, float64(1<<32-1)/float64(uint64(1)<<32))
}

func TestDecisions(t *testing.T) {
	set := New([]Flag{
		{Name: "off", Enabled: 0, Scheme: Random},
		{Name: "on", Enabled: 1, Scheme: Session},
		{Name: "half-session", Enabled: 0.5, Scheme: Session},
		{Name: "half-random", Enabled: 0.5, Scheme: Random},
	})
	var d Decisions
	d.Reset(set, "", false)
	if d.Enabled("off") || !d.Enabled("on") || d.Enabled("missing") {
		t.Error("short circuits")
	}
	if d.Enabled("half-session") {
		t.Error("a session flag without a session id must be off")
	}
	// Session bucketing is merino-py's: sha256(sid), top bits, <= enabled.
	for _, sid := range []string{"a", "b", "c", "d", "e", "f", "0a1b2c3d-aaaa-bbbb-cccc-ddddeeeeffff"} {
		sum := sha256.Sum256([]byte(sid))
		want := Interval(sum[:]) <= 0.5
		d.Reset(set, sid, true)
		if got := d.Enabled("half-session"); got != want {
			t.Errorf("sid %q: got %v, want %v", sid, got, want)
		}
	}
	// Decisions are fixed within a request.
	d.Reset(set, "", false)
	first := d.Enabled("half-random")
	for i := 0; i < 50; i++ {
		if d.Enabled("half-random") != first {
			t.Fatal("a decision changed within one request")
		}
	}
	// Across requests the random scheme is on about half the time.
	on := 0
	const n = 20000
	for i := 0; i < n; i++ {
		d.Reset(set, "", false)
		if d.Enabled("half-random") {
			on++
		}
	}
	if frac := float64(on) / n; math.Abs(frac-0.5) > 0.03 {
		t.Errorf("random flag on for %.3f of requests", frac)
	}
}

func TestAllocsEnabled(t *testing.T) {
	set := New([]Flag{{Name: "s", Enabled: 0.3, Scheme: Session}})
	var d Decisions
	if n := testing.AllocsPerRun(100, func() {
		d.Reset(set, "session-id", true)
		_ = d.Enabled("s")
	}); n != 0 {
		t.Errorf("%v allocations", n)
	}
}
