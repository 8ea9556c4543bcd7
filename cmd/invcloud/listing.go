package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/invcloud/invcloud/internal/inventory"
	"github.com/invcloud/invcloud/internal/store"
)

type catalogJSON struct {
	Kind              string     `json:"kind"`
	ID                int64      `json:"id"`
	Name              string     `json:"name"`
	UniverseID        int64      `json:"universeId,omitempty"`
	AssetType         string     `json:"assetType,omitempty"`
	LegacyAssetTypeID int        `json:"legacyAssetTypeId,omitempty"`
	CreatorID         int64      `json:"creatorId,omitempty"`
	Collectible       bool       `json:"collectible,omitempty"`
	CollectibleItemID string     `json:"collectibleItemId,omitempty"`
	Serialized        bool       `json:"serialized,omitempty"`
	Created           *time.Time `json:"created,omitempty"`
}

// catalogType is the asset type a catalog asset was added with: places are
// CREATED_PLACE, as `catalog add --type` takes them.
func catalogType(a inventory.Asset) string {
	return inventory.AssetTypeForLegacy(a.LegacyType, true).String()
}

func toCatalogJSON(c store.CatalogItem) catalogJSON {
	j := catalogJSON{Kind: c.Ref.Kind.String(), ID: c.Ref.ID, Name: c.Name, UniverseID: c.UniverseID}
	if c.Ref.Kind == inventory.KindAsset {
		a := c.Asset
		j.AssetType, j.LegacyAssetTypeID, j.CreatorID = catalogType(a), a.LegacyType, a.CreatorID
		j.Collectible, j.CollectibleItemID, j.Serialized, j.Created = a.Collectible, a.CollectibleItemID, a.Serialized, timeOrNil(a.Created)
	}
	return j
}

// limitedLabel says what kind of limited an asset is, for tables.
func limitedLabel(a inventory.Asset) string {
	switch {
	case a.Serialized:
		return "serialized"
	case a.Collectible:
		return "collectible"
	}
	return "-"
}

func (a *app) catalogListCmd() *cobra.Command {
	var out, kind string
	var limit int
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List catalog items: assets, then badges, game passes and private servers, each by id",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			kinds := inventory.Kinds[:]
			if kind != "" {
				k, err := parseKind(kind)
				if err != nil {
					return err
				}
				kinds = []inventory.Kind{k}
			}
			if limit < 0 {
				return errors.New("--limit: want 0 (no limit) or more")
			}
			p, err := newPrinter(cmd.OutOrStdout(), out, "ITEM", "NAME", "TYPE", "CREATOR", "LIMITED")
			if err != nil {
				return err
			}
			return a.withStore(cmd, func(ctx context.Context, s store.Store) error {
				n := 0
				for _, k := range kinds {
					var after int64
					for limit == 0 || n < limit {
						want := pageLimit(limit, n)
						page, err := s.CatalogItems(ctx, k, after, want)
						if err != nil {
							return err
						}
						for _, c := range page {
							typ, creator, limited := "-", "-", "-"
							if k == inventory.KindAsset {
								typ, creator, limited = catalogType(c.Asset), fmt.Sprint(c.Asset.CreatorID), limitedLabel(c.Asset)
							}
							if err := p.row(toCatalogJSON(c), c.Ref, c.Name, typ, creator, limited); err != nil {
								return err
							}
						}
						n += len(page)
						if len(page) < want {
							break
						}
						after = page[len(page)-1].Ref.ID
					}
				}
				return p.flush()
			})
		},
	}
	addOutputFlag(cmd, &out)
	cmd.Flags().StringVar(&kind, "kind", "", "only this kind: asset, badge, gamepass or privateserver")
	cmd.Flags().IntVar(&limit, "limit", 0, "list at most this many (0: all)")
	return cmd
}

func (a *app) catalogShowCmd() *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:   "show asset:ID|badge:ID|gamepass:ID|privateserver:ID",
		Short: "Show a catalog item",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ref, err := parseRef(args[0])
			if err != nil {
				return err
			}
			if err := checkOutput(out); err != nil {
				return err
			}
			return a.withStore(cmd, func(ctx context.Context, s store.Store) error {
				c, err := s.CatalogItem(ctx, ref)
				if err != nil {
					return err
				}
				fields := [][2]string{{"item", ref.String()}, {"name", c.Name}}
				if ref.Kind == inventory.KindAsset {
					fields = append(fields, [2]string{"type", catalogType(c.Asset)},
						[2]string{"creator", fmt.Sprint(c.Asset.CreatorID)}, [2]string{"limited", limitedLabel(c.Asset)})
					if c.Asset.Collectible {
						fields = append(fields, [2]string{"collectible item id", c.Asset.CollectibleItemID})
					}
					fields = append(fields, [2]string{"created", timeOrDash(c.Asset.Created)})
				} else {
					fields = append(fields, [2]string{"universe", fmt.Sprint(c.UniverseID)})
				}
				return showObject(cmd.OutOrStdout(), out, toCatalogJSON(c), fields)
			})
		},
	}
	addOutputFlag(cmd, &out)
	return cmd
}

