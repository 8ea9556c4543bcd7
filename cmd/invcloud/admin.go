package main

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/invcloud/invcloud/internal/account"
	"github.com/invcloud/invcloud/internal/apikey"
	"github.com/invcloud/invcloud/internal/inventory"
	"github.com/invcloud/invcloud/internal/store"
)

func (a *app) apikeyCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "apikey", Short: "Manage Open Cloud API keys"}

	var user int64
	var name, expires string
	var scopes, allow []string
	create := &cobra.Command{
		Use:   "create",
		Short: "Create an API key; prints only the secret, which is shown once",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			k := apikey.Key{OwnerID: user, Name: name, Enabled: true, Created: time.Now()}
			for _, s := range scopes {
				sc, err := apikey.ParseScope(s)
				if err != nil {
					return err
				}
				k.Scopes = append(k.Scopes, sc)
			}
			for _, s := range allow {
				p, err := apikey.ParsePrefix(s)
				if err != nil {
					return err
				}
				k.AllowIPs = append(k.AllowIPs, p)
			}
			if expires != "" {
				t, err := time.Parse(time.RFC3339, expires)
				if err != nil {
					return fmt.Errorf("--expires: %w", err)
				}
				k.Expires = t
			}
			secret, err := apikey.NewSecret()
			if err != nil {
				return err
			}
			k.Hash = apikey.HashSecret(secret)
			return a.withStore(cmd, func(ctx context.Context, s store.Store) error {
				if _, err := s.CreateAPIKey(ctx, k); err != nil {
					return err
				}
				fmt.Fprintln(cmd.OutOrStdout(), secret)
				return nil
			})
		},
	}
	create.Flags().Int64Var(&user, "user", 0, "owner user id (required)")
	create.Flags().StringVar(&name, "name", "API key", "key name")
	create.Flags().StringArrayVar(&scopes, "scope", nil, "scope to grant, e.g. user.inventory-item:read (repeatable)")
	create.Flags().StringVar(&expires, "expires", "", "expiry time, RFC 3339")
	create.Flags().StringArrayVar(&allow, "allow-ip", nil, "accepted IP address or CIDR (repeatable); none: any")
	create.MarkFlagRequired("user")

	var listUser int64
	list := &cobra.Command{
		Use:   "list",
		Short: "List API keys (never their secrets)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.withStore(cmd, func(ctx context.Context, s store.Store) error {
				keys, err := s.APIKeys(ctx, listUser)
				if err != nil {
					return err
				}
				tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "ID\tOWNER\tNAME\tSCOPES\tSTATUS\tEXPIRES\tLAST USED")
				now := time.Now()
				for _, k := range keys {
					status := "active"
					switch {
					case !k.Enabled:
						status = "disabled"
					case k.Expired(now):
						status = "expired"
					}
					fmt.Fprintf(tw, "%d\t%d\t%s\t%v\t%s\t%s\t%s\n", k.ID, k.OwnerID, k.Name, k.Scopes, status, timeOrDash(k.Expires), timeOrDash(k.LastUsed))
				}
				return tw.Flush()
			})
		},
	}
	list.Flags().Int64Var(&listUser, "user", 0, "only this owner's keys")

	byID := func(use, short string, fn func(ctx context.Context, s store.Store, id int64) error) *cobra.Command {
		return &cobra.Command{
			Use: use + " ID", Short: short, Args: cobra.ExactArgs(1),
			RunE: func(cmd *cobra.Command, args []string) error {
				id, err := strconv.ParseInt(args[0], 10, 64)
				if err != nil {
					return fmt.Errorf("invalid key id %q", args[0])
				}
				return a.withStore(cmd, func(ctx context.Context, s store.Store) error { return fn(ctx, s, id) })
			},
		}
	}
	cmd.AddCommand(create, list,
		byID("disable", "Disable a key", func(ctx context.Context, s store.Store, id int64) error { return s.SetAPIKeyEnabled(ctx, id, false) }),
		byID("enable", "Enable a key", func(ctx context.Context, s store.Store, id int64) error { return s.SetAPIKeyEnabled(ctx, id, true) }),
		byID("delete", "Delete a key", func(ctx context.Context, s store.Store, id int64) error { return s.DeleteAPIKey(ctx, id) }),
	)
	return cmd
}

func timeOrDash(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format(time.RFC3339)
}

