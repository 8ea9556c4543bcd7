package sqlstore

// Dialect is what truly differs between the engines, in one value per
// backend. Everything else is SQL both accept: CAST($1 AS BIGINT) rather
// than $1::bigint, ON CONFLICT ... DO UPDATE SET c = excluded.c, RETURNING,
// guarded updates instead of greatest()/max(a, b).
//
// SQLite's fragments are mostly empty: it serialises writers at BEGIN, so
// it needs no row or table locks. That is why only the PostgreSQL
// conformance run notices a lock left out of shared SQL.
type Dialect struct {
	// Name is "sqlite" or "postgres", for messages.
	Name string

	// IsUnique and IsForeignKey classify a failed statement by the
	// engine's error code.
	IsUnique     func(error) bool
	IsForeignKey func(error) bool

	// RowLock holds the clauses appended to a SELECT to lock its rows.
	RowLock RowLocks

	// LockTable returns a statement locking table in mode ("ROW
	// EXCLUSIVE", "SHARE ROW EXCLUSIVE", ...), or "" when the engine
	// needs none; Store.lockTable skips the empty one.
	LockTable func(table, mode string) string

	// InInt64s returns a condition fragment testing a column (written
	// before it) against the id list bound as parameter n, and Int64s
	// turns a list into that parameter's value: "= ANY($n::bigint[])"
	// with []int64, or "IN (SELECT value FROM json_each($n))" with a JSON
	// array. One parameter keeps the text of a query fixed whatever the
	// list's length.
	InInt64s func(n int) string
	Int64s   func([]int64) any

	// Limit returns " LIMIT $n", or "" where the caller stops reading at
	// n rows instead: SQLite re-prepares a statement whose bound LIMIT
	// changes, and its scans stream, so nothing past n is read. A query
	// that drops its LIMIT must not be passed the parameter: SQLite refuses
	// one past the last the query names (put the limit last).
	Limit func(n int) string

	// IndexedBy returns the clause, written after a table and its alias,
	// that pins the index a listing walks: " INDEXED BY index" in SQLite
	// (the legacy listings name their partial indexes), "" in PostgreSQL,
	// whose planner picks them itself.
	IndexedBy func(index string) string

	// Bytewise follows a text column in ORDER BY so that it sorts bytewise,
	// as SQLite's default BINARY collation does: ` COLLATE "C"` in
	// PostgreSQL (until its text keys are declared so), "" in SQLite.
	Bytewise string

	// XactLock takes a lock named by the int64 $1 until the transaction
	// ends, serialising what counts rows before inserting (bounded OAuth
	// requests): "SELECT pg_advisory_xact_lock($1)", or "" in SQLite, whose
	// writers are serialised at BEGIN.
	XactLock string

	// Counter is the instance-id counter of user_assets.
	Counter Counter

	// NameIs matches users.name against $1 ignoring ASCII case, through
	// an index: a NOCASE column in SQLite, a lower(name) index in
	// PostgreSQL.
	NameIs string

	// NameIn matches users.name, ignoring ASCII case and through NameIs's
	// index, against any name of the list bound as parameter n (already in
	// ASCII lower case: store.FoldASCII); Texts turns the list into that
	// parameter's value (a JSON array for json_each, or text[]).
	NameIn func(n int) string
	Texts  func([]string) any

	// Contains matches the text column col against the LIKE pattern bound
	// as parameter n (ASCII lower case, escaped with backslashes:
	// store.EscapeLike), ignoring ASCII case: SQLite's LIKE folds ASCII by
	// itself, PostgreSQL's needs lower(col COLLATE "C").
	Contains func(col string, n int) string
}

// RowLocks are the row-locking clauses of SELECT ... FOR, each with its
// leading space, or "" on an engine that locks at BEGIN.
type RowLocks struct {
	// NoKeyUpdate (" FOR NO KEY UPDATE") queues other writers of the row
	// but not inserts of rows that reference it.
	NoKeyUpdate string
	// Update (" FOR UPDATE") also waits for, and holds off, inserts of rows
	// referencing it (their foreign-key check takes a key-share lock): what
	// a delete that counts the rows it cascades to needs.
	Update string
}

// Counter is the SQL of the instance-id counter: a sequence in PostgreSQL
// (nextval is lock-free, so grants to different users do not queue on a
// counter row), the sequences row in SQLite.
type Counter struct {
	// Next returns the next instance id (one row, one column).
	Next string
	// Read returns the last instance id handed out, 0 before the first.
	Read string
	// Raise moves the counter up to $1, never down.
	Raise string
}
