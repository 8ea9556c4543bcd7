package users

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/invcloud/invcloud/internal/auth"
	"github.com/invcloud/invcloud/internal/legacy"
	"github.com/invcloud/invcloud/internal/ratelimit"
)

// SearchPolicy bounds GET /v1/users/search per client address (an IPv6
// /64 counts as one): Roblox documents "429 4: Too many requests." for it
// but publishes no number. Search is the one lookup whose cost grows with
// the table (a substring match walks users until a page is full), and it
// is anonymous, so it gets a budget: 60 a minute.
var SearchPolicy = ratelimit.Policy{
	Name:     "users-search",
	PerOAuth: ratelimit.Limit{Max: 60, Period: time.Minute},
}

// throttler is the optional capability of a Gate that also limits callers
// known only by address (opencloud.Handler.Throttle).
type throttler interface {
	Throttle(ctx context.Context, policy ratelimit.Policy, key string) (ratelimit.Result, error)
}

// throttleSearch takes one search from the caller's address budget and
// answers 429 code 4 (or 503 when quotas fail closed and their store is
// down) when the request may not proceed.
func (h *Handler) throttleSearch(w http.ResponseWriter, r *http.Request) bool {
	t, ok := h.gate.(throttler)
	if !ok {
		return true
	}
	a := auth.ClientAddr(r)
	key := "addr:" + a.String()
	if a.Is6() {
		if p, err := a.Prefix(64); err == nil {
			key = "addr:" + p.String()
		}
	}
	res, err := t.Throttle(r.Context(), SearchPolicy, key)
	switch {
	case errors.Is(err, ratelimit.ErrUnavailable):
		legacy.Envelope.Write(w, http.StatusServiceUnavailable, legacy.MsgUnavailable)
		return false
	case err != nil:
		h.internal(w, r, err)
		return false
	case !res.Allowed:
		w.Header().Set("Retry-After", strconv.Itoa(max(1, int((res.RetryAfter+time.Second-1)/time.Second))))
		legacy.WriteError(w, http.StatusTooManyRequests, 4, "Too many requests.")
		return false
	}
	return true
}
