package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/invcloud/invcloud/internal/oauth"
	"github.com/invcloud/invcloud/internal/store"
)

func (a *app) oauthAppCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "oauth-app", Short: "Manage OAuth 2.0 apps (clients)"}

	var owner int64
	var name string
	var public bool
	var redirects, scopes []string
	create := &cobra.Command{
		Use:   "create --user ID --name NAME --redirect-uri URI --scope SCOPE",
		Short: "Register an app; prints the client id, then the client secret (shown once; none for a public client)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := requireUser(owner); err != nil {
				return err
			}
			app, secret, err := oauth.NewApp(oauth.AppSpec{OwnerID: owner, Name: name, RedirectURIs: redirects, Scopes: scopes, Public: public}, time.Now())
			if err != nil {
				return err
			}
			return a.withStore(cmd, func(ctx context.Context, s store.Store) error {
				if err := s.CreateOAuthApp(ctx, app); err != nil {
					return err
				}
				fmt.Fprintln(cmd.OutOrStdout(), app.ClientID)
				if secret != "" {
					fmt.Fprintln(cmd.OutOrStdout(), secret)
				}
				// What changed goes to stderr: stdout is only what scripts capture.
				fmt.Fprintf(cmd.ErrOrStderr(), "created OAuth app %s (%s) for user %d\n", app.ClientID, app.Name, app.OwnerID)
				return nil
			})
		},
	}
	userFlag(create, &owner, "id of the user who owns the app (required)", "owner")
	create.Flags().StringVar(&name, "name", "", "app name (required)")
	create.Flags().BoolVar(&public, "public", false, "a public client: no secret, PKCE required")
	create.Flags().StringArrayVar(&redirects, "redirect-uri", nil, "redirect URI, matched exactly (repeatable, at most 10)")
	create.Flags().StringArrayVar(&scopes, "scope", nil, "scope the app may ask for: openid, profile, user.inventory-item:read, group:read, group:write (repeatable)")
	create.MarkFlagRequired("name")
	create.MarkFlagRequired("redirect-uri")
	create.MarkFlagRequired("scope")

	var listOwner int64
	var listOut string
	list := &cobra.Command{
		Use:   "list",
		Short: "List apps (never their secrets)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			p, err := newPrinter(cmd.OutOrStdout(), listOut, "CLIENT ID", "OWNER", "NAME", "TYPE", "SCOPES", "REDIRECT URIS", "CREATED")
			if err != nil {
				return err
			}
			return a.withStore(cmd, func(ctx context.Context, s store.Store) error {
				apps, err := s.OAuthApps(ctx, listOwner)
				if err != nil {
					return err
				}
				for _, app := range apps {
					typ := "confidential"
					if app.Public {
						typ = "public"
					}
					obj := oauthAppJSON{ClientID: app.ClientID, Owner: app.OwnerID, Name: app.Name, Type: typ,
						Scopes: nonNil(app.Scopes), RedirectURIs: nonNil(app.RedirectURIs), Created: timeOrNil(app.Created)}
					if err := p.row(obj, app.ClientID, app.OwnerID, app.Name, typ,
						strings.Join(app.Scopes, " "), strings.Join(app.RedirectURIs, " "), timeOrDash(app.Created)); err != nil {
						return err
					}
				}
				return p.flush()
			})
		},
	}
	userFlag(list, &listOwner, "only this user's apps", "owner")
	addOutputFlag(list, &listOut)

	del := &cobra.Command{
		Use:   "delete CLIENT_ID",
		Short: "Delete an app and everything issued to it",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.withStore(cmd, func(ctx context.Context, s store.Store) error {
				if err := s.DeleteOAuthApp(ctx, args[0]); err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "deleted OAuth app %s\n", args[0])
				return nil
			})
		},
	}
	cmd.AddCommand(create, list, del)
	return cmd
}

type oauthAppJSON struct {
	ClientID     string     `json:"clientId"`
	Owner        int64      `json:"owner"`
	Name         string     `json:"name"`
	Type         string     `json:"type"`
	Scopes       []string   `json:"scopes"`
	RedirectURIs []string   `json:"redirectUris"`
	Created      *time.Time `json:"created,omitempty"`
}
