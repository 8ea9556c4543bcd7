package sqlstore

import (
	"context"

	"fmt"
	"math"
	"time"
	"unicode/utf8"

	"github.com/invcloud/invcloud/internal/store"
)

// checkLen refuses text of more than max characters (the schema's CHECK
// would too, with a less helpful error).
func checkLen(what, s string, min, max int) error {
	if n := utf8.RuneCountInString(s); n < min || n > max {
		return fmt.Errorf("%s of %d characters, want %d to %d", what, n, min, max)
	}
	return nil
}

// nextID allocates the next id of table (largest + 1) under a table lock.
func (s *Store) nextID(ctx context.Context, q Querier, table string) (int64, error) {
	if err := s.lockTable(ctx, q, table, "SHARE ROW EXCLUSIVE"); err != nil {
		return 0, err
	}
	var id int64
	if err := q.QueryRow(ctx, `SELECT COALESCE(MAX(id), 0) + 1 FROM `+table).Scan(&id); err != nil {
		return 0, fmt.Errorf("allocate %s id: %w", table, err)
	}
	return id, nil
}

// CreateGroup implements store.GroupStore.
func (s *Store) CreateGroup(ctx context.Context, g store.Group, roles []store.GroupRole) (store.Group, []store.GroupRole, error) {
	if err := checkLen("group name", g.Name, 1, store.MaxGroupNameLen); err != nil {
		return g, nil, err
	}
	if err := checkLen("group description", g.Description, 0, store.MaxGroupDescriptionLen); err != nil {
		return g, nil, err
	}
	ranks := map[int]bool{}
	for _, r := range roles {
		if r.Rank < store.GuestRank || r.Rank > store.OwnerRank || ranks[r.Rank] {
			return g, nil, fmt.Errorf("group %q: role %q: rank %d out of range or repeated", g.Name, r.Name, r.Rank)
		}
		if err := checkLen("role name", r.Name, 1, store.MaxRoleNameLen); err != nil {
			return g, nil, err
		}
		if err := checkLen("role description", r.Description, 0, store.MaxRoleDescriptionLen); err != nil {
			return g, nil, err
		}
		if r.Permissions&^store.AllPermissions != 0 {
			return g, nil, fmt.Errorf("role %q: unknown permission bits %#x", r.Name, uint64(r.Permissions&^store.AllPermissions))
		}
		ranks[r.Rank] = true
	}
	if !ranks[store.GuestRank] {
		return g, nil, fmt.Errorf("group %q: no guest role (rank %d)", g.Name, store.GuestRank)
	}
	if g.OwnerID != 0 && !ranks[store.OwnerRank] {
		return g, nil, fmt.Errorf("group %q: an owner but no owner's role (rank %d)", g.Name, store.OwnerRank)
	}
	if g.Updated.IsZero() {
		g.Updated = g.Created
	}
	g.Created, g.Updated = timeOf(g.Created.UnixMilli()), timeOf(g.Updated.UnixMilli())
	out := make([]store.GroupRole, len(roles))
	err := s.tx(ctx, func(q Querier) error {
		var err error
		if g.ID == 0 {
			if g.ID, err = s.nextID(ctx, q, "groups"); err != nil {
				return err
			}
		}
		_, err = q.Exec(ctx, `INSERT INTO groups (id, name, description, owner_user_id, public_entry, locked, verified, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
			g.ID, g.Name, g.Description, intOrNull(g.OwnerID), g.PublicEntry, g.Locked, g.Verified, g.Created.UnixMilli(), g.Updated.UnixMilli())
		if err := s.writeErr(err, fmt.Sprintf("group %d", g.ID)); err != nil {
			return err
		}
		var ownerRole int64
		for i, r := range roles {
			r.GroupID = g.ID
			if r.Created.IsZero() {
				r.Created = g.Created
			}
			if r.Updated.IsZero() {
				r.Updated = r.Created
			}
			r.Created, r.Updated, r.MemberCount = timeOf(r.Created.UnixMilli()), timeOf(r.Updated.UnixMilli()), 0
			if r.ID == 0 {
				if r.ID, err = s.nextID(ctx, q, "group_roles"); err != nil {
					return err
				}
			}
			_, err := q.Exec(ctx, `INSERT INTO group_roles (id, group_id, name, description, rank, permissions, created_at, updated_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
				r.ID, r.GroupID, r.Name, r.Description, r.Rank, int64(r.Permissions), r.Created.UnixMilli(), r.Updated.UnixMilli())
			if err := s.writeErr(err, fmt.Sprintf("group %d role %d", g.ID, r.ID)); err != nil {
				return err
			}
			if r.Rank == store.OwnerRank {
				ownerRole = r.ID
				if g.OwnerID != 0 {
					r.MemberCount = 1
				}
			}
			out[i] = r
		}
		if g.OwnerID != 0 {
			_, err := q.Exec(ctx, `INSERT INTO group_memberships (group_id, user_id, role_id, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)`,
				g.ID, g.OwnerID, ownerRole, g.Created.UnixMilli())
			if err := s.writeErr(err, fmt.Sprintf("group %d owner %d", g.ID, g.OwnerID)); err != nil {
				return err
			}
			g.MemberCount = 1
		}
		return nil
	})
	if err != nil {
		return g, nil, fmt.Errorf("create group: %w", err)
	}
	return g, out, nil
}

