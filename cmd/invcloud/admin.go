package main

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

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
		Use:   "create --user ID",
		Short: "Create an API key; prints only the secret, which is shown once",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			now := time.Now()
			k, err := newKey(user, name, expires, scopes, allow, now)
			if err != nil {
				return err
			}
			secret, err := apikey.NewSecret()
			if err != nil {
				return err
			}
			k.Hash = apikey.HashSecret(secret)
			return a.withStore(cmd, func(ctx context.Context, s store.Store) error {
				id, err := s.CreateAPIKey(ctx, k)
				if err != nil {
					return err
				}
				// The secret alone on stdout, so scripts can capture it.
				fmt.Fprintln(cmd.OutOrStdout(), secret)
				fmt.Fprintf(cmd.ErrOrStderr(), "created API key %d (%s) for user %d\n", id, k.Name, k.OwnerID)
				return nil
			})
		},
	}
	userFlag(create, &user, "owner user id (required)", "owner")
	create.Flags().StringVar(&name, "name", "API key", fmt.Sprintf("key name, 1 to %d characters", apikey.MaxNameLength))
	create.Flags().StringArrayVar(&scopes, "scope", nil, "scope to grant, e.g. user.inventory-item:read (repeatable)")
	create.Flags().StringVar(&expires, "expires", "", "expiry: an RFC 3339 time, or a date YYYY-MM-DD meaning the end of that day (23:59:59 UTC); not in the past")
	create.Flags().StringArrayVar(&allow, "allow-ip", nil, fmt.Sprintf("accepted IP address or CIDR (repeatable, at most %d); none: any", apikey.MaxAllowIPs))

	var listUser int64
	var listOut string
	list := &cobra.Command{
		Use:   "list",
		Short: "List API keys (never their secrets)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			p, err := newPrinter(cmd.OutOrStdout(), listOut, "ID", "OWNER", "NAME", "SCOPES", "STATUS", "EXPIRES", "LAST USED")
			if err != nil {
				return err
			}
			return a.withStore(cmd, func(ctx context.Context, s store.Store) error {
				keys, err := s.APIKeys(ctx, listUser)
				if err != nil {
					return err
				}
				now := time.Now()
				for _, k := range keys {
					status := "active"
					switch {
					case !k.Enabled:
						status = "disabled"
					case k.Expired(now):
						status = "expired"
					}
					ips := make([]string, len(k.AllowIPs))
					for i, p := range k.AllowIPs {
						ips[i] = p.String()
					}
					obj := keyJSON{ID: k.ID, Owner: k.OwnerID, Name: k.Name, Scopes: nonNil(k.Scopes), AllowIPs: ips, Status: status,
						Created: timeOrNil(k.Created), Expires: timeOrNil(k.Expires), LastUsed: timeOrNil(k.LastUsed)}
					if err := p.row(obj, k.ID, k.OwnerID, k.Name, k.Scopes, status, timeOrDash(k.Expires), timeOrDash(k.LastUsed)); err != nil {
						return err
					}
				}
				return p.flush()
			})
		},
	}
	userFlag(list, &listUser, "only this owner's keys", "owner")
	addOutputFlag(list, &listOut)

	byID := func(use, short, done string, fn func(ctx context.Context, s store.Store, id int64) error) *cobra.Command {
		return &cobra.Command{
			Use: use + " ID", Short: short, Args: cobra.ExactArgs(1),
			RunE: func(cmd *cobra.Command, args []string) error {
				id, err := strconv.ParseInt(args[0], 10, 64)
				if err != nil {
					return fmt.Errorf("invalid key id %q", args[0])
				}
				return a.withStore(cmd, func(ctx context.Context, s store.Store) error {
					if err := fn(ctx, s, id); err != nil {
						return err
					}
					fmt.Fprintf(cmd.OutOrStdout(), "%s API key %d\n", done, id)
					return nil
				})
			},
		}
	}
	cmd.AddCommand(create, list,
		byID("disable", "Disable a key", "disabled", func(ctx context.Context, s store.Store, id int64) error { return s.SetAPIKeyEnabled(ctx, id, false) }),
		byID("enable", "Enable a key", "enabled", func(ctx context.Context, s store.Store, id int64) error { return s.SetAPIKeyEnabled(ctx, id, true) }),
		byID("delete", "Delete a key", "deleted", func(ctx context.Context, s store.Store, id int64) error { return s.DeleteAPIKey(ctx, id) }),
	)
	return cmd
}

// newKey validates apikey create's flags with the web form's rules.
func newKey(owner int64, name, expires string, scopes, allow []string, now time.Time) (apikey.Key, error) {
	if err := requireUser(owner); err != nil {
		return apikey.Key{}, err
	}
	k := apikey.Key{OwnerID: owner, Name: strings.TrimSpace(name), Enabled: true, Created: now}
	if err := apikey.ValidName(k.Name); err != nil {
		return k, fmt.Errorf("--name: %w", err)
	}
	for _, s := range scopes {
		sc, err := apikey.ParseScope(s)
		if err != nil {
			return k, fmt.Errorf("--scope: %w", err)
		}
		if !k.HasScope(sc) {
			k.Scopes = append(k.Scopes, sc)
		}
	}
	if len(allow) > apikey.MaxAllowIPs {
		return k, fmt.Errorf("--allow-ip: at most %d addresses", apikey.MaxAllowIPs)
	}
	for _, s := range allow {
		p, err := apikey.ParsePrefix(s)
		if err != nil {
			return k, fmt.Errorf("--allow-ip: %w", err)
		}
		k.AllowIPs = append(k.AllowIPs, p)
	}
	if expires != "" {
		t, err := parseExpires(expires, now)
		if err != nil {
			return k, err
		}
		k.Expires = t
	}
	return k, nil
}

