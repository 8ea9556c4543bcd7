package legacy

import (
	"encoding/binary"
	"slices"
	"strconv"

	"github.com/invcloud/invcloud/internal/pagetoken"
	"github.com/invcloud/invcloud/internal/store"
)

// Cursor is a keyset position in a listing ordered by one int64 key: the
// page after Key in the listing's order, or before it when Back.
type Cursor struct {
	Back bool
	Key  int64
}

const (
	cursorNext = 'n'
	cursorPrev = 'p'
)

// SealCursor returns the opaque, signed string of c for the listing named
// by binding (the endpoint, its path ids and every query parameter but
// limit and cursor).
func SealCursor(tokens *pagetoken.Codec, c Cursor, binding string) string {
	dir := byte(cursorNext)
	if c.Back {
		dir = cursorPrev
	}
	return tokens.Seal(binary.AppendUvarint([]byte{dir}, uint64(c.Key)), binding)
}

// OpenCursor is the inverse of SealCursor. It fails for any string the
// server did not issue for binding.
func OpenCursor(tokens *pagetoken.Codec, s, binding string) (Cursor, error) {
	payload, err := tokens.Open(s, binding)
	if err != nil {
		return Cursor{}, err
	}
	if len(payload) < 2 || (payload[0] != cursorNext && payload[0] != cursorPrev) {
		return Cursor{}, pagetoken.ErrInvalid
	}
	key, n := binary.Uvarint(payload[1:])
	if n <= 0 || 1+n != len(payload) || key == 0 || key > 1<<63-1 {
		return Cursor{}, pagetoken.ErrInvalid
	}
	return Cursor{Back: payload[0] == cursorPrev, Key: int64(key)}, nil
}

// page is one page of a keyset listing and the cursors around it.
type page[T any] struct {
	Items      []T
	Prev, Next *Cursor
}

// fetchPage reads the page of limit items at cur (nil: the first page) of
// a listing ordered by key, ascending or desc. fetch reads rows in the
// direction of a span. One row more than the page is read to know whether
// a page follows in the direction of travel; going forward from a cursor
// the previous page is taken to exist (its rows were there when the cursor
// was made), and likewise the next page going back.
func fetchPage[T any](fetch func(store.Span) ([]T, error), key func(T) int64, desc bool, limit int, cur *Cursor) (page[T], error) {
	var p page[T]
	sp := store.Span{Desc: desc, Limit: limit + 1}
	back := cur != nil && cur.Back
	if cur != nil {
		sp.From = cur.Key
		if back {
			sp.Desc = !desc
		}
	}
	rows, err := fetch(sp)
	if err != nil {
		return p, err
	}
	more := len(rows) > limit
	if more {
		rows = rows[:limit]
	}
	if back {
		slices.Reverse(rows)
	}
	p.Items = rows
	if len(rows) == 0 {
		return p, nil
	}
	first, last := key(rows[0]), key(rows[len(rows)-1])
	switch {
	case back:
		p.Next = &Cursor{Key: last}
		if more {
			p.Prev = &Cursor{Back: true, Key: first}
		}
	default:
		if more {
			p.Next = &Cursor{Key: last}
		}
		if cur != nil {
			p.Prev = &Cursor{Back: true, Key: first}
		}
	}
	return p, nil
}

// sealed returns the cursor strings of p for binding.
func (h *Handler) sealed(c *Cursor, binding string) *string {
	if c == nil {
		return nil
	}
	return ptr(SealCursor(h.tokens, *c, binding))
}

// placesCursor renders a places-inventory cursor, which the endpoint types
// as an int32: the position after which the next page starts, negated for
// the position before which the previous page ends.
func placesCursor(c *Cursor) *string {
	if c == nil {
		return nil
	}
	if c.Back {
		return ptr(strconv.FormatInt(-c.Key, 10))
	}
	return ptr(strconv.FormatInt(c.Key, 10))
}
