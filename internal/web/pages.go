package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/invcloud/invcloud/internal/apikey"
	"github.com/invcloud/invcloud/internal/inventory"
	"github.com/invcloud/invcloud/internal/store"
)

// inventoryPageSize is how many items the inventory page shows at once.
const inventoryPageSize = 30

type category struct {
	Kind  inventory.Kind
	Slug  string
	Label string
	Count int
}

var categories = []category{
	{inventory.KindAsset, "assets", "Items", 0},
	{inventory.KindBadge, "badges", "Badges", 0},
	{inventory.KindGamePass, "gamepasses", "Passes", 0},
	{inventory.KindPrivateServer, "privateservers", "Private servers", 0},
}

type inventoryRow struct {
	Name   string
	ID     int64 // catalog id
	Type   string
	Serial int64
	State  string
	Added  time.Time
	Copy   int64 // instance id (assets)
}

type inventoryData struct {
	Categories []category
	Current    category
	Rows       []inventoryRow
	// Next and First are the hrefs of the next page ("" on the last) and of
	// the first page ("" on the first). They are whole same-site paths, so
	// html/template only normalizes them; a query spliced into a template
	// after "?" would be escaped as one value ("%3d", "%26").
	Next  string
	First string
}

// inventoryURL is the inventory page of category slug, after the item with
// id after (0: from the start).
func inventoryURL(slug string, after int64) string {
	q := url.Values{"category": {slug}}
	if after > 0 {
		q.Set("after", strconv.FormatInt(after, 10))
	}
	return "/my/inventory?" + q.Encode()
}

