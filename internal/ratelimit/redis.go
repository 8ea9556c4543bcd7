package ratelimit

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/go-redis/redis_rate/v10"
	"github.com/redis/go-redis/v9"
)

// Redis keeps buckets in Redis: one GCRA script, one round trip, shared by
// every replica. A breaker sits in front of it, so once Redis fails, calls
// fail at once (and quotas fail open or closed at once) until a background
// PING finds it back.
type Redis struct {
	client *redis.Client
	lim    *redis_rate.Limiter
	br     *Breaker
}

// NewRedis returns a limiter on client. Quotas built on it (New) log Redis
// going away and coming back with their logger.
func NewRedis(client *redis.Client) *Redis {
	return &Redis{
		client: client,
		lim:    redis_rate.NewLimiter(client),
		br:     NewBreaker(func(ctx context.Context) error { return client.Ping(ctx).Err() }, nil),
	}
}

func (r *Redis) useLog(log *slog.Logger) { r.br.log = log }

// Allow implements Limiter.
func (r *Redis) Allow(ctx context.Context, key string, l Limit) (Result, error) {
	var res *redis_rate.Result
	err := r.br.Do(ctx, func(ctx context.Context) error {
		var err error
		res, err = r.lim.Allow(ctx, "invcloud:"+key, redis_rate.Limit{Rate: l.Max, Burst: l.Max, Period: l.Period})
		return err
	})
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

// Ping checks Redis answers; a failure opens the breaker, so the first
// requests after a start with Redis down do not wait on it either.
func (r *Redis) Ping(ctx context.Context) error {
	if err := r.client.Ping(ctx).Err(); err != nil {
		r.br.Fail(ctx, err)
		return fmt.Errorf("redis ping: %w", err)
	}
	return nil
}

// Fail-fast client settings (FailFast): a loopback or LAN Redis answers in
// well under a millisecond, so these only bound how long a dead one holds
// the first failing requests.
const (
	redisDialTimeout = 500 * time.Millisecond
	redisIOTimeout   = 500 * time.Millisecond
)

// FailFast sets the options a quota client wants where the URL left them
// unset: go-redis's defaults (5 s dial and read timeouts, 3 retries of 5
// dial attempts each, 100 ms apart) make one call to a dead Redis take up to
// seconds. Call it on redis.ParseURL's result before redis.NewClient.
func FailFast(opt *redis.Options) {
	if opt.DialTimeout == 0 {
		opt.DialTimeout = redisDialTimeout
	}
	if opt.ReadTimeout == 0 {
		opt.ReadTimeout = redisIOTimeout // WriteTimeout follows it when unset
	}
	if opt.MaxRetries == 0 {
		opt.MaxRetries = 1
	}
	if opt.DialerRetries == 0 {
		opt.DialerRetries = 1 // one attempt per dial; the URL cannot set it
	}
}
