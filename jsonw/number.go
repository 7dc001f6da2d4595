package jsonw

import (
	"math"
	"strconv"
)

// AppendFloat appends f as Python's float.__repr__ writes it, which is what
// json.dumps uses, and returns the extended slice.
//
// The digits are the shortest that round-trip to f, as with strconv 'g' and
// precision -1, but the layout follows Python: scientific notation exactly
// when the decimal exponent is below -4 or at least 16 ("1e-05", "1.5e+16",
// "1.2345678901234568e+17"), with a signed exponent of at least two digits;
// otherwise positional notation that always has a decimal point, so integral
// values read "0.0", "-0.0", "1.0", "300.0" and "1000000000000000.0".
//
// NaN and ±Inf are written as null. merino-py passes allow_nan=False, so
// Python would raise instead of writing a body; scores and other floats are
// validated finite at startup, so this never happens in practice, and null
// keeps the output valid JSON if it ever does.
func AppendFloat(dst []byte, f float64) []byte {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return append(dst, "null"...)
	}
	// strconv's shortest 'e' form, "-d.ddde±XX", already is Python's
	// scientific layout; for the positional range its digits are re-laid out
	// below. The scratch array stays on the stack.
	var scratch [32]byte
	e := strconv.AppendFloat(scratch[:0], f, 'e', -1, 64)
	if e[0] == '-' {
		dst = append(dst, '-')
		e = e[1:]
	}
	// The mantissa is one digit, optionally followed by '.' and more digits.
	mantEnd := 1
	if e[1] == '.' {
		mantEnd = 2
		for e[mantEnd] != 'e' {
			mantEnd++
		}
	}
	exp := 0
	for _, c := range e[mantEnd+2:] {
		exp = exp*10 + int(c-'0')
	}
	if e[mantEnd+1] == '-' {
		exp = -exp
	}
	if exp < -4 || exp >= 16 {
		return append(dst, e...)
	}

	// Positional notation. digits holds the significant digits without the
	// point: at most 17 for a float64.
	var digitBuf [24]byte
	digits := append(digitBuf[:0], e[0])
	if mantEnd > 1 {
		digits = append(digits, e[2:mantEnd]...)
	}
	if exp < 0 {
		// 0.000ddd: -exp-1 zeros between the point and the digits.
		dst = append(dst, '0', '.')
		for i := 0; i < -exp-1; i++ {
			dst = append(dst, '0')
		}
		return append(dst, digits...)
	}
	intLen := exp + 1
	if len(digits) <= intLen {
		// Integral: pad with zeros and add Python's ".0".
		dst = append(dst, digits...)
		for i := len(digits); i < intLen; i++ {
			dst = append(dst, '0')
		}
		return append(dst, '.', '0')
	}
	dst = append(dst, digits[:intLen]...)
	dst = append(dst, '.')
	return append(dst, digits[intLen:]...)
}

// AppendInt appends v in decimal, as Python writes an int.
func AppendInt(dst []byte, v int64) []byte {
	return strconv.AppendInt(dst, v, 10)
}

// AppendBool appends true or false.
func AppendBool(dst []byte, v bool) []byte {
	if v {
		return append(dst, "true"...)
	}
	return append(dst, "false"...)
}

// AppendIntList appends list as a JSON array of integers, [1,2], or [] when
// list is empty or nil.
func AppendIntList(dst []byte, list []int64) []byte {
	dst = append(dst, '[')
	for i, v := range list {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = strconv.AppendInt(dst, v, 10)
	}
	return append(dst, ']')
}
