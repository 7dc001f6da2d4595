package curated

import (
	"errors"
	"strings"
	"time"
)

var errISO = errors.New("invalid isoformat string")

// fromISOFormat is Python 3.14's datetime.fromisoformat (ASCII digits only, as its C
// implementation reads them): a date (YYYY-MM-DD, YYYYMMDD, YYYY-Www[-D], YYYYWww[D]),
// optionally any one separator character and a time (HH[:MM[:SS[.f…]]] or the basic form,
// ',' allowed for '.'), and an optional offset (Z, ±HH[:MM[:SS[.f…]]]). hasZone is false for a
// naive result.
func fromISOFormat(s string) (t time.Time, hasZone bool, err error) {
	if len(s) < 7 {
		return t, false, errISO
	}
	sep, err := isoSeparator(s)
	if err != nil {
		return t, false, err
	}
	sep = min(sep, len(s)) // Python slices past the end without complaint
	y, m, d, err := isoDate(s[:sep])
	if err != nil {
		return t, false, err
	}
	var hh, mm, ss, us int
	loc := (*time.Location)(nil)
	if sep < len(s) {
		tstr := s[sep+1:]
		hh, mm, ss, us, loc, err = isoTime(tstr)
		if err != nil {
			return t, false, err
		}
	}
	nextDay := false
	if hh == 24 {
		if mm != 0 || ss != 0 || us != 0 {
			return t, false, errISO
		}
		hh, nextDay = 0, true
	}
	if m < 1 || m > 12 || d < 1 || d > daysIn(y, m) || hh > 23 || mm > 59 || ss > 59 || y < 1 {
		return t, false, errISO
	}
	z := loc
	if z == nil {
		z = time.UTC
	}
	t = time.Date(y, time.Month(m), d, hh, mm, ss, us*1000, z)
	if nextDay {
		t = t.AddDate(0, 0, 1)
	}
	return t, loc != nil, nil
}

func daysIn(y, m int) int {
	return time.Date(y, time.Month(m)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// isoSeparator finds where the date ends (CPython's _find_isoformat_datetime_separator).
func isoSeparator(s string) (int, error) {
	n := len(s)
	if n == 7 {
		return 7, nil
	}
	if s[4] == '-' {
		if s[5] == 'W' {
			if n < 8 {
				return 0, errISO
			}
			if n > 8 && s[8] == '-' {
				if n == 9 {
					return 0, errISO
				}
				if n > 10 && isDigit(s[10]) {
					return 8, nil
				}
				return 10, nil
			}
			return 8, nil
		}
		return 10, nil
	}
	if s[4] == 'W' {
		i := 7
		for i < n && isDigit(s[i]) {
			i++
		}
		if i < 9 {
			return i, nil
		}
		if i%2 == 0 {
			return 7, nil
		}
		return 8, nil
	}
	return 8, nil
}

func digits(s string) (int, bool) {
	if s == "" {
		return 0, false
	}
	v := 0
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return 0, false
		}
		v = v*10 + int(s[i]-'0')
	}
	return v, true
}

// isoDate reads a date of 7, 8 or 10 characters.
func isoDate(s string) (y, m, d int, err error) {
	if len(s) != 7 && len(s) != 8 && len(s) != 10 {
		return 0, 0, 0, errISO
	}
	y, ok := digits(s[:4])
	if !ok {
		return 0, 0, 0, errISO
	}
	hasSep := s[4] == '-'
	pos := 4
	if hasSep {
		pos++
	}
	if s[pos] == 'W' {
		pos++
		if pos+2 > len(s) {
			return 0, 0, 0, errISO
		}
		week, ok := digits(s[pos : pos+2])
		if !ok {
			return 0, 0, 0, errISO
		}
		pos += 2
		day := 1
		if pos < len(s) {
			if (s[pos] == '-') != hasSep {
				return 0, 0, 0, errISO
			}
			if hasSep {
				pos++
			}
			if day, ok = digits(s[pos:]); !ok || len(s[pos:]) != 1 {
				return 0, 0, 0, errISO
			}
		}
		return isoWeek(y, week, day)
	}
	if pos+2 > len(s) {
		return 0, 0, 0, errISO
	}
	if m, ok = digits(s[pos : pos+2]); !ok {
		return 0, 0, 0, errISO
	}
	pos += 2
	if pos < len(s) && (s[pos] == '-') != hasSep || pos == len(s) && hasSep {
		return 0, 0, 0, errISO
	}
	if hasSep {
		pos++
	}
	if d, ok = digits(s[pos:]); !ok || len(s[pos:]) != 2 {
		return 0, 0, 0, errISO
	}
	return y, m, d, nil
}

