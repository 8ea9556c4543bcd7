package users

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"

	"github.com/invcloud/invcloud/internal/apikey"
	"github.com/invcloud/invcloud/internal/legacy"
	"github.com/invcloud/invcloud/internal/opencloud"
	"github.com/invcloud/invcloud/internal/store"
	"github.com/invcloud/invcloud/wire"
)

// Scopes that unlock parts of the User resource (spec 27); none is needed
// for the rest.
const (
	ScopeAdvancedRead = apikey.ScopeUserAdvancedRead
	ScopeSocialRead   = apikey.ScopeUserSocialRead
)

// Locale is every user's locale. invcloud keeps none per user; the value
// is in the form Roblox actually sends ("en_us"), not the documented IETF
// "en-US" (docs/compat.md).
const Locale = "en_us"

// SocialVisibility is the visibility of every user's (empty) social links.
const SocialVisibility = "NO_ONE"

func (h *Handler) cloudUser(w http.ResponseWriter, r *http.Request) {
	p := h.gate.Gate(w, r, GetUserPolicy)
	if p == nil {
		return
	}
	id, ok := legacy.ParseID(r.PathValue("user_id"))
	if !ok {
		opencloud.WriteError(w, http.StatusBadRequest, opencloud.CodeInvalidArgument, "Invalid User ID in the request.")
		return
	}
	u, err := h.store.User(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		opencloud.WriteError(w, http.StatusNotFound, opencloud.CodeNotFound, "User not found.")
		return
	}
	if err != nil {
		opencloud.Fail(w, r, h.log, "users request failed", h.store.Ping, err)
		return
	}
	sid := strconv.FormatInt(u.ID, 10)
	resp := wire.CloudUser{
		Path: "users/" + sid, CreateTime: cloudTime(u.Created), ID: sid, Name: u.Name, DisplayName: u.DisplayName,
		About: u.Description, Locale: Locale,
	}
	if p.HasScope(ScopeAdvancedRead) {
		resp.IDVerified = new(bool)
	}
	if p.HasScope(ScopeSocialRead) {
		resp.SocialNetworkProfiles = &wire.SocialNetworkProfiles{Visibility: SocialVisibility}
	}
	body, err := json.Marshal(resp)
	if err != nil {
		opencloud.WriteError(w, http.StatusInternalServerError, opencloud.CodeInternal, "Internal server error.")
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	w.Write(body)
}
