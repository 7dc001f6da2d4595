package clientip

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/mozilla-services/merino-go/pystr"
)

func mustTrust(tb testing.TB, entries ...string) *Trust {
	tb.Helper()
	t, err := NewTrust(entries)
	if err != nil {
		tb.Fatal(err)
	}
	return t
}

func addrOrZero(s string) netip.Addr {
	if s == "" {
		return netip.Addr{}
	}
	return netip.MustParseAddr(s)
}

func TestClientIP(t *testing.T) {
	// uvicorn's default FORWARDED_ALLOW_IPS.
	local := mustTrust(t, "127.0.0.1")
	// A load balancer chain: two internal networks and an IPv6 proxy.
	lb := mustTrust(t, "10.0.0.0/8", "fd00::/8", "2001:db8::7", " 192.168.1.1 ")
	all := mustTrust(t, "*")
	none := mustTrust(t)

	f := func(tr *Trust, peer, xff, want string) {
		t.Helper()
		got := tr.ClientIP(addrOrZero(peer), []byte(xff))
		if got != addrOrZero(want) {
			t.Fatalf("ClientIP(%q, %q) = %v, want %q", peer, xff, got, want)
		}
	}

	// Untrusted peer: XFF ignored, however it looks.
	f(local, "203.0.113.9", "1.2.3.4", "203.0.113.9")
	f(lb, "203.0.113.9", "1.2.3.4, 10.0.0.1", "203.0.113.9")
	f(none, "127.0.0.1", "1.2.3.4", "127.0.0.1")
	f(local, "::1", "1.2.3.4", "::1") // only 127.0.0.1 is trusted
	// Trusted peer without (or with an empty) header: the peer.
	f(local, "127.0.0.1", "", "127.0.0.1")
	f(lb, "10.1.2.3", "", "10.1.2.3")
	// Trusted peer, one entry.
	f(local, "127.0.0.1", "1.2.3.4", "1.2.3.4")
	f(local, "127.0.0.1", "  1.2.3.4\t", "1.2.3.4")
	// Right-most untrusted entry wins; a client-forged left part is ignored.
	f(lb, "10.0.0.2", "6.6.6.6, 1.2.3.4, 10.9.9.9", "1.2.3.4")
	f(lb, "10.0.0.2", "6.6.6.6,1.2.3.4,10.9.9.9,192.168.1.1", "1.2.3.4")
	f(lb, "10.0.0.2", "6.6.6.6, 1.2.3.4", "1.2.3.4")
	// All entries trusted: the left-most.
	f(lb, "10.0.0.2", "10.1.1.1, 10.2.2.2", "10.1.1.1")
	f(lb, "10.0.0.2", " 10.1.1.1 ", "10.1.1.1")
	// IPv6 peers and entries, in any spelling.
	f(lb, "fd12::1", "2001:db8::1, 2001:DB8:0:0:0:0:0:7", "2001:db8::1")
	f(lb, "2001:db8:0::7", "2001:db8::1", "2001:db8::1")
	f(lb, "10.0.0.2", "2a02:d180::1, fd00::5", "2a02:d180::1")
	f(local, "127.0.0.1", "::ffff:1.2.3.4", "::ffff:1.2.3.4")
	// IPv4-mapped peers (a dual-stack Go listener) match their IPv4 form,
	// and so do mapped entries.
	f(local, "::ffff:127.0.0.1", "1.2.3.4", "1.2.3.4")
	f(lb, "::ffff:10.0.0.2", "1.2.3.4, ::ffff:10.3.3.3", "1.2.3.4")
	// Zoned peer and entry: zones are ignored for trust, kept in the result.
	f(lb, "fd00::1%eth0", "fe80::1%eth1", "fe80::1%eth1")
	// "*": the left-most entry, even if a later one is untrusted-looking.
	f(all, "203.0.113.9", "1.2.3.4, 5.6.7.8", "1.2.3.4")
	f(all, "203.0.113.9", "1.2.3.4", "1.2.3.4")
	f(all, "203.0.113.9", "", "203.0.113.9")
	f(all, "", "1.2.3.4", "1.2.3.4") // uvicorn trusts a missing client under "*"
	f(local, "", "1.2.3.4", "")
	// The chosen entry is empty: uvicorn keeps the peer.
	f(local, "127.0.0.1", "1.2.3.4, ", "127.0.0.1")
	f(local, "127.0.0.1", ",", "127.0.0.1")
	f(local, "127.0.0.1", "   ", "127.0.0.1")
	f(lb, "10.0.0.2", "1.2.3.4,,10.1.1.1", "10.0.0.2")
	f(all, "203.0.113.9", ", 1.2.3.4", "203.0.113.9")
	// An empty entry further left is never reached.
	f(lb, "10.0.0.2", ",1.2.3.4", "1.2.3.4")
	// Not an IP (uvicorn compares strings): untrusted, returned as the zero
	// Addr, which geolocation treats as an invalid IP.
	f(local, "127.0.0.1", "unknown", "")
	f(lb, "10.0.0.2", "1.2.3.4, unknown, 10.1.1.1", "")
	f(all, "203.0.113.9", "unknown, 1.2.3.4", "")
	// Port-suffixed entries are not IPs for uvicorn either.
	f(local, "127.0.0.1", "1.2.3.4:5678", "")
	f(local, "127.0.0.1", "[::1]:80", "")
	f(local, "127.0.0.1", "[2001:db8::1]", "")
	// The walk stops at the right-most untrusted entry, valid or not.
	f(lb, "10.0.0.2", "unknown, 1.2.3.4", "1.2.3.4")
	// Python's str.strip() also removes NBSP and NEL (latin-1 bytes).
	f(local, "127.0.0.1", "\xa01.2.3.4\x85", "1.2.3.4")
	f(local, "127.0.0.1", "\x1f1.2.3.4\v", "1.2.3.4")
}

