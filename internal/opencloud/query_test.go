package opencloud

import (
	"net/url"
	"reflect"
	"testing"
)

func TestParseQuery(t *testing.T) {
	for _, tt := range []struct {
		raw  string
		want url.Values
		bad  string
	}{
		{"", url.Values{}, ""},
		{"filter=assetIds=1,2;badgeIds=3", url.Values{"filter": {"assetIds=1,2;badgeIds=3"}}, ""},
		{"filter=onlyCollectibles%3Dtrue%3BinventoryItemAssetTypes%3D%2A&maxPageSize=5",
			url.Values{"filter": {"onlyCollectibles=true;inventoryItemAssetTypes=*"}, "maxPageSize": {"5"}}, ""},
		{"a=1&&b=+x+&a=2", url.Values{"a": {"1", "2"}, "b": {" x "}}, ""},
		{"flag&x=", url.Values{"flag": {""}, "x": {""}}, ""},
		{"filter=%zz&maxPageSize=3", url.Values{"maxPageSize": {"3"}}, "filter"},
		{"%zz=1", url.Values{}, "%zz"},
	} {
		got, bad := parseQuery(tt.raw)
		if !reflect.DeepEqual(got, tt.want) || bad != tt.bad {
			t.Errorf("parseQuery(%q) = %v, %q; want %v, %q", tt.raw, got, bad, tt.want, tt.bad)
		}
	}
}

// FuzzParseQuery checks the query parser never panics and agrees with
// net/url wherever net/url accepts the input.
func FuzzParseQuery(f *testing.F) {
	for _, s := range []string{"", "filter=assetIds=1;badgeIds=2", "a=%20&b=%zz", "x=1&x=2&&y", "pageToken=AQ-_x&maxPageSize=-1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		got, bad := parseQuery(raw)
		want, err := url.ParseQuery(raw)
		if err != nil || bad != "" {
			return // net/url refuses ';' and bad escapes; ours reports the latter
		}
		if len(want) == 0 {
			want = url.Values{}
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("parseQuery(%q) = %v, net/url: %v", raw, got, want)
		}
	})
}
