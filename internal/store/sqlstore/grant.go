package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/invcloud/invcloud/internal/inventory"
	"github.com/invcloud/invcloud/internal/store"
)

// Grant implements store.Store; see GrantAll.
func (s *Store) Grant(ctx context.Context, userID int64, ref inventory.Ref, at time.Time) (inventory.Item, error) {
	items, err := s.GrantAll(ctx, userID, []inventory.Ref{ref}, at)
	if err != nil {
		return inventory.Item{}, err
	}
	return items[0], nil
}

// GrantAll implements store.Store, all or nothing, in one transaction.
//
// Concurrency on PostgreSQL (SQLite runs one writer at a time from BEGIN):
// instance ids come from a sequence (Dialect.Counter; nextval never hands
// a value out twice, whatever the transactions do) and serial numbers from
// a counter on the asset's row (UPDATE ... RETURNING, whose row lock queues
// concurrent grants of one asset until the first commits). A grant of an
// asset first takes the user_assets table in ROW EXCLUSIVE mode, as its
// INSERT would, so that it waits for an Import that is raising the sequence
// past imported ids (Import holds SHARE ROW EXCLUSIVE), then locks the
// user's row FOR NO KEY UPDATE so that grants to one user run one at a time
// and the "already owns" check of a non-collectible holds. The locks are
// taken once, before the first ref, so the lock order (table, user row,
// asset row) holds for any mix of kinds. Badges, passes and servers rely on
// their primary keys.
func (s *Store) GrantAll(ctx context.Context, userID int64, refs []inventory.Ref, at time.Time) ([]inventory.Item, error) {
	items := make([]inventory.Item, 0, len(refs))
	err := s.tx(ctx, func(q Querier) error {
		userQuery := `SELECT 1 FROM users WHERE id = $1`
		if slices.ContainsFunc(refs, func(r inventory.Ref) bool { return r.Kind == inventory.KindAsset }) {
			if err := s.lockTable(ctx, q, "user_assets", "ROW EXCLUSIVE"); err != nil {
				return err
			}
			userQuery += s.d.RowLock.NoKeyUpdate
		}
		if err := mustExist(ctx, q, fmt.Sprintf("user %d", userID), userQuery, userID); err != nil {
			return err
		}
		for _, ref := range refs {
			it, err := s.grantOne(ctx, q, userID, ref, at)
			if err != nil {
				return err
			}
			items = append(items, it)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("grant to user %d: %w", userID, err)
	}
	return items, nil
}

// grantOne grants ref inside q, after GrantAll's locks. Its errors name
// the ref.
func (s *Store) grantOne(ctx context.Context, q Querier, userID int64, ref inventory.Ref, at time.Time) (inventory.Item, error) {
	it := inventory.Item{Kind: ref.Kind, ID: ref.ID, AddTime: at.UTC().Truncate(time.Millisecond)}
	table, ok := catalogTables[ref.Kind]
	if !ok {
		return it, fmt.Errorf("%s: unknown kind", ref)
	}
	if ref.Kind == inventory.KindAsset {
		if err := s.grantAsset(ctx, q, userID, ref, &it); err != nil {
			if errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrExists) {
				return it, err
			}
			return it, fmt.Errorf("%s: %w", ref, err)
		}
		return it, nil
	}
	if err := mustExist(ctx, q, ref.String(), `SELECT 1 FROM `+table+` WHERE id = $1`, ref.ID); err != nil {
		return it, err
	}
	t := OtherTables[ref.Kind]
	n, err := q.Exec(ctx, `INSERT INTO `+t[0]+` (user_id, `+t[1]+`, added_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
		userID, ref.ID, millis(it.AddTime))
	switch {
	case s.d.IsForeignKey(err): // deleted meanwhile
		return it, fmt.Errorf("%s: %w", ref, store.ErrNotFound)
	case err != nil:
		return it, fmt.Errorf("%s: %w", ref, err)
	case n == 0:
		return it, fmt.Errorf("user %d already owns %s: %w", userID, ref, store.ErrExists)
	}
	return it, nil
}

func (s *Store) grantAsset(ctx context.Context, q Querier, userID int64, ref inventory.Ref, it *inventory.Item) error {
	var legacyType int
	var creator int64
	var collItem *string
	var serialized bool
	err := q.QueryRow(ctx, `SELECT asset_type_id, creator_user_id, collectible_item_id, serialized FROM assets WHERE id = $1`, ref.ID).
		Scan(&legacyType, &creator, &collItem, &serialized)
	if err != nil {
		return notFound(err, ref.String())
	}
	if collItem == nil {
		owned, err := exists(ctx, q, `SELECT 1 FROM user_assets WHERE user_id = $1 AND asset_id = $2`, userID, ref.ID)
		if err != nil {
			return err
		}
		if owned {
			return fmt.Errorf("user %d already owns %s: %w", userID, ref, store.ErrExists)
		}
	}
	if err := q.QueryRow(ctx, s.d.Counter.Next).Scan(&it.ID); err != nil {
		return fmt.Errorf("next instance id: %w", err)
	}
	it.AssetID = ref.ID
	it.AssetType = inventory.AssetTypeForLegacy(legacyType, creator == userID)
	var serial, state, collInstance any
	if collItem != nil {
		c := &inventory.Collectible{ItemID: *collItem, InstanceID: inventory.NewUUID(), State: inventory.CollectibleStateAvailable}
		if serialized {
			if err := q.QueryRow(ctx, `UPDATE assets SET last_serial = last_serial + 1 WHERE id = $1 RETURNING last_serial`, ref.ID).Scan(&c.SerialNumber); err != nil {
				return err
			}
			serial = c.SerialNumber
		}
		collInstance, state = c.InstanceID, int64(c.State)
		it.Collectible = c
	}
	_, err = q.Exec(ctx, `INSERT INTO user_assets (user_id, instance_id, asset_id, asset_type, serial_number, collectible_instance_id, collectible_state, added_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		userID, it.ID, ref.ID, int(it.AssetType), serial, collInstance, state, millis(it.AddTime))
	return err
}

// Revoke implements store.Store.
func (s *Store) Revoke(ctx context.Context, userID int64, ref inventory.Ref) (int, error) {
	var del string
	switch ref.Kind {
	case inventory.KindAsset:
		del = `DELETE FROM user_assets WHERE user_id = $1 AND asset_id = $2`
	default:
		t, ok := OtherTables[ref.Kind]
		if !ok {
			return 0, fmt.Errorf("revoke %s: unknown kind", ref)
		}
		del = `DELETE FROM ` + t[0] + ` WHERE user_id = $1 AND ` + t[1] + ` = $2`
	}
	var n int64
	err := s.tx(ctx, func(q Querier) error {
		var err error
		if n, err = q.Exec(ctx, del, userID, ref.ID); err != nil || n == 0 || ref.Kind != inventory.KindAsset {
			return err
		}
		// An asset no longer owned can't stay in the owner's collection.
		_, err = q.Exec(ctx, `DELETE FROM collections WHERE user_id = $1 AND item_type = $2 AND item_id = $3`,
			userID, int(inventory.ItemAsset), ref.ID)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("revoke %s from user %d: %w", ref, userID, err)
	}
	if n == 0 {
		return 0, fmt.Errorf("user %d does not own %s: %w", userID, ref, store.ErrNotFound)
	}
	return int(n), nil
}
