package account

import (
	"strings"
	"testing"
)

func TestValidUsername(t *testing.T) {
	for _, tc := range []struct {
		name string
		ok   bool
	}{
		{"GuideUser", true},
		{"abc", true},
		{"a_b", true},
		{"A1234567890123456789", true},
		{"ab", false},
		{"A12345678901234567890", false},
		{"_abc", false},
		{"abc_", false},
		{"a_b_c", false},
		{"ab c", false},
		{"abé", false},
		{"ab-c", false},
		{"", false},
		{strings.Repeat("x", 15000), false},
	} {
		err := ValidUsername(tc.name)
		if (err == nil) != tc.ok {
			t.Errorf("ValidUsername(%.30q) = %v, want ok=%v", tc.name, err, tc.ok)
		}
	}
}
