// Package reqerr decides who is to blame for a failed request, so every
// surface answers and logs a client that went away the same way.
package reqerr

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
)

// StatusClientClosed is recorded for a request whose client went away
// before it was answered (nginx's 499 "client closed request"): the server
// did not fail, so it is neither a 5xx in metrics nor an error in the log.
const StatusClientClosed = 499

// ClientGone reports whether r was cancelled: its client disconnected (the
// server's base context never cancels, so shutdown does not count). A
// deadline is not the client's doing and does not count either.
func ClientGone(r *http.Request) bool {
	return errors.Is(r.Context().Err(), context.Canceled)
}

// Log logs the failure err of r: at debug level when the client went away,
// at error level otherwise. It reports whether the client went away, in
// which case the caller answers StatusClientClosed.
func Log(log *slog.Logger, r *http.Request, msg string, err error, attrs ...any) bool {
	attrs = append(attrs, "err", err)
	if ClientGone(r) {
		log.DebugContext(r.Context(), msg+" (client went away)", attrs...)
		return true
	}
	log.ErrorContext(r.Context(), msg, attrs...)
	return false
}