// writeErr classifies a failed insert of what: a taken key is
// store.ErrExists, a missing parent store.ErrNotFound.
func (s *Store) writeErr(err error, what string) error {
	switch {
	case err == nil:
		return nil
	case s.d.IsUnique(err):
		return fmt.Errorf("%s: %w", what, store.ErrExists)
	case s.d.IsForeignKey(err):
		return fmt.Errorf("%s: a group, user or role: %w", what, store.ErrNotFound)
	}
	return fmt.Errorf("write %s: %w", what, err)
}

// Group implements store.GroupStore.
func (s *Store) Group(ctx context.Context, id int64) (store.Group, error) {
	g := store.Group{ID: id}
	var owner *int64
	var created, updated int64
	err := s.db.QueryRow(ctx, `SELECT name, description, owner_user_id, public_entry, locked, verified, created_at, updated_at,
		(SELECT COUNT(*) FROM group_memberships m WHERE m.group_id = g.id)
		FROM groups g WHERE id = $1`, id).
		Scan(&g.Name, &g.Description, &owner, &g.PublicEntry, &g.Locked, &g.Verified, &created, &updated, &g.MemberCount)
	if err != nil {
		return g, notFound(err, fmt.Sprintf("group %d", id))
	}
	if owner != nil {
		g.OwnerID = *owner
	}
	g.Created, g.Updated = timeOf(created), timeOf(updated)
	return g, nil
}

const roleColumns = `r.id, r.group_id, r.name, r.description, r.rank, r.permissions, r.created_at, r.updated_at,
	(SELECT COUNT(*) FROM group_memberships m WHERE m.group_id = r.group_id AND m.role_id = r.id)`

func scanRole(r Row) (store.GroupRole, error) {
	var role store.GroupRole
	var perms, created, updated int64
	err := r.Scan(&role.ID, &role.GroupID, &role.Name, &role.Description, &role.Rank, &perms, &created, &updated, &role.MemberCount)
	role.Permissions, role.Created, role.Updated = store.Permissions(perms), timeOf(created), timeOf(updated)
	return role, err
}

