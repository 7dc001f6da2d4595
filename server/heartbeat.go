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
// details give each data set's age and whether its last refresh failed. Unlike merino-py's
// empty 200, this lets an orchestrator hold traffic from a replica that has nothing to serve.
// The public answer never shows an error's text (it names internal paths and URLs): that is
// in the logs and in the admin listener's heartbeat.
func (s *Server) heartbeat(ctx *fasthttp.RequestCtx, x *exchange) {
	var status int
	x.buf, status = appendHeartbeat(x.buf[:0], s.opts.Checks, time.Now(), false)
	sendJSON(ctx, status, x)
}

// genericError stands for any refresh error in the public heartbeat.
const genericError = "the last refresh failed"

// sortedChecks returns a copy of checks sorted by name, the order the heartbeat lists them
// in: New and NewAdmin sort them once rather than every heartbeat.
func sortedChecks(checks []Check) []Check {
	checks = append([]Check(nil), checks...)
	sort.Slice(checks, func(i, j int) bool { return checks[i].Name < checks[j].Name })
	return checks
}

// appendHeartbeat renders the heartbeat of checks (sorted by name: sortedChecks) and returns
// its HTTP status: 200 when every check has data, else 500. full writes each last error as
// it is; otherwise as genericError.
func appendHeartbeat(b []byte, checks []Check, now time.Time, full bool) ([]byte, int) {
	ok := true
	statuses := make([]CheckStatus, len(checks))
	for i, c := range checks {
		statuses[i] = c.Status()
		ok = ok && statuses[i].Loaded
	}
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
		switch {
		case st.LastError == "":
			b = append(b, "null"...)
		case full:
			b = jsonw.AppendString(b, st.LastError)
		default:
			b = jsonw.AppendString(b, genericError)
		}
		b = append(b, '}')
	}
	status := fasthttp.StatusOK
	if !ok {
		status = fasthttp.StatusInternalServerError
	}
	return append(b, "}}"...), status
}

// lbheartbeat answers /__lbheartbeat__: an empty 200 for load balancers, whatever the data;
// 503 once SIGTERM has started the drain, so that they stop sending new requests here.
func (s *Server) lbheartbeat(ctx *fasthttp.RequestCtx, _ *exchange) {
	if s.draining.Load() {
		ctx.SetStatusCode(fasthttp.StatusServiceUnavailable)
		return
	}
	ctx.SetStatusCode(fasthttp.StatusOK)
}
