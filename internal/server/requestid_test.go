package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/invcloud/invcloud/internal/demo"
	"github.com/invcloud/invcloud/internal/server"
)

// TestRequestIDOnEveryLine: with LogRequestIDs, a line a handler logs while
// serving a request (here the refusal of an unknown API key) carries the
// request's id, as the middleware's own line does, and no line names it
// twice.
func TestRequestIDOnEveryLine(t *testing.T) {
	ctx := context.Background()
	s, err := server.OpenStore(ctx, "sqlite:"+filepath.Join(t.TempDir(), "s.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := demo.Load(ctx, s, time.Now()); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	log := slog.New(server.LogRequestIDs(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})))
	h, err := server.New(ctx, server.Config{Store: s, Log: log})
	if err != nil {
		t.Fatal(err)
	}
	buf.Reset() // start-up lines are outside any request
	req := httptest.NewRequest(http.MethodGet, "/cloud/v2/users/11111111111/inventory-items", nil)
	req.Header.Set("x-api-key", "not-a-key")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	if w.Code != http.StatusUnauthorized {
		t.Fatalf("status %d, want 401", w.Code)
	}
	id := w.Header().Get("x-request-id")
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	var msgs []string
	for _, line := range lines {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("not one JSON object: %q: %v", line, err)
		}
		if rec["request_id"] != id {
			t.Errorf("line %q: request_id %v, want %q", line, rec["request_id"], id)
		}
		if n := strings.Count(line, `"request_id"`); n != 1 {
			t.Errorf("line %q names request_id %d times", line, n)
		}
		msgs = append(msgs, rec["msg"].(string))
	}
	if want := []string{"unauthenticated", "request"}; strings.Join(msgs, ",") != strings.Join(want, ",") {
		t.Errorf("messages %q, want %q", msgs, want)
	}
}

func TestLogRequestIDsOutsideRequests(t *testing.T) {
	var buf bytes.Buffer
	h := server.LogRequestIDs(slog.NewJSONHandler(&buf, nil))
	if server.LogRequestIDs(h) != h {
		t.Error("wrapping twice must not add a second layer")
	}
	slog.New(h).InfoContext(context.Background(), "start")
	if got, want := buf.String(), `"msg":"start"}`; !strings.HasSuffix(strings.TrimSpace(got), want) || strings.Contains(got, "request_id") {
		t.Errorf("line outside a request = %q", got)
	}
}
