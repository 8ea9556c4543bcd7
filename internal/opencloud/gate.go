package opencloud

import (
	"context"
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

// Throttle charges one request of policy to a caller known by key alone (a
// client address, on a legacy host's anonymous endpoint), with the same
// quotas, scale and Redis sharing as the Open Cloud buckets; the policy's
// PerOAuth limit is the one applied (Take's bucket for a key that is not
// an owner id). Quotas off: always allowed. A quota store that is down
// gives ratelimit.ErrUnavailable with quotas failing closed.
func (h *Handler) Throttle(ctx context.Context, policy ratelimit.Policy, key string) (ratelimit.Result, error) {
	if !h.quotas.Enabled() {
		return ratelimit.Result{Allowed: true}, nil
	}
	return h.quotas.Take(ctx, policy, 0, key)
}