func (s *Site) inventory(w http.ResponseWriter, r *http.Request) {
	sess, ok := s.RequireSession(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	counts, err := s.store.Counts(ctx, sess.UserID)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	d := inventoryData{Categories: slices.Clone(categories)}
	d.Current = d.Categories[0]
	for i := range d.Categories {
		d.Categories[i].Count = counts[d.Categories[i].Kind]
		if d.Categories[i].Slug == r.URL.Query().Get("category") {
			d.Current = d.Categories[i]
		}
	}
	after, _ := strconv.ParseInt(r.URL.Query().Get("after"), 10, 64)
	if after > 0 {
		d.First = inventoryURL(d.Current.Slug, 0)
	}
	q := inventory.Query{Types: inventory.AllTypes}
	switch d.Current.Kind {
	case inventory.KindAsset:
		q.Assets.Include = true
	case inventory.KindBadge:
		q.Badges.Include = true
	case inventory.KindGamePass:
		q.GamePasses.Include = true
	case inventory.KindPrivateServer:
		q.PrivateServers.Include = true
	}
	items, err := s.store.ListInventory(ctx, sess.UserID, q, inventory.Position{Kind: d.Current.Kind, After: max(after, 0)}, inventoryPageSize+1)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	if len(items) > inventoryPageSize {
		items = items[:inventoryPageSize]
		d.Next = inventoryURL(d.Current.Slug, items[len(items)-1].ID)
	}
	ids := make([]int64, len(items))
	for i, it := range items {
		ids[i] = it.ID
		if it.Kind == inventory.KindAsset {
			ids[i] = it.AssetID
		}
	}
	names, err := s.store.Names(ctx, d.Current.Kind, ids)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	for i, it := range items {
		row := inventoryRow{Name: names[ids[i]], ID: ids[i], Added: it.AddTime}
		if it.Kind == inventory.KindAsset {
			row.Type, row.Copy = it.AssetType.String(), it.ID
			if c := it.Collectible; c != nil {
				row.Serial, row.State = c.SerialNumber, c.State.String()
			}
		}
		d.Rows = append(d.Rows, row)
	}
	s.Render(w, r, http.StatusOK, "inventory.html", Page{Title: "My inventory", Nav: "inventory", Data: d})
}

type privacyData struct {
	Current inventory.Visibility
	Saved   bool
}

func (s *Site) privacyForm(w http.ResponseWriter, r *http.Request) {
	sess, ok := s.RequireSession(w, r)
	if !ok {
		return
	}
	u, err := s.store.User(r.Context(), sess.UserID)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	s.Render(w, r, http.StatusOK, "privacy.html", Page{Title: "Privacy", Nav: "privacy", User: &u,
		Data: privacyData{Current: u.Visibility, Saved: r.URL.Query().Has("saved")}})
}

func (s *Site) privacy(w http.ResponseWriter, r *http.Request) {
	sess, ok := s.RequireSession(w, r)
	if !ok {
		return
	}
	if !s.CheckCSRF(r, sess) {
		s.forbidden(w, r)
		return
	}
	v, err := inventory.ParseVisibility(r.PostFormValue("visibility"))
	if err != nil {
		s.Render(w, r, http.StatusBadRequest, "error.html", Page{Title: "Privacy", Error: "Choose who can see your inventory."})
		return
	}
	if err := s.store.SetVisibility(r.Context(), sess.UserID, v); err != nil {
		s.internal(w, r, err)
		return
	}
	http.Redirect(w, r, "/my/privacy?saved", http.StatusSeeOther)
}

// permissions offered on the API key form, with their dashboard labels.
var permissions = []struct{ Scope, Label string }{
	{apikey.ScopeInventoryRead, "Inventory: Read"},
	{apikey.ScopeGroupRead, "Groups: Read"},
	{apikey.ScopeGroupWrite, "Groups: Write"},
	{apikey.ScopeUserAdvancedRead, "User: Advanced read"},
	{apikey.ScopeUserSocialRead, "User: Social read"},
}

type keyRow struct {
	apikey.Key
	Status string
	Labels []string
	IPs    []string
}

type credentialsData struct {
	Keys        []keyRow
	Permissions []struct{ Scope, Label string }
	NewSecret   string // shown once, right after creation or regeneration
	NewName     string
}

func (s *Site) renderCredentials(w http.ResponseWriter, r *http.Request, sess store.Session, status int, d credentialsData, errMsg string) {
	keys, err := s.store.APIKeys(r.Context(), sess.UserID)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	now := s.now()
	for _, k := range keys {
		row := keyRow{Key: k, Status: "Active"}
		switch {
		case !k.Enabled:
			row.Status = "Disabled"
		case k.Expired(now):
			row.Status = "Expired"
		}
		for _, p := range permissions {
			if k.HasScope(p.Scope) {
				row.Labels = append(row.Labels, p.Label)
			}
		}
		for _, p := range k.AllowIPs {
			row.IPs = append(row.IPs, p.String())
		}
		d.Keys = append(d.Keys, row)
	}
	d.Permissions = permissions
	s.Render(w, r, status, "credentials.html", Page{Title: "API keys", Nav: "credentials", Error: errMsg, Data: d})
}

func (s *Site) credentials(w http.ResponseWriter, r *http.Request) {
	sess, ok := s.RequireSession(w, r)
	if !ok {
		return
	}
	s.renderCredentials(w, r, sess, http.StatusOK, credentialsData{}, "")
}

func (s *Site) createKey(w http.ResponseWriter, r *http.Request) {
	sess, ok := s.RequireSession(w, r)
	if !ok {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if !s.CheckCSRF(r, sess) {
		s.forbidden(w, r)
		return
	}
	k, err := s.parseKeyForm(r, sess.UserID)
	if err != nil {
		s.renderCredentials(w, r, sess, http.StatusBadRequest, credentialsData{}, err.Error())
		return
	}
	secret, err := apikey.NewSecret()
	if err != nil {
		s.internal(w, r, err)
		return
	}
	k.Hash = apikey.HashSecret(secret)
	if _, err := s.store.CreateAPIKey(r.Context(), k); err != nil {
		if errors.Is(err, store.ErrFull) {
			s.renderCredentials(w, r, sess, http.StatusBadRequest, credentialsData{},
				fmt.Sprintf("An account may have at most %d API keys: delete one first.", apikey.MaxPerUser))
			return
		}
		s.internal(w, r, err)
		return
	}
	s.renderCredentials(w, r, sess, http.StatusOK, credentialsData{NewSecret: secret, NewName: k.Name}, "")
}

func (s *Site) parseKeyForm(r *http.Request, owner int64) (apikey.Key, error) {
	k := apikey.Key{OwnerID: owner, Enabled: true, Created: s.now()}
	k.Name = strings.TrimSpace(r.PostFormValue("name"))
	if apikey.ValidName(k.Name) != nil {
		return k, errors.New("Give the key a name of 1 to 50 characters.")
	}
	for _, sc := range r.PostForm["scope"] {
		if _, err := apikey.ParseScope(sc); err != nil {
			return k, errors.New("Unknown permission.")
		}
		if !k.HasScope(sc) {
			k.Scopes = append(k.Scopes, sc)
		}
	}
	for _, f := range strings.FieldsFunc(r.PostFormValue("ips"), func(c rune) bool { return c == ',' || c == '\n' || c == '\r' || c == ' ' }) {
		p, err := apikey.ParsePrefix(f)
		if err != nil {
			return k, errors.New("Accepted IP addresses must be IP addresses or CIDRs, like 203.0.113.7 or 192.168.0.0/24.")
		}
		k.AllowIPs = append(k.AllowIPs, p)
	}
	if len(k.AllowIPs) > apikey.MaxAllowIPs {
		return k, errors.New("At most 50 accepted IP addresses.")
	}
	if e := strings.TrimSpace(r.PostFormValue("expires")); e != "" {
		t, err := time.Parse("2006-01-02", e)
		if err != nil {
			return k, errors.New("Expiration must be a date.")
		}
		k.Expires = t.Add(24*time.Hour - time.Second).UTC() // to the end of that day
		if !k.Expires.After(s.now()) {
			return k, errors.New("Expiration must be in the future.")
		}
	}
	return k, nil
}

func (s *Site) keyAction(w http.ResponseWriter, r *http.Request) {
	sess, ok := s.RequireSession(w, r)
	if !ok {
		return
	}
	if !s.CheckCSRF(r, sess) {
		s.forbidden(w, r)
		return
	}
	ctx := r.Context()
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	keys, lerr := s.store.APIKeys(ctx, sess.UserID)
	if lerr != nil {
		s.internal(w, r, lerr)
		return
	}
	// Only the owner's own keys: another user's id is simply not found.
	if err != nil || !slices.ContainsFunc(keys, func(k apikey.Key) bool { return k.ID == id }) {
		s.Render(w, r, http.StatusNotFound, "error.html", Page{Title: "API keys", Error: "No such API key."})
		return
	}
	var d credentialsData
	switch r.PathValue("action") {
	case "disable":
		err = s.store.SetAPIKeyEnabled(ctx, id, false)
	case "enable":
		err = s.store.SetAPIKeyEnabled(ctx, id, true)
	case "delete":
		err = s.store.DeleteAPIKey(ctx, id)
	case "regenerate":
		var secret string
		if secret, err = apikey.NewSecret(); err == nil {
			err = s.store.SetAPIKeyHash(ctx, id, apikey.HashSecret(secret))
			d.NewSecret = secret
		}
	default:
		s.Render(w, r, http.StatusNotFound, "error.html", Page{Title: "API keys", Error: "Unknown action."})
		return
	}
	if err != nil {
		s.internal(w, r, err)
		return
	}
	if d.NewSecret != "" {
		s.renderCredentials(w, r, sess, http.StatusOK, d, "")
		return
	}
	http.Redirect(w, r, "/dashboard/credentials", http.StatusSeeOther)
}
