package users_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/invcloud/invcloud/internal/store"
	"github.com/invcloud/invcloud/internal/users"
)

// FuzzParseUsernames: any body parses or is refused, never panics; what
// parses is bounded and echoes the request's own strings.
func FuzzParseUsernames(f *testing.F) {
	for _, s := range []string{`{"usernames":["GuideUser"],"excludeBannedUsers":false}`, `{}`, `{"usernames":null}`,
		`{"usernames":["a","a","A"]}`, `[]`, `{"usernames":[1]}`, `{"usernames":["\u0000"]}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		q, err := users.ParseUsernames(body)
		if err != nil {
			return
		}
		if len(q.Requested) > users.MaxBatch {
			t.Fatalf("%d names accepted", len(q.Requested))
		}
		look := q.Lookup()
		if len(look) > len(q.Requested) {
			t.Fatalf("lookup of %d names from %d", len(look), len(q.Requested))
		}
		for _, n := range look {
			if n == "" || len(n) > users.MaxUsernameBytes || store.FoldASCII(n) != n {
				t.Fatalf("looked up %q", n)
			}
		}
	})
}

// FuzzParseIDs: ids that parse are positive, distinct and at most MaxBatch.
func FuzzParseIDs(f *testing.F) {
	for _, s := range []string{`{"userIds":[1,2,3],"excludeBannedUsers":true}`, `{"userIds":["7"]}`, `{"userIds":[1e3]}`,
		`{"userIds":[-1,0]}`, `{"userIds":[9223372036854775807]}`, `{"userIds":[1.0]}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		q, err := users.ParseIDs(body)
		if err != nil {
			return
		}
		if len(q.IDs) > users.MaxBatch {
			t.Fatalf("%d ids accepted", len(q.IDs))
		}
		seen := map[int64]bool{}
		for _, id := range q.IDs {
			if id <= 0 || seen[id] {
				t.Fatalf("id %d in %v", id, q.IDs)
			}
			seen[id] = true
		}
	})
}

// FuzzParseSearch: a keyword is refused as too short, or searched with a
// limit of the enum; a hopeless one is never sent to the store; the LIKE
// pattern escapes every wildcard.
func FuzzParseSearch(f *testing.F) {
	for _, s := range [][2]string{{"guide", ""}, {"ab", "10"}, {"  pager ", "100"}, {"100%_\\", "25"}, {"\xff\xfe", "50"}, {strings.Repeat("x", 60), "7"}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, keyword, limit string) {
		q, err := users.ParseSearch(keyword, limit, "")
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error")
			}
			return
		}
		switch q.Limit {
		case 10, 25, 50, 100:
		default:
			t.Fatalf("limit %d", q.Limit)
		}
		if !q.Hopeless && (!utf8.ValidString(q.Keyword) || utf8.RuneCountInString(q.Keyword) > users.MaxKeyword ||
			utf8.RuneCountInString(q.Keyword) < users.MinKeyword) {
			t.Fatalf("keyword %q searched", q.Keyword)
		}
		esc := store.EscapeLike(q.Keyword)
		for i := 0; i < len(esc); i++ {
			switch esc[i] {
			case '\\':
				i++ // the escaped byte
				if i == len(esc) {
					t.Fatalf("dangling escape in %q", esc)
				}
			case '%', '_':
				t.Fatalf("unescaped wildcard in %q", esc)
			}
		}
	})
}
