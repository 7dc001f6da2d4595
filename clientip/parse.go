package clientip

import (
	"bytes"
	"net/netip"
)

// parseAddr parses an IPv4 or IPv6 address from b without allocating.
//
// netip.ParseAddr would need a string (a copy, or an unsafe view), and on
// failure it allocates its error, which a client can trigger on every request
// with a junk X-Forwarded-For entry; this parser reports failure as ok=false
// instead. It accepts exactly what netip.ParseAddr accepts (FuzzParseAddr
// checks this), which matches Python's ipaddress.ip_address for every form a
// proxy writes: dotted-quad IPv4 without leading zeros, and IPv6 with "::"
// compression and an optional dotted-quad tail. Addresses with a zone are
// rare enough to hand to netip.ParseAddr, which interns the zone.
func parseAddr(b []byte) (netip.Addr, bool) {
	for _, c := range b {
		switch c {
		case '.':
			v4, ok := parse4(b)
			if !ok {
				return netip.Addr{}, false
			}
			return netip.AddrFrom4(v4), true
		case ':':
			if bytes.IndexByte(b, '%') >= 0 {
				a, err := netip.ParseAddr(string(b))
				return a, err == nil
			}
			v6, ok := parse6(b)
			if !ok {
				return netip.Addr{}, false
			}
			return netip.AddrFrom16(v6), true
		}
	}
	return netip.Addr{}, false
}

// parse4 parses a dotted-quad IPv4 address: four decimal fields of 1-3
// digits, each at most 255, with no leading zeros.
func parse4(b []byte) (ip [4]byte, ok bool) {
	field, val, digits := 0, 0, 0
	for i := 0; i <= len(b); i++ {
		if i == len(b) || b[i] == '.' {
			if digits == 0 || field > 3 {
				return ip, false
			}
			ip[field] = byte(val)
			field++
			val, digits = 0, 0
			continue
		}
		c := b[i]
		if c < '0' || c > '9' {
			return ip, false
		}
		if digits > 0 && val == 0 {
			return ip, false // leading zero
		}
		val = val*10 + int(c-'0')
		digits++
		if val > 255 {
			return ip, false
		}
	}
	return ip, field == 4
}

// parse6 parses an IPv6 address without a zone.
func parse6(b []byte) (ip [16]byte, ok bool) {
	ellipsis := -1 // byte index in ip where "::" stands
	if len(b) >= 2 && b[0] == ':' && b[1] == ':' {
		ellipsis = 0
		b = b[2:]
		if len(b) == 0 {
			return ip, true // "::"
		}
	}
	i := 0
	for i < 16 {
		// One group of 1-4 hex digits.
		val, n := 0, 0
		for n < len(b) {
			d, isHex := hexVal(b[n])
			if !isHex {
				break
			}
			if n == 4 {
				return ip, false
			}
			val = val<<4 | d
			n++
		}
		if n == 0 {
			return ip, false
		}
		if n < len(b) && b[n] == '.' {
			// A dotted-quad tail fills the last four bytes.
			if ellipsis < 0 && i != 12 || i+4 > 16 {
				return ip, false
			}
			v4, ok := parse4(b)
			if !ok {
				return ip, false
			}
			copy(ip[i:], v4[:])
			i += 4
			b = nil
			break
		}
		ip[i], ip[i+1] = byte(val>>8), byte(val)
		i += 2
		b = b[n:]
		if len(b) == 0 {
			break
		}
		if b[0] != ':' || len(b) == 1 {
			return ip, false // junk, or a trailing single ':'
		}
		b = b[1:]
		if b[0] == ':' {
			if ellipsis >= 0 {
				return ip, false // a second "::"
			}
			ellipsis = i
			b = b[1:]
			if len(b) == 0 {
				break
			}
		}
	}
	if len(b) != 0 {
		return ip, false
	}
	if i < 16 {
		if ellipsis < 0 {
			return ip, false
		}
		n := 16 - i
		copy(ip[ellipsis+n:], ip[ellipsis:i])
		clear(ip[ellipsis : ellipsis+n])
	} else if ellipsis >= 0 {
		return ip, false // "::" must stand for at least one group
	}
	return ip, true
}

func hexVal(c byte) (int, bool) {
	switch {
	case '0' <= c && c <= '9':
		return int(c - '0'), true
	case 'a' <= c && c <= 'f':
		return int(c-'a') + 10, true
	case 'A' <= c && c <= 'F':
		return int(c-'A') + 10, true
	}
	return 0, false
}
