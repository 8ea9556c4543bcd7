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
// order. "passwords" are the users' password hashes; "settings" the secrets.
var Tables = []string{
	"users", "assets", "badges", "game_passes", "private_servers",
	"user_assets", "user_badges", "user_game_passes", "user_private_servers",
	"api_keys", "passwords", "sessions", "settings",
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
	if len(b.Passwords) > 0 && d.passwords == nil {
		d.passwords = map[int64]string{}
	}
	maps.Copy(d.passwords, b.Passwords)
	if len(b.Secrets) > 0 && d.secrets == nil {
		d.secrets = map[string][]byte{}
	}
	maps.Copy(d.secrets, b.Secrets)
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
func (d *Digester) Digest() Digest {
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
