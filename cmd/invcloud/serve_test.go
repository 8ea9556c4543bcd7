package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	redislogging "github.com/redis/go-redis/v9/logging"
)

func TestSecureCookies(t *testing.T) {
	for _, tc := range []struct {
		publicURL string
		force     bool
		want      bool
	}{
		{"", false, false},
		{"http://127.0.0.1:8080", false, false},
		{"https://inventory.example.com", false, true},
		{"HTTPS://inventory.example.com/", false, true},
		{"http://inventory.example.com", true, true}, // TLS ends at a proxy
		{"", true, true},
	} {
		if got := secureCookies(tc.publicURL, tc.force); got != tc.want {
			t.Errorf("secureCookies(%q, %v) = %v, want %v", tc.publicURL, tc.force, got, tc.want)
		}
	}
}

func TestUnreachableIssuerWarning(t *testing.T) {
	const want = "the OAuth issuer http://%s/oauth/ will not be reachable by that name; pass --public-url with the URL clients use (e.g. https://inventory.example.com)"
	for _, tc := range []struct {
		addr      string
		publicURL string
		warn      bool
	}{
		{"127.0.0.1:8080", "", false},
		{"[::1]:8080", "", false},
		{"0.0.0.0:8080", "", true},
		{"[::]:8080", "", true},
		{"192.0.2.7:8080", "", true},
		{"0.0.0.0:8080", "https://inventory.example.com", false},
	} {
		addr, err := net.ResolveTCPAddr("tcp", tc.addr)
		if err != nil {
			t.Fatal(err)
		}
		got := unreachableIssuer(addr, tc.publicURL)
		if !tc.warn {
			if got != "" {
				t.Errorf("%s, %q: warned %q", tc.addr, tc.publicURL, got)
			}
			continue
		}
		if exp := strings.Replace(want, "%s", addr.String(), 1); got != exp {
			t.Errorf("%s: %q\nwant %q", tc.addr, got, exp)
		}
	}
}

// TestServeJSONLogs: with --log-format json every line on stderr is one JSON
// object; a line logged while serving a request (the refusal of a bad key)
// carries the request's id; the OAuth library's (slog's default) and
// go-redis's lines go through the same logger; a non-loopback listen address
// without --public-url is warned about; https --public-url marks cookies
// Secure.
func TestServeJSONLogs(t *testing.T) {
	oldDefault := slog.Default()
	t.Cleanup(func() {
		slog.SetDefault(oldDefault)
		redislogging.Enable()
	})
	ctx, cancel := context.WithCancel(context.Background())
	stderr := &syncBuffer{}
	done := make(chan error, 1)
	go func() {
		root := newRoot()
		// 0.0.0.0 to see the warning, with the port the kernel picks; the
		// requests below still go to 127.0.0.1.
		root.SetArgs([]string{"serve", "--addr", "0.0.0.0:0", "--log-format", "json", "--log-level", "debug",
			"--db", "sqlite:" + filepath.Join(t.TempDir(), "json.db")})
		root.SetOut(io.Discard)
		root.SetErr(stderr)
		done <- root.ExecuteContext(ctx)
	}()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	}()
	var addr string
	for deadline := time.Now().Add(30 * time.Second); addr == ""; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("serve did not start:\n%s", stderr)
		}
		for _, rec := range jsonLines(t, stderr.String()) {
			if rec["msg"] == "invcloud serving" {
				addr = rec["addr"].(string)
				if rec["secure_cookies"] != false {
					t.Errorf("secure_cookies %v without https", rec["secure_cookies"])
				}
			}
		}
	}
	_, port, _ := net.SplitHostPort(addr)
	req, _ := http.NewRequest(http.MethodGet, "http://127.0.0.1:"+port+"/cloud/v2/users/11111111111/inventory-items", nil)
	req.Header.Set("x-api-key", "not-a-key")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	id := resp.Header.Get("x-request-id")
	slog.Default().Info("from a library")
	redisLogger{slog.Default()}.Printf(context.Background(), "redis: dial %s: connection refused\n", "127.0.0.1:1")

	want := map[string]bool{"unauthenticated": false, "request": false, "from a library": false,
		"redis: dial 127.0.0.1:1: connection refused": false}
	var warned bool
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		recs := jsonLines(t, stderr.String())
		for _, rec := range recs {
			msg, _ := rec["msg"].(string)
			if strings.HasPrefix(msg, "the OAuth issuer http://"+addr+"/oauth/ will not be reachable") && rec["level"] == "WARN" {
				warned = true
			}
			if _, ok := want[msg]; !ok {
				continue
			}
			want[msg] = true
			switch msg {
			case "unauthenticated", "request":
				if rec["request_id"] != id {
					t.Errorf("%q line: request_id %v, want %q", msg, rec["request_id"], id)
				}
			case "redis: dial 127.0.0.1:1: connection refused":
				if rec["level"] != "WARN" || rec["component"] != "go-redis" {
					t.Errorf("go-redis line %v", rec)
				}
			}
		}
		if !bytes.Contains([]byte(stderr.String()), []byte(`"msg":"request"`)) && time.Now().Before(deadline) {
			continue // the request line is written after the response
		}
		break
	}
	for msg, seen := range want {
		if !seen {
			t.Errorf("no %q line; stderr:\n%s", msg, stderr)
		}
	}
	if !warned {
		t.Errorf("no warning about the OAuth issuer; stderr:\n%s", stderr)
	}
}

// jsonLines parses stderr, failing on any line that is not one JSON object.
func jsonLines(t *testing.T, s string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for line := range strings.Lines(s) {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("not one JSON object a line: %q: %v", line, err)
		}
		out = append(out, rec)
	}
	return out
}

var _ = redis.SetLogger // the adapter satisfies go-redis's logger
