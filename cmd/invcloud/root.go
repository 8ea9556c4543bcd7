package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/invcloud/invcloud/internal/inventory"
	"github.com/invcloud/invcloud/internal/server"
	"github.com/invcloud/invcloud/internal/store"
	"github.com/invcloud/invcloud/internal/store/sqlite"
)

// app holds what every command shares.
type app struct {
	db        string
	logLevel  string
	logFormat string
	log       *slog.Logger // set before any command runs
	// mayCreate lets the running command create a missing SQLite database
	// (serve, demo load, seed); elsewhere a missing file is a mistaken path.
	mayCreate bool
}

// createsDatabase marks a command that may create a missing SQLite database.
const createsDatabase = "invcloud/creates-database"

func newRoot() *cobra.Command {
	a := &app{}
	root := &cobra.Command{
		Use:           "invcloud",
		Short:         "A self-hostable Roblox inventory API: Open Cloud v2 inventory items, API keys and more",
		Version:       versionLine(),
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			log, err := newLogger(cmd.ErrOrStderr(), a.logLevel, a.logFormat)
			if err != nil {
				return err
			}
			a.log = log
			a.mayCreate = cmd.Annotations[createsDatabase] != ""
			return nil
		},
	}
	root.SetVersionTemplate("{{.Version}}\n")
	root.PersistentFlags().StringVar(&a.db, "db", cmp.Or(os.Getenv("INVCLOUD_DB"), "sqlite:invcloud.db"),
		"database: sqlite:PATH or postgres://USER@HOST:PORT/DB (env INVCLOUD_DB)")
	root.PersistentFlags().StringVar(&a.logLevel, "log-level", "info", "log level: "+strings.Join(logLevels, ", "))
	root.PersistentFlags().StringVar(&a.logFormat, "log-format", "text", "log format: text, or json (one object a line)")
	root.AddCommand(a.serveCmd(), a.demoCmd(), a.apikeyCmd(), a.userCmd(), a.catalogCmd(),
		a.grantCmd("grant"), a.grantCmd("revoke"), a.inventoryCmd(), a.seedCmd(), a.friendCmd(), a.migrateCmd(), a.oauthAppCmd(),
		versionCmd())
	return root
}

// mayCreateDatabase marks cmd as one that creates a missing SQLite database.
func mayCreateDatabase(cmd *cobra.Command) *cobra.Command {
	if cmd.Annotations == nil {
		cmd.Annotations = map[string]string{}
	}
	cmd.Annotations[createsDatabase] = "yes"
	return cmd
}

var logLevels = []string{"debug", "info", "warn", "error"}

// newLogger is the logger of --log-level and --log-format; unknown values
// are refused rather than silently replaced.
func newLogger(w io.Writer, level, format string) (*slog.Logger, error) {
	levels := map[string]slog.Level{"debug": slog.LevelDebug, "info": slog.LevelInfo, "warn": slog.LevelWarn, "error": slog.LevelError}
	l, ok := levels[strings.ToLower(level)]
	if !ok {
		return nil, fmt.Errorf("--log-level %q: want one of %s", level, strings.Join(logLevels, ", "))
	}
	opts := &slog.HandlerOptions{Level: l}
	var h slog.Handler
	switch strings.ToLower(format) {
	case "text":
		h = slog.NewTextHandler(w, opts)
	case "json":
		h = slog.NewJSONHandler(w, opts)
	default:
		return nil, fmt.Errorf("--log-format %q: want text or json", format)
	}
	// Lines logged while serving a request name its id, whoever logs them.
	return slog.New(server.LogRequestIDs(h)), nil
}

func (a *app) logger() *slog.Logger {
	if a.log == nil { // a command run without the root's pre-run hook
		a.log, _ = newLogger(os.Stderr, "info", "text")
	}
	return a.log
}

func (a *app) open(ctx context.Context) (store.Store, error) {
	if !a.mayCreate {
		if err := requireDatabase(a.db, "--db"); err != nil {
			return nil, err
		}
	}
	s, err := server.OpenStore(ctx, a.db)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", redact(a.db), err)
	}
	warnLoosePermissions(ctx, a.logger(), a.db)
	return s, nil
}

// withStore runs fn with the store open and closes it after.
func (a *app) withStore(cmd *cobra.Command, fn func(ctx context.Context, s store.Store) error) error {
	ctx := cmd.Context()
	s, err := a.open(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	return fn(ctx, s)
}

// sqlitePath is the file a SQLite DSN names, as server.OpenStore reads it;
// ok is false for other databases and for SQLite's in-memory database.
func sqlitePath(dsn string) (path string, ok bool) {
	switch {
	case strings.HasPrefix(dsn, "sqlite:"):
		path = strings.TrimPrefix(dsn, "sqlite:")
	case strings.Contains(dsn, "://"):
		return "", false
	default:
		path = dsn
	}
	if path == "" || path == ":memory:" {
		return "", false
	}
	return path, true
}

// requireDatabase refuses a SQLite DSN whose file does not exist: opening
// would create an empty database, and a mistyped path would then look like
// an installation with no data. flag names where the DSN came from.
func requireDatabase(dsn, flag string) error {
	path, ok := sqlitePath(dsn)
	if !ok {
		return nil
	}
	if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
		return nil // there, or unreadable: opening says which
	}
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	return fmt.Errorf(`no database at %s (%s); create one with "invcloud serve" or "invcloud demo load", or pass %s`, path, dsn, flag)
}

// warnLoosePermissions warns when others may read the SQLite files: they
// hold password hashes, API key hashes and the OAuth signing key.
func warnLoosePermissions(ctx context.Context, log *slog.Logger, dsn string) {
	path, ok := sqlitePath(dsn)
	if !ok {
		return
	}
	loose, err := sqlite.LoosePermissions(path)
	if err != nil {
		log.WarnContext(ctx, "could not check the database file's permissions", "err", err)
		return
	}
	if len(loose) > 0 {
		log.WarnContext(ctx, "database files are readable by other users; they hold the OAuth signing key and password hashes: chmod 600 them",
			"files", strings.Join(loose, ", "))
	}
}

// parseRef parses asset:ID, badge:ID, gamepass:ID or privateserver:ID.
func parseRef(s string) (inventory.Ref, error) {
	kind, id, ok := strings.Cut(s, ":")
	k, kok := inventory.ParseKind(strings.ToLower(kind))
	n, err := strconv.ParseInt(id, 10, 64)
	if !ok || !kok || err != nil || n <= 0 {
		return inventory.Ref{}, fmt.Errorf("invalid item %q: want asset:ID, badge:ID, gamepass:ID or privateserver:ID", s)
	}
	return inventory.Ref{Kind: k, ID: n}, nil
}