func TestNewTrustErrors(t *testing.T) {
	f := func(entries []string, wantSubstr string) {
		t.Helper()
		_, err := NewTrust(entries)
		if err == nil {
			t.Fatalf("NewTrust(%q) succeeded", entries)
		}
		if !strings.Contains(err.Error(), wantSubstr) {
			t.Fatalf("NewTrust(%q) error %q does not contain %q", entries, err, wantSubstr)
		}
	}
	f([]string{"127.0.0.1", "localhost"}, `"localhost"`)
	f([]string{"10.0.0.0/33"}, `"10.0.0.0/33"`)
	f([]string{"10.0.0.1/8"}, "host bits set (did you mean 10.0.0.0/8?)")
	f([]string{"1.2.3.4:80"}, `"1.2.3.4:80"`)
	f([]string{""}, "empty entry")
	f([]string{"127.0.0.1", " "}, "empty entry")
	f([]string{"*", "10.0.0.1"}, `"*" must be the only entry`)
	f([]string{"fe80::1%eth0"}, "zoned")
	f([]string{"127.0.0.1,10.0.0.1"}, `"127.0.0.1,10.0.0.1"`)
}

func TestNewTrust(t *testing.T) {
	f := func(entries []string, trusted, untrusted string) {
		t.Helper()
		tr := mustTrust(t, entries...)
		for _, s := range strings.Fields(trusted) {
			if !tr.Trusted(netip.MustParseAddr(s)) {
				t.Errorf("%q: %s not trusted", entries, s)
			}
		}
		for _, s := range strings.Fields(untrusted) {
			if tr.Trusted(netip.MustParseAddr(s)) {
				t.Errorf("%q: %s trusted", entries, s)
			}
		}
	}
	f(nil, "", "127.0.0.1 ::1")
	f([]string{"127.0.0.1"}, "127.0.0.1 ::ffff:127.0.0.1", "127.0.0.2 ::1")
	f([]string{"*"}, "1.2.3.4 ::1 127.0.0.1", "")
	f([]string{"10.0.0.0/8", "::1"}, "10.255.0.1 ::1 0:0::1", "11.0.0.1 ::2")
	f([]string{"::ffff:10.0.0.0/104"}, "10.1.2.3 ::ffff:10.1.2.3", "11.0.0.1")
	f([]string{"0.0.0.0/0"}, "1.2.3.4 ::ffff:8.8.8.8", "::1")
	if !mustTrust(t, "*").TrustsAll() || mustTrust(t, "127.0.0.1").TrustsAll() {
		t.Fatal("TrustsAll")
	}
	if mustTrust(t, "127.0.0.1").Trusted(netip.Addr{}) {
		t.Fatal("zero Addr trusted")
	}
}

