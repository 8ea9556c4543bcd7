package postgres

import (
	"strings"

	"github.com/invcloud/invcloud/internal/store"
)

// The OAuth store is shared (sqlstore/oauth.go). These two encodings are
// what the bulk import still writes itself: redirect URIs one per line,
// and NULL for the zero hash.

func joinLines(v []string) string { return strings.Join(v, "\n") }

func hashOrNil(h store.OAuthHash) []byte {
	if h == (store.OAuthHash{}) {
		return nil
	}
	return h[:]
}
