package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"strconv"
)

// CopyBatch is how many rows of a table Copy reads and writes at once: one
// PostgreSQL statement, or one SQLite transaction.
const CopyBatch = 50_000

// TableStore is a backend's table-level access, what migrate runs on. Rows
// travel as [][]any of canonical values by the columns' kinds (see Kind), in
// the registry's column order.
type TableStore interface {
	// Snapshot calls fn with a reader of one consistent snapshot.
	Snapshot(ctx context.Context, fn func(TableReader) error) error
	// HasRows reports whether t holds a row.
	HasRows(ctx context.Context, t *Table) (bool, error)
	// WriteRows inserts rows into t, in one transaction, skipping rows
	// whose key (or another unique value) is present: copying again
	// resumes an interrupted copy.
	WriteRows(ctx context.Context, t *Table, rows [][]any) error
	// RaiseCounters raises each counter to at least the value given and
	// the largest id its column holds, and moves any other id generator
	// (PostgreSQL identities) past the ids present. It never lowers one.
	RaiseCounters(ctx context.Context, values map[string]int64) error
	// Schema describes every column of every table of the schema.
	Schema(ctx context.Context) ([]SchemaColumn, error)
}

// TableReader reads one snapshot.
type TableReader interface {
	// Rows calls fn with t's rows in key order (bytewise for text), at
	// most batch at a time; an error from fn stops it and is returned. The
	// slices are fn's to keep.
	Rows(ctx context.Context, t *Table, batch int, fn func(rows [][]any) error) error
	// Counters returns the value of every counter of Counters.
	Counters(ctx context.Context) (map[string]int64, error)
}

// TablesOf returns s's table-level access.
func TablesOf(s Store) (TableStore, error) {
	ts, ok := s.(interface{ Tables() TableStore })
	if !ok {
		return nil, fmt.Errorf("store %T has no table access", s)
	}
	return ts.Tables(), nil
}

// Copy copies every table of the registry from src to dst, as of one
// snapshot of src, then raises dst's counters to src's. One goroutine reads
// (and hashes) while the caller's writes the previous batch. progress, if
// set, is called after each batch written with the rows of the table copied
// so far. It returns the digest of what it read.
func Copy(ctx context.Context, src, dst Store, progress func(table string, rows int64)) (Digest, error) {
	from, err := TablesOf(src)
	if err != nil {
		return nil, err
	}
	to, err := TablesOf(dst)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type batch struct {
		t    *Table
		rows [][]any
	}
	var (
		batches  = make(chan batch, 2)
		read     = make(chan error, 1)
		d        = newDigester()
		counters map[string]int64
	)
	go func() {
		defer close(batches)
		read <- from.Snapshot(ctx, func(r TableReader) error {
			for i := range Tables {
				t := &Tables[i]
				err := r.Rows(ctx, t, CopyBatch, func(rows [][]any) error {
					d.add(t, rows)
					select {
					case batches <- batch{t, rows}:
						return nil
					case <-ctx.Done():
						return ctx.Err()
					}
				})
				if err != nil {
					return fmt.Errorf("read %s: %w", t.Name, err)
				}
			}
			c, err := r.Counters(ctx)
			if err != nil {
				return fmt.Errorf("read counters: %w", err)
			}
			counters = c
			return nil
		})
	}()
	var (
		werr   error
		copied = map[string]int64{}
	)
	for b := range batches {
		if werr != nil {
			continue // drain: the reader stops at the cancel
		}
		if err := to.WriteRows(ctx, b.t, b.rows); err != nil {
			werr = fmt.Errorf("write %s: %w", b.t.Name, err)
			cancel()
			continue
		}
		copied[b.t.Name] += int64(len(b.rows))
		if progress != nil {
			progress(b.t.Name, copied[b.t.Name])
		}
	}
	rerr := <-read
	if werr != nil {
		return nil, werr
	}
	if rerr != nil {
		return nil, rerr
	}
	if err := to.RaiseCounters(ctx, counters); err != nil {
		return nil, fmt.Errorf("write counters: %w", err)
	}
	d.addCounters(counters)
	return d.digest(), nil
}

// DigestOf reads s, as of one snapshot, and returns its digest.
func DigestOf(ctx context.Context, s Store) (Digest, error) {
	ts, err := TablesOf(s)
	if err != nil {
		return nil, err
	}
	d := newDigester()
	err = ts.Snapshot(ctx, func(r TableReader) error {
		for i := range Tables {
			t := &Tables[i]
			if err := r.Rows(ctx, t, CopyBatch, func(rows [][]any) error { d.add(t, rows); return nil }); err != nil {
				return fmt.Errorf("read %s: %w", t.Name, err)
			}
		}
		c, err := r.Counters(ctx)
		if err != nil {
			return fmt.Errorf("read counters: %w", err)
		}
		d.addCounters(c)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("digest: %w", err)
	}
	return d.digest(), nil
}

// NonEmpty returns the tables of s that hold a row, in registry order.
func NonEmpty(ctx context.Context, s Store) ([]string, error) {
	ts, err := TablesOf(s)
	if err != nil {
		return nil, err
	}
	var out []string
	for i := range Tables {
		ok, err := ts.HasRows(ctx, &Tables[i])
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", Tables[i].Name, err)
		}
		if ok {
			out = append(out, Tables[i].Name)
		}
	}
	return out, nil
}

