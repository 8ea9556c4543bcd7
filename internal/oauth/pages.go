package oauth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/invcloud/invcloud/internal/inventory"
	"github.com/invcloud/invcloud/internal/store"
	"github.com/invcloud/invcloud/internal/web"
)

// Pages: the consent screen of the authorization flow, the OAuth apps
// dashboard (a developer's apps) and the authorized apps page (a user's
// grants). They render through web.Site, work without JavaScript, and
// every form posts a CSRF token checked with Site.CheckCSRF.

func (p *Provider) pageError(w http.ResponseWriter, r *http.Request, status int, title, msg string) {
	p.site.Render(w, r, status, "error.html", web.Page{Title: title, Error: msg})
}

func (p *Provider) forbidden(w http.ResponseWriter, r *http.Request) {
	p.pageError(w, r, http.StatusForbidden, "Request refused",
		"This form has expired or did not come from this site. Go back, reload the page and try again.")
}

func (p *Provider) internal(w http.ResponseWriter, r *http.Request, err error) {
	p.log.ErrorContext(r.Context(), "oauth page failed", "path", r.URL.Path, "err", err)
	p.pageError(w, r, http.StatusInternalServerError, "Something went wrong", "Something went wrong. Please try again.")
}

func (p *Provider) expiredRequest(w http.ResponseWriter, r *http.Request) {
	p.pageError(w, r, http.StatusBadRequest, "Authorization request expired",
		"This authorization request has expired or was already answered. Go back to the app and start again.")
}

func (p *Provider) userName(ctx context.Context, id int64) string {
	if u, err := p.store.User(ctx, id); err == nil {
		return u.Name
	}
	return "#" + strconv.FormatInt(id, 10)
}

type consentData struct {
	RequestID    string
	AppName      string
	Developer    string
	Scopes       []Scope
	RedirectHost string
}

// consentPage shows what the app asks for, after sign-in if needed, and
// applies prompt (none: answer without a page; login: sign in again).
func (p *Provider) consentPage(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	req, err := p.store.OAuthRequest(ctx, r.URL.Query().Get("id"), p.now())
	if errors.Is(err, store.ErrNotFound) {
		p.expiredRequest(w, r)
		return
	}
	if err != nil {
		p.internal(w, r, err)
		return
	}
	sess, signedIn := p.site.Session(r)
	none := slices.Contains(req.Prompt, oidc.PromptNone)
	switch {
	case !signedIn && none:
		p.answerError(w, r, req, oidc.ErrLoginRequired().WithDescription("The user is not signed in."))
		return
	case !signedIn, slices.Contains(req.Prompt, oidc.PromptLogin) && sess.Created.Before(req.Created):
		http.Redirect(w, r, web.LoginURL(r.URL.RequestURI()), http.StatusSeeOther)
		return
	}
	app, err := p.store.OAuthApp(ctx, req.ClientID)
	if err != nil {
		p.expiredRequest(w, r)
		return
	}
	if none {
		// No page may be shown: approve only what the user already granted.
		auths, err := p.store.OAuthAuthorizations(ctx, sess.UserID, app.ClientID)
		if err != nil {
			p.internal(w, r, err)
			return
		}
		if len(auths) == 0 || slices.ContainsFunc(req.Scopes, func(s string) bool { return !slices.Contains(auths[0].Scopes, s) }) {
			p.answerError(w, r, req, &oidc.Error{ErrorType: "consent_required", Description: "The user has not authorized these scopes."})
			return
		}
		p.approve(w, r, sess, req)
		return
	}
	d := consentData{RequestID: req.ID, AppName: app.Name, Developer: p.userName(ctx, app.OwnerID), Scopes: describe(req.Scopes)}
	if u, err := url.Parse(req.RedirectURI); err == nil {
		d.RedirectHost = u.Host
		if d.RedirectHost == "" {
			d.RedirectHost = u.Scheme + ":"
		}
	}
	p.site.Render(w, r, http.StatusOK, "consent.html", web.Page{Title: "Authorize " + app.Name, Data: d})
}

// consent takes the user's decision.
func (p *Provider) consent(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	sess, ok := p.site.RequireSession(w, r)
	if !ok {
		return
	}
	if !p.site.CheckCSRF(r, sess) {
		p.forbidden(w, r)
		return
	}
	ctx := r.Context()
	req, err := p.store.OAuthRequest(ctx, r.PostFormValue("id"), p.now())
	if errors.Is(err, store.ErrNotFound) {
		p.expiredRequest(w, r)
		return
	}
	if err != nil {
		p.internal(w, r, err)
		return
	}
	switch r.PostFormValue("decision") {
	case "allow":
		p.approve(w, r, sess, req)
	case "deny":
		p.answerError(w, r, req, oidc.ErrAccessDenied().WithDescription("The user denied the authorization request."))
	default:
		p.pageError(w, r, http.StatusBadRequest, "Authorize", "Choose Authorize or Cancel.")
	}
}

