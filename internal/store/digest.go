package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/invcloud/invcloud/internal/inventory"
)

// Tables names the parts of an installation a Digest covers, in Export
// order. "counters" are Batch.LastInstanceID and LastSerials; "passwords" the
// users' password hashes; "settings" the secrets.
var Tables = []string{
	"users", "assets", "badges", "game_passes", "private_servers",
	"user_assets", "user_badges", "user_game_passes", "user_private_servers",
	"counters", "api_keys", "passwords", "sessions",
	"oauth_apps", "oauth_authorizations", "oauth_requests", "oauth_sessions",
	"oauth_used_codes", "oauth_refresh_tokens", "oauth_access_tokens", "settings",
	"friends", "bundles", "bundle_assets", "user_bundles", "package_assets", "asset_prices",
	"places", "place_tabs", "favorites", "collections",
}

// internalTables are tables a store may hold that an Export need not copy
// as rows: goose's migration record, and SQLite's counters (exported as
// Batch.LastInstanceID).
var internalTables = map[string]bool{"goose_db_version": true, "sequences": true}

// TableLister is implemented by stores that can list the tables of their
// schema, so that a test or a migration can check that Export covers them.
type TableLister interface {
	SchemaTables(ctx context.Context) ([]string, error)
}

// Uncovered returns the tables of a schema that neither Export copies
// (Tables) nor are internal: a migration would lose their rows.
func Uncovered(schemaTables []string) []string {
	var out []string
	for _, t := range schemaTables {
		if !internalTables[t] && !slices.Contains(Tables, t) {
			out = append(out, t)
		}
	}
	return out
}

// TableDigest is a table's row count and the SHA-256 of its rows, each in a
// canonical text form, in Export order.
type TableDigest struct {
	Rows int64
	Sum  [sha256.Size]byte
}

func (t TableDigest) String() string {
	return fmt.Sprintf("%d rows, sha256 %s", t.Rows, hex.EncodeToString(t.Sum[:8]))
}

// Digest summarises an installation table by table. Two stores hold the
// same data exactly when their digests are equal.
type Digest map[string]TableDigest

// Diff lists the tables whose digests differ, in Tables order.
func (d Digest) Diff(o Digest) []string {
	var out []string
	for _, t := range Tables {
		if d[t] != o[t] {
			out = append(out, t)
		}
	}
	return out
}

// Digester builds a Digest from the batches of an Export, in order.
type Digester struct {
	// Tap, if set, sees every canonical row as it is hashed (maps' rows at
	// Digest time, sorted by key).
	Tap func(table, row string)

	tables    map[string]*tableHash
	passwords map[int64]string
	secrets   map[string][]byte
	instance  int64
	serials   map[int64]int64
	buf       []byte
}

type tableHash struct {
	h hash.Hash
	n int64
}

func (d *Digester) row(table string, b []byte) {
	if d.tables == nil {
		d.tables = map[string]*tableHash{}
	}
	t := d.tables[table]
	if t == nil {
		t = &tableHash{h: sha256.New()}
		d.tables[table] = t
	}
	b = append(b, '\n')
	t.h.Write(b)
	t.n++
	if d.Tap != nil {
		d.Tap(table, string(b[:len(b)-1]))
	}
}

func appendTime(b []byte, t time.Time) []byte {
	if t.IsZero() {
		return append(b, '-')
	}
	return strconv.AppendInt(b, t.UnixMilli(), 10)
}

func appendInt(b []byte, n int64) []byte { return strconv.AppendInt(b, n, 10) }

func appendStr(b []byte, s string) []byte { return strconv.AppendQuote(b, s) }