func (a *app) userCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "user", Short: "Manage users"}
	var id int64
	var name, display, vis, password string
	create := &cobra.Command{
		Use:   "create",
		Short: "Create a user",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			v, err := inventory.ParseVisibility(vis)
			if err != nil {
				return err
			}
			if id <= 0 || name == "" {
				return errors.New("--id (positive) and --name are required")
			}
			if display == "" {
				display = name
			}
			var hash string
			if password != "" {
				if hash, err = account.HashPassword(password); err != nil {
					return err
				}
			}
			return a.withStore(cmd, func(ctx context.Context, s store.Store) error {
				if err := s.CreateUser(ctx, inventory.User{ID: id, Name: name, DisplayName: display, Visibility: v, Created: time.Now()}); err != nil {
					return err
				}
				if hash == "" {
					return nil
				}
				return s.SetPassword(ctx, id, hash)
			})
		},
	}
	create.Flags().Int64Var(&id, "id", 0, "user id (required)")
	create.Flags().StringVar(&name, "name", "", "username (required)")
	create.Flags().StringVar(&display, "display-name", "", "display name (default: the username)")
	create.Flags().StringVar(&vis, "visibility", "everyone", "who can see the inventory: everyone, friends, noone")
	create.Flags().StringVar(&password, "password", "", "password for signing in to the web pages (at least 8 characters)")

	var pid int64
	var pvis string
	privacy := &cobra.Command{
		Use:   "privacy",
		Short: `Set "Who can see my inventory?"`,
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			v, err := inventory.ParseVisibility(pvis)
			if err != nil {
				return err
			}
			return a.withStore(cmd, func(ctx context.Context, s store.Store) error { return s.SetVisibility(ctx, pid, v) })
		},
	}
	privacy.Flags().Int64Var(&pid, "id", 0, "user id (required)")
	privacy.Flags().StringVar(&pvis, "visibility", "", "everyone, friends or noone (required)")
	privacy.MarkFlagRequired("id")
	privacy.MarkFlagRequired("visibility")
	cmd.AddCommand(create, privacy)
	return cmd
}

func (a *app) catalogCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "catalog", Short: "Manage catalog items"}
	var name, typ string
	var creator int64
	var collectible, serialized bool
	add := &cobra.Command{
		Use:   "add asset:ID|badge:ID|gamepass:ID|privateserver:ID",
		Short: "Add or update a catalog item",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ref, err := parseRef(args[0])
			if err != nil {
				return err
			}
			if name == "" {
				name = ref.String()
			}
			return a.withStore(cmd, func(ctx context.Context, s store.Store) error {
				switch ref.Kind {
				case inventory.KindAsset:
					t, ok := inventory.ParseAssetType(typ)
					if !ok {
						return fmt.Errorf("unknown asset type %q", typ)
					}
					legacy := t.LegacyID()
					if t == inventory.AssetTypeUnspecified {
						return errors.New("--type must name a concrete asset type")
					}
					asset := inventory.Asset{ID: ref.ID, Name: name, LegacyType: legacy, CreatorID: creator,
						Collectible: collectible || serialized, Serialized: serialized, Created: time.Now()}
					if asset.Collectible {
						asset.CollectibleItemID = inventory.NewUUID()
					}
					return s.PutAsset(ctx, asset)
				case inventory.KindBadge:
					return s.PutBadge(ctx, inventory.Badge{ID: ref.ID, Name: name})
				case inventory.KindGamePass:
					return s.PutGamePass(ctx, inventory.GamePass{ID: ref.ID, Name: name})
				default:
					return s.PutPrivateServer(ctx, inventory.PrivateServer{ID: ref.ID, Name: name})
				}
			})
		},
	}
	add.Flags().StringVar(&name, "name", "", "display name")
	add.Flags().StringVar(&typ, "type", "MODEL", "asset type (Open Cloud name, e.g. HAT); places: CREATED_PLACE")
	add.Flags().Int64Var(&creator, "creator", 0, "creator user id (places: the creator sees CREATED_PLACE)")
	add.Flags().BoolVar(&collectible, "collectible", false, "a limited: each copy gets collectible ids")
	add.Flags().BoolVar(&serialized, "serialized", false, "a limited with serial numbers (implies --collectible)")
	cmd.AddCommand(add)
	return cmd
}

func (a *app) grantCmd(verb string) *cobra.Command {
	var user int64
	short := "Give a user catalog items"
	if verb == "revoke" {
		short = "Take catalog items from a user (every copy)"
	}
	cmd := &cobra.Command{
		Use:   verb + " --user ID asset:ID|badge:ID|gamepass:ID|privateserver:ID...",
		Short: short,
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			refs := make([]inventory.Ref, len(args))
			for i, arg := range args {
				r, err := parseRef(arg)
				if err != nil {
					return err
				}
				refs[i] = r
			}
			return a.withStore(cmd, func(ctx context.Context, s store.Store) error {
				for _, r := range refs {
					if verb == "revoke" {
						n, err := s.Revoke(ctx, user, r)
						if err != nil {
							return err
						}
						fmt.Fprintf(cmd.OutOrStdout(), "revoked %s (%d)\n", r, n)
						continue
					}
					it, err := s.Grant(ctx, user, r, time.Now())
					if err != nil {
						return err
					}
					fmt.Fprintf(cmd.OutOrStdout(), "granted %s (inventory item %s %d)\n", r, it.Kind, it.ID)
				}
				return nil
			})
		},
	}
	cmd.Flags().Int64Var(&user, "user", 0, "user id (required)")
	cmd.MarkFlagRequired("user")
	return cmd
}