type keyJSON struct {
	ID       int64      `json:"id"`
	Owner    int64      `json:"owner"`
	Name     string     `json:"name"`
	Scopes   []string   `json:"scopes"`
	AllowIPs []string   `json:"allowIps"`
	Status   string     `json:"status"`
	Created  *time.Time `json:"created,omitempty"`
	Expires  *time.Time `json:"expires,omitempty"`
	LastUsed *time.Time `json:"lastUsed,omitempty"`
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
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
			var asset inventory.Asset
			if ref.Kind == inventory.KindAsset {
				t, err := parseAssetType(typ)
				if err != nil {
					return err
				}
				asset = inventory.Asset{ID: ref.ID, Name: name, LegacyType: t.LegacyID(), CreatorID: creator,
					Collectible: collectible || serialized, Serialized: serialized, Created: time.Now()}
			} else {
				for _, f := range []string{"type", "creator", "collectible", "serialized"} {
					if cmd.Flags().Changed(f) {
						return fmt.Errorf("--%s applies to assets only", f)
					}
				}
			}
			return a.withStore(cmd, func(ctx context.Context, s store.Store) error {
				verb := "updated"
				old, err := s.CatalogItem(ctx, ref)
				switch {
				case errors.Is(err, store.ErrNotFound):
					verb = "added"
				case err != nil:
					return err
				}
				switch ref.Kind {
				case inventory.KindAsset:
					if asset.Collectible {
						// Keep the collectible item id of a limited being updated:
						// its copies carry it.
						asset.CollectibleItemID = old.Asset.CollectibleItemID
						if asset.CollectibleItemID == "" {
							asset.CollectibleItemID = inventory.NewUUID()
						}
					}
					err = s.PutAsset(ctx, asset)
				case inventory.KindBadge:
					err = s.PutBadge(ctx, inventory.Badge{ID: ref.ID, Name: name, UniverseID: old.UniverseID})
				case inventory.KindGamePass:
					err = s.PutGamePass(ctx, inventory.GamePass{ID: ref.ID, Name: name, UniverseID: old.UniverseID})
				default:
					err = s.PutPrivateServer(ctx, inventory.PrivateServer{ID: ref.ID, Name: name, UniverseID: old.UniverseID})
				}
				if err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "%s %s (%s)\n", verb, ref, name)
				return nil
			})
		},
	}
	add.Flags().StringVar(&name, "name", "", "display name")
	add.Flags().StringVar(&typ, "type", "MODEL", "asset type (Open Cloud name, e.g. HAT); places: CREATED_PLACE")
	add.Flags().Int64Var(&creator, "creator", 0, "creator user id (places: the creator sees CREATED_PLACE)")
	add.Flags().BoolVar(&collectible, "collectible", false, "a limited: each copy gets collectible ids")
	add.Flags().BoolVar(&serialized, "serialized", false, "a limited with serial numbers (implies --collectible)")
	cmd.AddCommand(add, a.catalogListCmd(), a.catalogShowCmd())
	return cmd
}

func (a *app) grantCmd(verb string) *cobra.Command {
	var user int64
	short := "Give a user catalog items, all or none"
	if verb == "revoke" {
		short = "Take catalog items from a user (every copy)"
	}
	cmd := &cobra.Command{
		Use:   verb + " --user ID asset:ID|badge:ID|gamepass:ID|privateserver:ID...",
		Short: short,
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := requireUser(user); err != nil {
				return err
			}
			refs := make([]inventory.Ref, len(args))
			for i, arg := range args {
				r, err := parseRef(arg)
				if err != nil {
					return err
				}
				refs[i] = r
			}
			return a.withStore(cmd, func(ctx context.Context, s store.Store) error {
				out := cmd.OutOrStdout()
				if verb == "revoke" {
					for _, r := range refs {
						n, err := s.Revoke(ctx, user, r)
						if err != nil {
							return err
						}
						fmt.Fprintf(out, "revoked %s from %d (%s)\n", r, user, plural(n, "copy", "copies"))
					}
					return nil
				}
				items, err := s.GrantAll(ctx, user, refs, time.Now())
				if err != nil {
					return fmt.Errorf("%w; nothing was granted", err)
				}
				for i, it := range items {
					extra := ""
					if it.Kind == inventory.KindAsset {
						extra = fmt.Sprintf(" (instance %d", it.ID)
						if c := it.Collectible; c != nil && c.SerialNumber != 0 {
							extra += fmt.Sprintf(", serial #%d", c.SerialNumber)
						}
						extra += ")"
					}
					fmt.Fprintf(out, "granted %s to %d%s\n", refs[i], user, extra)
				}
				return nil
			})
		},
	}
	userFlag(cmd, &user, "user id (required)")
	return cmd
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
