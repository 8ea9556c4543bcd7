package legacy

import "github.com/invcloud/invcloud/internal/store"

// The paging helpers of the legacy endpoints, for the other
// legacy-style hosts invcloud serves (users.roblox.com's search): one
// cursor format, one limit rule and one keyset walk everywhere.

// Page is one page of a keyset listing and the cursors around it.
type Page[T any] = page[T]

// FetchPage reads the page of limit items at cur (nil: the first page) of a
// listing ordered by key; see fetchPage.
func FetchPage[T any](fetch func(store.Span) ([]T, error), key func(T) int64, desc bool, limit int, cur *Cursor) (Page[T], error) {
	return fetchPage(fetch, key, desc, limit, cur)
}

// ParseLimit reads a limit parameter: absent is DefaultLimit, else one of
// 10, 25, 50 and 100 (MsgInvalidLimit otherwise).
func ParseLimit(s string) (int, bool) { return parseLimit(s) }

// ParseSortOrder reads a sortOrder parameter: absent is Asc, else Asc or
// Desc (any ASCII case) or 1 and 2 (MsgInvalidSort otherwise).
func ParseSortOrder(s string) (desc, ok bool) { return parseSortOrder(s) }
