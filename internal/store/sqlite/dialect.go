package sqlite

import (
	"encoding/json"
	"errors"
	"strconv"
	"strings"

	"github.com/ncruces/go-sqlite3"

	"github.com/invcloud/invcloud/internal/store/sqlstore"
)

// dialect is what SQLite does differently from the shared SQL. Its
// transactions take the write lock at BEGIN, so it needs no row or table
// locks.
var dialect = sqlstore.Dialect{
	Name:         "sqlite",
	IsUnique:     isUnique,
	IsForeignKey: isForeignKey,
	LockTable:    func(string, string) string { return "" },
	InInt64s:     func(n int) string { return "IN (SELECT value FROM json_each($" + strconv.Itoa(n) + "))" },
	Int64s:       func(ids []int64) any { return jsonIDs(ids) },
	Limit:        func(int) string { return "" },
	IndexedBy:    func(index string) string { return " INDEXED BY " + index },
	Counter: sqlstore.Counter{
		Next:  `UPDATE sequences SET value = value + 1 WHERE name = 'user_asset_instance' RETURNING value`,
		Read:  `SELECT value FROM sequences WHERE name = 'user_asset_instance'`,
		Raise: `UPDATE sequences SET value = $1 WHERE name = 'user_asset_instance' AND value < $1`,
	},
	// users.name is declared COLLATE NOCASE (ASCII folding), and indexed so.
	NameIs: `name = $1`,
	// IN takes the NOCASE collation of its left operand, the column.
	NameIn:   func(n int) string { return "name IN (SELECT value FROM json_each($" + strconv.Itoa(n) + "))" },
	Texts:    jsonTexts,
	Contains: func(col string, n int) string { return col + " LIKE $" + strconv.Itoa(n) + ` ESCAPE '\'` },
}

// jsonTexts is a string list as one JSON array parameter, for json_each.
func jsonTexts(ss []string) any {
	b, err := json.Marshal(ss)
	if err != nil { // strings always marshal
		panic(err)
	}
	return string(b)
}

func isUnique(err error) bool {
	return errors.Is(err, sqlite3.CONSTRAINT_UNIQUE) || errors.Is(err, sqlite3.CONSTRAINT_PRIMARYKEY)
}

func isForeignKey(err error) bool { return errors.Is(err, sqlite3.CONSTRAINT_FOREIGNKEY) }

// jsonIDs is an id list as one JSON array parameter, for json_each.
func jsonIDs(ids []int64) string {
	var b strings.Builder
	b.WriteByte('[')
	for i, id := range ids {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.FormatInt(id, 10))
	}
	b.WriteByte(']')
	return b.String()
}
