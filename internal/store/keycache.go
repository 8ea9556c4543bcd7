package store

import (
	"context"
	"sync"
	"time"

	"github.com/invcloud/invcloud/internal/apikey"
)

// CacheKeys wraps s so API key lookups, the first query of every Open Cloud
// request, are answered from memory for up to ttl. Changes made through the
// returned Store (the web pages, this process's admin calls) drop the cache at
// once; changes made by another process (another replica, the CLI) are seen
// within ttl. Unknown keys are never cached, so a new key works at once.
func CacheKeys(s Store, ttl time.Duration, now func() time.Time) Store {
	if now == nil {
		now = time.Now
	}
	return &keyCache{Store: s, ttl: ttl, now: now, m: map[apikey.Hash]cachedKey{}}
}

type cachedKey struct {
	key     apikey.Key
	fetched time.Time
}

type keyCache struct {
	Store
	ttl time.Duration
	now func() time.Time
	mu  sync.RWMutex
	m   map[apikey.Hash]cachedKey
	gen uint64 // bumped by every change, so a lookup racing one is not cached
}

// maxCachedKeys bounds memory; past it the cache starts over.
const maxCachedKeys = 100_000

func (c *keyCache) APIKeyByHash(ctx context.Context, h apikey.Hash) (apikey.Key, error) {
	now := c.now()
	c.mu.RLock()
	e, ok := c.m[h]
	c.mu.RUnlock()
	if ok && now.Sub(e.fetched) < c.ttl {
		return e.key, nil
	}
	c.mu.RLock()
	gen := c.gen
	c.mu.RUnlock()
	k, err := c.Store.APIKeyByHash(ctx, h)
	if err != nil {
		return k, err
	}
	c.mu.Lock()
	if c.gen == gen { // no change since the read began
		if len(c.m) >= maxCachedKeys {
			c.m = map[apikey.Hash]cachedKey{}
		}
		c.m[h] = cachedKey{key: k, fetched: now}
	}
	c.mu.Unlock()
	return k, nil
}

func (c *keyCache) forget() {
	c.mu.Lock()
	clear(c.m)
	c.gen++
	c.mu.Unlock()
}

// forgetID drops only the entries of key id.
func (c *keyCache) forgetID(id int64) {
	c.mu.Lock()
	for h, e := range c.m {
		if e.key.ID == id {
			delete(c.m, h)
		}
	}
	c.gen++
	c.mu.Unlock()
}

func (c *keyCache) SetAPIKeyEnabled(ctx context.Context, id int64, enabled bool) error {
	defer c.forget()
	return c.Store.SetAPIKeyEnabled(ctx, id, enabled)
}

func (c *keyCache) SetAPIKeyHash(ctx context.Context, id int64, h apikey.Hash) error {
	defer c.forget()
	return c.Store.SetAPIKeyHash(ctx, id, h)
}

func (c *keyCache) DeleteAPIKey(ctx context.Context, id int64) error {
	defer c.forget()
	return c.Store.DeleteAPIKey(ctx, id)
}

// TouchAPIKey drops that key's entry so the next lookup sees the new
// last-used time (it happens at most once a minute per key).
func (c *keyCache) TouchAPIKey(ctx context.Context, id int64, at time.Time) error {
	defer c.forgetID(id)
	return c.Store.TouchAPIKey(ctx, id, at)
}
