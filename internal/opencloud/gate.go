package opencloud

import (
	"net/http"

	"github.com/invcloud/invcloud/internal/auth"
	"github.com/invcloud/invcloud/internal/ratelimit"
)

// Gate runs the first steps of every Open Cloud endpoint, for Open Cloud
// resources served by other packages (the User resource, internal/users):
// it authenticates the request (the gateway 401 otherwise) and charges it
// to policy (x-ratelimit-* headers; 429, or 503 with quotas failing
// closed). It returns nil, having answered, when the request may not
// proceed.
func (h *Handler) Gate(w http.ResponseWriter, r *http.Request, policy ratelimit.Policy) *auth.Principal {
	p := h.authenticate(w, r)
	if p == nil || !h.charge(w, r, p, policy) {
		return nil
	}
	return p
}
