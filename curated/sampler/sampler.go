// Package sampler is the one source of every random draw the New Tab's ranking makes: Beta
// draws (Thompson sampling), Normal draws, uniform numbers (fresh-item throttling, cache TTL
// jitter, retry jitter) and choices (50/50 slates, the interest picker's rank).
//
// merino-py's tests pin these by monkeypatching; here the configuration does it:
// rankers.thompson_sampling.sampler = "mean" makes every Beta draw α/(α+β) and every Normal
// draw its mean, so orders are exact; random_seed makes the other draws a fixed sequence.
package sampler

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
)

// Sampler draws random numbers. It is safe for concurrent use.
type Sampler struct {
	mean bool
	// fixed, when set, is every uniform draw (Fixed).
	fixed    float64
	hasFixed bool
	mu       sync.Mutex // guards rng
	rng      *rand.Rand // nil: the runtime's lock-free generator
}

// New returns a sampler; kind is "beta" (real draws) or "mean"; seed 0 leaves the discrete
// draws unseeded.
func New(kind string, seed uint64) (*Sampler, error) {
	s := &Sampler{}
	switch kind {
	case "beta", "":
	case "mean":
		s.mean = true
	default:
		return nil, fmt.Errorf("unknown sampler %q: want beta or mean", kind)
	}
	if seed != 0 {
		s.rng = rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	}
	return s, nil
}

// Fixed returns a sampler for tests that pins every draw, as merino-py's tests do by
// monkeypatching: Beta and Normal draws are their means, every uniform draw is u (in [0, 1)),
// and IntN(n) is ⌊u·n⌋.
func Fixed(u float64) *Sampler {
	return &Sampler{mean: true, fixed: u, hasFixed: true}
}

// Float64 is a uniform number in [0, 1), Python's random.random().
func (s *Sampler) Float64() float64 {
	if s.hasFixed {
		return s.fixed
	}
	if s.rng == nil {
		return rand.Float64()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rng.Float64()
}

// Uniform is a uniform number in [lo, hi], Python's random.uniform.
func (s *Sampler) Uniform(lo, hi float64) float64 { return lo + (hi-lo)*s.Float64() }

// IntN is a uniform integer in [0, n).
func (s *Sampler) IntN(n int) int {
	if s.hasFixed {
		return min(int(s.fixed*float64(n)), n-1)
	}
	if s.rng == nil {
		return rand.IntN(n)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rng.IntN(n)
}

func (s *Sampler) norm() float64 {
	if s.rng == nil {
		return rand.NormFloat64()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rng.NormFloat64()
}

// Normal is a draw from Normal(mean, std); in mean mode, mean.
func (s *Sampler) Normal(mean, std float64) float64 {
	if s.mean {
		return mean
	}
	return mean + std*s.norm()
}

// Beta is a draw from Beta(a, b) (a, b > 0); in mean mode, a/(a+b).
func (s *Sampler) Beta(a, b float64) float64 {
	if s.mean {
		return a / (a + b)
	}
	x := s.gamma(a)
	y := s.gamma(b)
	if x+y == 0 {
		// Both shapes so small that both draws underflowed: the mean is the best answer.
		return a / (a + b)
	}
	return x / (x + y)
}

// gamma draws from Gamma(k, 1) by Marsaglia and Tsang's method; for k < 1 through
// Gamma(k+1)·U^(1/k).
func (s *Sampler) gamma(k float64) float64 {
	if k < 1 {
		u := s.Float64()
		for u == 0 {
			u = s.Float64()
		}
		return s.gamma(k+1) * math.Pow(u, 1/k)
	}
	d := k - 1.0/3
	c := 1 / math.Sqrt(9*d)
	for {
		x := s.norm()
		v := 1 + c*x
		if v <= 0 {
			continue
		}
		v = v * v * v
		u := s.Float64()
		if u < 1-0.0331*x*x*x*x || math.Log(u) < 0.5*x*x+d*(1-v+math.Log(v)) {
			return d * v
		}
	}
}
