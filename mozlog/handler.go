package mozlog

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"time"
)

// TypeKey is the attribute that names a record's MozLog Type (Python's logger name). A logger
// made with slog.With(mozlog.TypeKey, "merino.web") writes that type; the default is the
// Writer's logger name.
const TypeKey = "logger"

// Handler is a slog.Handler that writes through a Writer. Attributes become MozLog Fields.
type Handler struct {
	w      *Writer
	typ    string
	attrs  []slog.Attr
	prefix string // group prefix, "a.b."
}

// NewHandler returns a slog handler for the writer.
func NewHandler(w *Writer) *Handler { return &Handler{w: w, typ: w.logger} }

// Enabled implements slog.Handler.
func (h *Handler) Enabled(_ context.Context, l slog.Level) bool { return h.w.Enabled(l) }

// WithAttrs implements slog.Handler.
func (h *Handler) WithAttrs(attrs []slog.Attr) slog.Handler {
	c := *h
	c.attrs = append([]slog.Attr(nil), h.attrs...)
	for _, a := range attrs {
		if a.Key == TypeKey && h.prefix == "" {
			c.typ = a.Value.String()
			continue
		}
		a.Key = h.prefix + a.Key
		c.attrs = append(c.attrs, a)
	}
	return &c
}

// WithGroup implements slog.Handler: grouped keys are flattened as "group.key".
func (h *Handler) WithGroup(name string) slog.Handler {
	if name == "" {
		return h
	}
	c := *h
	c.prefix = h.prefix + name + "."
	return &c
}

// Handle implements slog.Handler.
func (h *Handler) Handle(_ context.Context, rec slog.Record) error {
	t := rec.Time
	if t.IsZero() {
		t = time.Now()
	}
	r := h.w.Begin(t, rec.Level, h.typ, rec.Message)
	for _, a := range h.attrs {
		appendAttr(&r, "", a)
	}
	rec.Attrs(func(a slog.Attr) bool {
		appendAttr(&r, h.prefix, a)
		return true
	})
	r.Finish()
	return nil
}

func appendAttr(r *Record, prefix string, a slog.Attr) {
	v := a.Value.Resolve()
	key := prefix + a.Key
	switch v.Kind() {
	case slog.KindGroup:
		for _, g := range v.Group() {
			appendAttr(r, key+".", g)
		}
	case slog.KindString:
		r.String(key, v.String())
	case slog.KindInt64:
		r.Int(key, v.Int64())
	case slog.KindUint64:
		r.Raw(key, strconv.AppendUint(nil, v.Uint64(), 10))
	case slog.KindBool:
		r.Bool(key, v.Bool())
	case slog.KindFloat64:
		r.Raw(key, strconv.AppendFloat(nil, v.Float64(), 'g', -1, 64))
	case slog.KindDuration:
		r.String(key, v.Duration().String())
	case slog.KindTime:
		r.String(key, v.Time().UTC().Format(time.RFC3339Nano))
	default:
		if err, ok := v.Any().(error); ok {
			r.String(key, err.Error())
			return
		}
		r.String(key, fmt.Sprint(v.Any()))
	}
}