func TestParseAddr(t *testing.T) {
	valid := []string{
		"0.0.0.0", "1.2.3.4", "255.255.255.255", "10.0.0.1",
		"::", "::1", "1::", "2001:db8::1", "2001:DB8:0:0:0:0:0:1", "1:2:3:4:5:6:7:8",
		"1:2:3:4:5:6:7::", "::2:3:4:5:6:7:8", "::ffff:1.2.3.4", "::1.2.3.4",
		"1:2:3:4:5:6:1.2.3.4", "fe80::1%eth0", "0000:0000::00ff",
	}
	invalid := []string{
		"", "1", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "1.2.3.04", "1..2.3",
		"1.2.3.4.", ".1.2.3.4", "1.2.3.4:80", " 1.2.3.4", "a.b.c.d", "1.2.3.-4",
		":", ":::", "1:::2", "::1::", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7:8::", "12345::",
		"1:2:3:4:5:6:7", "::g", "1:", ":1", "[::1]", "[::1]:80", "::1.2.3", "1:2:3:4:5:6:7:1.2.3.4",
		"::1.2.3.4:5", "::01.2.3.4", "fe80::1%", "1.2.3.4%eth0", "unknown", "\xa0",
	}
	for _, s := range valid {
		got, ok := parseAddr([]byte(s))
		if !ok || got != netip.MustParseAddr(s) {
			t.Errorf("parseAddr(%q) = %v, %v", s, got, ok)
		}
	}
	for _, s := range invalid {
		if got, ok := parseAddr([]byte(s)); ok {
			t.Errorf("parseAddr(%q) = %v, want failure", s, got)
		}
	}
}

// FuzzParseAddr checks that parseAddr accepts exactly what netip.ParseAddr
// accepts, with the same result.
func FuzzParseAddr(f *testing.F) {
	for _, s := range []string{"1.2.3.4", "::1", "2001:db8::1", "::ffff:1.2.3.4", "1:2:3:4:5:6:7::",
		"fe80::1%eth0", "1.2.3.4:80", "[::1]:80", "01.2.3.4", "1:2:3:4:5:6:1.2.3.4"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		got, ok := parseAddr(b)
		want, err := netip.ParseAddr(string(b))
		if ok != (err == nil) || ok && got != want {
			t.Fatalf("parseAddr(%q) = %v, %v; netip.ParseAddr = %v, %v", b, got, ok, want, err)
		}
	})
}

// FuzzClientIP checks ClientIP never panics and returns either the peer, the
// zero Addr, or an address spelled in the header.
func FuzzClientIP(f *testing.F) {
	f.Add("127.0.0.1", "1.2.3.4, 10.0.0.1", 0)
	f.Add("10.0.0.2", "unknown, ,1.2.3.4:80,[::1]", 1)
	f.Add("::1", "2001:db8::1,fe80::1%eth0", 2)
	f.Add("", ",,,", 2)
	trusts := []*Trust{
		mustTrust(f, "127.0.0.1"),
		mustTrust(f, "10.0.0.0/8", "::1", "fd00::/8"),
		mustTrust(f, "*"),
	}
	f.Fuzz(func(t *testing.T, peer, xff string, which int) {
		tr := trusts[uint(which)%uint(len(trusts))]
		p, _ := netip.ParseAddr(peer)
		got := tr.ClientIP(p, []byte(xff))
		if got == p || !got.IsValid() {
			return
		}
		found := false
		for _, e := range strings.Split(xff, ",") {
			if a, err := netip.ParseAddr(string(pystr.TrimSpaceLatin1([]byte(e)))); err == nil && a == got {
				found = true
			}
		}
		if !found {
			t.Fatalf("ClientIP(%v, %q) = %v, not the peer nor an entry", p, xff, got)
		}
	})
}
