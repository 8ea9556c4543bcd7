// Package groups serves groups.roblox.com's read endpoints (spec 30-33):
// a group's details, its roles, a role's members and the group's members,
// which bots (noblox.js getGroup, getRoles, getPlayers; ro.py get_group,
// get_roles, get_members) call before ranking anyone.
package groups

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/invcloud/invcloud/internal/inventory"
	"github.com/invcloud/invcloud/internal/legacy"
	"github.com/invcloud/invcloud/internal/pagetoken"
	"github.com/invcloud/invcloud/internal/routes"
	"github.com/invcloud/invcloud/internal/store"
	"github.com/invcloud/invcloud/wire"
)

// Store is what the handlers read.
type Store interface {
	Ping(ctx context.Context) error
	User(ctx context.Context, id int64) (inventory.User, error)
	UsersByID(ctx context.Context, ids []int64) ([]inventory.User, error)
	Group(ctx context.Context, id int64) (store.Group, error)
	GroupRoles(ctx context.Context, groupID int64) ([]store.GroupRole, error)
	GroupRole(ctx context.Context, groupID, roleID int64) (store.GroupRole, error)
	GroupMembers(ctx context.Context, groupID, roleID int64, sp store.Span) ([]store.GroupMembership, error)
	GroupShout(ctx context.Context, groupID int64) (store.GroupShout, error)
}

// Messages of the endpoints' numbered errors, as Roblox documents them
// (spec 30-33; GET /v1/groups/{groupId} words code 1 without "The").
const (
	msgGroupInvalid     = "Group is invalid or does not exist."
	msgTheGroupInvalid  = "The group is invalid or does not exist."
	msgRoleInvalid      = "The roleset is invalid or does not exist."
	msgPaginationCursor = "The pagination cursor is invalid."
	codeGroupInvalid    = 1
	codeRoleInvalid     = 2
	codeInvalidCursor   = 36
)

// Handler serves the endpoints.
type Handler struct {
	store  Store
	tokens *pagetoken.Codec
	log    *slog.Logger
}

// New returns a Handler; cursors are signed with tokens (the codec of the
// other legacy cursors). log may be nil to discard.
func New(s Store, tokens *pagetoken.Codec, log *slog.Logger) *Handler {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Handler{store: s, tokens: tokens, log: log}
}

// Register adds the endpoints to mux. All four are anonymous or cookie
// (spec 23.1) and GETs are never challenged for X-CSRF-TOKEN, so no session
// is resolved: a cookie changes nothing they answer.
func (h *Handler) Register(mux routes.Mux) {
	mux.HandleFunc("GET /v1/groups/{groupId}", h.group)
	mux.HandleFunc("GET /v1/groups/{groupId}/roles", h.roles)
	mux.HandleFunc("GET /v1/groups/{groupId}/roles/{roleSetId}/users", h.roleUsers)
	mux.HandleFunc("GET /v1/groups/{groupId}/users", h.users)
}

// ---- responses (the legacy envelope, spec 6.1, 23.3) ----

// internal answers a failed store call: 499 when the client went away, 503
// when the store is down, else 500.
func (h *Handler) internal(w http.ResponseWriter, r *http.Request, err error) {
	legacy.Fail(w, r, h.log, "groups request failed", h.store.Ping, legacy.Envelope, err)
}

