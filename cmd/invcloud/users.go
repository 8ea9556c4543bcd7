package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/invcloud/invcloud/internal/account"
	"github.com/invcloud/invcloud/internal/inventory"
	"github.com/invcloud/invcloud/internal/store"
)

func (a *app) userCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "user", Short: "Manage users"}
	var id int64
	var name, display, vis, password, desc string
	var banned bool
	create := &cobra.Command{
		Use:   "create --user ID --name NAME",
		Short: "Create a user",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			u, hash, err := newUser(id, name, display, vis, password)
			if err != nil {
				return err
			}
			u.Description, u.Banned = desc, banned
			return a.withStore(cmd, func(ctx context.Context, s store.Store) error {
				if err := s.CreateUser(ctx, u); err != nil {
					return err
				}
				if hash != "" {
					if err := s.SetPassword(ctx, u.ID, hash); err != nil {
						return err
					}
				}
				fmt.Fprintf(cmd.OutOrStdout(), "created user %d (%s)\n", u.ID, u.Name)
				return nil
			})
		},
	}
	userFlag(create, &id, "user id (required)", "id")
	create.Flags().StringVar(&name, "name", "", fmt.Sprintf("username (required): %d to %d letters and digits, at most one inner underscore",
		account.MinUsernameLength, account.MaxUsernameLength))
	create.Flags().StringVar(&display, "display-name", "", "display name (default: the username)")
	create.Flags().StringVar(&vis, "visibility", "everyone", "who can see the inventory: everyone, friends, noone")
	create.Flags().StringVar(&password, "password", "", "password for the web pages")
	create.Flags().StringVar(&desc, "description", "", fmt.Sprintf("profile description (at most %d characters)", inventory.MaxDescriptionLen))
	create.Flags().BoolVar(&banned, "banned", false, "a terminated account (left out of search and of lookups excluding banned users)")
	// A password in a flag lands in the shell history and the process list.
	create.Flags().MarkDeprecated("password", "use 'invcloud user set-password USER', which reads it from a prompt or stdin")

	var pid int64
	var pvis string
	privacy := &cobra.Command{
		Use:   "privacy --user ID --visibility everyone|friends|noone",
		Short: `Set "Who can see my inventory?"`,
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := requireUser(pid); err != nil {
				return err
			}
			v, err := inventory.ParseVisibility(pvis)
			if err != nil {
				return fmt.Errorf("--visibility: %w", err)
			}
			return a.withStore(cmd, func(ctx context.Context, s store.Store) error {
				if err := s.SetVisibility(ctx, pid, v); err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "inventory of user %d is visible to %s\n", pid, visibleTo(v))
				return nil
			})
		},
	}
	userFlag(privacy, &pid, "user id (required)", "id")
	privacy.Flags().StringVar(&pvis, "visibility", "", "everyone, friends or noone (required)")
	privacy.MarkFlagRequired("visibility")

	cmd.AddCommand(create, privacy, a.userSetCmd(), a.userListCmd(), a.userShowCmd(), a.userSetPasswordCmd(), a.userDeleteCmd())
	return cmd
}

// newUser validates user create's flags.
func newUser(id int64, name, display, vis, password string) (inventory.User, string, error) {
	if err := requireUser(id); err != nil {
		return inventory.User{}, "", err
	}
	if err := account.ValidUsername(name); err != nil {
		return inventory.User{}, "", fmt.Errorf("--name %q: %w", name, err)
	}
	v, err := inventory.ParseVisibility(vis)
	if err != nil {
		return inventory.User{}, "", fmt.Errorf("--visibility: %w", err)
	}
	if display == "" {
		display = name
	}
	var hash string
	if password != "" {
		if hash, err = account.HashPassword(password); err != nil {
			return inventory.User{}, "", fmt.Errorf("--password: %w", err)
		}
	}
	return inventory.User{ID: id, Name: name, DisplayName: display, Visibility: v, Created: time.Now()}, hash, nil
}

