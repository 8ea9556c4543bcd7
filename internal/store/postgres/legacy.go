package postgres

import "github.com/jackc/pgx/v5/pgtype"

// The store.LegacyStore methods are the shared ones (sqlstore/legacy.go);
// pgOpt is left for the legacy rows of Import (legacy_bulk.go) until Import
// is written once too.

func pgOpt(p *int64) pgtype.Int8 {
	if p == nil {
		return pgtype.Int8{}
	}
	return pgtype.Int8{Int64: *p, Valid: true}
}
