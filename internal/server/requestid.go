package server

import (
	"context"
	"log/slog"
)

// requestIDKey carries a request's id in its context, so every line logged
// while serving it can name it.
type requestIDKey struct{}

func withRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey{}, id)
}

// RequestID is the id the logging middleware gave the request ctx belongs
// to ("" outside a request).
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

// LogRequestIDs wraps h so that every record logged with a request's context
// carries its "request_id", whoever logs it (handlers, the OAuth library
// through slog's default logger). A logger that already has the attribute
// (the middleware's own) is left as it is, so the key is never doubled.
func LogRequestIDs(h slog.Handler) slog.Handler {
	if _, ok := h.(*requestIDHandler); ok {
		return h
	}
	return &requestIDHandler{next: h}
}

type requestIDHandler struct {
	next slog.Handler
	has  bool // an attribute named request_id is already attached
}

func (h *requestIDHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return h.next.Enabled(ctx, l)
}

func (h *requestIDHandler) Handle(ctx context.Context, r slog.Record) error {
	if !h.has {
		if id := RequestID(ctx); id != "" {
			r = r.Clone()
			r.AddAttrs(slog.String("request_id", id))
		}
	}
	return h.next.Handle(ctx, r)
}

func (h *requestIDHandler) WithAttrs(as []slog.Attr) slog.Handler {
	has := h.has
	for _, a := range as {
		has = has || a.Key == "request_id"
	}
	return &requestIDHandler{next: h.next.WithAttrs(as), has: has}
}

func (h *requestIDHandler) WithGroup(name string) slog.Handler {
	// Inside a group the attribute would be nested; the id stays top-level
	// only when added before grouping, which this handler cannot do, so
	// grouped loggers keep what they had.
	return &requestIDHandler{next: h.next.WithGroup(name), has: true}
}