// Add hashes the rows of one batch.
func (d *Digester) Add(b Batch) {
	sep := func(b []byte) []byte { return append(b, ' ') }
	for _, u := range b.Users {
		r := appendInt(d.buf[:0], u.ID)
		r = appendStr(sep(r), u.Name)
		r = appendStr(sep(r), u.DisplayName)
		r = appendTime(sep(r), u.Created)
		r = appendStr(sep(r), string(u.Visibility))
		d.buf = r
		d.row("users", r)
	}
	for _, a := range b.Assets {
		r := appendInt(d.buf[:0], a.ID)
		r = appendStr(sep(r), a.Name)
		r = appendInt(sep(r), int64(a.LegacyType))
		r = appendInt(sep(r), a.CreatorID)
		r = strconv.AppendBool(sep(r), a.Collectible)
		r = appendStr(sep(r), a.CollectibleItemID)
		r = strconv.AppendBool(sep(r), a.Serialized)
		r = appendTime(sep(r), a.Created)
		d.buf = r
		d.row("assets", r)
	}
	named := func(table string, id int64, name string, universe int64) {
		r := appendInt(d.buf[:0], id)
		r = appendStr(sep(r), name)
		r = appendInt(sep(r), universe)
		d.buf = r
		d.row(table, r)
	}
	for _, x := range b.Badges {
		named("badges", x.ID, x.Name, x.UniverseID)
	}
	for _, x := range b.GamePasses {
		named("game_passes", x.ID, x.Name, x.UniverseID)
	}
	for _, x := range b.PrivateServers {
		named("private_servers", x.ID, x.Name, x.UniverseID)
	}
	for _, o := range b.Ownerships {
		it := o.Item
		r := appendInt(d.buf[:0], o.UserID)
		r = appendInt(sep(r), it.ID)
		if it.Kind == inventory.KindAsset {
			r = appendInt(sep(r), it.AssetID)
			r = appendInt(sep(r), int64(it.AssetType))
			if c := it.Collectible; c != nil {
				r = appendStr(sep(r), c.ItemID)
				r = appendStr(sep(r), c.InstanceID)
				r = appendInt(sep(r), int64(c.State))
				r = appendInt(sep(r), c.SerialNumber)
			} else {
				r = append(r, " -"...)
			}
		}
		r = appendTime(sep(r), it.AddTime)
		d.buf = r
		d.row(ownershipTable(it.Kind), r)
	}
	for _, k := range b.APIKeys {
		r := appendInt(d.buf[:0], k.ID)
		r = appendInt(sep(r), k.OwnerID)
		r = appendStr(sep(r), k.Name)
		r = hex.AppendEncode(sep(r), k.Hash[:])
		r = appendStr(sep(r), strings.Join(k.Scopes, " "))
		ips := make([]string, len(k.AllowIPs))
		for i, p := range k.AllowIPs {
			ips[i] = p.String()
		}
		r = appendStr(sep(r), strings.Join(ips, " "))
		r = appendTime(sep(r), k.Expires)
		r = strconv.AppendBool(sep(r), k.Enabled)
		r = appendTime(sep(r), k.Created)
		r = appendTime(sep(r), k.LastUsed)
		d.buf = r
		d.row("api_keys", r)
	}
	for _, s := range b.Sessions {
		r := hex.AppendEncode(d.buf[:0], s.Hash[:])
		r = appendInt(sep(r), s.UserID)
		r = hex.AppendEncode(sep(r), s.CSRFSecret)
		r = appendTime(sep(r), s.Created)
		r = appendTime(sep(r), s.Expires)
		d.buf = r
		d.row("sessions", r)
	}
	for _, a := range b.OAuthApps {
		r := appendStr(d.buf[:0], a.ClientID)
		r = hex.AppendEncode(sep(r), a.SecretHash[:])
		r = appendStr(sep(r), a.Name)
		r = appendInt(sep(r), a.OwnerID)
		r = appendStr(sep(r), strings.Join(a.RedirectURIs, "\n"))
		r = appendStr(sep(r), strings.Join(a.Scopes, " "))
		r = strconv.AppendBool(sep(r), a.Public)
		r = appendTime(sep(r), a.Created)
		d.buf = r
		d.row("oauth_apps", r)
	}
	for _, a := range b.OAuthAuthorizations {
		r := appendStr(d.buf[:0], a.ID)
		r = appendInt(sep(r), a.UserID)
		r = appendStr(sep(r), a.ClientID)
		r = appendStr(sep(r), strings.Join(a.Scopes, " "))
		r = appendTime(sep(r), a.Created)
		r = appendTime(sep(r), a.Updated)
		r = appendTime(sep(r), a.Revoked)
		d.buf = r
		d.row("oauth_authorizations", r)
	}
	for _, q := range b.OAuthRequests {
		r := appendStr(d.buf[:0], q.ID)
		for _, s := range []string{q.ClientID, q.RedirectURI, strings.Join(q.Scopes, " "), q.ResponseType, q.State, q.Nonce,
			strings.Join(q.Prompt, " "), q.CodeChallenge, q.CodeChallengeMethod} {
			r = appendStr(sep(r), s)
		}
		r = appendTime(sep(r), q.Created)
		r = appendTime(sep(r), q.Expires)
		r = appendInt(sep(r), q.UserID)
		r = appendTime(sep(r), q.AuthTime)
		r = appendStr(sep(r), q.AuthorizationID)
		r = hex.AppendEncode(sep(r), q.Code[:])
		r = appendTime(sep(r), q.CodeExpires)
		d.buf = r
		d.row("oauth_requests", r)
	}
	for _, s := range b.OAuthSessions {
		r := appendStr(d.buf[:0], s.ID)
		r = appendStr(sep(r), s.AuthorizationID)
		r = appendStr(sep(r), strings.Join(s.Scopes, " "))
		r = appendTime(sep(r), s.Created)
		r = appendTime(sep(r), s.Revoked)
		d.buf = r
		d.row("oauth_sessions", r)
	}
	for _, c := range b.OAuthUsedCodes {
		r := hex.AppendEncode(d.buf[:0], c.Hash[:])
		r = appendStr(sep(r), c.SessionID)
		r = appendTime(sep(r), c.Used)
		d.buf = r
		d.row("oauth_used_codes", r)
	}
	for _, t := range b.OAuthRefreshTokens {
		r := hex.AppendEncode(d.buf[:0], t.Hash[:])
		r = appendStr(sep(r), t.ID)
		r = appendStr(sep(r), t.SessionID)
		r = appendTime(sep(r), t.Created)
		r = appendTime(sep(r), t.Expires)
		r = appendTime(sep(r), t.Used)
		d.buf = r
		d.row("oauth_refresh_tokens", r)
	}
	for _, t := range b.OAuthAccessTokens {
		r := appendStr(d.buf[:0], t.ID)
		r = appendStr(sep(r), t.SessionID)
		r = appendTime(sep(r), t.Expires)
		d.buf = r
		d.row("oauth_access_tokens", r)
	}
	d.addLegacy(b.LegacyBatch)
	d.instance = max(d.instance, b.LastInstanceID)
	if len(b.LastSerials) > 0 && d.serials == nil {
		d.serials = map[int64]int64{}
	}
	for id, n := range b.LastSerials {
		d.serials[id] = max(d.serials[id], n)
	}
	if len(b.Passwords) > 0 && d.passwords == nil {
		d.passwords = map[int64]string{}
	}
	maps.Copy(d.passwords, b.Passwords)
	if len(b.Secrets) > 0 && d.secrets == nil {
		d.secrets = map[string][]byte{}
	}
	maps.Copy(d.secrets, b.Secrets)
}