func visibleTo(v inventory.Visibility) string {
	switch v {
	case inventory.VisibilityFriends:
		return "friends"
	case inventory.VisibilityNoOne:
		return "no one"
	}
	return "everyone"
}

type userJSON struct {
	ID          int64      `json:"id"`
	Name        string     `json:"name"`
	DisplayName string     `json:"displayName"`
	Visibility  string     `json:"visibility"`
	Created     *time.Time `json:"created,omitempty"`
	Banned      bool       `json:"banned"`
	Description string     `json:"description"`
}

func toUserJSON(u inventory.User) userJSON {
	return userJSON{ID: u.ID, Name: u.Name, DisplayName: u.DisplayName, Visibility: string(u.Visibility), Created: timeOrNil(u.Created),
		Banned: u.Banned, Description: u.Description}
}

// userSetCmd changes what users.roblox.com shows of a user: the banned
// flag and the description. Only the flags given change.
func (a *app) userSetCmd() *cobra.Command {
	var desc string
	var banned bool
	cmd := &cobra.Command{
		Use:   "set USER [--banned=true|false] [--description TEXT]",
		Short: "Set a user's (by id or username) banned flag or description",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			setBanned, setDesc := cmd.Flags().Changed("banned"), cmd.Flags().Changed("description")
			if !setBanned && !setDesc {
				return errors.New("give --banned or --description")
			}
			return a.withStore(cmd, func(ctx context.Context, s store.Store) error {
				u, err := lookupUser(cmd, s, args[0])
				if err != nil {
					return err
				}
				if setBanned {
					if err := s.SetBanned(ctx, u.ID, banned); err != nil {
						return err
					}
					fmt.Fprintf(cmd.OutOrStdout(), "user %d (%s) is %s\n", u.ID, u.Name, map[bool]string{true: "banned", false: "not banned"}[banned])
				}
				if setDesc {
					if err := s.SetDescription(ctx, u.ID, desc); err != nil {
						return err
					}
					fmt.Fprintf(cmd.OutOrStdout(), "set the description of user %d (%s)\n", u.ID, u.Name)
				}
				return nil
			})
		},
	}
	cmd.Flags().BoolVar(&banned, "banned", false, "a terminated account (left out of search and of lookups excluding banned users)")
	cmd.Flags().StringVar(&desc, "description", "", fmt.Sprintf("profile description (at most %d characters; \"\" clears it)", inventory.MaxDescriptionLen))
	return cmd
}

func (a *app) userListCmd() *cobra.Command {
	var out string
	var limit int
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List users by id",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if limit < 0 {
				return errors.New("--limit: want 0 (no limit) or more")
			}
			p, err := newPrinter(cmd.OutOrStdout(), out, "ID", "NAME", "DISPLAY NAME", "VISIBILITY", "CREATED")
			if err != nil {
				return err
			}
			return a.withStore(cmd, func(ctx context.Context, s store.Store) error {
				var after int64
				for n := 0; limit == 0 || n < limit; {
					want := pageLimit(limit, n)
					page, err := s.Users(ctx, after, want)
					if err != nil {
						return err
					}
					for _, u := range page {
						if err := p.row(toUserJSON(u), u.ID, u.Name, u.DisplayName, u.Visibility, timeOrDash(u.Created)); err != nil {
							return err
						}
					}
					n += len(page)
					if len(page) < want {
						break
					}
					after = page[len(page)-1].ID
				}
				return p.flush()
			})
		},
	}
	addOutputFlag(cmd, &out)
	cmd.Flags().IntVar(&limit, "limit", 0, "list at most this many (0: all)")
	return cmd
}

// pageLimit is the size of the next page of a listing of at most limit
// rows (0: no limit) of which n are printed.
func pageLimit(limit, n int) int {
	if limit == 0 {
		return pageSize
	}
	return min(pageSize, limit-n)
}

type userShowJSON struct {
	userJSON
	PasswordSet bool           `json:"passwordSet"`
	Items       map[string]int `json:"items"`
	APIKeys     int            `json:"apiKeys"`
	OAuthApps   int            `json:"oauthApps"`
	Friends     []int64        `json:"friends"`
}