// approve records the consent and sends the browser back to the app: with
// a code (op makes and stores it), or for response_type=none with the state
// only.
func (p *Provider) approve(w http.ResponseWriter, r *http.Request, sess store.Session, req store.OAuthRequest) {
	ctx := r.Context()
	approved, err := p.store.ApproveOAuthRequest(ctx, req.ID, sess.UserID, sess.Created, p.now(), inventory.NewUUID())
	if errors.Is(err, store.ErrNotFound) {
		p.expiredRequest(w, r)
		return
	}
	if err != nil {
		p.internal(w, r, err)
		return
	}
	if oidc.ResponseType(approved.ResponseType) == responseTypeNone {
		if err := p.store.DeleteOAuthRequest(ctx, approved.ID); err != nil {
			p.internal(w, r, err)
			return
		}
		u, err := op.AuthResponseURL(approved.RedirectURI, responseTypeNone, "", struct {
			State string `schema:"state,omitempty"`
		}{approved.State}, p.op.Encoder())
		if err != nil {
			p.internal(w, r, err)
			return
		}
		http.Redirect(w, r, u, http.StatusFound)
		return
	}
	op.AuthResponse(&authRequest{approved}, p.op, w, r.WithContext(op.ContextWithIssuer(ctx, p.issuer)))
}

// answerError ends a request and sends the browser back to the app with
// error, error_description and state.
func (p *Provider) answerError(w http.ResponseWriter, r *http.Request, req store.OAuthRequest, e *oidc.Error) {
	if err := p.store.DeleteOAuthRequest(r.Context(), req.ID); err != nil && !errors.Is(err, store.ErrNotFound) {
		p.internal(w, r, err)
		return
	}
	op.AuthRequestError(w, r, &authRequest{req}, e, p.op)
}

// ---- OAuth apps (Creator Dashboard) ----

type authRow struct {
	User    string
	Scopes  []Scope
	Created time.Time
	Updated time.Time
}

type appRow struct {
	store.OAuthApp
	ScopeList []Scope
	Users     []authRow
}

// appForm keeps what was typed when creation fails.
type appForm struct {
	Name         string
	RedirectURIs string
	Scopes       []string
	Public       bool
}

// shownOnce is a new app's client id and secret, or a new secret.
type shownOnce struct {
	Name     string
	ClientID string
	Secret   string
}

type scopeChoice struct {
	Scope
	Checked bool
}

type appsData struct {
	Apps            []appRow
	ScopeChoices    []scopeChoice
	Form            appForm
	New             *shownOnce
	MaxRedirectURIs int
}

func (p *Provider) renderApps(w http.ResponseWriter, r *http.Request, sess store.Session, status int, d appsData, errMsg string) {
	ctx := r.Context()
	apps, err := p.store.OAuthApps(ctx, sess.UserID)
	if err != nil {
		p.internal(w, r, err)
		return
	}
	for _, a := range apps {
		row := appRow{OAuthApp: a, ScopeList: describe(a.Scopes)}
		auths, err := p.store.OAuthAuthorizations(ctx, 0, a.ClientID)
		if err != nil {
			p.internal(w, r, err)
			return
		}
		for _, au := range auths {
			row.Users = append(row.Users, authRow{User: p.userName(ctx, au.UserID), Scopes: describe(au.Scopes), Created: au.Created, Updated: au.Updated})
		}
		d.Apps = append(d.Apps, row)
	}
	for _, sc := range Scopes {
		d.ScopeChoices = append(d.ScopeChoices, scopeChoice{Scope: sc, Checked: slices.Contains(d.Form.Scopes, sc.Name)})
	}
	d.MaxRedirectURIs = MaxRedirectURIs
	p.site.Render(w, r, status, "oauth_apps.html", web.Page{Title: "OAuth apps", Nav: "oauth-apps", Error: errMsg, Data: d})
}

func (p *Provider) appsPage(w http.ResponseWriter, r *http.Request) {
	sess, ok := p.site.RequireSession(w, r)
	if !ok {
		return
	}
	p.renderApps(w, r, sess, http.StatusOK, appsData{}, "")
}

