package server

import (
	"encoding/binary"
	"encoding/hex"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"time"

	"github.com/invcloud/invcloud/internal/metrics"
	"github.com/invcloud/invcloud/internal/opencloud"
)

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// requestID is a correlation id, not a secret: the runtime's per-thread
// generator is enough, and cheaper than the kernel's.
func requestID() string {
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], rand.Uint64())
	return hex.EncodeToString(b[:])
}

// statusClientClosed is nginx's "client closed request", which Open Cloud
// answers a cancelled request with.
const statusClientClosed = 499

// maxBody bounds every request body.
const maxBody = 1 << 20

// withLogging gives each request an id (echoed in x-request-id), recovers
// panics as 500s, logs one line per request and feeds the metrics (m may be
// nil). Only the path is logged: credentials travel in headers and bodies,
// which are never logged.
func withLogging(log *slog.Logger, m *metrics.Metrics, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := requestID()
		w.Header().Set("x-request-id", id)
		sw := &statusWriter{ResponseWriter: w}
		l := log.With("request_id", id)
		r = r.WithContext(withRequestID(r.Context(), id)) // for LogRequestIDs
		defer func() {
			if v := recover(); v != nil {
				l.ErrorContext(r.Context(), "panic", "panic", v)
				if sw.status == 0 {
					opencloud.WriteGateway(sw, http.StatusInternalServerError, "InternalServerError")
				}
			}
			d := time.Since(start)
			status := sw.status
			if status == 0 {
				status = http.StatusOK
			}
			// A client that went away is not a server failure, whatever the
			// handler made of its cancelled context (some write 500): count
			// and log it as Open Cloud answers it, 499 at debug.
			if r.Context().Err() != nil && (sw.status == 0 || status >= 500) {
				status = statusClientClosed
			}
			level := slog.LevelInfo
			if status == statusClientClosed {
				level = slog.LevelDebug
			}
			m.Observe(r, status, d)
			l.Log(r.Context(), level, "request", "method", r.Method, "path", r.URL.Path,
				"status", status, "duration", d)
		}()
		// No endpoint takes more than a few KiB; handlers that read bodies
		// set tighter limits of their own.
		r.Body = http.MaxBytesReader(sw, r.Body, maxBody)
		next.ServeHTTP(sw, r)
	})
}
