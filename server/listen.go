package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/VictoriaMetrics/metrics"
)

// ListenOptions configure a listener opened by Listen.
type ListenOptions struct {
	// Name labels the listener's metrics and logs: "public" or "admin".
	Name string
	// MaxConnections caps the connections open at once (0: no cap). A connection over the cap
	// is answered 503 with a JSON body and closed at once, so the process keeps file
	// descriptors for its data, its caches and its upstream calls.
	MaxConnections int
	// ReusePort sets SO_REUSEPORT, so that a new process can listen on the same port while
	// the old one drains (a rollout on one host).
	ReusePort bool
	Log       *slog.Logger
}

// Listen opens a TCP listener on addr whose Accept never fails for a transient reason:
// running out of file descriptors (EMFILE, ENFILE), a connection aborted before it was
// accepted, or a lack of kernel memory is logged, counted, and retried after a back-off
// (5 ms doubling to 1 s, as net/http does), instead of ending Serve — and with it the
// process. Only closing the listener ends Accept.
func Listen(addr string, o ListenOptions) (net.Listener, error) {
	lc := net.ListenConfig{}
	if o.ReusePort {
		lc.Control = reusePort
	}
	ln, err := lc.Listen(context.Background(), "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("cannot listen on %q: %w", addr, err)
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	label := fmt.Sprintf(`{listener=%q}`, o.Name)
	l := &listener{
		Listener:     ln,
		max:          int64(o.MaxConnections),
		log:          o.Log.With("listener", o.Name),
		acceptErrors: metrics.GetOrCreateCounter("merino_http_accept_errors_total" + label),
		rejected:     metrics.GetOrCreateCounter("merino_http_rejected_connections_total" + label),
	}
	l.openGauge = openConnections(label)
	return l, nil
}

// listener is Listen's: a net.Listener with a resilient Accept and a connection cap.
type listener struct {
	net.Listener
	max       int64
	open      atomic.Int64 // this listener's, for its cap
	openGauge *atomic.Int64
	log       *slog.Logger

	acceptErrors, rejected *metrics.Counter
	lastCapLog             atomic.Int64 // unix nanoseconds: the cap is logged once a minute
}

// Accept returns the next connection within the cap. It returns an error only once the
// listener is closed (net.ErrClosed, which fasthttp and net/http read as a clean stop).
func (l *listener) Accept() (net.Conn, error) {
	var delay time.Duration
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return nil, err
			}
			l.acceptErrors.Inc()
			if delay == 0 {
				delay = 5 * time.Millisecond
			} else {
				delay = min(2*delay, time.Second)
			}
			if delay == 5*time.Millisecond || delay == time.Second {
				// Once per episode, and once a second while it lasts.
				l.log.Error("cannot accept a connection; retrying", "error", err.Error(), "retry_in", delay.String())
			}
			time.Sleep(delay)
			continue
		}
		delay = 0
		if l.max > 0 && l.open.Load() >= l.max {
			l.reject(c)
			continue
		}
		l.open.Add(1)
		l.openGauge.Add(1)
		return &conn{Conn: c, l: l}, nil
	}
}

// overCap is the whole answer to a connection over the cap: fasthttp has not seen it, so
// it is written here, once, on a fresh socket whose send buffer is empty.
var overCap = fmt.Appendf(nil, "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n"+
	"Content-Length: %d\r\nConnection: close\r\nRetry-After: 1\r\n\r\n%s", len(detailUnavailable), detailUnavailable)

var detailUnavailable = `{"detail":"Service Unavailable"}`

func (l *listener) reject(c net.Conn) {
	l.rejected.Inc()
	c.SetWriteDeadline(time.Now().Add(100 * time.Millisecond))
	c.Write(overCap)
	c.Close()
	now := time.Now().UnixNano()
	if last := l.lastCapLog.Load(); now-last > int64(time.Minute) && l.lastCapLog.CompareAndSwap(last, now) {
		l.log.Warn("connection cap reached: answering new connections 503", "max_connections", l.max)
	}
}

// conn gives its slot under the cap back when closed (once, however often Close is called).
type conn struct {
	net.Conn
	l    *listener
	once sync.Once
}

func (c *conn) Close() error {
	err := c.Conn.Close()
	c.once.Do(func() {
		c.l.open.Add(-1)
		c.l.openGauge.Add(-1)
	})
	return err
}

// openGauges hold merino_http_open_connections per listener label: listeners of one name
// (tests start many) share one series.
var openGauges sync.Map // label -> *atomic.Int64

func openConnections(label string) *atomic.Int64 {
	if v, ok := openGauges.Load(label); ok {
		return v.(*atomic.Int64)
	}
	v, loaded := openGauges.LoadOrStore(label, new(atomic.Int64))
	n := v.(*atomic.Int64)
	if !loaded {
		metrics.GetOrCreateGauge("merino_http_open_connections"+label, func() float64 { return float64(n.Load()) })
	}
	return n
}

// Run serves ln until ctx is done, then shuts down, waiting up to grace for requests in
// flight. It returns when serving has stopped; an error of serve's other than a clean stop
// is returned.
func Run(ctx context.Context, ln net.Listener, grace time.Duration, serve func(net.Listener) error, shutdown func(context.Context) error) error {
	errc := make(chan error, 1)
	go func() { errc <- serve(ln) }()
	select {
	case err := <-errc:
		ln.Close()
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	if err := shutdown(sctx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("cannot shut down %s cleanly: %w", ln.Addr(), err)
	}
	return nil
}

// ListenAndServe listens on addr (no connection cap) and serves until ctx is done, then shuts
// down gracefully within grace. It returns the listener's address through ready, once
// listening.
func ListenAndServe(ctx context.Context, addr string, grace time.Duration, serve func(net.Listener) error, shutdown func(context.Context) error, ready func(net.Addr)) error {
	ln, err := Listen(addr, ListenOptions{Name: "public"})
	if err != nil {
		return err
	}
	if ready != nil {
		ready(ln.Addr())
	}
	return Run(ctx, ln, grace, serve, shutdown)
}
