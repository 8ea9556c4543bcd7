package main

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"
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
		Use:   "create",
		Short: "Register an app; prints the client id, then the client secret (shown once; none for a public client)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
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
				return nil
			})
		},
	}
	create.Flags().Int64Var(&owner, "owner", 0, "id of the user who owns the app (required)")
	create.Flags().StringVar(&name, "name", "", "app name (required)")
	create.Flags().BoolVar(&public, "public", false, "a public client: no secret, PKCE required")
	create.Flags().StringArrayVar(&redirects, "redirect-uri", nil, "redirect URI, matched exactly (repeatable, at most 10)")
	create.Flags().StringArrayVar(&scopes, "scope", nil, "scope the app may ask for: openid, profile, user.inventory-item:read, group:read, group:write (repeatable)")
	create.MarkFlagRequired("owner")
	create.MarkFlagRequired("name")
	create.MarkFlagRequired("redirect-uri")
	create.MarkFlagRequired("scope")

	var listOwner int64
	list := &cobra.Command{
		Use:   "list",
		Short: "List apps (never their secrets)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.withStore(cmd, func(ctx context.Context, s store.Store) error {
				apps, err := s.OAuthApps(ctx, listOwner)
				if err != nil {
					return err
				}
				tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "CLIENT ID\tOWNER\tNAME\tTYPE\tSCOPES\tREDIRECT URIS\tCREATED")
				for _, app := range apps {
					typ := "confidential"
					if app.Public {
						typ = "public"
					}
					fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\t%s\t%s\n", app.ClientID, app.OwnerID, app.Name, typ,
						strings.Join(app.Scopes, " "), strings.Join(app.RedirectURIs, " "), timeOrDash(app.Created))
				}
				return tw.Flush()
			})
		},
	}
	list.Flags().Int64Var(&listOwner, "owner", 0, "only this user's apps")

	del := &cobra.Command{
		Use:   "delete CLIENT_ID",
		Short: "Delete an app and everything issued to it",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.withStore(cmd, func(ctx context.Context, s store.Store) error { return s.DeleteOAuthApp(ctx, args[0]) })
		},
	}
	cmd.AddCommand(create, list, del)
	return cmd
}
