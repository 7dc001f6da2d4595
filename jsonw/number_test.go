package jsonw

import (
	"math"
	"testing"
)

func TestAppendFloat(t *testing.T) {
	f := func(v float64, want string) {
		t.Helper()
		if got := string(AppendFloat(nil, v)); got != want {
			t.Errorf("AppendFloat(%v) = %s; want %s", v, got, want)
		}
	}
	// Integral values always carry ".0".
	f(0, "0.0")
	f(math.Copysign(0, -1), "-0.0")
	f(1, "1.0")
	f(-1, "-1.0")
	f(300, "300.0")
	f(1e15, "1000000000000000.0")
	f(9007199254740993, "9007199254740992.0")

	// Fractions keep their shortest digits.
	f(0.25, "0.25")
	f(0.31, "0.31")
	f(0.1, "0.1")
	f(0.30000000000000004, "0.30000000000000004") // 0.1+0.2 in float64
	f(-2.5, "-2.5")
	f(123.456, "123.456")
	f(1.5e15, "1500000000000000.0")
	f(1234567890123.4567, "1234567890123.4568")
	f(0.0001, "0.0001")
	f(0.00012345, "0.00012345")

	// Scientific notation below 1e-4 and from 1e16, with a signed exponent
	// of at least two digits and no ".0" on a single-digit mantissa.
	f(0.00001, "1e-05")
	f(1.234e-7, "1.234e-07")
	f(-1.234e-7, "-1.234e-07")
	f(1e16, "1e+16")
	f(1.5e16, "1.5e+16")
	f(123456789012345678, "1.2345678901234568e+17")
	f(1e22, "1e+22")
	f(1e100, "1e+100")
	f(-1e-100, "-1e-100")
	f(math.MaxFloat64, "1.7976931348623157e+308")
	f(math.SmallestNonzeroFloat64, "5e-324")
	f(2.2250738585072014e-308, "2.2250738585072014e-308")

	// Python refuses these (allow_nan=False); we write null.
	f(math.NaN(), "null")
	f(math.Inf(1), "null")
	f(math.Inf(-1), "null")
}

func TestAppendInt(t *testing.T) {
	f := func(v int64, want string) {
		t.Helper()
		if got := string(AppendInt(nil, v)); got != want {
			t.Errorf("AppendInt(%d) = %s; want %s", v, got, want)
		}
	}
	f(0, "0")
	f(42, "42")
	f(-7, "-7")
	f(math.MaxInt64, "9223372036854775807")
	f(math.MinInt64, "-9223372036854775808")
}

func TestAppendBool(t *testing.T) {
	if got := string(AppendBool(nil, true)); got != "true" {
		t.Errorf("AppendBool(true) = %s", got)
	}
	if got := string(AppendBool(nil, false)); got != "false" {
		t.Errorf("AppendBool(false) = %s", got)
	}
}

func TestAppendIntList(t *testing.T) {
	f := func(list []int64, want string) {
		t.Helper()
		if got := string(AppendIntList(nil, list)); got != want {
			t.Errorf("AppendIntList(%v) = %s; want %s", list, got, want)
		}
	}
	f(nil, `[]`)
	f([]int64{}, `[]`)
	f([]int64{1}, `[1]`)
	f([]int64{1, -2, 300}, `[1,-2,300]`)
}
