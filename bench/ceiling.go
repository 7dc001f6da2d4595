package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"math"
	"net"
	"time"

	"github.com/valyala/fasthttp"
)

// The ceiling is the highest rate the generator sustains against a server that does no work
// (a fasthttp handler writing a fixed 78-byte SuggestResponse), on the same cores, in the same
// run, with the same requests. merino-go's own maximum rate is quoted as a fraction of it, so
// a figure means the same on a laptop and on a CI runner.
//
// Method: run short steps of the open-loop generator (--step, after --step-warmup), starting
// at --start requests/s and multiplying the rate by 1.5 while a step is sustained; then bisect
// (geometrically, up to 4 times, until the bounds are within 5 %) between the last sustained
// and the first failed rate. A step is sustained when the achieved rate is at least 99 % of
// the requested one, p99 is at most --p99 (an open-loop queue that grows makes p99 explode
// well before the rate falls), and no 5xx or transport error happened. The ceiling is the
// highest sustained rate.

// ceilingBody is what the no-work server answers: a valid, empty SuggestResponse.
const ceilingBody = `{"suggestions":[],"request_id":"bench","client_variants":[],"server_variants":[]}`

// fixedServer starts the no-work fasthttp server on a loopback port.
func fixedServer() (addr string, stop func(), err error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, fmt.Errorf("cannot listen: %w", err)
	}
	body := []byte(ceilingBody)
	srv := &fasthttp.Server{
		Handler: func(ctx *fasthttp.RequestCtx) {
			ctx.Response.Header.SetContentType("application/json")
			ctx.Response.SetBodyRaw(body)
		},
		NoDefaultServerHeader: true,
	}
	go func() { _ = srv.Serve(ln) }()
	return ln.Addr().String(), func() { _ = srv.Shutdown() }, nil
}

type ceilingOpts struct {
	start, max   float64
	step, warmup time.Duration
	p99          time.Duration
	connections  int
	timeout      time.Duration
	// retries is how many more times a step that is not sustained is tried before the
	// search takes it as failed: on a shared machine one stall elsewhere can spoil a step.
	retries int
}

// register declares the search's flags, shared by ceiling and scale: start, step and warmup
// are their defaults, what names a step in the help ("step", "ceiling step").
func (o *ceilingOpts) register(fs *flag.FlagSet, what string, start float64, step, warmup time.Duration) {
	fs.Float64Var(&o.start, "start", start, "first "+what+"'s rate")
	fs.Float64Var(&o.max, "max", 1e6, "highest rate tried")
	fs.DurationVar(&o.step, "step", step, "measured duration of each "+what)
	fs.DurationVar(&o.warmup, "step-warmup", warmup, "warm-up of each "+what)
	fs.DurationVar(&o.p99, "p99", 25*time.Millisecond, "a "+what+" whose p99 is above this is not sustained")
}

type ceilingStep struct {
	Rate      float64 `json:"requested_rps"`
	Achieved  float64 `json:"achieved_rps"`
	P50       float64 `json:"p50_ms"`
	P99       float64 `json:"p99_ms"`
	Errors    int     `json:"errors"`
	Sustained bool    `json:"sustained"`
}

type ceilingResult struct {
	Name    string        `json:"name"`
	Ceiling float64       `json:"max_sustained_rps"`
	Steps   []ceilingStep `json:"steps"`
}

// findCeiling searches the highest sustained rate of t, printing each step to log.
func findCeiling(ctx context.Context, name string, t target, st *stream, o ceilingOpts, log io.Writer) ceilingResult {
	res := ceilingResult{Name: name}
	try := func(rate float64) bool {
		p := plan{rate: rate, duration: o.step, warmup: o.warmup, connections: o.connections, timeout: o.timeout}
		col := generate(ctx, t, st.items, st.kinds, p)
		r := newReport(col, st, "", time.Now())
		errs := r.failed()
		s := ceilingStep{Rate: rate, Achieved: r.Achieved, P50: r.Latency.P50, P99: r.Latency.P99, Errors: errs}
		s.Sustained = r.Requests > 0 && r.Achieved >= rateTolerance*rate && r.Latency.P99 <= float64(o.p99)/float64(time.Millisecond) && errs == 0
		res.Steps = append(res.Steps, s)
		verdict := "sustained"
		if !s.Sustained {
			verdict = "NOT sustained"
		}
		fmt.Fprintf(log, "  %-10s %8.0f req/s -> %9.1f achieved, p50 %s, p99 %s, %d errors: %s\n",
			name, rate, s.Achieved, fmtMs(s.P50), fmtMs(s.P99), errs, verdict)
		time.Sleep(300 * time.Millisecond) // let the server drain and collect garbage
		return s.Sustained
	}
	good := searchCeiling(o.start, o.max, func(rate float64) bool {
		for i := 0; i <= o.retries; i++ {
			if ctx.Err() != nil {
				return false
			}
			if try(rate) {
				return true
			}
		}
		return false
	})
	res.Ceiling = good
	return res
}

// searchCeiling is the search itself, apart from measuring: step the rate up by half from
// start until a step is not sustained or max is passed; if even the first fails, halve down
// until one is; then bisect (geometrically) at most four times between the last sustained and
// the first failed rate. It returns the highest sustained rate tried (0 if none).
func searchCeiling(start, max float64, sustained func(rate float64) bool) float64 {
	good, bad := 0.0, 0.0
	for rate := start; rate <= max; rate *= 1.5 {
		if !sustained(rate) {
			bad = rate
			break
		}
		good = rate
	}
	if good == 0 && bad > 0 { // even the first step failed: look downwards
		for rate := bad / 2; rate >= 10; rate /= 2 {
			if sustained(rate) {
				good = rate
				break
			}
			bad = rate
		}
	}
	for i := 0; i < 4 && good > 0 && bad > 0 && bad/good > 1.05; i++ {
		mid := math.Round(math.Sqrt(good * bad))
		if sustained(mid) {
			good = mid
		} else {
			bad = mid
		}
	}
	return good
}
