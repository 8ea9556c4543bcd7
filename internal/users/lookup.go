package users

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/invcloud/invcloud/internal/inventory"
	"github.com/invcloud/invcloud/internal/legacy"
	"github.com/invcloud/invcloud/internal/store"
	"github.com/invcloud/invcloud/wire"
)

// Bounds of the lookups' input.
const (
	// MaxBatch is how many usernames or ids one POST may ask for: Roblox
	// documents "Too many usernames." / "Too many ids." but not the number;
	// 100 is what clients chunk by (docs/compat.md).
	MaxBatch = 100
	// MaxBody bounds a POST body: 100 names of escaped JSON fit many times.
	MaxBody = 64 << 10
	// MaxUsernameBytes is the longest requested name looked up; a longer
	// one cannot be a username (at most 20 characters) and is simply absent.
	MaxUsernameBytes = 64
	// MinKeyword and MaxKeyword bound a search keyword, in characters.
	// Shorter is 400 code 6; longer cannot match a name or display name
	// (20 characters at most) and gets an empty page without a query.
	MinKeyword = 3
	MaxKeyword = 50
)

// Messages of the endpoints' numbered errors (spec 26).
const (
	msgTooManyUsernames = "Too many usernames."
	msgTooManyIDs       = "Too many ids."
	msgInvalidUserID    = "The user id is invalid."
	msgKeywordTooShort  = "The keyword is too short."
)

// requestError is a refused body: the status, code and message to answer.
type requestError struct {
	code int
	msg  string
}

func (e *requestError) Error() string { return e.msg }

var errInvalidRequest = &requestError{0, legacy.MsgInvalidRequest}

// readBody reads a bounded body; an empty body (or white space) is "{}":
// clients send a JSON content type with no body (spec 23.3), and a lookup
// of nothing finds nothing.
func readBody(r *http.Request) ([]byte, error) {
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxBody+1))
	if err != nil || len(body) > MaxBody {
		return nil, errInvalidRequest
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return []byte("{}"), nil
	}
	return body, nil
}

// decode unmarshals a JSON object body into v; anything else (an array,
// null, trailing data, wrong types) is the framework's invalid request.
func decode(body []byte, v any) error {
	body = bytes.TrimSpace(body)
	if len(body) == 0 || body[0] != '{' {
		return errInvalidRequest
	}
	if err := json.Unmarshal(body, v); err != nil {
		return errInvalidRequest
	}
	return nil
}

// UsernamesQuery is a parsed POST /v1/usernames/users.
type UsernamesQuery struct {
	// Requested are the distinct names as sent, in order (exact duplicates
	// merged: case variants stay, each is echoed as sent).
	Requested     []string
	ExcludeBanned bool
}

// ParseUsernames parses the body of POST /v1/usernames/users.
func ParseUsernames(body []byte) (UsernamesQuery, error) {
	var req wire.MultiGetByUsernameRequest
	if err := decode(body, &req); err != nil {
		return UsernamesQuery{}, err
	}
	if len(req.Usernames) > MaxBatch {
		return UsernamesQuery{}, &requestError{2, msgTooManyUsernames}
	}
	q := UsernamesQuery{ExcludeBanned: req.ExcludeBannedUsers, Requested: make([]string, 0, len(req.Usernames))}
	seen := make(map[string]bool, len(req.Usernames))
	for _, n := range req.Usernames {
		if !seen[n] {
			seen[n] = true
			q.Requested = append(q.Requested, n)
		}
	}
	return q, nil
}

// Lookup returns the names the store is asked for: folded, distinct,
// without those that cannot be usernames.
func (q UsernamesQuery) Lookup() []string {
	var out []string
	seen := map[string]bool{}
	for _, n := range q.Requested {
		f := store.FoldASCII(n)
		if n == "" || len(n) > MaxUsernameBytes || seen[f] {
			continue
		}
		seen[f] = true
		out = append(out, f)
	}
	return out
}

// IDsQuery is a parsed POST /v1/users.
type IDsQuery struct {
	IDs           []int64 // distinct, in order; ids <= 0 dropped (they name no one)
	ExcludeBanned bool
}

// ParseIDs parses the body of POST /v1/users. Ids are JSON integers (or
// numeric strings, which Roblox's JSON reader takes too) within int64.
func ParseIDs(body []byte) (IDsQuery, error) {
	var req wire.MultiGetByUserIDRequest
	if err := decode(body, &req); err != nil {
		return IDsQuery{}, err
	}
	if len(req.UserIDs) > MaxBatch {
		return IDsQuery{}, &requestError{1, msgTooManyIDs}
	}
	q := IDsQuery{ExcludeBanned: req.ExcludeBannedUsers, IDs: make([]int64, 0, len(req.UserIDs))}
	seen := make(map[int64]bool, len(req.UserIDs))
	for _, n := range req.UserIDs {
		id, err := strconv.ParseInt(n.String(), 10, 64)
		if err != nil {
			return IDsQuery{}, errInvalidRequest
		}
		if id > 0 && !seen[id] {
			seen[id] = true
			q.IDs = append(q.IDs, id)
		}
	}
	return q, nil
}

// answerRequestError writes a refused body's error.
func answerRequestError(w http.ResponseWriter, err error) {
	var re *requestError
	if !errors.As(err, &re) {
		re = errInvalidRequest
	}
	if re.code == 0 {
		legacy.Envelope.Write(w, http.StatusBadRequest, re.msg)
		return
	}
	legacy.WriteError(w, http.StatusBadRequest, re.code, re.msg)
}