// isoWeek is _isoweek_to_gregorian.
func isoWeek(y, week, day int) (int, int, int, error) {
	if week < 1 || week > 53 || day < 1 || day > 7 {
		return 0, 0, 0, errISO
	}
	if week == 53 {
		// Only years starting on a Thursday, or leap years starting on a Wednesday, have one.
		first := time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC).Weekday()
		leap := daysIn(y, 2) == 29
		if !(first == time.Thursday || leap && first == time.Wednesday) {
			return 0, 0, 0, errISO
		}
	}
	jan4 := time.Date(y, 1, 4, 0, 0, 0, 0, time.UTC)
	wd := (int(jan4.Weekday()) + 6) % 7 // Monday = 0
	monday := jan4.AddDate(0, 0, -wd)
	d := monday.AddDate(0, 0, (week-1)*7+day-1)
	return d.Year(), int(d.Month()), d.Day(), nil
}

// isoTime reads a time with an optional offset (_parse_isoformat_time).
func isoTime(s string) (hh, mm, ss, us int, loc *time.Location, err error) {
	if len(s) < 2 {
		return 0, 0, 0, 0, nil, errISO
	}
	tz := -1
	for _, c := range []byte{'-', '+', 'Z'} {
		if i := strings.IndexByte(s, c); i >= 0 {
			tz = i
			break
		}
	}
	timestr := s
	if tz >= 0 {
		timestr = s[:tz]
	}
	if hh, mm, ss, us, err = hhmmss(timestr); err != nil {
		return
	}
	if tz < 0 {
		return hh, mm, ss, us, nil, nil
	}
	if tz == len(s)-1 && s[tz] == 'Z' {
		return hh, mm, ss, us, time.UTC, nil
	}
	tzstr := s[tz+1:]
	if n := len(tzstr); n == 0 || n == 1 || n == 3 || s[tz] == 'Z' {
		return 0, 0, 0, 0, nil, errISO
	}
	oh, om, os, ous, err := hhmmss(tzstr)
	if err != nil {
		return 0, 0, 0, 0, nil, err
	}
	off := time.Duration(oh)*time.Hour + time.Duration(om)*time.Minute + time.Duration(os)*time.Second + time.Duration(ous)*time.Microsecond
	if off >= 24*time.Hour {
		return 0, 0, 0, 0, nil, errISO
	}
	if off == 0 {
		return hh, mm, ss, us, time.UTC, nil
	}
	if s[tz] == '-' {
		off = -off
	}
	return hh, mm, ss, us, time.FixedZone("", int(off/time.Second)), nil
}

// hhmmss reads HH[:?MM[:?SS[{.,}f…]]] (_parse_hh_mm_ss_ff).
func hhmmss(s string) (hh, mm, ss, us int, err error) {
	comps := [3]int{}
	pos := 0
	hasSep := false
	for c := 0; c < 3; c++ {
		if len(s)-pos < 2 {
			return 0, 0, 0, 0, errISO
		}
		v, ok := digits(s[pos : pos+2])
		if !ok {
			return 0, 0, 0, 0, errISO
		}
		comps[c] = v
		pos += 2
		if c == 0 {
			hasSep = pos < len(s) && s[pos] == ':'
		}
		if pos >= len(s) || c >= 2 {
			break
		}
		if hasSep && s[pos] != ':' {
			return 0, 0, 0, 0, errISO
		}
		if hasSep {
			pos++
		}
	}
	if pos < len(s) {
		if s[pos] != '.' && s[pos] != ',' {
			return 0, 0, 0, 0, errISO
		}
		pos++
		frac := s[pos:]
		n := len(frac)
		if n > 6 {
			n = 6
		}
		v, ok := digits(frac[:n])
		if !ok && n > 0 {
			return 0, 0, 0, 0, errISO
		}
		for i := n; i < 6; i++ {
			v *= 10
		}
		if _, ok := digits(frac[n:]); !ok && len(frac) > n {
			return 0, 0, 0, 0, errISO
		}
		us = v
	}
	return comps[0], comps[1], comps[2], us, nil
}