func (a *app) userShowCmd() *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:   "show USER",
		Short: "Show a user (by id or username): profile, inventory counts, keys, apps, friends",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkOutput(out); err != nil {
				return err
			}
			return a.withStore(cmd, func(ctx context.Context, s store.Store) error {
				u, err := lookupUser(cmd, s, args[0])
				if err != nil {
					return err
				}
				_, hash, err := s.Credentials(ctx, u.Name)
				if err != nil {
					return err
				}
				counts, err := s.Counts(ctx, u.ID)
				if err != nil {
					return err
				}
				keys, err := s.APIKeys(ctx, u.ID)
				if err != nil {
					return err
				}
				apps, err := s.OAuthApps(ctx, u.ID)
				if err != nil {
					return err
				}
				friends, err := s.Friends(ctx, u.ID)
				if err != nil {
					return err
				}
				obj := userShowJSON{userJSON: toUserJSON(u), PasswordSet: hash != "", Items: map[string]int{},
					APIKeys: len(keys), OAuthApps: len(apps), Friends: friends}
				if obj.Friends == nil {
					obj.Friends = []int64{}
				}
				items := ""
				for _, k := range inventory.Kinds {
					obj.Items[k.String()] = counts[k]
					items += fmt.Sprintf("%s %d  ", k, counts[k])
				}
				return showObject(cmd.OutOrStdout(), out, obj, [][2]string{
					{"id", fmt.Sprint(u.ID)}, {"name", u.Name}, {"display name", u.DisplayName},
					{"visibility", string(u.Visibility)}, {"created", timeOrDash(u.Created)},
					{"banned", fmt.Sprint(u.Banned)}, {"description", u.Description},
					{"password set", fmt.Sprint(hash != "")}, {"items", items[:len(items)-2]},
					{"api keys", fmt.Sprint(len(keys))}, {"oauth apps", fmt.Sprint(len(apps))},
					{"friends", fmt.Sprint(friends)},
				})
			})
		},
	}
	addOutputFlag(cmd, &out)
	return cmd
}

func (a *app) userSetPasswordCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "set-password USER",
		Short: "Set the web sign-in password of a user (by id or username); read from a prompt, or the first line of stdin",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.withStore(cmd, func(ctx context.Context, s store.Store) error {
				// Look the user up first, so a typo fails before the prompt.
				u, err := lookupUser(cmd, s, args[0])
				if err != nil {
					return err
				}
				pw, err := readPassword(cmd.InOrStdin(), cmd.ErrOrStderr(), fmt.Sprintf("%s (%d)", u.Name, u.ID))
				if err != nil {
					return err
				}
				hash, err := account.HashPassword(pw)
				if err != nil {
					return err
				}
				if err := s.SetPassword(ctx, u.ID, hash); err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "set the password of user %d (%s)\n", u.ID, u.Name)
				return nil
			})
		},
	}
}

func (a *app) userDeleteCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "delete USER",
		Short: "Delete a user (by id or username) with everything that is theirs",
		Long: `Delete a user with everything that is theirs: owned items, API keys, sessions,
friendships, favorites and collections, their authorizations of OAuth apps, and
the OAuth apps they own (with every user's authorization of those apps). Catalog
items they created stay. A running server forgets their API keys within its
--key-cache time.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.withStore(cmd, func(ctx context.Context, s store.Store) error {
				u, err := lookupUser(cmd, s, args[0])
				if err != nil {
					return err
				}
				d, err := s.DeleteUser(ctx, u.ID)
				if err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "deleted user %d (%s) with %s, %s, %s, %s, %s, %s\n", u.ID, u.Name,
					plural(d.Items, "item", "items"), plural(d.APIKeys, "API key", "API keys"),
					plural(d.Sessions, "session", "sessions"), plural(d.OAuthApps, "OAuth app", "OAuth apps"),
					plural(d.OAuthAuthorizations, "OAuth authorization", "OAuth authorizations"),
					plural(d.Friends, "friendship", "friendships"))
				return nil
			})
		},
	}
}