// SchemaProblems compares s's schema with the registry (see CheckSchema).
func SchemaProblems(ctx context.Context, s Store) ([]string, error) {
	ts, err := TablesOf(s)
	if err != nil {
		return nil, err
	}
	cols, err := ts.Schema(ctx)
	if err != nil {
		return nil, fmt.Errorf("read schema: %w", err)
	}
	if len(cols) == 0 {
		return nil, errors.New("read schema: no tables")
	}
	return CheckSchema(cols), nil
}

// TableDigest is a table's row count and the SHA-256 of its canonical rows
// in key order.
type TableDigest struct {
	Rows int64
	Sum  [sha256.Size]byte
}

func (t TableDigest) String() string {
	return fmt.Sprintf("%d rows, sha256 %s", t.Rows, hex.EncodeToString(t.Sum[:8]))
}

// Digest summarises an installation table by table, counters included (as
// CountersTable). Two stores hold the same data exactly when their digests
// are equal, whichever engines they run on.
type Digest map[string]TableDigest

// DigestTables names the parts of a Digest in order: the registry's tables,
// then the counters.
func DigestTables() []string {
	out := make([]string, 0, len(Tables)+1)
	for _, t := range Tables {
		out = append(out, t.Name)
	}
	return append(out, CountersTable)
}

// Diff lists the parts whose digests differ, in DigestTables order.
func (d Digest) Diff(o Digest) []string {
	var out []string
	for _, t := range DigestTables() {
		if d[t] != o[t] {
			out = append(out, t)
		}
	}
	return out
}

// digester hashes canonical rows table by table.
type digester struct {
	tables map[string]*tableHash
	buf    []byte
}

type tableHash struct {
	h hash.Hash
	n int64
}

func newDigester() *digester { return &digester{tables: map[string]*tableHash{}} }

func (d *digester) table(name string) *tableHash {
	th := d.tables[name]
	if th == nil {
		th = &tableHash{h: sha256.New()}
		d.tables[name] = th
	}
	return th
}

// add hashes rows of t. A row's canonical form is its values in column
// order, space separated, newline terminated: an int in decimal, a bool as
// t or f, text and blobs as their length, a colon and their bytes, NULL as
// N. Lengths keep any byte of a value from faking a separator.
func (d *digester) add(t *Table, rows [][]any) {
	th := d.table(t.Name)
	for _, r := range rows {
		b := d.buf[:0]
		for i, v := range r {
			if i > 0 {
				b = append(b, ' ')
			}
			b = appendCanonical(b, v)
		}
		b = append(b, '\n')
		th.h.Write(b)
		th.n++
		d.buf = b
	}
}

// appendCanonical appends v's canonical form (see the digest) to b.
func appendCanonical(b []byte, v any) []byte {
	switch x := v.(type) {
	case nil:
		return append(b, 'N')
	case int64:
		return strconv.AppendInt(b, x, 10)
	case bool:
		if x {
			return append(b, 't')
		}
		return append(b, 'f')
	case string:
		b = strconv.AppendInt(b, int64(len(x)), 10)
		return append(append(b, ':'), x...)
	case []byte:
		b = strconv.AppendInt(b, int64(len(x)), 10)
		return append(append(b, ':'), x...)
	}
	return fmt.Appendf(b, "?%T", v) // a reader bug: differs from any real value
}

// addCounters hashes the counters, one row each in Counters order; a
// counter at 0 (nothing handed out yet) makes no row.
func (d *digester) addCounters(values map[string]int64) {
	th := d.table(CountersTable)
	for _, c := range Counters {
		if values[c.Name] == 0 {
			continue
		}
		b := append(d.buf[:0], c.Name...)
		b = strconv.AppendInt(append(b, ' '), values[c.Name], 10)
		b = append(b, '\n')
		th.h.Write(b)
		th.n++
		d.buf = b
	}
}

// digest returns the digest of everything added, every part present (an
// empty table has 0 rows and the hash of nothing).
func (d *digester) digest() Digest {
	out := Digest{}
	for _, name := range DigestTables() {
		var td TableDigest
		if th := d.tables[name]; th != nil {
			td.Rows = th.n
			th.h.Sum(td.Sum[:0])
		} else {
			td.Sum = sha256.Sum256(nil)
		}
		out[name] = td
	}
	return out
}
