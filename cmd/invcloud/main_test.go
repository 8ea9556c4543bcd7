package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe for a writer and a polling reader.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// documented is the guide's response (spec 1.4, "Documented real response").
const documented = `{
  "inventoryItems": [
    {
      "path": "users/11111111111/inventory-items/VVNFUl9BU1NFVF9JRD0yMDAxMDUxMTkzODg",
      "assetDetails": {
        "assetId": "1028595",
        "inventoryItemAssetType": "CLASSIC_TSHIRT",
        "instanceId": "200105119388"
      }
    }
  ],
  "nextPageToken": ""
}`

var curlGet = regexp.MustCompile(`curl -s -H 'x-api-key: (\S+)' '([^']+)'`)

// TestServeDemo runs `invcloud serve --demo` on a fresh database and
// executes the curl commands it prints, as a newcomer would.
func TestServeDemo(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	out := &syncBuffer{}
	done := make(chan error, 1)
	go func() {
		root := newRoot()
		root.SetArgs([]string{"serve", "--demo", "--addr", "127.0.0.1:0", "--log-level", "error",
			"--db", "sqlite:" + filepath.Join(t.TempDir(), "demo.db")})
		root.SetOut(out)
		root.SetErr(io.Discard)
		done <- root.ExecuteContext(ctx)
	}()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	}()
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(out.String(), "introspect") {
		if time.Now().After(deadline) {
			t.Fatalf("serve printed no examples; output:\n%s", out)
		}
		time.Sleep(20 * time.Millisecond)
	}
	cmds := curlGet.FindAllStringSubmatch(out.String(), -1)
	if len(cmds) < 4 {
		t.Fatalf("want at least 4 curl examples, got %d:\n%s", len(cmds), out)
	}
	for i, c := range cmds {
		req, _ := http.NewRequest(http.MethodGet, c[2], nil)
		req.Header.Set("x-api-key", c[1])
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		want := http.StatusOK
		if strings.Contains(out.String(), "refused to anyone else\n  "+c[0]) {
			want = http.StatusForbidden
		}
		t.Logf("%d %s", resp.StatusCode, c[2])
		if resp.StatusCode != want {
			t.Errorf("%s: status %d, want %d: %s", c[0], resp.StatusCode, want, body)
		}
		if i == 0 {
			if !strings.Contains(c[2], "filter=assetIds=62724852,1028595,4773588762") {
				t.Fatalf("first example is not the guide's ownership check: %s", c[0])
			}
			var got, exp any
			if err := json.Unmarshal(body, &got); err != nil {
				t.Fatal(err)
			}
			json.Unmarshal([]byte(documented), &exp)
			if !reflect.DeepEqual(got, exp) {
				t.Errorf("guide example body:\n%s\nwant (JSON-equal):\n%s", body, documented)
			}
		}
	}
}
