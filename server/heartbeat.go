package server

import (
	"sort"
	"strconv"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/mozilla-services/merino-go/jsonw"
)

// Check is one readiness check of /__heartbeat__: a data set a provider serves from.
type Check struct {
	// Name labels the check ("top_picks", "manifest", ...).
	Name string
	// Status reports the data set's state; it must be cheap and safe for concurrent use.
	Status func() CheckStatus
}

// CheckStatus is what a check reports.
type CheckStatus struct {
	// Loaded is true once data was loaded; it stays true while later refreshes fail (the
	// last good data keeps serving), so readiness flips only when there never was any.
	Loaded bool
	// LastSuccess is when the source was last read successfully (changed or not).
	LastSuccess time.Time
	// LastError is the last refresh's error, "" after a success.
	LastError string
}

// heartbeat answers /__heartbeat__ as a Dockerflow heartbeat: 200 and "status":"ok" when
// every check has data, 500 and "status":"error" naming the failing checks otherwise. The
// details give each data set's age and last error. Unlike merino-py's empty 200, this lets an
// orchestrator hold traffic from a replica that has nothing to serve.
func (s *Server) heartbeat(ctx *fasthttp.RequestCtx, x *exchange) {
	now := time.Now()
	ok := true
	checks := make([]Check, len(s.opts.Checks))
	copy(checks, s.opts.Checks)
	sort.Slice(checks, func(i, j int) bool { return checks[i].Name < checks[j].Name })
	statuses := make([]CheckStatus, len(checks))
	for i, c := range checks {
		statuses[i] = c.Status()
		ok = ok && statuses[i].Loaded
	}
	b := x.buf[:0]
	if ok {
		b = append(b, `{"status":"ok","checks":{`...)
	} else {
		b = append(b, `{"status":"error","checks":{`...)
	}
	for i, c := range checks {
		if i > 0 {
			b = append(b, ',')
		}
		b = jsonw.AppendString(b, c.Name)
		if statuses[i].Loaded {
			b = append(b, `:"ok"`...)
		} else {
			b = append(b, `:"error"`...)
		}
	}
	b = append(b, `},"details":{`...)
	for i, c := range checks {
		st := statuses[i]
		if i > 0 {
			b = append(b, ',')
		}
		b = jsonw.AppendString(b, c.Name)
		b = append(b, `:{"status":`...)
		if st.Loaded {
			// Dockerflow levels: 20 info, 40 error.
			b = append(b, `"ok","level":20`...)
		} else {
			b = append(b, `"error","level":40`...)
		}
		b = append(b, `,"loaded":`...)
		b = strconv.AppendBool(b, st.Loaded)
		b = append(b, `,"age_seconds":`...)
		if st.LastSuccess.IsZero() {
			b = append(b, "null"...)
		} else {
			b = jsonw.AppendFloat(b, float64(now.Sub(st.LastSuccess).Milliseconds())/1000)
		}
		b = append(b, `,"last_error":`...)
		if st.LastError == "" {
			b = append(b, "null"...)
		} else {
			b = jsonw.AppendString(b, st.LastError)
		}
		b = append(b, '}')
	}
	x.buf = append(b, "}}"...)
	status := fasthttp.StatusOK
	if !ok {
		status = fasthttp.StatusInternalServerError
	}
	sendJSON(ctx, status, x)
}

// lbheartbeat answers /__lbheartbeat__: an empty 200 for load balancers, whatever the data.
func (s *Server) lbheartbeat(ctx *fasthttp.RequestCtx, _ *exchange) {
	ctx.SetStatusCode(fasthttp.StatusOK)
}
