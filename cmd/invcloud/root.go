package main

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/invcloud/invcloud/internal/inventory"
	"github.com/invcloud/invcloud/internal/server"
	"github.com/invcloud/invcloud/internal/store"
)

// app holds what every command shares.
type app struct {
	db       string
	logLevel string
}

func newRoot() *cobra.Command {
	a := &app{}
	root := &cobra.Command{
		Use:           "invcloud",
		Short:         "A self-hostable Roblox inventory API: Open Cloud v2 inventory items, API keys and more",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.PersistentFlags().StringVar(&a.db, "db", cmp.Or(os.Getenv("INVCLOUD_DB"), "sqlite:invcloud.db"), "database: sqlite:PATH (env INVCLOUD_DB)")
	root.PersistentFlags().StringVar(&a.logLevel, "log-level", "info", "log level: debug, info, warn, error")
	root.AddCommand(a.serveCmd(), a.demoCmd(), a.apikeyCmd(), a.userCmd(), a.catalogCmd(),
		a.grantCmd("grant"), a.grantCmd("revoke"), a.seedCmd(), a.friendCmd(), a.migrateCmd(), a.oauthAppCmd())
	return root
}

func (a *app) logger() *slog.Logger {
	var level slog.Level
	if err := level.UnmarshalText([]byte(a.logLevel)); err != nil {
		level = slog.LevelInfo
	}
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
}

func (a *app) open(ctx context.Context) (store.Store, error) {
	s, err := server.OpenStore(ctx, a.db)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", a.db, err)
	}
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
