package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/invcloud/invcloud/internal/server"
	"github.com/invcloud/invcloud/internal/store"
)

func (a *app) migrateCmd() *cobra.Command {
	var o migrateOptions
	cmd := &cobra.Command{
		Use:   "migrate --from DB --to DB",
		Short: "Copy a whole installation to another database, and verify the copy",
		Long: `Copy a whole installation from one database to another: users and their
password hashes, the catalog, every ownership row, API keys, sessions, the
OAuth provider's state, the id and serial counters, and the server secrets
(so page tokens stay valid): every table of the registry
(internal/store/tables.go), column by column. The source is read as one
consistent snapshot. Both schemas are checked against the registry first: a
table or column this version does not know fails the command before
anything is copied.

Afterwards the destination is read back and compared with the source, table
by table (row count and SHA-256 of the rows); any difference fails the
command. Stop the servers on the source first: writes made while migrating
are not copied.

  invcloud migrate --from sqlite:invcloud.db --to 'postgres://invcloud@db:5432/invcloud'

The destination must be empty, unless --resume continues an interrupted
migration into it (rows already copied are skipped).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if o.from == "" {
				o.from = a.db
			}
			return runMigrate(cmd.Context(), cmd.OutOrStdout(), o)
		},
	}
	cmd.Flags().StringVar(&o.from, "from", "", "source database: sqlite:PATH or postgres://... (default: --db)")
	cmd.Flags().StringVar(&o.to, "to", "", "destination database: sqlite:PATH or postgres://... (required)")
	cmd.Flags().BoolVar(&o.resume, "resume", false, "copy into a destination that already holds data (an interrupted migration)")
	cmd.MarkFlagRequired("to")
	return cmd
}

type migrateOptions struct {
	from, to string
	resume   bool
}

// runMigrate copies o.from into o.to, then compares the two.
func runMigrate(ctx context.Context, out io.Writer, o migrateOptions) error {
	if o.to == "" {
		return errors.New("migrate: --to is required")
	}
	if o.from == o.to {
		return errors.New("migrate: --from and --to name the same database")
	}
	// A mistyped source would open as a new, empty database and "verify".
	if err := requireDatabase(o.from, "--from"); err != nil {
		return fmt.Errorf("migrate: source: %w", err)
	}
	src, err := server.OpenStore(ctx, o.from)
	if err != nil {
		return fmt.Errorf("migrate: open source %s: %w", redact(o.from), err)
	}
	defer src.Close()
	dst, err := server.OpenStore(ctx, o.to)
	if err != nil {
		return fmt.Errorf("migrate: open destination %s: %w", redact(o.to), err)
	}
	defer dst.Close()

	// A table or column the registry does not know would be lost: refuse
	// rather than copy part of the installation.
	for _, side := range []struct {
		name string
		s    store.Store
	}{{"source", src}, {"destination", dst}} {
		problems, err := store.SchemaProblems(ctx, side.s)
		if err != nil {
			return fmt.Errorf("migrate: %s: %w", side.name, err)
		}
		if len(problems) > 0 {
			return fmt.Errorf("migrate: the %s's schema holds what this version cannot copy:\n  %s", side.name, strings.Join(problems, "\n  "))
		}
	}
	if !o.resume {
		tables, err := store.NonEmpty(ctx, dst)
		if err != nil {
			return fmt.Errorf("migrate: read destination: %w", err)
		}
		if len(tables) > 0 {
			return fmt.Errorf("migrate: the destination %s already holds data (%s); use --resume to continue an interrupted migration into it",
				redact(o.to), strings.Join(tables, ", "))
		}
	}

	start := time.Now()
	fmt.Fprintf(out, "copying %s -> %s\n", redact(o.from), redact(o.to))
	var (
		lastTable string
		tableRows int64
		lastPrint = time.Now()
	)
	report := func() {
		if lastTable != "" {
			fmt.Fprintf(out, "  %-22s %d rows\n", lastTable, tableRows)
		}
	}
	want, err := store.Copy(ctx, src, dst, func(table string, rows int64) {
		if table != lastTable {
			report()
			lastTable = table
		}
		tableRows = rows
		if time.Since(lastPrint) > 5*time.Second {
			fmt.Fprintf(out, "  ... %s: %d rows\n", table, rows)
			lastPrint = time.Now()
		}
	})
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	report()
	var rows int64
	for _, td := range want {
		rows += td.Rows
	}
	copied := time.Since(start)
	fmt.Fprintf(out, "copied %d rows in %s (%.0f rows/s); verifying\n", rows, copied.Round(time.Millisecond), float64(rows)/copied.Seconds())

	got, err := store.DigestOf(ctx, dst)
	if err != nil {
		return fmt.Errorf("migrate: verify: read destination: %w", err)
	}
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "table\tsource rows\tdestination rows\tsha-256\t")
	for _, t := range store.DigestTables() {
		status := "ok"
		if got[t] != want[t] {
			status = "DIFFERS"
		}
		sum := want[t].Sum
		fmt.Fprintf(tw, "%s\t%d\t%d\t%x %s\t\n", t, want[t].Rows, got[t].Rows, sum[:6], status)
	}
	tw.Flush()
	if diff := want.Diff(got); len(diff) > 0 {
		return fmt.Errorf("migrate: VERIFICATION FAILED: the destination differs from the source in %s", strings.Join(diff, ", "))
	}
	fmt.Fprintf(out, "verified: every table has the same rows and checksum (%s in all)\n", time.Since(start).Round(time.Millisecond))
	return nil
}

// redact hides a password in a database URL.
func redact(dsn string) string {
	if u, err := url.Parse(dsn); err == nil && u.User != nil {
		return u.Redacted()
	}
	return dsn
}
