package sqlite

import (
	"context"
	"path/filepath"
	"testing"
)

func TestRebind(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{`SELECT 1`, `SELECT 1`},
		{`SELECT a FROM t WHERE id = $1`, `SELECT a FROM t WHERE id = ?1`},
		{`SELECT $2, $1`, `SELECT ?2, ?1`},
		// A value used twice keeps one number.
		{`WHERE $1 = 0 OR owner_user_id = $1`, `WHERE ?1 = 0 OR owner_user_id = ?1`},
		{`VALUES ($10, $11)`, `VALUES (?10, ?11)`},
		// Quoted text and comments are left alone.
		{`SELECT '$1', $1`, `SELECT '$1', ?1`},
		{`SELECT 'it''s $1', $2`, `SELECT 'it''s $1', ?2`},
		{`SELECT "col$1" FROM t WHERE a = $1`, `SELECT "col$1" FROM t WHERE a = ?1`},
		{"SELECT $1 -- not $2\n, $3", "SELECT ?1 -- not $2\n, ?3"},
		{`SELECT /* $1 */ $2`, `SELECT /* $1 */ ?2`},
		// Not a placeholder: a lone $, and ? forms already written.
		{`SELECT '$', $ , ?, ?3`, `SELECT '$', $ , ?, ?3`},
		// Unterminated text stays as it is.
		{`SELECT '$1`, `SELECT '$1`},
		{`SELECT 1 /* $1`, `SELECT 1 /* $1`},
	} {
		if got := rebind(c.in); got != c.want {
			t.Errorf("rebind(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// TestRebindBinds checks the rewritten text binds by number on SQLite, the
// silent mis-binding the rewrite exists for, and that the cache returns the
// same text.
func TestRebindBinds(t *testing.T) {
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "rebind.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	d := newDB(s.db)
	for range 2 {
		var a, b int64
		var lit string
		if err := d.QueryRow(context.Background(), `SELECT $2, $1, '$1'`, 10, 20).Scan(&a, &b, &lit); err != nil {
			t.Fatal(err)
		}
		if a != 20 || b != 10 || lit != "$1" {
			t.Errorf("SELECT $2, $1, '$1' bound (10, 20) = %d %d %q, want 20 10 \"$1\"", a, b, lit)
		}
	}
}

func BenchmarkRebindCached(b *testing.B) {
	r := &rebinder{}
	q := `SELECT name, display_name, created_at, visibility FROM users WHERE id = $1`
	for b.Loop() {
		_ = r.sql(q)
	}
}
