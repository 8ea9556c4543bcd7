package main

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/invcloud/invcloud/internal/store"
)

// friendCmd manages friendships, which decide who may see a "friends"
// inventory on the legacy inventory.roblox.com endpoints.
func (a *app) friendCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "friend", Short: "Manage friendships (who may see a friends-only inventory)"}
	for _, verb := range []string{"add", "remove"} {
		var user, friend int64
		short := "Make two users friends"
		if verb == "remove" {
			short = "End a friendship"
		}
		sub := &cobra.Command{
			Use:   verb + " --user ID --friend ID",
			Short: short,
			Args:  cobra.NoArgs,
			RunE: func(cmd *cobra.Command, _ []string) error {
				return a.withStore(cmd, func(ctx context.Context, s store.Store) error {
					if verb == "remove" {
						if err := s.RemoveFriend(ctx, user, friend); err != nil {
							return err
						}
						fmt.Fprintf(cmd.OutOrStdout(), "users %d and %d are no longer friends\n", user, friend)
						return nil
					}
					if err := s.AddFriend(ctx, user, friend, time.Now()); err != nil {
						return err
					}
					fmt.Fprintf(cmd.OutOrStdout(), "users %d and %d are friends\n", user, friend)
					return nil
				})
			},
		}
		sub.Flags().Int64Var(&user, "user", 0, "user id (required)")
		sub.Flags().Int64Var(&friend, "friend", 0, "the other user's id (required)")
		sub.MarkFlagRequired("user")
		sub.MarkFlagRequired("friend")
		cmd.AddCommand(sub)
	}
	return cmd
}
