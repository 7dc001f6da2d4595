// Package clientip decides which address a request comes from, reproducing
// the rule merino-py gets from uvicorn's --proxy-headers
// (ProxyHeadersMiddleware, FORWARDED_ALLOW_IPS): X-Forwarded-For is honoured
// only when the TCP peer is a trusted proxy, and then the client is the
// right-most entry that is not itself a trusted proxy.
//
// Where uvicorn compares strings, this package compares parsed addresses, and
// that changes a few corner cases; each is documented on Trust.ClientIP.
package clientip

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/mozilla-services/merino-go/pystr"
)

// Trust is the set of proxies whose X-Forwarded-For header is believed. It is
// immutable after NewTrust and safe for concurrent use.
type Trust struct {
	all      bool
	addrs    []netip.Addr
	prefixes []netip.Prefix
}

// NewTrust builds a Trust from location.forwarded_allow_ips entries, the
// list form of uvicorn's FORWARDED_ALLOW_IPS. Each entry, trimmed of
// whitespace, is an IP address ("127.0.0.1", "::1"), a CIDR network
// ("10.0.0.0/8", "fd00::/8"), or "*" to trust every peer. An empty list trusts
// nobody, so X-Forwarded-For is always ignored.
//
// uvicorn silently keeps an entry it cannot parse as a string literal that can
// never match an IP peer (so "10.0.0.1/8", with host bits set, or
// "*,10.0.0.1" trust nothing). Here such entries are configuration mistakes and
// stop startup with an error naming them: an empty entry, an unparseable one,
// a network with host bits set, an address with a zone, and "*" mixed with
// other entries.
func NewTrust(entries []string) (*Trust, error) {
	t := &Trust{}
	for _, raw := range entries {
		e := strings.TrimSpace(raw)
		switch {
		case e == "":
			return nil, fmt.Errorf("cannot parse forwarded_allow_ips entry %q: empty entry", raw)
		case e == "*":
			if len(entries) != 1 {
				return nil, fmt.Errorf("cannot parse forwarded_allow_ips entry %q: \"*\" must be the only entry", raw)
			}
			t.all = true
		case strings.Contains(e, "/"):
			p, err := netip.ParsePrefix(e)
			if err != nil {
				return nil, fmt.Errorf("cannot parse forwarded_allow_ips entry %q: %w", raw, err)
			}
			if p != p.Masked() {
				return nil, fmt.Errorf("cannot parse forwarded_allow_ips entry %q: network has host bits set (did you mean %s?)", raw, p.Masked())
			}
			t.prefixes = append(t.prefixes, unmapPrefix(p))
		default:
			a, err := netip.ParseAddr(e)
			if err != nil {
				return nil, fmt.Errorf("cannot parse forwarded_allow_ips entry %q: %w", raw, err)
			}
			if a.Zone() != "" {
				return nil, fmt.Errorf("cannot parse forwarded_allow_ips entry %q: zoned addresses are not supported", raw)
			}
			t.addrs = append(t.addrs, a.Unmap())
		}
	}
	return t, nil
}

// unmapPrefix turns an IPv4-mapped IPv6 network (::ffff:10.0.0.0/104) into
// its IPv4 form, so that it matches the unmapped addresses Trusted compares.
func unmapPrefix(p netip.Prefix) netip.Prefix {
	if a := p.Addr(); a.Is4In6() && p.Bits() >= 96 {
		return netip.PrefixFrom(a.Unmap(), p.Bits()-96)
	}
	return p
}

// TrustsAll reports whether the Trust was built from "*".
func (t *Trust) TrustsAll() bool { return t.all }

// Trusted reports whether a is a trusted proxy. IPv4-mapped IPv6 addresses
// match their IPv4 form and zones are ignored: a dual-stack Go listener
// reports IPv4 peers as ::ffff:a.b.c.d, where uvicorn, bound to an IPv4
// socket, would see a.b.c.d. The zero Addr is trusted only under "*" (uvicorn
// also trusts a missing client host then).
func (t *Trust) Trusted(a netip.Addr) bool {
	if t.all {
		return true
	}
	if !a.IsValid() {
		return false
	}
	a = a.Unmap().WithZone("")
	for _, x := range t.addrs {
		if a == x {
			return true
		}
	}
	for _, p := range t.prefixes {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// ClientIP returns the address merino-py would see as request.client.host,
// given the TCP peer and the X-Forwarded-For header value (nil or empty when
// absent). When a request carries several X-Forwarded-For headers, pass the
// last one: uvicorn builds dict(scope["headers"]), which keeps the last value.
//
// The rule, as uvicorn applies it:
//   - an untrusted peer, or an absent or empty header: the peer;
//   - under "*": the left-most entry;
//   - otherwise the right-most entry that is not a trusted proxy, or the
//     left-most entry if every entry is trusted (the client is itself a
//     trusted proxy).
//
// Entries are split on ',' and trimmed of the whitespace Python's str.strip
// removes. Corner cases, each following what uvicorn would then hand to
// geolocation:
//   - the chosen entry is empty ("1.2.3.4, " or ", 1.2.3.4" under "*"):
//     uvicorn only rewrites the client when the host is non-empty, so the
//     peer is returned;
//   - the chosen entry is not an IP address ("unknown", "1.2.3.4:5678",
//     "[::1]:80" — uvicorn does not strip ports): an unparseable entry is
//     never trusted, so the walk stops at it, and it is returned as the zero
//     Addr. uvicorn would return the string and geoip2 would reject it with
//     ValueError; geoip.Reader.Lookup likewise gives an empty location for the
//     zero Addr;
//   - an entry with a zone ("fe80::1%eth0") parses, as in Python, and keeps
//     its zone in the result.
//
// The returned Addr is either peer or an entry parsed from xff, which is not
// retained. ClientIP does not allocate, except to intern the zone of a zoned
// IPv6 entry.
func (t *Trust) ClientIP(peer netip.Addr, xff []byte) netip.Addr {
	if len(xff) == 0 || !t.Trusted(peer) {
		return peer
	}
	var chosen []byte
	if t.all {
		chosen = leftmost(xff)
	} else {
		chosen = t.rightmostUntrusted(xff)
	}
	chosen = pystr.TrimSpaceLatin1(chosen)
	if len(chosen) == 0 {
		return peer
	}
	a, _ := parseAddr(chosen)
	return a
}

// rightmostUntrusted walks xff from the right and returns the first entry
// (untrimmed) that is not a trusted proxy, or the left-most entry when all
// are trusted.
func (t *Trust) rightmostUntrusted(xff []byte) []byte {
	end := len(xff)
	for i := len(xff) - 1; i >= -1; i-- {
		if i >= 0 && xff[i] != ',' {
			continue
		}
		entry := xff[i+1 : end]
		if i < 0 {
			// Left-most entry: returned whether trusted or not.
			return entry
		}
		e := pystr.TrimSpaceLatin1(entry)
		if len(e) == 0 {
			return e
		}
		a, ok := parseAddr(e)
		if !ok || !t.Trusted(a) {
			return e
		}
		end = i
	}
	return nil // unreachable: the loop returns at i == -1
}

// leftmost returns the first comma-separated entry of xff, untrimmed.
func leftmost(xff []byte) []byte {
	for i, c := range xff {
		if c == ',' {
			return xff[:i]
		}
	}
	return xff
}
