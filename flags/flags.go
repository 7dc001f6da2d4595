// Package flags is merino-py's feature flags: a flag is on for a fraction of requests, chosen
// either at random on every check or by session (the `sid` parameter), so that one search
// session sees one decision.
//
// Bucketing follows merino-py exactly, so a session is in the same bucket in both: the
// bucketing id is SHA-256 of the session id (32 random bytes for the random scheme); its
// interval value is built from the top bit of each byte, as a 32-bit binary fraction in [0, 1);
// the flag is on when that value is at most `enabled`. Values 0 and 1 short-circuit.
package flags

import (
	"crypto/sha256"
	"fmt"
	"math/rand/v2"
	"sort"
)

// Scheme is how a flag buckets requests.
type Scheme uint8

// The two schemes of merino-py.
const (
	Session Scheme = iota // by the sid query parameter; off when a request has none
	Random                // a fresh random draw on each request
)

// ParseScheme reads "session" or "random".
func ParseScheme(s string) (Scheme, error) {
	switch s {
	case "session":
		return Session, nil
	case "random":
		return Random, nil
	}
	return 0, fmt.Errorf("unknown bucketing scheme %q (want session or random)", s)
}

// Flag is one configured flag.
type Flag struct {
	Name    string
	Enabled float64 // 0..1
	Scheme  Scheme
}

// Set is the process's flags, immutable after New.
type Set struct {
	flags []Flag
	index map[string]int
}

// New returns the set; names must be unique and enabled within [0, 1] (config validates it).
func New(list []Flag) *Set {
	s := &Set{flags: append([]Flag(nil), list...), index: map[string]int{}}
	sort.Slice(s.flags, func(i, j int) bool { return s.flags[i].Name < s.flags[j].Name })
	for i, f := range s.flags {
		s.index[f.Name] = i
	}
	return s
}

// Names lists the flags, sorted.
func (s *Set) Names() []string {
	out := make([]string, len(s.flags))
	for i, f := range s.flags {
		out[i] = f.Name
	}
	return out
}

// Decisions are one request's flag decisions, made on first use and then fixed for the rest
// of the request, as merino-py's record_decision does. The zero value decides nothing; Reset
// binds it to a set and a session. It is not safe for concurrent use: one request, one owner.
type Decisions struct {
	set     *Set
	sid     string
	hasSID  bool
	decided uint64 // bit i: flag i decided (the first 64 flags; beyond that, no memo)
	on      uint64
}

// Reset prepares d for a request with the given session id (hasSID false when absent).
func (d *Decisions) Reset(set *Set, sid string, hasSID bool) {
	*d = Decisions{set: set, sid: sid, hasSID: hasSID}
}

// Enabled reports whether the flag is on for this request. Unknown flags are off; a session
// flag without a session id is off (merino-py logs the error and fails to off).
func (d *Decisions) Enabled(name string) bool {
	if d.set == nil {
		return false
	}
	i, ok := d.set.index[name]
	if !ok {
		return false
	}
	bit := uint64(1) << (uint(i) & 63)
	if i < 64 && d.decided&bit != 0 {
		return d.on&bit != 0
	}
	on := d.decide(d.set.flags[i])
	if i < 64 {
		d.decided |= bit
		if on {
			d.on |= bit
		}
	}
	return on
}

func (d *Decisions) decide(f Flag) bool {
	switch f.Enabled {
	case 0:
		return false
	case 1:
		return true
	}
	var id [32]byte
	switch f.Scheme {
	case Random:
		for i := 0; i < 32; i += 8 {
			v := rand.Uint64()
			for j := 0; j < 8; j++ {
				id[i+j] = byte(v >> (8 * j))
			}
		}
	default:
		if !d.hasSID {
			return false
		}
		id = sha256.Sum256([]byte(d.sid))
	}
	return Interval(id[:]) <= f.Enabled
}

// Interval is merino-py's _bytes_to_interval: the top bit of each byte, in order, as a binary
// fraction of len(id) bits.
func Interval(id []byte) float64 {
	var out uint64
	for _, b := range id {
		out = out<<1 | uint64(b>>7)
	}
	return float64(out) / float64(uint64(1)<<uint(len(id)))
}
