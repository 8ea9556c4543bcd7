package account

import "fmt"

// Roblox's username rules: 3 to 20 characters, ASCII letters and digits, and
// at most one underscore, which may not start or end the name.
const (
	MinUsernameLength = 3
	MaxUsernameLength = 20
)

// ValidUsername returns nil if name follows Roblox's username rules, or an
// error saying which rule it breaks. Every face that accepts a username (the
// sign-in form, the CLI, fixtures) calls it, so no other name is ever stored
// or kept in memory.
func ValidUsername(name string) error {
	if len(name) < MinUsernameLength || len(name) > MaxUsernameLength {
		return fmt.Errorf("a username has %d to %d characters", MinUsernameLength, MaxUsernameLength)
	}
	underscores := 0
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case c == '_':
			underscores++
			if i == 0 || i == len(name)-1 {
				return fmt.Errorf("a username may not start or end with an underscore")
			}
		default:
			return fmt.Errorf("a username has only letters, digits and one underscore")
		}
	}
	if underscores > 1 {
		return fmt.Errorf("a username has at most one underscore")
	}
	return nil
}
