package pagetoken_test

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"github.com/invcloud/invcloud/internal/inventory"
	"github.com/invcloud/invcloud/internal/pagetoken"
)

func FuzzOpenPosition(f *testing.F) {
	c := newCodec(f, testSecret)
	for _, p := range testPositions() {
		f.Add(c.SealPosition(p, testBinding))
	}
	// Strings that base64-decode to a real token's bytes: a CR/LF the
	// decoder skips, and stray unused bits in the last character.
	issued := c.SealPosition(inventory.Position{Kind: inventory.KindBadge, After: 64}, testBinding)
	last := strings.IndexByte(alphabet, issued[len(issued)-1])
	for _, s := range []string{
		issued + "\n", "\r\n" + issued, issued[:10] + "\n" + issued[10:],
		issued[:len(issued)-1] + string(alphabet[last^1]),
	} {
		f.Add(s)
	}
	other := newCodec(f, otherSecret)
	for _, s := range []string{
		c.SealPosition(inventory.Start, otherBinding),
		other.SealPosition(inventory.Start, testBinding),
		c.Seal(nil, testBinding),
		c.Seal([]byte{4, 2}, testBinding),
		c.Seal([]byte{0, 1}, testBinding), // After -1
		c.Seal([]byte{0, 2, 0}, testBinding),
		"", "=", "A", "AAAA", strings.Repeat("A", 52), strings.Repeat("A", pagetoken.MaxLen+1),
		"R0FNRV9QQVNTX0lEPTEyNTI3",
		base64.StdEncoding.EncodeToString([]byte("v1/{\"FieldIndex\":2}")),
		c.SealPosition(inventory.Position{Kind: inventory.KindBadge, After: 1 << 40}, testBinding) + "==",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, token string) {
		pos, err := c.OpenPosition(token, testBinding)
		_, rawErr := c.Open(token, testBinding)
		if rawErr != nil && !errors.Is(err, rawErr) {
			t.Fatalf("Open(%q) failed with %v but OpenPosition returned %v", token, rawErr, err)
		}
		if err != nil {
			if !errors.Is(err, pagetoken.ErrInvalid) && !errors.Is(err, pagetoken.ErrMismatch) {
				t.Fatalf("OpenPosition(%q) error %v is neither ErrInvalid nor ErrMismatch", token, err)
			}
			if pos != (inventory.Position{}) {
				t.Fatalf("OpenPosition(%q) returned %+v with error %v", token, pos, err)
			}
			return
		}
		if !pos.Kind.Valid() || pos.After < 0 {
			t.Fatalf("OpenPosition(%q) = %+v, not a valid position", token, pos)
		}
		if _, err := c.OpenPosition(token, otherBinding); !errors.Is(err, pagetoken.ErrMismatch) {
			t.Fatalf("OpenPosition(%q) ok, but with another binding: %v (want ErrMismatch)", token, err)
		}
		if _, err := other.OpenPosition(token, testBinding); !errors.Is(err, pagetoken.ErrInvalid) {
			t.Fatalf("OpenPosition(%q) ok, but with another secret: %v (want ErrInvalid)", token, err)
		}
		canon := c.SealPosition(pos, testBinding)
		if token == canon {
			return
		}
		t.Fatalf("OpenPosition(%q) = %+v, but SealPosition(%+v) = %q: a token string other than the issued one opens", token, pos, pos, canon)
	})
}
