package main

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/invcloud/invcloud/internal/seed"
	"github.com/invcloud/invcloud/internal/store"
)

func (a *app) seedCmd() *cobra.Command {
	var o seed.Options
	cmd := mayCreateDatabase(&cobra.Command{
		Use:   "seed",
		Short: "Write a deterministic bulk data set for benchmarks",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.withStore(cmd, func(ctx context.Context, s store.Store) error {
				start := time.Now()
				st, err := seed.Generate(ctx, s, o)
				if err != nil {
					return err
				}
				d := time.Since(start)
				fmt.Fprintf(cmd.OutOrStdout(), "seeded %d users, %d ownership rows in %s (%.0f rows/s)\n",
					st.Users, st.Ownerships, d.Round(time.Millisecond), float64(st.Ownerships)/d.Seconds())
				return nil
			})
		},
	})
	cmd.Flags().IntVar(&o.Users, "users", 1000, "number of users")
	cmd.Flags().IntVar(&o.ItemsPerUser, "items-per-user", 100, "inventory items per user")
	cmd.Flags().Uint64Var(&o.Seed, "seed", 1, "random seed")
	cmd.Flags().Int64Var(&o.FirstUserID, "first-user-id", seed.DefaultFirstUserID, "id of the first user")
	return cmd
}