// legacyTime is RFC 3339 in UTC with the fraction's trailing zeros trimmed
// (spec 23.5).
func legacyTime(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

func groupUser(u inventory.User) wire.GroupUser {
	return wire.GroupUser{UserID: u.ID, Username: u.Name, DisplayName: u.DisplayName}
}

// loadGroup reads the path's group; an id that is not one, or names no
// group, is 400 code 1 with msg.
func (h *Handler) loadGroup(w http.ResponseWriter, r *http.Request, msg string) (store.Group, bool) {
	id, ok := legacy.ParseID(r.PathValue("groupId"))
	if !ok {
		legacy.WriteError(w, http.StatusBadRequest, codeGroupInvalid, msg)
		return store.Group{}, false
	}
	g, err := h.store.Group(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		legacy.WriteError(w, http.StatusBadRequest, codeGroupInvalid, msg)
		return g, false
	}
	if err != nil {
		h.internal(w, r, err)
		return g, false
	}
	return g, true
}

// ---- GET /v1/groups/{groupId} (spec 30) ----

func (h *Handler) group(w http.ResponseWriter, r *http.Request) {
	g, ok := h.loadGroup(w, r, msgGroupInvalid)
	if !ok {
		return
	}
	resp := wire.GroupDetail{
		ID: g.ID, Name: g.Name, Description: g.Description, MemberCount: g.MemberCount,
		PublicEntryAllowed: g.PublicEntry, IsLocked: g.Locked, HasVerifiedBadge: g.Verified,
	}
	var want []int64
	if g.OwnerID != 0 {
		want = append(want, g.OwnerID)
	}
	sh, err := h.store.GroupShout(r.Context(), g.ID)
	hasShout := err == nil
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		h.internal(w, r, err)
		return
	}
	if hasShout && sh.PosterID != 0 && sh.PosterID != g.OwnerID {
		want = append(want, sh.PosterID)
	}
	found, err := h.store.UsersByID(r.Context(), want)
	if err != nil {
		h.internal(w, r, err)
		return
	}
	byID := map[int64]wire.GroupUser{}
	for _, u := range found {
		byID[u.ID] = groupUser(u)
	}
	if u, ok := byID[g.OwnerID]; ok {
		resp.Owner = &u
	}
	if hasShout {
		resp.Shout = &wire.GroupShout{Body: sh.Content, Created: legacyTime(sh.Created), Updated: legacyTime(sh.Updated)}
		if u, ok := byID[sh.PosterID]; ok {
			resp.Shout.Poster = &u
		}
	}
	legacy.WriteJSON(w, http.StatusOK, resp)
}

// ---- GET /v1/groups/{groupId}/roles (spec 31) ----

func (h *Handler) roles(w http.ResponseWriter, r *http.Request) {
	g, ok := h.loadGroup(w, r, msgTheGroupInvalid)
	if !ok {
		return
	}
	rs, err := h.store.GroupRoles(r.Context(), g.ID)
	if errors.Is(err, store.ErrNotFound) { // deleted meanwhile
		legacy.WriteError(w, http.StatusBadRequest, codeGroupInvalid, msgTheGroupInvalid)
		return
	}
	if err != nil {
		h.internal(w, r, err)
		return
	}
	resp := wire.GroupAllRoles{GroupID: g.ID, Roles: make([]wire.GroupRole, 0, len(rs))}
	for _, ro := range rs {
		resp.Roles = append(resp.Roles, wire.GroupRole{ID: ro.ID, Name: ro.Name, Description: ro.Description, Rank: ro.Rank, MemberCount: ro.MemberCount})
	}
	legacy.WriteJSON(w, http.StatusOK, resp)
}

// ---- the member listings (spec 32, 33) ----

// listQuery is a member listing's parameters.
type listQuery struct {
	limit  int
	desc   bool
	cursor string
}

// parseList reads limit and sortOrder (400 code 0 as on every legacy
// listing) and keeps the cursor for later.
func parseList(w http.ResponseWriter, r *http.Request) (listQuery, bool) {
	v := r.URL.Query()
	limit, ok := legacy.ParseLimit(v.Get("limit"))
	if !ok {
		legacy.Envelope.Write(w, http.StatusBadRequest, legacy.MsgInvalidLimit)
		return listQuery{}, false
	}
	desc, ok := legacy.ParseSortOrder(v.Get("sortOrder"))
	if !ok {
		legacy.Envelope.Write(w, http.StatusBadRequest, legacy.MsgInvalidSort)
		return listQuery{}, false
	}
	return listQuery{limit: limit, desc: desc, cursor: v.Get("cursor")}, true
}

// binding ties a cursor to its listing: the endpoint, group, role and order.
func binding(kind string, groupID, roleID int64, desc bool) string {
	return fmt.Sprintf("groups-%s\x00%d\x00%d\x00%t", kind, groupID, roleID, desc)
}

// page reads the page of memberships (of one role when roleID != 0) that
// q asks for; a cursor not issued for bind is 400 code 36.
func (h *Handler) page(w http.ResponseWriter, r *http.Request, groupID, roleID int64, q listQuery, bind string) (legacy.Page[store.GroupMembership], bool) {
	var cur *legacy.Cursor
	if q.cursor != "" {
		c, err := legacy.OpenCursor(h.tokens, q.cursor, bind)
		if err != nil {
			legacy.WriteError(w, http.StatusBadRequest, codeInvalidCursor, msgPaginationCursor)
			return legacy.Page[store.GroupMembership]{}, false
		}
		cur = &c
	}
	p, err := legacy.FetchPage(func(sp store.Span) ([]store.GroupMembership, error) {
		return h.members(r.Context(), groupID, roleID, sp)
	}, func(m store.GroupMembership) int64 { return m.UserID }, q.desc, q.limit, cur)
	if err != nil {
		h.internal(w, r, err)
		return p, false
	}
	return p, true
}

