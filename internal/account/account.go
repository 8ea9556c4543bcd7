// Package account holds sign-in credentials: password hashes, session
// tokens in Roblox's .ROBLOSECURITY form, and sign-in throttling.
package account

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"

	"golang.org/x/crypto/bcrypt"
)

// CookieName is the session cookie, as on roblox.com.
const CookieName = ".ROBLOSECURITY"

// CookiePrefix starts every real .ROBLOSECURITY value (spec 6.1).
const CookiePrefix = "_|WARNING:-DO-NOT-SHARE-THIS.--Sharing-this-will-allow-someone-to-log-in-as-you-and-to-steal-your-ROBUX-and-items.|_"

// MinPasswordLength is the shortest accepted password.
const MinPasswordLength = 8

// HashPassword returns a bcrypt hash of password.
func HashPassword(password string) (string, error) {
	if len(password) < MinPasswordLength {
		return "", fmt.Errorf("password must have at least %d characters", MinPasswordLength)
	}
	if len(password) > 72 {
		return "", errors.New("password must have at most 72 bytes") // bcrypt's limit
	}
	h, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.DefaultCost)
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	return string(h), nil
}

// dummyHash is compared against when a user does not exist, so a failed
// sign-in takes as long whether or not the name is known. It is computed on
// first use, not at start-up (bcrypt is slow on purpose).
var dummyHash = sync.OnceValue(func() []byte {
	h, _ := bcrypt.GenerateFromPassword([]byte("invcloud-no-such-user"), bcrypt.DefaultCost)
	return h
})

// CheckPassword reports whether password matches hash. An empty hash (no
// password set, or no such user) never matches but costs the same time.
func CheckPassword(hash, password string) bool {
	if hash == "" {
		bcrypt.CompareHashAndPassword(dummyHash(), []byte(password))
		return false
	}
	return bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) == nil
}

// TokenHash is the stored form of a session token.
type TokenHash [sha256.Size]byte

// NewSessionToken returns a cookie value (the warning prefix and 64 hex
// characters) and the hash under which the session is stored.
func NewSessionToken() (cookie string, h TokenHash, err error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", h, fmt.Errorf("session token: %w", err)
	}
	tok := strings.ToUpper(hex.EncodeToString(b))
	return CookiePrefix + tok, HashSessionToken(CookiePrefix + tok), nil
}

// HashSessionToken hashes a cookie value. The prefix is optional, as
// clients sometimes strip it.
func HashSessionToken(cookie string) TokenHash {
	return sha256.Sum256([]byte(strings.TrimPrefix(cookie, CookiePrefix)))
}
