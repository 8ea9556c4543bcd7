// Command loadgen drives an HTTP server with a fixed number of connections
// for a fixed time and prints throughput and latency percentiles as JSON.
// It also serves the two ceilings bench/run compares invcloud with: a
// trivial JSON handler, and a same-bytes handler replaying from memory the
// exact responses invcloud gave (recorded with -record), URL by URL.
//
//	loadgen -free-ports 3                           # print 3 free loopback ports
//	loadgen -serve-trivial 127.0.0.1:0              # prints its bound address, then serves
//	loadgen -record rec.json -H 'x-api-key: K' URL [URL...]
//	loadgen -serve-recorded rec.json -addr 127.0.0.1:0
//	loadgen -owned -H 'x-api-key: K' PAGE_URL [PAGE_URL...]
//	loadgen -c 64 -d 10s -H 'x-api-key: K' [-rehost ADDR] URL [URL...]
//
// Requests rotate over the URLs (e.g. two replicas, or many users). Every
// request loop is bounded by the duration; the process stops by itself.
package main

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"maps"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
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
		conns     = flag.Int("c", 64, "concurrent connections")
		dur       = flag.Duration("d", 10*time.Second, "duration")
		warm      = flag.Duration("warmup", time.Second, "warm-up before measuring")
		trivial   = flag.String("serve-trivial", "", "serve the trivial JSON handler on this address (print the bound address, then serve)")
		recorded  = flag.String("serve-recorded", "", "serve the responses recorded in this file (see -record) on -addr")
		addr      = flag.String("addr", "127.0.0.1:0", "listen address of -serve-recorded")
		record    = flag.String("record", "", "fetch each URL once and write status, headers and body to this file; print 'signature mean-bytes statuses'")
		freePorts = flag.Int("free-ports", 0, "print this many free TCP ports on 127.0.0.1, one a line, and exit")
		owned     = flag.Bool("owned", false, "for each inventory page URL, print 'OWNED ABSENT ABSENT ABSENT' asset ids of its user (checked with an ownership filter)")
		rehost    = flag.String("rehost", "", "send every request to this host:port instead of the URL's (same path and query)")
		page      = flag.Int("page", 0, "print the URL of page N of URL (following nextPageToken) and exit")
		tsv       = flag.String("tsv", "", "print one tab-separated line 'LABEL rps p50 p99 errors non2xx' instead of JSON")
		hdrs      headers
	)
	flag.Var(&hdrs, "H", "request header 'Name: value' (repeatable)")
	flag.Parse()
	switch {
	case *freePorts > 0:
		if err := printFreePorts(*freePorts); err != nil {
			log.Fatal(err)
		}
		return
	case *trivial != "":
		serveTrivial(*trivial)
		return
	case *recorded != "":
		serveRecorded(*recorded, *addr)
		return
	}
	urls := flag.Args()
	if len(urls) == 0 {
		log.Fatal("loadgen: no URLs")
	}
	switch {
	case *page > 0:
		u, err := pageURL(urls[0], hdrs, *page)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(u)
		return
	case *record != "":
		if err := recordURLs(*record, urls, hdrs); err != nil {
			log.Fatal(err)
		}
		return
	case *owned:
		for i, u := range urls {
			own, absent, err := ownedIDs(u, hdrs, i)
			if err != nil {
				log.Fatal(err)
			}
			fmt.Println(own, absent[0], absent[1], absent[2])
		}
		return
	}
	if *dur > 10*time.Minute {
		log.Fatal("loadgen: duration capped at 10m")
	}
	if *rehost != "" {
		for i, u := range urls {
			p, err := url.Parse(u)
			if err != nil {
				log.Fatal(err)
			}
			p.Host = *rehost
			urls[i] = p.String()
		}
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

func header(hdrs headers) http.Header {
	h := http.Header{}
	for _, v := range hdrs {
		k, v, _ := strings.Cut(v, ":")
		h.Add(strings.TrimSpace(k), strings.TrimSpace(v))
	}
	return h
}

// get fetches u once with the headers and returns the response with its body read.
func get(u string, hdrs headers) (*http.Response, []byte, error) {
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		return nil, nil, err
	}
	req.Header = header(hdrs)
	resp, err := fetchClient.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	return resp, body, err
}

var fetchClient = &http.Client{Timeout: 30 * time.Second}

// printFreePorts asks the OS for n distinct free ports (all held open until
// every one is chosen, so they differ) and prints them.
func printFreePorts(n int) error {
	if n > 100 {
		return fmt.Errorf("loadgen: at most 100 ports")
	}
	var lns []net.Listener
	defer func() {
		for _, ln := range lns {
			ln.Close()
		}
	}()
	for range n {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return err
		}
		lns = append(lns, ln)
	}
	for _, ln := range lns {
		fmt.Println(ln.Addr().(*net.TCPAddr).Port)
	}
	return nil
}

// listen listens on addr and prints the bound address on stdout, so a caller
// may ask for port 0 and learn the port.
func listen(addr string) net.Listener {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(ln.Addr().String())
	os.Stdout.Sync()
	return ln
}

// Recorded is one response as invcloud sent it.
type Recorded struct {
	URI    string      `json:"uri"` // path and query, the key
	Status int         `json:"status"`
	Header http.Header `json:"header"` // without Date (net/http sets it)
	Body   []byte      `json:"body"`
}