func (p *Provider) createApp(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	sess, ok := p.site.RequireSession(w, r)
	if !ok {
		return
	}
	if !p.site.CheckCSRF(r, sess) {
		p.forbidden(w, r)
		return
	}
	form := appForm{Name: r.PostFormValue("name"), RedirectURIs: r.PostFormValue("redirect_uris"),
		Scopes: r.PostForm["scope"], Public: r.PostFormValue("public") != ""}
	app, secret, err := NewApp(AppSpec{OwnerID: sess.UserID, Name: form.Name, RedirectURIs: strings.Fields(form.RedirectURIs),
		Scopes: form.Scopes, Public: form.Public}, p.now())
	if err != nil {
		msg := err.Error()
		p.renderApps(w, r, sess, http.StatusBadRequest, appsData{Form: form}, strings.ToUpper(msg[:1])+msg[1:]+".")
		return
	}
	if err := p.store.CreateOAuthApp(r.Context(), app); err != nil {
		if errors.Is(err, store.ErrFull) {
			p.renderApps(w, r, sess, http.StatusBadRequest, appsData{Form: form},
				fmt.Sprintf("An account may have at most %d OAuth apps: delete one first.", store.MaxOAuthAppsPerOwner))
			return
		}
		p.internal(w, r, err)
		return
	}
	p.renderApps(w, r, sess, http.StatusOK, appsData{New: &shownOnce{Name: app.Name, ClientID: app.ClientID, Secret: secret}}, "")
}

func (p *Provider) appAction(w http.ResponseWriter, r *http.Request) {
	sess, ok := p.site.RequireSession(w, r)
	if !ok {
		return
	}
	if !p.site.CheckCSRF(r, sess) {
		p.forbidden(w, r)
		return
	}
	ctx := r.Context()
	app, err := p.store.OAuthApp(ctx, r.PathValue("client_id"))
	// Only the owner's own apps: another user's is simply not found.
	if errors.Is(err, store.ErrNotFound) || err == nil && app.OwnerID != sess.UserID {
		p.pageError(w, r, http.StatusNotFound, "OAuth apps", "No such app.")
		return
	}
	if err != nil {
		p.internal(w, r, err)
		return
	}
	switch r.PathValue("action") {
	case "regenerate":
		if app.Public {
			p.renderApps(w, r, sess, http.StatusBadRequest, appsData{}, "A public client has no secret.")
			return
		}
		secret := NewClientSecret()
		if err := p.store.SetOAuthAppSecret(ctx, app.ClientID, store.HashOAuthSecret(secret)); err != nil {
			p.internal(w, r, err)
			return
		}
		p.renderApps(w, r, sess, http.StatusOK, appsData{New: &shownOnce{Name: app.Name, Secret: secret}}, "")
	case "delete":
		if err := p.store.DeleteOAuthApp(ctx, app.ClientID); err != nil {
			p.internal(w, r, err)
			return
		}
		http.Redirect(w, r, "/dashboard/oauth-apps", http.StatusSeeOther)
	default:
		p.pageError(w, r, http.StatusNotFound, "OAuth apps", "Unknown action.")
	}
}

// ---- Authorized apps (a user's grants) ----

type authorizedRow struct {
	ID         string
	AppName    string
	ClientID   string
	Developer  string
	Scopes     []Scope
	Created    time.Time
	Updated    time.Time
	WasUpdated bool
}

type authorizedData struct {
	Apps    []authorizedRow
	Revoked bool
}

func (p *Provider) authorizedApps(w http.ResponseWriter, r *http.Request) {
	sess, ok := p.site.RequireSession(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	auths, err := p.store.OAuthAuthorizations(ctx, sess.UserID, "")
	if err != nil {
		p.internal(w, r, err)
		return
	}
	d := authorizedData{Revoked: r.URL.Query().Has("revoked")}
	for _, a := range auths {
		app, err := p.store.OAuthApp(ctx, a.ClientID)
		if err != nil {
			p.internal(w, r, err)
			return
		}
		d.Apps = append(d.Apps, authorizedRow{ID: a.ID, AppName: app.Name, ClientID: app.ClientID, Developer: p.userName(ctx, app.OwnerID),
			Scopes: describe(a.Scopes), Created: a.Created, Updated: a.Updated, WasUpdated: !a.Updated.Equal(a.Created)})
	}
	p.site.Render(w, r, http.StatusOK, "authorized_apps.html", web.Page{Title: "Authorized apps", Nav: "authorized-apps", Data: d})
}

func (p *Provider) revokeAuthorization(w http.ResponseWriter, r *http.Request) {
	sess, ok := p.site.RequireSession(w, r)
	if !ok {
		return
	}
	if !p.site.CheckCSRF(r, sess) {
		p.forbidden(w, r)
		return
	}
	ctx := r.Context()
	a, err := p.store.OAuthAuthorization(ctx, r.PathValue("id"))
	if errors.Is(err, store.ErrNotFound) || err == nil && (a.UserID != sess.UserID || !a.Live()) {
		p.pageError(w, r, http.StatusNotFound, "Authorized apps", "No such authorization.")
		return
	}
	if err != nil {
		p.internal(w, r, err)
		return
	}
	if err := p.store.RevokeOAuthAuthorization(ctx, a.ID, p.now()); err != nil && !errors.Is(err, store.ErrNotFound) {
		p.internal(w, r, err)
		return
	}
	http.Redirect(w, r, "/my/authorized-apps?revoked", http.StatusSeeOther)
}