func (h *Handler) usersByName(w http.ResponseWriter, r *http.Request) {
	body, err := readBody(r)
	if err != nil {
		answerRequestError(w, err)
		return
	}
	q, err := ParseUsernames(body)
	if err != nil {
		answerRequestError(w, err)
		return
	}
	found, err := h.store.UsersByName(r.Context(), q.Lookup())
	if err != nil {
		h.internal(w, r, err)
		return
	}
	byName := make(map[string]inventory.User, len(found))
	for _, u := range found {
		byName[store.FoldASCII(u.Name)] = u
	}
	resp := wire.UsersData[wire.UserByName]{Data: make([]wire.UserByName, 0, len(found))}
	for _, n := range q.Requested {
		u, ok := byName[store.FoldASCII(n)]
		if !ok || n == "" || len(n) > MaxUsernameBytes || (q.ExcludeBanned && u.Banned) {
			continue
		}
		resp.Data = append(resp.Data, wire.UserByName{RequestedUsername: n, ID: u.ID, Name: u.Name, DisplayName: u.DisplayName})
	}
	legacy.WriteJSON(w, http.StatusOK, resp)
}

func (h *Handler) usersByID(w http.ResponseWriter, r *http.Request) {
	body, err := readBody(r)
	if err != nil {
		answerRequestError(w, err)
		return
	}
	q, err := ParseIDs(body)
	if err != nil {
		answerRequestError(w, err)
		return
	}
	found, err := h.store.UsersByID(r.Context(), q.IDs)
	if err != nil {
		h.internal(w, r, err)
		return
	}
	byID := make(map[int64]inventory.User, len(found))
	for _, u := range found {
		byID[u.ID] = u
	}
	resp := wire.UsersData[wire.UserByID]{Data: make([]wire.UserByID, 0, len(found))}
	for _, id := range q.IDs {
		if u, ok := byID[id]; ok && !(q.ExcludeBanned && u.Banned) {
			resp.Data = append(resp.Data, wire.UserByID{ID: u.ID, Name: u.Name, DisplayName: u.DisplayName})
		}
	}
	legacy.WriteJSON(w, http.StatusOK, resp)
}

func (h *Handler) user(w http.ResponseWriter, r *http.Request) {
	id, ok := legacy.ParseID(r.PathValue("userId"))
	if !ok {
		legacy.WriteError(w, http.StatusNotFound, 3, msgInvalidUserID)
		return
	}
	u, err := h.store.User(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		legacy.WriteError(w, http.StatusNotFound, 3, msgInvalidUserID)
		return
	}
	if err != nil {
		h.internal(w, r, err)
		return
	}
	legacy.WriteJSON(w, http.StatusOK, wire.UserDetail{
		Description: u.Description, Created: legacyTime(u.Created), IsBanned: u.Banned,
		ID: u.ID, Name: u.Name, DisplayName: u.DisplayName,
	})
}

// SearchQuery is a parsed GET /v1/users/search.
type SearchQuery struct {
	Keyword string // trimmed
	Limit   int
	Cursor  string
	// Hopeless is set for a keyword no name can contain (too long, or not
	// UTF-8): the page is empty without a query.
	Hopeless bool
}

// ParseSearch reads the search parameters; the error is what to answer.
func ParseSearch(keyword, limit, cursor string) (SearchQuery, error) {
	q := SearchQuery{Keyword: strings.TrimSpace(keyword), Cursor: cursor}
	if !utf8.ValidString(q.Keyword) {
		q.Hopeless = true
	} else if n := utf8.RuneCountInString(q.Keyword); n < MinKeyword {
		return q, &requestError{6, msgKeywordTooShort}
	} else if n > MaxKeyword {
		q.Hopeless = true
	}
	l, ok := legacy.ParseLimit(limit)
	if !ok {
		return q, &requestError{0, legacy.MsgInvalidLimit}
	}
	q.Limit = l
	return q, nil
}

// searchBinding ties a cursor to the keyword as the store matches it.
func searchBinding(keyword string) string { return "users-search\x00" + store.FoldASCII(keyword) }

func (h *Handler) search(w http.ResponseWriter, r *http.Request) {
	if !h.throttleSearch(w, r) {
		return
	}
	v := r.URL.Query()
	q, err := ParseSearch(v.Get("keyword"), v.Get("limit"), v.Get("cursor"))
	if err != nil {
		answerRequestError(w, err)
		return
	}
	binding := searchBinding(q.Keyword)
	var cur *legacy.Cursor
	if q.Cursor != "" {
		c, err := legacy.OpenCursor(h.tokens, q.Cursor, binding)
		if err != nil {
			legacy.Envelope.Write(w, http.StatusBadRequest, legacy.MsgInvalidCursor)
			return
		}
		cur = &c
	}
	resp := wire.LegacyPage[wire.UserSearchResult]{Data: []wire.UserSearchResult{}}
	if !q.Hopeless {
		p, err := legacy.FetchPage(func(sp store.Span) ([]inventory.User, error) {
			return h.store.SearchUsers(r.Context(), q.Keyword, sp)
		}, func(u inventory.User) int64 { return u.ID }, false, q.Limit, cur)
		if err != nil {
			h.internal(w, r, err)
			return
		}
		for _, u := range p.Items {
			resp.Data = append(resp.Data, wire.UserSearchResult{PreviousUsernames: []string{}, ID: u.ID, Name: u.Name, DisplayName: u.DisplayName})
		}
		resp.PreviousPageCursor, resp.NextPageCursor = h.seal(p.Prev, binding), h.seal(p.Next, binding)
	}
	legacy.WriteJSON(w, http.StatusOK, resp)
}

func (h *Handler) seal(c *legacy.Cursor, binding string) *string {
	if c == nil {
		return nil
	}
	s := legacy.SealCursor(h.tokens, *c, binding)
	return &s
}
