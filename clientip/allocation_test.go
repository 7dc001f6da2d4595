//go:build !race

package clientip

import (
	"net/netip"
	"testing"
)

// TestAllocsClientIP pins ClientIP at zero allocations for every path a
// client can steer, including junk and port-suffixed entries (netip.ParseAddr
// would allocate its error there). Only zoned IPv6 entries may allocate, to
// intern the zone, and they are left out.
func TestAllocsClientIP(t *testing.T) {
	trusts := map[string]*Trust{
		"local": mustTrust(t, "127.0.0.1"),
		"lb":    mustTrust(t, "10.0.0.0/8", "fd00::/8", "2001:db8::7"),
		"all":   mustTrust(t, "*"),
	}
	peers := []netip.Addr{
		netip.MustParseAddr("127.0.0.1"),
		netip.MustParseAddr("::ffff:10.0.0.2"),
		netip.MustParseAddr("fd00::1"),
		netip.MustParseAddr("203.0.113.9"),
		{},
	}
	headers := []string{
		"", "1.2.3.4", "6.6.6.6, 1.2.3.4, 10.9.9.9", "10.1.1.1, 10.2.2.2",
		"2a02:d180::1, fd00::5", "::ffff:1.2.3.4", "unknown", "1.2.3.4:5678", "[::1]:80",
		"1.2.3.4, ", " , ,", "\xa01.2.3.4\x85",
	}
	for name, tr := range trusts {
		for _, peer := range peers {
			for _, h := range headers {
				xff := []byte(h)
				allocs := testing.AllocsPerRun(100, func() {
					sinkAddr = tr.ClientIP(peer, xff)
				})
				if allocs != 0 {
					t.Errorf("%s: ClientIP(%v, %q) allocs = %v, want 0", name, peer, h, allocs)
				}
			}
		}
	}
}
