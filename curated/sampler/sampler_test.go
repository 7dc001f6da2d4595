package sampler

import (
	"math"
	"testing"
)

func TestMean(t *testing.T) {
	s, err := New("mean", 0)
	if err != nil {
		t.Fatal(err)
	}
	a, b := 48.05, 162.0
	if got := s.Beta(a, b); got != a/(a+b) {
		t.Errorf("Beta = %v", got)
	}
	if got := s.Normal(0.3, 2); got != 0.3 {
		t.Errorf("Normal = %v", got)
	}
	if _, err := New("gaussian", 0); err == nil {
		t.Error("an unknown sampler was accepted")
	}
}

// TestBetaMoments checks the real draws against the Beta distribution's mean and variance, for
// shapes like the ones ranking uses (a prior of ~188/12500 plus engagement) and small ones.
func TestBetaMoments(t *testing.T) {
	s, _ := New("beta", 42)
	for _, c := range [][2]float64{{2, 5}, {0.5, 0.5}, {188, 12500}, {30000, 1500000}, {1e-18, 3}} {
		a, b := c[0], c[1]
		const n = 20000
		var sum, sq float64
		for i := 0; i < n; i++ {
			x := s.Beta(a, b)
			if x < 0 || x > 1 || math.IsNaN(x) {
				t.Fatalf("Beta(%v, %v) = %v", a, b, x)
			}
			sum += x
			sq += x * x
		}
		mean := a / (a + b)
		variance := a * b / ((a + b) * (a + b) * (a + b + 1))
		gotMean := sum / n
		gotVar := sq/n - gotMean*gotMean
		if math.Abs(gotMean-mean) > 5*math.Sqrt(variance/n)+1e-12 {
			t.Errorf("Beta(%v, %v): mean %v, want %v", a, b, gotMean, mean)
		}
		if variance > 0 && math.Abs(gotVar-variance)/variance > 0.1 && variance > 1e-12 {
			t.Errorf("Beta(%v, %v): variance %v, want %v", a, b, gotVar, variance)
		}
	}
}

func TestSeeded(t *testing.T) {
	a, _ := New("beta", 7)
	b, _ := New("beta", 7)
	for i := 0; i < 10; i++ {
		if x, y := a.Float64(), b.Float64(); x != y {
			t.Fatalf("draw %d: %v != %v", i, x, y)
		}
		if x, y := a.IntN(10), b.IntN(10); x != y {
			t.Fatalf("IntN %d: %v != %v", i, x, y)
		}
	}
	u := a.Uniform(110, 170)
	if u < 110 || u > 170 {
		t.Errorf("Uniform = %v", u)
	}
}

func BenchmarkBeta(b *testing.B) {
	s, _ := New("beta", 0)
	b.ReportAllocs()
	var sink float64
	for i := 0; i < b.N; i++ {
		sink += s.Beta(188+float64(i%100), 12500)
	}
	_ = sink
}

func TestFixed(t *testing.T) {
	s := Fixed(0.5)
	if s.Float64() != 0.5 || s.Uniform(0, 4) != 2 || s.IntN(2) != 1 || s.IntN(3) != 1 || s.Beta(1, 3) != 0.25 || s.Normal(2, 9) != 2 {
		t.Error("Fixed(0.5) draws")
	}
	if Fixed(0.99).IntN(2) != 1 || Fixed(0).IntN(2) != 0 {
		t.Error("Fixed IntN bounds")
	}
}
