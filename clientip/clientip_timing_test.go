package clientip

import (
	"net/netip"
	"testing"
)

var sinkAddr netip.Addr

func BenchmarkClientIP(b *testing.B) {
	lb := mustTrust(b, "10.0.0.0/8", "fd00::/8", "35.191.0.0/16", "130.211.0.0/22")
	f := func(name string, tr *Trust, peer, xff string) {
		p, x := netip.MustParseAddr(peer), []byte(xff)
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				sinkAddr = tr.ClientIP(p, x)
			}
		})
	}
	f("untrusted-peer", lb, "203.0.113.9", "1.2.3.4")
	f("one-entry", lb, "10.0.0.2", "216.160.83.56")
	// A GCP load balancer appends "<client>, <lb>" to what the client sent.
	f("gcp-chain", lb, "10.0.0.2", "6.6.6.6, 216.160.83.56, 35.191.1.2")
	f("ipv6", lb, "fd00::2", "2a02:d180::1, fd00::5")
	f("junk", lb, "10.0.0.2", "unknown")
	f("all", mustTrust(b, "*"), "10.0.0.2", "216.160.83.56, 10.1.1.1")
}

func BenchmarkParseAddr(b *testing.B) {
	for _, s := range []string{"216.160.83.56", "2a02:d180::1", "unknown"} {
		in := []byte(s)
		b.Run(s, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				sinkAddr, _ = parseAddr(in)
			}
		})
		b.Run(s+"/netip", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				sinkAddr, _ = netip.ParseAddr(s)
			}
		})
	}
}