// recordURLs fetches each URL once and writes what came back. It prints a
// signature of what a same-bytes ceiling would serve (URI, status,
// Content-Type and body of each; not volatile headers such as request ids),
// the mean body size and the statuses seen.
func recordURLs(file string, urls []string, hdrs headers) error {
	if len(urls) > 100_000 {
		return fmt.Errorf("loadgen: at most 100,000 URLs to record")
	}
	var recs []Recorded
	seen := map[string]bool{}
	statuses := map[int]int{}
	sig := sha256.New()
	total := 0
	for _, u := range urls {
		p, err := url.Parse(u)
		if err != nil {
			return err
		}
		uri := p.RequestURI()
		if seen[uri] {
			continue
		}
		seen[uri] = true
		resp, body, err := get(u, hdrs)
		if err != nil {
			return fmt.Errorf("record %s: %w", u, err)
		}
		h := resp.Header.Clone()
		h.Del("Date")
		recs = append(recs, Recorded{URI: uri, Status: resp.StatusCode, Header: h, Body: body})
		statuses[resp.StatusCode]++
		total += len(body)
		fmt.Fprintf(sig, "%s\n%d\n%s\n%d\n", uri, resp.StatusCode, h.Get("Content-Type"), len(body))
		sig.Write(body)
	}
	b, err := json.Marshal(recs)
	if err != nil {
		return err
	}
	if err := os.WriteFile(file, b, 0o600); err != nil {
		return err
	}
	var st []string
	for _, k := range slices.Sorted(maps.Keys(statuses)) {
		st = append(st, fmt.Sprintf("%d:%d", k, statuses[k]))
	}
	fmt.Printf("%x\t%d\t%s\n", sig.Sum(nil)[:8], total/len(recs), strings.Join(st, ","))
	return nil
}

// serveRecorded replays recorded responses from memory: for the same path
// and query, the same status, headers and body; anything else is a 404.
func serveRecorded(file, addr string) {
	b, err := os.ReadFile(file)
	if err != nil {
		log.Fatal(err)
	}
	var recs []Recorded
	if err := json.Unmarshal(b, &recs); err != nil {
		log.Fatal(err)
	}
	byURI := make(map[string]*Recorded, len(recs))
	for i := range recs {
		byURI[recs[i].URI] = &recs[i]
	}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := byURI[r.RequestURI]
		if rec == nil {
			http.Error(w, "not recorded", http.StatusNotFound)
			return
		}
		wh := w.Header()
		for k, v := range rec.Header {
			wh[k] = v
		}
		w.WriteHeader(rec.Status)
		w.Write(rec.Body)
	})
	log.Fatal(http.Serve(listen(addr), h))
}

// ownedIDs reads the first page of an inventory (pageURL lists it) and
// returns an owned asset of the user and three assets in the seeded
// catalog's range that the user does not own, checked with an ownership
// filter against the same server (a page may not list everything owned).
func ownedIDs(pageURL string, hdrs headers, i int) (own int64, absent [3]int64, err error) {
	resp, body, err := get(pageURL, hdrs)
	if err != nil {
		return 0, absent, err
	}
	type items struct {
		InventoryItems []struct {
			AssetDetails *struct {
				AssetID string `json:"assetId"`
			} `json:"assetDetails"`
		} `json:"inventoryItems"`
	}
	var page items
	if err := json.Unmarshal(body, &page); err != nil || resp.StatusCode != http.StatusOK {
		return 0, absent, fmt.Errorf("owned: %s: status %d: %v", pageURL, resp.StatusCode, err)
	}
	var assets []int64
	have := map[int64]bool{}
	for _, it := range page.InventoryItems {
		if it.AssetDetails == nil {
			continue
		}
		if id, err := strconv.ParseInt(it.AssetDetails.AssetID, 10, 64); err == nil {
			assets = append(assets, id)
			have[id] = true
		}
	}
	if len(assets) == 0 {
		return 0, absent, fmt.Errorf("owned: %s lists no assets", pageURL)
	}
	p, err := url.Parse(pageURL)
	if err != nil {
		return 0, absent, err
	}
	own = assets[(i*7)%len(assets)]
	const first, span = 10_000_000_000, 20_000 // the seeded catalog's assets
	c := int64(i*7919) % span
	for range 50 {
		for n := 0; n < 3; {
			c = (c + 7919) % span
			if !have[first+c] {
				absent[n] = first + c
				n++
			}
		}
		q := url.Values{"filter": {fmt.Sprintf("assetIds=%d,%d,%d,%d", own, absent[0], absent[1], absent[2])}}
		p.RawQuery = q.Encode()
		resp, body, err := get(p.String(), hdrs)
		if err != nil {
			return 0, absent, err
		}
		var check items
		if err := json.Unmarshal(body, &check); err != nil || resp.StatusCode != http.StatusOK {
			return 0, absent, fmt.Errorf("owned: check %s: status %d: %v", p, resp.StatusCode, err)
		}
		onlyOwn := len(check.InventoryItems) > 0
		for _, it := range check.InventoryItems {
			onlyOwn = onlyOwn && it.AssetDetails != nil && it.AssetDetails.AssetID == strconv.FormatInt(own, 10)
			if it.AssetDetails != nil {
				id, _ := strconv.ParseInt(it.AssetDetails.AssetID, 10, 64)
				have[id] = true
			}
		}
		if onlyOwn {
			return own, absent, nil
		}
	}
	return 0, absent, fmt.Errorf("owned: %s: no three absent assets found", pageURL)
}

// pageURL follows nextPageToken from base n-1 times and returns page n's URL.
func pageURL(base string, hdrs headers, n int) (string, error) {
	u := base
	for i := 1; i < n; i++ {
		req, _ := http.NewRequest(http.MethodGet, u, nil)
		req.Header = header(hdrs)
		resp, err := fetchClient.Do(req)
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
	log.Fatal(http.Serve(listen(addr), h))
}

func run(urls []string, hdrs headers, conns int, warm, dur time.Duration) Report {
	tr := &http.Transport{MaxIdleConns: conns, MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns, IdleConnTimeout: time.Minute}
	client := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	hdr := header(hdrs)
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
				req.Header = hdr
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
