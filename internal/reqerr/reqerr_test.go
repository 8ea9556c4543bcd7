package reqerr_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/invcloud/invcloud/internal/reqerr"
)

func TestLog(t *testing.T) {
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	expired, cancel2 := context.WithDeadline(context.Background(), time.Unix(0, 0))
	defer cancel2()
	tests := []struct {
		name      string
		ctx       context.Context
		gone      bool
		wantLevel string
	}{
		{"live request", context.Background(), false, "level=ERROR"},
		{"client went away", cancelled, true, "level=DEBUG"},
		{"deadline is the server's", expired, false, "level=ERROR"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			log := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
			r := httptest.NewRequest("GET", "/x", nil).WithContext(tt.ctx)
			if got := reqerr.Log(log, r, "failed", errors.New("boom"), "path", "/x"); got != tt.gone {
				t.Errorf("Log = %v, want %v", got, tt.gone)
			}
			if out := buf.String(); strings.Count(out, "\n") != 1 || !strings.Contains(out, tt.wantLevel) ||
				!strings.Contains(out, "path=/x") || !strings.Contains(out, "err=boom") {
				t.Errorf("log %q, want one %s line with path and err", out, tt.wantLevel)
			}
		})
	}
}