func appendOpt(b []byte, n *int64) []byte {
	if n == nil {
		return append(b, '-')
	}
	return appendInt(b, *n)
}

func (d *Digester) addLegacy(b LegacyBatch) {
	sep := func(b []byte) []byte { return append(b, ' ') }
	for _, f := range b.Friends {
		r := appendInt(d.buf[:0], f.A)
		r = appendInt(sep(r), f.B)
		r = appendTime(sep(r), f.Created)
		d.buf = r
		d.row("friends", r)
	}
	for _, x := range b.Bundles {
		r := appendInt(d.buf[:0], x.ID)
		r = appendStr(sep(r), x.Name)
		r = appendInt(sep(r), int64(x.Type))
		r = appendInt(sep(r), x.CreatorID)
		r = appendTime(sep(r), x.Created)
		d.buf = r
		d.row("bundles", r)
		for _, a := range x.AssetIDs {
			r := appendInt(d.buf[:0], x.ID)
			r = appendInt(sep(r), a)
			d.buf = r
			d.row("bundle_assets", r)
		}
	}
	for _, o := range b.BundleOwnerships {
		r := appendInt(d.buf[:0], o.UserID)
		r = appendInt(sep(r), o.BundleID)
		r = appendTime(sep(r), o.Added)
		d.buf = r
		d.row("user_bundles", r)
	}
	for _, p := range b.Packages {
		for _, a := range p.AssetIDs {
			r := appendInt(d.buf[:0], p.PackageID)
			r = appendInt(sep(r), a)
			d.buf = r
			d.row("package_assets", r)
		}
	}
	for _, p := range b.AssetPrices {
		r := appendInt(d.buf[:0], p.AssetID)
		r = appendInt(sep(r), p.RecentAveragePrice)
		r = appendOpt(sep(r), p.OriginalPrice)
		r = appendOpt(sep(r), p.AssetStock)
		d.buf = r
		d.row("asset_prices", r)
	}
	for _, p := range b.Places {
		r := appendInt(d.buf[:0], p.AssetID)
		r = appendInt(sep(r), p.UniverseID)
		r = appendOpt(sep(r), p.PriceInRobux)
		d.buf = r
		d.row("places", r)
	}
	for _, e := range b.PlaceEntries {
		r := appendInt(d.buf[:0], e.UserID)
		r = appendInt(sep(r), int64(e.Tab))
		r = appendInt(sep(r), e.Position)
		r = appendInt(sep(r), e.PlaceID)
		r = appendTime(sep(r), e.Added)
		d.buf = r
		d.row("place_tabs", r)
	}
	items := func(table string, list []UserItem) {
		for _, it := range list {
			r := appendInt(d.buf[:0], it.UserID)
			r = appendInt(sep(r), int64(it.Item.Type))
			r = appendInt(sep(r), it.Item.ID)
			r = appendTime(sep(r), it.Added)
			d.buf = r
			d.row(table, r)
		}
	}
	items("favorites", b.Favorites)
	items("collections", b.Collections)
}

