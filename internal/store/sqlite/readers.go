package sqlite

import (
	"context"
	"fmt"

	"github.com/ncruces/go-sqlite3"

	"github.com/invcloud/invcloud/internal/inventory"
	"github.com/invcloud/invcloud/internal/store/sqlstore"
)

// readers is a small pool of connections used directly, past database/sql,
// for the queries on every API request (the user lookup and the listings).
// Profiles showed database/sql's per-row and per-call machinery costing as
// much as SQLite itself for these one-row and hundred-row reads. Each
// connection keeps its statements prepared. Writes stay on database/sql.
type readers struct {
	ch  chan *reader
	all []*reader
}

type reader struct {
	conn                   *sqlite3.Conn
	user, assets, assetIDs *sqlite3.Stmt
	others, otherIDs       [inventory.KindPrivateServer + 1]*sqlite3.Stmt
}

func openReaders(dsn string, n int) (*readers, error) {
	rs := &readers{ch: make(chan *reader, n)}
	for range n {
		r, err := openReader(dsn)
		if err != nil {
			rs.close()
			return nil, err
		}
		rs.all = append(rs.all, r)
		rs.ch <- r
	}
	return rs, nil
}

func openReader(dsn string) (*reader, error) {
	c, err := sqlite3.Open(dsn)
	if err != nil {
		return nil, fmt.Errorf("open sqlite reader: %w", err)
	}
	r := &reader{conn: c}
	prep := func(q string) *sqlite3.Stmt {
		if err != nil {
			return nil
		}
		var st *sqlite3.Stmt
		st, _, err = c.Prepare(q)
		if err != nil {
			err = fmt.Errorf("prepare %q: %w", q, err)
		}
		return st
	}
	r.user = prep(userQuery)
	r.assets = prep(assetsQuery)
	r.assetIDs = prep(assetIDsQuery)
	for k := range sqlstore.OtherTables {
		r.others[k] = prep(othersQuery(k))
		r.otherIDs[k] = prep(otherIDsQuery(k))
	}
	if err != nil {
		r.close()
		return nil, err
	}
	return r, nil
}

func (r *reader) close() {
	for _, st := range []*sqlite3.Stmt{r.user, r.assets, r.assetIDs} {
		if st != nil {
			st.Close()
		}
	}
	for k := range r.others {
		for _, st := range []*sqlite3.Stmt{r.others[k], r.otherIDs[k]} {
			if st != nil {
				st.Close()
			}
		}
	}
	r.conn.Close()
}

func (rs *readers) close() {
	for _, r := range rs.all {
		r.close()
	}
}

// with runs fn on a free reader. The queries are bounded by one user's
// inventory, so they are not interrupted mid-step on cancellation; a
// caller that gave up is noticed while waiting for a reader.
func (rs *readers) with(ctx context.Context, fn func(*reader) error) error {
	var r *reader
	select {
	case r = <-rs.ch:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { rs.ch <- r }()
	return fn(r)
}

// run binds args to st, calls row for each result row until it returns
// false or the rows end, and resets st.
func run(st *sqlite3.Stmt, row func() bool, args ...any) error {
	defer st.ClearBindings()
	defer st.Reset()
	for i, a := range args {
		var err error
		switch v := a.(type) {
		case int64:
			err = st.BindInt64(i+1, v)
		case int:
			err = st.BindInt64(i+1, int64(v))
		case string:
			err = st.BindText(i+1, v)
		default:
			err = fmt.Errorf("unsupported argument %T", a)
		}
		if err != nil {
			return err
		}
	}
	for st.Step() {
		if !row() {
			break
		}
	}
	return st.Err()
}
