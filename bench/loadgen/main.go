// Command loadgen drives an HTTP server with a fixed number of connections
// for a fixed time and prints throughput and latency percentiles as JSON.
// It can also serve the trivial JSON handler that bench/run uses as the
// ceiling of the HTTP stack on this machine.
//
//	loadgen -serve-trivial 127.0.0.1:9090
//	loadgen -c 64 -d 10s -H 'x-api-key: K' URL [URL...]
//
// Requests rotate over the URLs (e.g. two replicas, or many users). Every
// request loop is bounded by the duration; the process stops by itself.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"time"
)

type headers []string

func (h *headers) String() string     { return strings.Join(*h, ", ") }
func (h *headers) Set(v string) error { *h = append(*h, v); return nil }

// Report is what a run prints.
type Report struct {
	Requests int            `json:"requests"`
	Errors   int            `json:"errors"`
	Statuses map[int]int    `json:"statuses"`
	RPS      float64        `json:"rps"`
	P50ms    float64        `json:"p50_ms"`
	P99ms    float64        `json:"p99_ms"`
	Seconds  float64        `json:"seconds"`
	Extra    map[string]any `json:"extra,omitempty"`
}

func main() {
	var (
		conns   = flag.Int("c", 64, "concurrent connections")
		dur     = flag.Duration("d", 10*time.Second, "duration")
		warm    = flag.Duration("warmup", time.Second, "warm-up before measuring")
		trivial = flag.String("serve-trivial", "", "serve the trivial JSON handler on this address and do nothing else")
		page    = flag.Int("page", 0, "print the URL of page N of URL (following nextPageToken) and exit")
		tsv     = flag.String("tsv", "", "print one tab-separated line 'LABEL rps p50 p99 errors non2xx' instead of JSON")
		hdrs    headers
	)
	flag.Var(&hdrs, "H", "request header 'Name: value' (repeatable)")
	flag.Parse()
	if *trivial != "" {
		serveTrivial(*trivial)
		return
	}
	urls := flag.Args()
	if len(urls) == 0 {
		log.Fatal("loadgen: no URLs")
	}
	if *page > 0 {
		u, err := pageURL(urls[0], hdrs, *page)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(u)
		return
	}
	if *dur > 10*time.Minute {
		log.Fatal("loadgen: duration capped at 10m")
	}
	rep := run(urls, hdrs, *conns, *warm, *dur)
	if *tsv != "" {
		non2xx := 0
		for st, n := range rep.Statuses {
			if st < 200 || st > 299 {
				non2xx += n
			}
		}
		fmt.Printf("%s\t%.0f\t%.2f\t%.2f\t%d\t%d\n", *tsv, rep.RPS, rep.P50ms, rep.P99ms, rep.Errors, non2xx)
		return
	}
	json.NewEncoder(os.Stdout).Encode(rep)
}

// pageURL follows nextPageToken from base n-1 times and returns page n's URL.
func pageURL(base string, hdrs headers, n int) (string, error) {
	u := base
	for i := 1; i < n; i++ {
		req, _ := http.NewRequest(http.MethodGet, u, nil)
		for _, h := range hdrs {
			k, v, _ := strings.Cut(h, ":")
			req.Header.Add(strings.TrimSpace(k), strings.TrimSpace(v))
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return "", err
		}
		var body struct {
			NextPageToken string `json:"nextPageToken"`
		}
		err = json.NewDecoder(resp.Body).Decode(&body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK {
			return "", fmt.Errorf("page %d: status %d: %v", i, resp.StatusCode, err)
		}
		if body.NextPageToken == "" {
			return "", fmt.Errorf("only %d pages", i)
		}
		sep := "&"
		if !strings.Contains(base, "?") {
			sep = "?"
		}
		u = base + sep + "pageToken=" + body.NextPageToken
	}
	return u, nil
}

func serveTrivial(addr string) {
	body := []byte(`{"inventoryItems":[{"path":"users/1/inventory-items/VVNFUl9BU1NFVF9JRD0x","assetDetails":{"assetId":"1","inventoryItemAssetType":"HAT","instanceId":"1"}}],"nextPageToken":""}`)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(body)
	})
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		log.Fatal(err)
	}
	log.Fatal(http.Serve(ln, h))
}

func run(urls []string, hdrs headers, conns int, warm, dur time.Duration) Report {
	tr := &http.Transport{MaxIdleConns: conns, MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns, IdleConnTimeout: time.Minute}
	client := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	header := http.Header{}
	for _, h := range hdrs {
		k, v, _ := strings.Cut(h, ":")
		header.Add(strings.TrimSpace(k), strings.TrimSpace(v))
	}
	ctx, cancel := context.WithTimeout(context.Background(), warm+dur)
	defer cancel()
	measureFrom := time.Now().Add(warm)
	var mu sync.Mutex
	var lat []time.Duration
	statuses := map[int]int{}
	errs := 0
	var wg sync.WaitGroup
	for c := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			myStatus := map[int]int{}
			myErrs := 0
			for i := c; ctx.Err() == nil; i += conns {
				req, _ := http.NewRequestWithContext(ctx, http.MethodGet, urls[i%len(urls)], nil)
				req.Header = header
				start := time.Now()
				resp, err := client.Do(req)
				if err == nil {
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
				if start.Before(measureFrom) || ctx.Err() != nil {
					continue
				}
				if err != nil {
					myErrs++
					continue
				}
				mine = append(mine, time.Since(start))
				myStatus[resp.StatusCode]++
			}
			mu.Lock()
			lat = append(lat, mine...)
			for k, v := range myStatus {
				statuses[k] += v
			}
			errs += myErrs
			mu.Unlock()
		}()
	}
	wg.Wait()
	slices.Sort(lat)
	pct := func(p float64) float64 {
		if len(lat) == 0 {
			return 0
		}
		return float64(lat[min(len(lat)-1, int(p*float64(len(lat))))]) / 1e6
	}
	return Report{Requests: len(lat), Errors: errs, Statuses: statuses, RPS: float64(len(lat)) / dur.Seconds(),
		P50ms: pct(.50), P99ms: pct(.99), Seconds: dur.Seconds()}
}
