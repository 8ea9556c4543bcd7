package store

import (
	"context"
	"strings"

	"github.com/invcloud/invcloud/internal/inventory"
)

// UserLookup is what users.roblox.com's lookups read: users by many ids or
// names at once, and a keyword search.
type UserLookup interface {
	// UsersByID returns the users among ids, by id; unknown ids are
	// absent. Banned users are included (User.Banned says so).
	UsersByID(ctx context.Context, ids []int64) ([]User, error)
	// UsersByName returns the users whose name is one of names ignoring
	// ASCII case, by id; unknown names are absent.
	UsersByName(ctx context.Context, names []string) ([]User, error)
	// SearchUsers pages through the users, banned ones left out, whose name
	// or display name contains keyword ignoring ASCII case, by id (s).
	SearchUsers(ctx context.Context, keyword string, s Span) ([]User, error)
}

// UserProfiles changes the profile fields users.roblox.com serves.
type UserProfiles interface {
	// SetBanned marks a user terminated, or not; ErrNotFound if none.
	SetBanned(ctx context.Context, id int64, banned bool) error
	// SetDescription replaces a user's description (at most
	// inventory.MaxDescriptionLen characters); ErrNotFound if none.
	SetDescription(ctx context.Context, id int64, description string) error
}

// User is the domain user (an alias, so the interface reads short).
type User = inventory.User

// FoldASCII maps A-Z to a-z and leaves every other byte as it is: the case
// folding both engines apply to names (SQLite's NOCASE and LIKE,
// PostgreSQL's lower() under the "C" collation), so Go-side comparisons
// agree with the database's.
func FoldASCII(s string) string {
	i := strings.IndexFunc(s, func(r rune) bool { return 'A' <= r && r <= 'Z' })
	if i < 0 {
		return s
	}
	b := []byte(s)
	for j := i; j < len(b); j++ {
		if c := b[j]; 'A' <= c && c <= 'Z' {
			b[j] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// EscapeLike escapes LIKE's wildcards (% and _) and its escape character
// (\) in s, for a pattern written with ESCAPE '\'.
func EscapeLike(s string) string {
	if !strings.ContainsAny(s, `%_\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '%', '_', '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}
