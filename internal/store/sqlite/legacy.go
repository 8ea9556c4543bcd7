package sqlite

import "database/sql"

// The store.LegacyStore methods are the shared ones (sqlstore/legacy.go);
// optInt is left for the legacy rows of Import (legacy_bulk.go) until
// Import is written once too.

func optInt(p *int64) sql.NullInt64 {
	if p == nil {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: *p, Valid: true}
}
