package opencloud

import (
	"encoding/json"
	"net/http"

	"github.com/invcloud/invcloud/wire"
)

// v2 error codes and their statuses (spec 2.2).
const (
	CodeInvalidArgument   = "INVALID_ARGUMENT"
	CodePermissionDenied  = "PERMISSION_DENIED"
	CodeNotFound          = "NOT_FOUND"
	CodeResourceExhausted = "RESOURCE_EXHAUSTED"
	CodeInternal          = "INTERNAL"
	CodeUnavailable       = "UNAVAILABLE"
)

// MsgInvalidAPIKey is the gateway's message for every rejected credential.
const MsgInvalidAPIKey = "Invalid API Key"

func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		http.Error(w, `{"code":"INTERNAL","message":"Internal server error."}`, http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(body)
}

// writeError writes the standard v2 error envelope.
func writeError(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, wire.Error{Code: code, Message: msg})
}

// WriteError writes the standard v2 error envelope, for the resources of
// other packages (the User resource).
func WriteError(w http.ResponseWriter, status int, code, msg string) {
	writeError(w, status, code, msg)
}

// WriteGateway writes the gateway envelope used for authentication and
// routing failures.
func WriteGateway(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, wire.GatewayErrors{Errors: []wire.GatewayError{{Code: 0, Message: msg}}})
}
