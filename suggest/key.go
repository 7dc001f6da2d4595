package suggest

import (
	"encoding/binary"
	"math"
)

// Keyer is implemented by a provider whose answer depends on fewer request fields than all
// of them. AppendKey appends to dst bytes that are equal for two requests the provider
// answers alike (while its data stays the same). The caches and the single flight key their
// entries with it: a key that leaves out a field the provider reads would serve one
// client's answer to another. Keys must be prefix-free (strings length-prefixed, as
// AppendKeyString writes them), so that a combinator can concatenate its children's.
type Keyer interface {
	AppendKey(dst []byte, req *Request) []byte
}

// AppendKey appends p's key for req: its own when p is a Keyer, else AppendRequestKey.
func AppendKey(dst []byte, p Provider, req *Request) []byte {
	if k, ok := p.(Keyer); ok {
		return k.AppendKey(dst, req)
	}
	return AppendRequestKey(dst, req)
}

// AppendRequestKey appends every field of req a provider can read except Flags (which only
// inline providers see): the key of a provider that does not say what it reads. Each field
// is length-prefixed, so that no two requests share a key.
func AppendRequestKey(dst []byte, req *Request) []byte {
	dst = AppendKeyString(dst, req.Query)
	dst = AppendKeyString(dst, req.Source)
	dst = AppendKeyString(dst, req.RequestType)
	l := &req.Location
	dst = AppendKeyString(dst, l.Country)
	dst = AppendKeyString(dst, l.CountryName)
	dst = AppendKeyStrings(dst, l.Regions)
	dst = AppendKeyStrings(dst, l.RegionNames)
	dst = AppendKeyString(dst, l.City)
	dst = binary.AppendVarint(dst, int64(l.DMA))
	dst = AppendKeyString(dst, l.PostalCode)
	dst = binary.LittleEndian.AppendUint64(dst, math.Float64bits(l.Latitude))
	dst = binary.LittleEndian.AppendUint64(dst, math.Float64bits(l.Longitude))
	dst = binary.AppendVarint(dst, int64(l.Radius))
	dst = AppendKeyString(dst, l.TimeZone)
	dst = append(dst, flag(l.HasCoordinates), flag(req.HasLocation), flag(req.IsSoftPII))
	ip := req.ClientIP.As16()
	dst = append(append(dst, ip[:]...), byte(req.ClientIP.BitLen()/8))
	dst = AppendKeyString(dst, req.ClientIP.Zone())
	dst = AppendKeyString(dst, req.UserAgent.Browser)
	dst = AppendKeyString(dst, req.UserAgent.OSFamily)
	dst = AppendKeyString(dst, req.UserAgent.FormFactor)
	dst = AppendKeyStrings(dst, req.Languages)
	return AppendKeyStrings(dst, req.ClientVariants)
}

// AppendKeyString appends s, length-prefixed, for a Keyer.
func AppendKeyString(dst []byte, s string) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(s)))
	return append(dst, s...)
}

// AppendKeyStrings appends a list of strings, count-prefixed, for a Keyer.
func AppendKeyStrings(dst []byte, list []string) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(list)))
	for _, s := range list {
		dst = AppendKeyString(dst, s)
	}
	return dst
}

func flag(b bool) byte {
	if b {
		return 1
	}
	return 0
}
