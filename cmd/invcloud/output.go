package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/invcloud/invcloud/internal/account"
	"github.com/invcloud/invcloud/internal/inventory"
	"github.com/invcloud/invcloud/internal/store"
)

// pageSize is how many rows a listing command reads from the store at a
// time; listings page through with keysets, so memory stays bounded.
const pageSize = 500

// addOutputFlag adds --output to a command that prints rows or an object.
func addOutputFlag(cmd *cobra.Command, p *string) {
	cmd.Flags().StringVarP(p, "output", "o", "table", "output format: table, or json (one object a line for lists)")
}

// printer writes rows as an aligned table or as JSON, one object a line.
type printer struct {
	tw  *tabwriter.Writer // nil for json
	enc *json.Encoder
}

func newPrinter(w io.Writer, format string, header ...string) (*printer, error) {
	if err := checkOutput(format); err != nil {
		return nil, err
	}
	switch format {
	case "table":
		p := &printer{tw: tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)}
		fmt.Fprintln(p.tw, strings.Join(header, "\t"))
		return p, nil
	case "json":
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		return &printer{enc: enc}, nil
	}
	return nil, checkOutput(format)
}

// checkOutput validates --output before any work is done.
func checkOutput(format string) error {
	if format != "table" && format != "json" {
		return fmt.Errorf("--output %q: want table or json", format)
	}
	return nil
}

// row prints obj as JSON, or cols as a table row.
func (p *printer) row(obj any, cols ...any) error {
	if p.enc != nil {
		return p.enc.Encode(obj)
	}
	s := make([]string, len(cols))
	for i, c := range cols {
		s[i] = fmt.Sprint(c)
	}
	_, err := fmt.Fprintln(p.tw, strings.Join(s, "\t"))
	return err
}

func (p *printer) flush() error {
	if p.tw != nil {
		return p.tw.Flush()
	}
	return nil
}

// showObject prints one object: JSON, or "field  value" lines.
func showObject(w io.Writer, format string, obj any, fields [][2]string) error {
	switch format {
	case "json":
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		return enc.Encode(obj)
	case "table":
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		for _, f := range fields {
			fmt.Fprintf(tw, "%s\t%s\n", f[0], f[1])
		}
		return tw.Flush()
	}
	return checkOutput(format)
}

// userFlag binds --user, the acting or owning user of every command, and
// keeps each old spelling as a hidden alias bound to the same variable.
// Required-ness is checked by requireUser, since cobra's check would not see
// an alias.
func userFlag(cmd *cobra.Command, p *int64, usage string, aliases ...string) {
	cmd.Flags().Int64Var(p, "user", 0, usage)
	for _, a := range aliases {
		cmd.Flags().Int64Var(p, a, 0, usage)
		cmd.Flags().MarkHidden(a)
	}
}

func requireUser(id int64) error {
	if id <= 0 {
		return fmt.Errorf("--user: give the id of a user (a positive number)")
	}
	return nil
}

// lookupUser resolves USER, a user id or a username, to the user.
func lookupUser(cmd *cobra.Command, s store.Store, arg string) (inventory.User, error) {
	ctx := cmd.Context()
	id, err := strconv.ParseInt(arg, 10, 64)
	if err != nil {
		if err := account.ValidUsername(arg); err != nil {
			return inventory.User{}, fmt.Errorf("user %q: not a user id, and %w", arg, err)
		}
		if id, _, err = s.Credentials(ctx, arg); err != nil {
			return inventory.User{}, fmt.Errorf("no user named %q: %w", arg, err)
		}
	}
	u, err := s.User(ctx, id)
	if err != nil {
		return u, fmt.Errorf("no user %s: %w", arg, err)
	}
	return u, nil
}

// parseExpires reads --expires: RFC 3339, or a date meaning the end of that
// day (23:59:59 UTC), as on the web form. A time not after now is refused.
func parseExpires(s string, now time.Time) (time.Time, error) {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		d, derr := time.Parse(time.DateOnly, s)
		if derr != nil {
			return time.Time{}, fmt.Errorf("--expires %q: want an RFC 3339 time (2027-01-01T00:00:00Z) or a date (2027-01-01)", s)
		}
		t = d.Add(24*time.Hour - time.Second)
	}
	if !t.After(now) {
		return time.Time{}, fmt.Errorf("--expires %s: that is in the past", s)
	}
	return t.UTC(), nil
}

// assetTypeNames are the names --type accepts: every concrete asset type.
func assetTypeNames() string {
	return strings.Join(inventory.AssetTypeNames()[1:], ", ")
}

// parseAssetType reads a --type value, case-insensitively.
func parseAssetType(s string) (inventory.AssetType, error) {
	t, ok := inventory.ParseAssetType(strings.ToUpper(strings.TrimSpace(s)))
	if !ok || t == inventory.AssetTypeUnspecified {
		return 0, fmt.Errorf("--type %q: unknown asset type; valid types: %s", s, assetTypeNames())
	}
	return t, nil
}

// parseKind reads a --kind value.
func parseKind(s string) (inventory.Kind, error) {
	k, ok := inventory.ParseKind(strings.ToLower(strings.TrimSpace(s)))
	if !ok {
		return 0, fmt.Errorf("--kind %q: want asset, badge, gamepass or privateserver", s)
	}
	return k, nil
}

func timeOrDash(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format(time.RFC3339)
}

// timeOrNil is t for JSON, omitted when zero.
func timeOrNil(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}
