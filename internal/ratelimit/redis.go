package ratelimit

import (
	"context"
	"fmt"

	"github.com/go-redis/redis_rate/v10"
	"github.com/redis/go-redis/v9"
)

// Redis keeps buckets in Redis: one GCRA script, one round trip, shared by
// every replica.
type Redis struct {
	lim *redis_rate.Limiter
}

// NewRedis returns a limiter on client.
func NewRedis(client *redis.Client) *Redis {
	return &Redis{lim: redis_rate.NewLimiter(client)}
}

// Allow implements Limiter.
func (r *Redis) Allow(ctx context.Context, key string, l Limit) (Result, error) {
	res, err := r.lim.Allow(ctx, "invcloud:"+key, redis_rate.Limit{Rate: l.Max, Burst: l.Max, Period: l.Period})
	if err != nil {
		return Result{}, fmt.Errorf("redis quota %s: %w", key, err)
	}
	return Result{
		Allowed:    res.Allowed > 0,
		Limit:      l,
		Remaining:  res.Remaining,
		Reset:      res.ResetAfter,
		RetryAfter: max(res.RetryAfter, 0),
	}, nil
}
