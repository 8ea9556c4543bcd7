// Package golden compares HTTP answers with golden files of wire JSON
// (testdata/golden/NAME.json: status, chosen headers, body), for the tests of
// every legacy-style surface. It is imported by tests only.
package golden

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"testing"
)

// File is the stored form of an answer.
type File struct {
	Status  int               `json:"status"`
	Headers map[string]string `json:"headers"`
	Body    json.RawMessage   `json:"body"`
}

// Files is one package's set of golden files.
type Files struct {
	Dir     string   // usually testdata/golden
	Update  bool     // rewrite the files instead of comparing (go test -update)
	Headers []string // the response headers a file records, when present
	// ExactBody compares the body's bytes with the compacted golden body;
	// otherwise both are compacted first (an encoder's trailing newline or
	// spacing is then no difference; field order and number forms still are).
	ExactBody bool
}

// Check compares an answer with the golden file name, or writes it.
func (f Files) Check(t testing.TB, name string, status int, header http.Header, body []byte) {
	t.Helper()
	got := File{Status: status, Headers: map[string]string{}, Body: body}
	for _, h := range f.Headers {
		if v := header.Get(h); v != "" {
			got.Headers[h] = v
		}
	}
	path := filepath.Join(f.Dir, name+".json")
	if f.Update {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		if err := enc.Encode(got); err != nil {
			t.Fatalf("encode %s: %v (body %s)", name, err, body)
		}
		if err := os.MkdirAll(f.Dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	var want File
	if err := json.Unmarshal(data, &want); err != nil {
		t.Fatalf("golden %s: %v", path, err)
	}
	if got.Status != want.Status {
		t.Errorf("status %d, golden %d", got.Status, want.Status)
	}
	if fmt.Sprint(got.Headers) != fmt.Sprint(want.Headers) {
		t.Errorf("headers %v, golden %v", got.Headers, want.Headers)
	}
	g, w := Compact(body), Compact(want.Body)
	if f.ExactBody {
		g = string(body)
	}
	if g != w {
		t.Errorf("body differs from %s\ngot:  %s\nwant: %s", path, g, w)
	}
}

// Compact returns b as compact JSON, or b itself if it is not JSON.
func Compact(b []byte) string {
	var buf bytes.Buffer
	if err := json.Compact(&buf, b); err != nil {
		return string(b)
	}
	return buf.String()
}