type itemJSON struct {
	Kind                  string     `json:"kind"`
	ID                    int64      `json:"id"`
	AssetID               int64      `json:"assetId,omitempty"`
	AssetType             string     `json:"assetType,omitempty"`
	Name                  string     `json:"name"`
	CollectibleItemID     string     `json:"collectibleItemId,omitempty"`
	CollectibleInstanceID string     `json:"collectibleInstanceId,omitempty"`
	SerialNumber          int64      `json:"serialNumber,omitempty"`
	Added                 *time.Time `json:"added,omitempty"`
}

// inventoryQuery is the store query of inventory list's --kind and --type:
// every kind (or those named), and for assets every type (or those named).
// --type alone lists assets only.
func inventoryQuery(kinds, types []string) (inventory.Query, error) {
	q := inventory.Query{Types: inventory.AllTypes}
	sel := map[inventory.Kind]*inventory.Selector{
		inventory.KindAsset: &q.Assets, inventory.KindBadge: &q.Badges,
		inventory.KindGamePass: &q.GamePasses, inventory.KindPrivateServer: &q.PrivateServers,
	}
	switch {
	case len(kinds) == 0 && len(types) == 0:
		return inventory.Everything, nil
	case len(kinds) == 0:
		kinds = []string{inventory.KindAsset.String()}
	}
	for _, s := range kinds {
		k, err := parseKind(s)
		if err != nil {
			return q, err
		}
		sel[k].Include = true
	}
	if len(types) > 0 {
		if !q.Assets.Include {
			return q, errors.New("--type selects assets: add --kind asset, or leave --kind out")
		}
		q.Types = 0
		for _, s := range types {
			t, err := parseAssetType(s)
			if err != nil {
				return q, err
			}
			q.Types = q.Types.With(t)
		}
	}
	return q, nil
}

func (a *app) inventoryCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "inventory", Short: "Read users' inventories"}
	var out string
	var kinds, types []string
	var limit int
	list := &cobra.Command{
		Use:   "list USER",
		Short: "List a user's inventory (by id or username), as the owner sees it, in listing order",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			q, err := inventoryQuery(kinds, types)
			if err != nil {
				return err
			}
			if limit < 0 {
				return errors.New("--limit: want 0 (no limit) or more")
			}
			p, err := newPrinter(cmd.OutOrStdout(), out, "ITEM", "ID", "ASSET TYPE", "NAME", "SERIAL", "ADDED")
			if err != nil {
				return err
			}
			return a.withStore(cmd, func(ctx context.Context, s store.Store) error {
				u, err := lookupUser(cmd, s, args[0])
				if err != nil {
					return err
				}
				pos := inventory.Start
				for n := 0; limit == 0 || n < limit; {
					want := pageLimit(limit, n)
					page, err := s.ListInventory(ctx, u.ID, q, pos, want)
					if err != nil {
						return err
					}
					if err := printItems(ctx, s, p, page); err != nil {
						return err
					}
					n += len(page)
					if len(page) < want {
						break
					}
					pos = inventory.Next(page[len(page)-1])
				}
				return p.flush()
			})
		},
	}
	addOutputFlag(list, &out)
	list.Flags().StringSliceVar(&kinds, "kind", nil, "only these kinds (comma-separated or repeated): asset, badge, gamepass, privateserver")
	list.Flags().StringSliceVar(&types, "type", nil, "only assets of these types (comma-separated or repeated), e.g. HAT,CLASSIC_TSHIRT")
	list.Flags().IntVar(&limit, "limit", 0, "list at most this many (0: all)")
	cmd.AddCommand(list)
	return cmd
}

// printItems prints one page of inventory items with their catalog names.
func printItems(ctx context.Context, s store.Store, p *printer, page []inventory.Item) error {
	ids := map[inventory.Kind][]int64{}
	for _, it := range page {
		id := it.ID
		if it.Kind == inventory.KindAsset {
			id = it.AssetID
		}
		ids[it.Kind] = append(ids[it.Kind], id)
	}
	names := map[inventory.Kind]map[int64]string{}
	for k, list := range ids {
		m, err := s.Names(ctx, k, list)
		if err != nil {
			return err
		}
		names[k] = m
	}
	for _, it := range page {
		j := itemJSON{Kind: it.Kind.String(), ID: it.ID, Added: timeOrNil(it.AddTime)}
		ref, typ, serial := inventory.Ref{Kind: it.Kind, ID: it.ID}, "-", "-"
		if it.Kind == inventory.KindAsset {
			ref.ID = it.AssetID
			j.AssetID, j.AssetType, typ = it.AssetID, it.AssetType.String(), it.AssetType.String()
			if c := it.Collectible; c != nil {
				j.CollectibleItemID, j.CollectibleInstanceID, j.SerialNumber = c.ItemID, c.InstanceID, c.SerialNumber
				if c.SerialNumber != 0 {
					serial = fmt.Sprintf("#%d", c.SerialNumber)
				}
			}
		}
		j.Name = names[it.Kind][ref.ID]
		if err := p.row(j, ref, it.ID, typ, j.Name, serial, timeOrDash(it.AddTime)); err != nil {
			return err
		}
	}
	return nil
}
