package opencloud

import (
	"net/url"
	"strings"
)

// parseQuery splits a raw query on '&' only. Go's url.ParseQuery refuses
// pairs holding a raw ';' (and drops them), but Roblox's own documentation
// writes filters as ?filter=a=1;b=2, so ';' must reach the filter parser.
// A pair that does not unescape is reported as bad.
func parseQuery(raw string) (vals url.Values, bad string) {
	vals = url.Values{}
	for raw != "" {
		var pair string
		pair, raw, _ = strings.Cut(raw, "&")
		if pair == "" {
			continue
		}
		k, v, _ := strings.Cut(pair, "=")
		key, err1 := url.QueryUnescape(k)
		val, err2 := url.QueryUnescape(v)
		if err1 != nil || err2 != nil {
			if bad == "" {
				bad = k
			}
			continue
		}
		vals[key] = append(vals[key], val)
	}
	return vals, bad
}
