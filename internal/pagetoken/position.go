package pagetoken

import (
	"encoding/binary"

	"github.com/invcloud/invcloud/internal/inventory"
)

// SealPosition returns a token for an inventory listing position.
func (c *Codec) SealPosition(p inventory.Position, binding string) string {
	payload := binary.AppendVarint([]byte{byte(p.Kind)}, p.After)
	return c.Seal(payload, binding)
}

// OpenPosition is the inverse of SealPosition.
func (c *Codec) OpenPosition(token, binding string) (inventory.Position, error) {
	payload, err := c.Open(token, binding)
	if err != nil {
		return inventory.Position{}, err
	}
	if len(payload) < 2 {
		return inventory.Position{}, ErrInvalid
	}
	kind := inventory.Kind(payload[0])
	after, n := binary.Varint(payload[1:])
	if !kind.Valid() || n <= 0 || 1+n != len(payload) || after < 0 {
		return inventory.Position{}, ErrInvalid
	}
	return inventory.Position{Kind: kind, After: after}, nil
}