// members reads memberships in the direction of sp, past sp.From (0: from
// the start): one keyset range in the store, either way.
func (h *Handler) members(ctx context.Context, groupID, roleID int64, sp store.Span) ([]store.GroupMembership, error) {
	return h.store.GroupMembers(ctx, groupID, roleID, sp)
}

// usersOf returns the users of memberships by id.
func (h *Handler) usersOf(ctx context.Context, ms []store.GroupMembership) (map[int64]wire.GroupUser, error) {
	ids := make([]int64, len(ms))
	for i, m := range ms {
		ids[i] = m.UserID
	}
	found, err := h.store.UsersByID(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make(map[int64]wire.GroupUser, len(found))
	for _, u := range found {
		out[u.ID] = groupUser(u)
	}
	return out, nil
}

func (h *Handler) seal(c *legacy.Cursor, bind string) *string {
	if c == nil {
		return nil
	}
	s := legacy.SealCursor(h.tokens, *c, bind)
	return &s
}

// GET /v1/groups/{groupId}/roles/{roleSetId}/users (spec 32).
func (h *Handler) roleUsers(w http.ResponseWriter, r *http.Request) {
	q, ok := parseList(w, r)
	if !ok {
		return
	}
	g, ok := h.loadGroup(w, r, msgTheGroupInvalid)
	if !ok {
		return
	}
	roleID, ok := legacy.ParseID(r.PathValue("roleSetId"))
	if !ok {
		legacy.WriteError(w, http.StatusForbidden, codeRoleInvalid, msgRoleInvalid)
		return
	}
	if _, err := h.store.GroupRole(r.Context(), g.ID, roleID); errors.Is(err, store.ErrNotFound) {
		legacy.WriteError(w, http.StatusForbidden, codeRoleInvalid, msgRoleInvalid)
		return
	} else if err != nil {
		h.internal(w, r, err)
		return
	}
	bind := binding("role-users", g.ID, roleID, q.desc)
	p, ok := h.page(w, r, g.ID, roleID, q, bind)
	if !ok {
		return
	}
	us, err := h.usersOf(r.Context(), p.Items)
	if err != nil {
		h.internal(w, r, err)
		return
	}
	resp := wire.LegacyPage[wire.GroupUser]{Data: make([]wire.GroupUser, 0, len(p.Items))}
	for _, m := range p.Items {
		if u, ok := us[m.UserID]; ok {
			resp.Data = append(resp.Data, u)
		}
	}
	resp.PreviousPageCursor, resp.NextPageCursor = h.seal(p.Prev, bind), h.seal(p.Next, bind)
	legacy.WriteJSON(w, http.StatusOK, resp)
}

// GET /v1/groups/{groupId}/users (spec 33).
func (h *Handler) users(w http.ResponseWriter, r *http.Request) {
	q, ok := parseList(w, r)
	if !ok {
		return
	}
	g, ok := h.loadGroup(w, r, msgTheGroupInvalid)
	if !ok {
		return
	}
	bind := binding("users", g.ID, 0, q.desc)
	p, ok := h.page(w, r, g.ID, 0, q, bind)
	if !ok {
		return
	}
	rs, err := h.store.GroupRoles(r.Context(), g.ID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		h.internal(w, r, err)
		return
	}
	roles := make(map[int64]wire.GroupRoleBasic, len(rs))
	for _, ro := range rs {
		roles[ro.ID] = wire.GroupRoleBasic{ID: ro.ID, Name: ro.Name, Rank: ro.Rank}
	}
	us, err := h.usersOf(r.Context(), p.Items)
	if err != nil {
		h.internal(w, r, err)
		return
	}
	resp := wire.LegacyPage[wire.GroupMember]{Data: make([]wire.GroupMember, 0, len(p.Items))}
	for _, m := range p.Items {
		u, ok := us[m.UserID]
		ro, rok := roles[m.RoleID]
		if ok && rok {
			resp.Data = append(resp.Data, wire.GroupMember{User: u, Role: ro})
		}
	}
	resp.PreviousPageCursor, resp.NextPageCursor = h.seal(p.Prev, bind), h.seal(p.Next, bind)
	legacy.WriteJSON(w, http.StatusOK, resp)
}
