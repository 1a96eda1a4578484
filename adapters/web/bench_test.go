package web_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"itbot/adapters/web"
	"itbot/bot"
	"itbot/bot/slaclock"
	"itbot/scale"
)

// benchConsole is a console over a data file holding n open requests,
// filled through the router once and kept in the temporary directory for
// the next run (ITBOT_WEB_BENCH_DIR moves it).
func benchConsole(b *testing.B, n int) (*web.Server, *scale.Env) {
	b.Helper()
	dir := os.Getenv("ITBOT_WEB_BENCH_DIR")
	if dir == "" {
		dir = os.TempDir()
	}
	path := filepath.Join(dir, fmt.Sprintf("itbot-web-%d.db", n))
	e, err := scale.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { e.Close() })
	if _, err := scale.Fill(context.Background(), e, n, 0, 8, nil); err != nil {
		b.Fatal(err)
	}
	clock := e.Bot.SLA.(*slaclock.Clock)
	s, err := web.New(web.Config{}, web.Deps{Bot: e.Bot, Router: e.Router, Sandbox: true, Used: clock.Used, Calendar: clock.Calendar(),
		Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	return s, e
}

// sessionCookie signs in as email through the handler and returns the
// session cookie.
func sessionCookie(b *testing.B, h http.Handler, email string) *http.Cookie {
	b.Helper()
	srv := httptest.NewServer(h)
	defer srv.Close()
	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := hc.Get(srv.URL + "/signin")
	if err != nil {
		b.Fatal(err)
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	tok := csrfRE.FindStringSubmatch(string(page))[1]
	res, err = hc.PostForm(srv.URL+"/signin/sandbox", url.Values{"csrf": {tok}, "email": {email}})
	if err != nil {
		b.Fatal(err)
	}
	res.Body.Close()
	for _, c := range res.Cookies() {
		if c.Name == "itbot_session" {
			return c
		}
	}
	b.Fatal("no session")
	return nil
}

// BenchmarkQueuePage renders the operators' queue (first page, 50 rows
// by due time, with SLA shares) over 10,000 open requests: server time
// per render, no network.
func BenchmarkQueuePage(b *testing.B) {
	s, _ := benchConsole(b, 10000)
	h := s.Handler()
	cookie := sessionCookie(b, h, scale.Operator)
	for _, path := range []string{"/queue", "/queue?inst=LGIA&type=licence.assign", "/approvals"} {
		b.Run(strings.NewReplacer("/", "", "?", "-", "&", "-", "=", "").Replace(path), func(b *testing.B) {
			email := scale.Operator
			c := cookie
			if path == "/approvals" {
				email = scale.ITContact
				c = sessionCookie(b, h, email)
			}
			b.ReportAllocs()
			for b.Loop() {
				req := httptest.NewRequest(http.MethodGet, path, nil)
				req.AddCookie(c)
				w := httptest.NewRecorder()
				h.ServeHTTP(w, req)
				if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "IT-") {
					b.Fatalf("%s: %d", path, w.Code)
				}
			}
		})
	}
}

// BenchmarkLiveFanout measures one request change reaching 200 open
// pages over real server-sent event streams: ns/op is from the change to
// the last page having read its event.
func BenchmarkLiveFanout(b *testing.B) {
	const pages = 200
	s, e := benchConsole(b, 1000)
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()
	cookie := sessionCookie(b, s.Handler(), scale.Operator)
	got := make(chan struct{}, pages)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var wg sync.WaitGroup
	tr := &http.Transport{MaxIdleConnsPerHost: pages, MaxConnsPerHost: 0}
	hc := &http.Client{Transport: tr}
	for range pages {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/events", nil)
		req.AddCookie(cookie)
		res, err := hc.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer res.Body.Close()
			sc := bufio.NewScanner(res.Body)
			for sc.Scan() {
				if strings.HasPrefix(sc.Text(), "data: ") {
					got <- struct{}{}
				}
			}
		}()
	}
	for s.Hub().Len() < pages {
		runtimeGosched()
	}
	rs, err := e.Store.RequestPage(context.Background(), bot.PageQuery{Filter: bot.RequestFilter{OpenOnly: true}, Order: bot.OrderDue, Size: 1})
	if err != nil || len(rs.Requests) == 0 {
		b.Fatal("no request", err)
	}
	r := rs.Requests[0]
	b.ReportMetric(pages, "pages")
	for b.Loop() {
		s.Changed(r)
		for range pages {
			<-got
		}
	}
	cancel()
	tr.CloseIdleConnections()
	wg.Wait()
}

func runtimeGosched() { runtime.Gosched() }
