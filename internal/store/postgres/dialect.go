package postgres

import (
	"errors"
	"strconv"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/invcloud/invcloud/internal/store/sqlstore"
)

// dialect is what PostgreSQL does differently from the shared SQL: explicit
// row and table locks (transactions are READ COMMITTED), id lists as bigint
// arrays, a lock-free sequence for instance ids.
var dialect = sqlstore.Dialect{
	Name:         "postgres",
	IsUnique:     isUnique,
	IsForeignKey: isForeignKey,
	RowLock:      sqlstore.RowLocks{NoKeyUpdate: " FOR NO KEY UPDATE", Update: " FOR UPDATE"},
	LockTable:    func(table, mode string) string { return "LOCK TABLE " + table + " IN " + mode + " MODE" },
	InInt64s:     func(n int) string { return "= ANY($" + strconv.Itoa(n) + "::bigint[])" },
	Int64s:       func(ids []int64) any { return ids },
	Limit:        func(n int) string { return " LIMIT $" + strconv.Itoa(n) },
	IndexedBy:    func(string) string { return "" },
	Bytewise:     ` COLLATE "C"`,
	XactLock:     `SELECT pg_advisory_xact_lock($1)`,
	Counter: sqlstore.Counter{
		Next: `SELECT nextval('user_assets_instance_id_seq')`,
		// The last value handed out is last_value once nextval has run,
		// and none (0) before: setval only ever moves it up.
		Read: `SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM user_assets_instance_id_seq`,
		Raise: `SELECT setval('user_assets_instance_id_seq', CAST($1 AS BIGINT)) FROM user_assets_instance_id_seq
			WHERE CAST($1 AS BIGINT) > CASE WHEN is_called THEN last_value ELSE 0 END`,
	},
	// Through the users_name index on lower(name COLLATE "C"): ASCII
	// folding, as SQLite's NOCASE.
	NameIs: `lower(name COLLATE "C") = lower(CAST($1 AS TEXT) COLLATE "C")`,
	NameIn: func(n int) string { return `lower(name COLLATE "C") = ANY(CAST($` + strconv.Itoa(n) + ` AS TEXT[]))` },
	Texts:  func(ss []string) any { return ss },
	Contains: func(col string, n int) string {
		return `lower(` + col + ` COLLATE "C") LIKE $` + strconv.Itoa(n) + ` ESCAPE '\'`
	},
}

const (
	codeUniqueViolation     = "23505"
	codeForeignKeyViolation = "23503"
)

func pgCode(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}

func isUnique(err error) bool     { return pgCode(err) == codeUniqueViolation }
func isForeignKey(err error) bool { return pgCode(err) == codeForeignKeyViolation }
