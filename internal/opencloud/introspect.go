package opencloud

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/invcloud/invcloud/internal/apikey"
	"github.com/invcloud/invcloud/internal/auth"
	"github.com/invcloud/invcloud/wire"
)

// maxIntrospectBody bounds the request body; a key is under 1 KiB.
const maxIntrospectBody = 16 << 10

func (h *Handler) introspect(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxIntrospectBody+1))
	if err != nil {
		writeError(w, http.StatusBadRequest, CodeInvalidArgument, "The request body could not be read.")
		return
	}
	var req wire.IntrospectRequest
	if len(body) > maxIntrospectBody || json.Unmarshal(body, &req) != nil {
		writeError(w, http.StatusBadRequest, CodeInvalidArgument, "The request body must be a JSON object with an apiKey string.")
		return
	}
	if req.APIKey == "" {
		writeError(w, http.StatusBadRequest, CodeInvalidArgument, "apiKey is required.")
		return
	}
	k, err := h.auth.LookupKey(r.Context(), req.APIKey, auth.ClientAddr(r))
	var ae *auth.Error
	if errors.As(err, &ae) {
		h.log.InfoContext(r.Context(), "introspect refused", "reason", ae.Reason)
		WriteGateway(w, http.StatusUnauthorized, MsgInvalidAPIKey)
		return
	}
	if err != nil {
		h.internal(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, Introspection(k, h.auth.Now()))
}

// Introspection describes k. Scope strings "resource:operation" are grouped
// by resource, as the introspect response splits them.
func Introspection(k apikey.Key, now time.Time) wire.IntrospectResponse {
	resp := wire.IntrospectResponse{
		Name:             k.Name,
		AuthorizedUserID: k.OwnerID,
		Scopes:           []wire.KeyScope{},
		Enabled:          k.Enabled,
		Expired:          k.Expired(now),
	}
	if !k.Expires.IsZero() {
		resp.ExpirationTimeUTC = k.Expires.UTC().Format("2006-01-02T15:04:05.000Z")
		resp.ExpirationUTCTime = resp.ExpirationTimeUTC
	}
	index := map[string]int{}
	for _, s := range k.Scopes {
		name, op, _ := strings.Cut(s, ":")
		i, ok := index[name]
		if !ok {
			i = len(resp.Scopes)
			index[name] = i
			resp.Scopes = append(resp.Scopes, wire.KeyScope{Name: name, Operations: []string{}})
		}
		resp.Scopes[i].Operations = append(resp.Scopes[i].Operations, op)
	}
	return resp
}