func ownershipTable(k inventory.Kind) string {
	switch k {
	case inventory.KindAsset:
		return "user_assets"
	case inventory.KindBadge:
		return "user_badges"
	case inventory.KindGamePass:
		return "user_game_passes"
	case inventory.KindPrivateServer:
		return "user_private_servers"
	}
	return "kind_" + k.String()
}

// Digest returns the digest of every batch added so far, every table of
// Tables present (an empty table has 0 rows and the hash of nothing).
// Counters at 0 make no row. Call it once.
func (d *Digester) Digest() Digest {
	if d.instance != 0 {
		r := append(d.buf[:0], "instance "...)
		d.buf = appendInt(r, d.instance)
		d.row("counters", d.buf)
	}
	for _, id := range slices.Sorted(maps.Keys(d.serials)) {
		if d.serials[id] == 0 {
			continue
		}
		r := append(d.buf[:0], "serial "...)
		r = appendInt(r, id)
		r = appendInt(append(r, ' '), d.serials[id])
		d.buf = r
		d.row("counters", r)
	}
	d.serials = nil
	for _, id := range slices.Sorted(maps.Keys(d.passwords)) {
		r := appendInt(d.buf[:0], id)
		r = appendStr(append(r, ' '), d.passwords[id])
		d.buf = r
		d.row("passwords", r)
	}
	d.passwords = nil
	for _, name := range slices.Sorted(maps.Keys(d.secrets)) {
		r := appendStr(d.buf[:0], name)
		r = hex.AppendEncode(append(r, ' '), d.secrets[name])
		d.buf = r
		d.row("settings", r)
	}
	d.secrets = nil
	out := Digest{}
	for _, t := range Tables {
		out[t] = TableDigest{Sum: sha256.Sum256(nil)}
	}
	for name, t := range d.tables {
		var td TableDigest
		td.Rows = t.n
		t.h.Sum(td.Sum[:0])
		out[name] = td
	}
	return out
}

// DigestOf exports s and returns its digest.
func DigestOf(ctx context.Context, s Store) (Digest, error) {
	var d Digester
	if err := s.Export(ctx, func(b Batch) error { d.Add(b); return nil }); err != nil {
		return nil, fmt.Errorf("digest: %w", err)
	}
	return d.Digest(), nil
}