// GroupRoles implements store.GroupStore.
func (s *Store) GroupRoles(ctx context.Context, groupID int64) ([]store.GroupRole, error) {
	if err := mustExist(ctx, s.db, fmt.Sprintf("group %d", groupID), `SELECT 1 FROM groups WHERE id = $1`, groupID); err != nil {
		return nil, err
	}
	rows, err := s.db.Query(ctx, `SELECT `+roleColumns+` FROM group_roles r WHERE r.group_id = $1 ORDER BY r.rank`, groupID)
	if err != nil {
		return nil, fmt.Errorf("list roles of group %d: %w", groupID, err)
	}
	defer rows.Close()
	var out []store.GroupRole
	for rows.Next() {
		r, err := scanRole(rows)
		if err != nil {
			return nil, fmt.Errorf("list roles of group %d: %w", groupID, err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// GroupRole implements store.GroupStore.
func (s *Store) GroupRole(ctx context.Context, groupID, roleID int64) (store.GroupRole, error) {
	r, err := scanRole(s.db.QueryRow(ctx, `SELECT `+roleColumns+` FROM group_roles r WHERE r.group_id = $1 AND r.id = $2`, groupID, roleID))
	if err != nil {
		return r, notFound(err, fmt.Sprintf("group %d role %d", groupID, roleID))
	}
	return r, nil
}

const membershipColumns = `group_id, user_id, role_id, created_at, updated_at`

func scanMembership(r Row) (store.GroupMembership, error) {
	var m store.GroupMembership
	var created, updated int64
	err := r.Scan(&m.GroupID, &m.UserID, &m.RoleID, &created, &updated)
	m.Created, m.Updated = timeOf(created), timeOf(updated)
	return m, err
}

func queryMemberships(ctx context.Context, q Querier, what, query string, args ...any) ([]store.GroupMembership, error) {
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", what, err)
	}
	defer rows.Close()
	var out []store.GroupMembership
	for rows.Next() {
		m, err := scanMembership(rows)
		if err != nil {
			return nil, fmt.Errorf("list %s: %w", what, err)
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// GroupMembers implements store.GroupStore: a range of the key (or of the
// by_role index), in user id order.
func (s *Store) GroupMembers(ctx context.Context, groupID, roleID int64, sp store.Span) ([]store.GroupMembership, error) {
	what := fmt.Sprintf("members of group %d", groupID)
	// Both directions are one index range: (group_id, user_id) is the key.
	cmp, order, from := ">", "", sp.From
	if sp.Desc {
		cmp, order = "<", " DESC"
		if from == 0 {
			from = math.MaxInt64
		}
	}
	if roleID != 0 {
		return queryMemberships(ctx, s.db, what, `SELECT `+membershipColumns+` FROM group_memberships
			WHERE group_id = $1 AND role_id = $2 AND user_id `+cmp+` $3 ORDER BY user_id`+order+` LIMIT $4`, groupID, roleID, from, sp.Limit)
	}
	return queryMemberships(ctx, s.db, what, `SELECT `+membershipColumns+` FROM group_memberships
		WHERE group_id = $1 AND user_id `+cmp+` $2 ORDER BY user_id`+order+` LIMIT $3`, groupID, from, sp.Limit)
}

// GroupMembership implements store.GroupStore.
func (s *Store) GroupMembership(ctx context.Context, groupID, userID int64) (store.GroupMembership, error) {
	m, err := scanMembership(s.db.QueryRow(ctx, `SELECT `+membershipColumns+` FROM group_memberships WHERE group_id = $1 AND user_id = $2`, groupID, userID))
	if err != nil {
		return m, notFound(err, fmt.Sprintf("user %d in group %d", userID, groupID))
	}
	return m, nil
}

// UserGroups implements store.GroupStore.
func (s *Store) UserGroups(ctx context.Context, userID int64) ([]store.GroupMembership, error) {
	return queryMemberships(ctx, s.db, fmt.Sprintf("groups of user %d", userID),
		`SELECT `+membershipColumns+` FROM group_memberships WHERE user_id = $1 ORDER BY group_id`, userID)
}

// assignable checks that roleID is a role of the group a member may be
// given: not the guest role, not the owner's.
func assignable(ctx context.Context, q Querier, groupID, roleID int64) error {
	var rank int
	if err := q.QueryRow(ctx, `SELECT rank FROM group_roles WHERE group_id = $1 AND id = $2`, groupID, roleID).Scan(&rank); err != nil {
		return notFound(err, fmt.Sprintf("group %d role %d", groupID, roleID))
	}
	switch rank {
	case store.GuestRank:
		return fmt.Errorf("group %d role %d: %w", groupID, roleID, store.ErrGuestRole)
	case store.OwnerRank:
		return fmt.Errorf("group %d role %d: %w", groupID, roleID, store.ErrOwnerRole)
	}
	return nil
}

// insertMember adds a membership and removes the user's pending request.
// It locks the group row first, as CreateGroupJoinRequest does, so that a
// request filed meanwhile cannot outlive the membership.
func (s *Store) insertMember(ctx context.Context, q Querier, groupID, userID, roleID int64, at time.Time) (store.GroupMembership, error) {
	m := store.GroupMembership{GroupID: groupID, UserID: userID, RoleID: roleID, Created: timeOf(at.UnixMilli()), Updated: timeOf(at.UnixMilli())}
	if err := mustExist(ctx, q, fmt.Sprintf("group %d", groupID), `SELECT 1 FROM groups WHERE id = $1`+s.d.RowLock.NoKeyUpdate, groupID); err != nil {
		return m, err
	}
	_, err := q.Exec(ctx, `INSERT INTO group_memberships (group_id, user_id, role_id, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)`,
		groupID, userID, roleID, at.UnixMilli())
	if err := s.writeErr(err, fmt.Sprintf("user %d in group %d", userID, groupID)); err != nil {
		return m, err
	}
	if _, err := q.Exec(ctx, `DELETE FROM group_join_requests WHERE group_id = $1 AND user_id = $2`, groupID, userID); err != nil {
		return m, fmt.Errorf("delete join request: %w", err)
	}
	return m, nil
}

// AddGroupMember implements store.GroupStore.
func (s *Store) AddGroupMember(ctx context.Context, groupID, userID, roleID int64, at time.Time) (store.GroupMembership, error) {
	var m store.GroupMembership
	err := s.tx(ctx, func(q Querier) error {
		if err := assignable(ctx, q, groupID, roleID); err != nil {
			return err
		}
		var err error
		m, err = s.insertMember(ctx, q, groupID, userID, roleID, at)
		return err
	})
	if err != nil {
		return m, fmt.Errorf("add member: %w", err)
	}
	return m, nil
}

// SetGroupMemberRole implements store.GroupStore. The membership row is
// locked first, so two changes of one member queue.
func (s *Store) SetGroupMemberRole(ctx context.Context, groupID, userID, roleID int64, at time.Time) (store.GroupMembership, error) {
	var m store.GroupMembership
	err := s.tx(ctx, func(q Querier) error {
		var err error
		m, err = scanMembership(q.QueryRow(ctx, `SELECT `+membershipColumns+` FROM group_memberships WHERE group_id = $1 AND user_id = $2`+s.d.RowLock.NoKeyUpdate,
			groupID, userID))
		if err != nil {
			return notFound(err, fmt.Sprintf("user %d in group %d", userID, groupID))
		}
		if ok, err := exists(ctx, q, `SELECT 1 FROM groups WHERE id = $1 AND owner_user_id = $2`, groupID, userID); err != nil {
			return err
		} else if ok {
			return fmt.Errorf("user %d owns group %d: %w", userID, groupID, store.ErrOwnerRole)
		}
		if err := assignable(ctx, q, groupID, roleID); err != nil {
			return err
		}
		if m.RoleID == roleID {
			return nil
		}
		if _, err := q.Exec(ctx, `UPDATE group_memberships SET role_id = $1, updated_at = $2 WHERE group_id = $3 AND user_id = $4`,
			roleID, at.UnixMilli(), groupID, userID); err != nil {
			return fmt.Errorf("update membership: %w", err)
		}
		m.RoleID, m.Updated = roleID, timeOf(at.UnixMilli())
		return nil
	})
	if err != nil {
		return m, fmt.Errorf("set role: %w", err)
	}
	return m, nil
}

// RemoveGroupMember implements store.GroupStore.
func (s *Store) RemoveGroupMember(ctx context.Context, groupID, userID int64) error {
	err := s.tx(ctx, func(q Querier) error {
		if ok, err := exists(ctx, q, `SELECT 1 FROM groups WHERE id = $1 AND owner_user_id = $2`, groupID, userID); err != nil {
			return err
		} else if ok {
			return fmt.Errorf("user %d owns group %d: %w", userID, groupID, store.ErrOwnerRole)
		}
		n, err := q.Exec(ctx, `DELETE FROM group_memberships WHERE group_id = $1 AND user_id = $2`, groupID, userID)
		return affected(n, err, fmt.Sprintf("user %d in group %d", userID, groupID))
	})
	if err != nil {
		return fmt.Errorf("remove member: %w", err)
	}
	return nil
}

func scanJoinRequest(r Row) (store.GroupJoinRequest, error) {
	var j store.GroupJoinRequest
	var created int64
	err := r.Scan(&j.GroupID, &j.UserID, &created)
	j.Created = timeOf(created)
	return j, err
}

// GroupJoinRequests implements store.GroupStore.
func (s *Store) GroupJoinRequests(ctx context.Context, groupID, afterUser int64, limit int) ([]store.GroupJoinRequest, error) {
	rows, err := s.db.Query(ctx, `SELECT group_id, user_id, created_at FROM group_join_requests
		WHERE group_id = $1 AND user_id > $2 ORDER BY user_id LIMIT $3`, groupID, afterUser, limit)
	if err != nil {
		return nil, fmt.Errorf("list join requests of group %d: %w", groupID, err)
	}
	defer rows.Close()
	var out []store.GroupJoinRequest
	for rows.Next() {
		j, err := scanJoinRequest(rows)
		if err != nil {
			return nil, fmt.Errorf("list join requests of group %d: %w", groupID, err)
		}
		out = append(out, j)
	}
	return out, rows.Err()
}

// GroupJoinRequestOf implements store.GroupStore.
func (s *Store) GroupJoinRequestOf(ctx context.Context, groupID, userID int64) (store.GroupJoinRequest, error) {
	j, err := scanJoinRequest(s.db.QueryRow(ctx, `SELECT group_id, user_id, created_at FROM group_join_requests WHERE group_id = $1 AND user_id = $2`,
		groupID, userID))
	if err != nil {
		return j, notFound(err, fmt.Sprintf("join request of user %d to group %d", userID, groupID))
	}
	return j, nil
}

// CreateGroupJoinRequest implements store.GroupStore.
func (s *Store) CreateGroupJoinRequest(ctx context.Context, groupID, userID int64, at time.Time) (store.GroupJoinRequest, error) {
	j := store.GroupJoinRequest{GroupID: groupID, UserID: userID, Created: timeOf(at.UnixMilli())}
	err := s.tx(ctx, func(q Querier) error {
		// The group row is locked (as insertMember locks it) so that an
		// accept or an add of this user cannot slip between the member
		// check and the insert.
		if err := mustExist(ctx, q, fmt.Sprintf("group %d", groupID), `SELECT 1 FROM groups WHERE id = $1`+s.d.RowLock.NoKeyUpdate, groupID); err != nil {
			return err
		}
		if ok, err := exists(ctx, q, `SELECT 1 FROM group_memberships WHERE group_id = $1 AND user_id = $2`, groupID, userID); err != nil {
			return err
		} else if ok {
			return fmt.Errorf("user %d is a member of group %d: %w", userID, groupID, store.ErrExists)
		}
		_, err := q.Exec(ctx, `INSERT INTO group_join_requests (group_id, user_id, created_at) VALUES ($1, $2, $3)`, groupID, userID, at.UnixMilli())
		return s.writeErr(err, fmt.Sprintf("join request of user %d to group %d", userID, groupID))
	})
	if err != nil {
		return j, fmt.Errorf("create join request: %w", err)
	}
	return j, nil
}

// DeleteGroupJoinRequest implements store.GroupStore: one statement, which
// locks the row it deletes (a concurrent accept waits, then finds none).
func (s *Store) DeleteGroupJoinRequest(ctx context.Context, groupID, userID int64) error {
	n, err := s.db.Exec(ctx, `DELETE FROM group_join_requests WHERE group_id = $1 AND user_id = $2`, groupID, userID)
	return affected(n, err, fmt.Sprintf("join request of user %d to group %d", userID, groupID))
}

// AcceptGroupJoinRequest implements store.GroupStore. The request row is
// locked FOR UPDATE (it is deleted) before anything is read: of two accepts
// of one request, the second waits for the first to commit and then finds
// no request, instead of both reading it and the second failing on the
// membership key.
func (s *Store) AcceptGroupJoinRequest(ctx context.Context, groupID, userID int64, at time.Time) (store.GroupMembership, error) {
	var m store.GroupMembership
	err := s.tx(ctx, func(q Querier) error {
		what := fmt.Sprintf("join request of user %d to group %d", userID, groupID)
		if err := mustExist(ctx, q, what, `SELECT 1 FROM group_join_requests WHERE group_id = $1 AND user_id = $2`+s.d.RowLock.Update,
			groupID, userID); err != nil {
			return err
		}
		var roleID int64
		err := q.QueryRow(ctx, `SELECT id FROM group_roles WHERE group_id = $1 AND rank > $2 AND rank < $3 ORDER BY rank LIMIT 1`,
			groupID, store.GuestRank, store.OwnerRank).Scan(&roleID)
		if err != nil {
			return notFound(err, fmt.Sprintf("group %d: a role above guest", groupID))
		}
		m, err = s.insertMember(ctx, q, groupID, userID, roleID, at)
		return err
	})
	if err != nil {
		return m, fmt.Errorf("accept: %w", err)
	}
	return m, nil
}

// GroupShout implements store.GroupStore.
func (s *Store) GroupShout(ctx context.Context, groupID int64) (store.GroupShout, error) {
	sh := store.GroupShout{GroupID: groupID}
	var poster *int64
	var created, updated int64
	err := s.db.QueryRow(ctx, `SELECT content, poster_user_id, created_at, updated_at FROM group_shouts WHERE group_id = $1`, groupID).
		Scan(&sh.Content, &poster, &created, &updated)
	if err != nil {
		return sh, notFound(err, fmt.Sprintf("shout of group %d", groupID))
	}
	if poster != nil {
		sh.PosterID = *poster
	}
	sh.Created, sh.Updated = timeOf(created), timeOf(updated)
	return sh, nil
}

// SetGroupShout implements store.GroupStore.
func (s *Store) SetGroupShout(ctx context.Context, groupID, posterID int64, content string, at time.Time) (store.GroupShout, error) {
	if err := checkLen("shout", content, 0, store.MaxShoutLen); err != nil {
		return store.GroupShout{GroupID: groupID}, err
	}
	_, err := s.db.Exec(ctx, `INSERT INTO group_shouts (group_id, content, poster_user_id, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)
		ON CONFLICT (group_id) DO UPDATE SET content = excluded.content, poster_user_id = excluded.poster_user_id, updated_at = excluded.updated_at`,
		groupID, content, intOrNull(posterID), at.UnixMilli())
	if err := s.writeErr(err, fmt.Sprintf("shout of group %d", groupID)); err != nil {
		return store.GroupShout{GroupID: groupID}, fmt.Errorf("set shout: %w", err)
	}
	return s.GroupShout(ctx, groupID)
}

var _ store.GroupStore = (*Store)(nil)
