package testsvc

import (
	"bytes"
	"path/filepath"
	"testing"
)

// TestAnnounce: one line per go test run, naming the unset variables and
// how to set them; nothing when both are set.
func TestAnnounce(t *testing.T) {
	marker := filepath.Join(t.TempDir(), "announced")
	env := func(vals map[string]string) func(string) string {
		return func(k string) string { return vals[k] }
	}
	both := "invcloud: PostgreSQL and Redis suites skipped; to run them: " +
		"INVCLOUD_TEST_POSTGRES='postgres://postgres@127.0.0.1:5432/test?sslmode=disable' " +
		"INVCLOUD_TEST_REDIS='redis://127.0.0.1:6379/0' go test ./...\n"
	for _, tc := range []struct {
		name, run string
		env       map[string]string
		want      string
	}{
		{"first package of a run", "100", nil, both},
		{"second package of the same run", "100", nil, ""},
		{"next run", "200", nil, both},
		{"only Redis unset", "300", map[string]string{EnvPostgres: "postgres://x"},
			"invcloud: Redis suites skipped; to run them: INVCLOUD_TEST_REDIS='redis://127.0.0.1:6379/0' go test ./...\n"},
		{"both set", "400", map[string]string{EnvPostgres: "postgres://x", EnvRedis: "redis://x"}, ""},
	} {
		var buf bytes.Buffer
		announce(&buf, marker, tc.run, env(tc.env))
		if buf.String() != tc.want {
			t.Errorf("%s:\n got %q\nwant %q", tc.name, buf.String(), tc.want)
		}
	}
	if m, _ := filepath.Glob(marker + ".*"); len(m) != 0 {
		t.Errorf("temporary files left: %v", m)
	}
}
