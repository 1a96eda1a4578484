// Command slackload measures how fast itbot's Slack endpoint acknowledges
// signed slash commands while each one creates a request.
//
// It sends -n commands ("/it consult …", from a few sandbox people) at
// -rate per second, open loop (a slow answer does not slow the sender;
// at most -conns are in flight), each signed with the signing secret as
// Slack signs them, and reports the acknowledgement latency (p50, p90,
// p99, max). The same load first goes to a bare net/http handler on the
// same machine in the same run, as the baseline.
//
// By default itbot runs in process: a bbolt store in a temporary
// directory, the sandbox directory, the real router and commands, the
// Slack adapter on a loopback HTTP server, and a local Slack Web API
// (adapters/slack/slacktest) that takes the follow-up posts (the cards,
// the answers on response_url). slackload then waits until every request
// is stored and answered and reports the end-to-end rate too.
//
// With -target it loads a running itbot instead (loopback only): start
// the local Slack with -fake-listen, point the itbot's slack.api_url at
// it, and give the itbot's signing secret with -secret or
// SLACK_SIGNING_SECRET.
//
// Every loop is bounded: -n commands, then at most -wait for completion.
package main

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"itbot/adapters/slack"
	"itbot/adapters/slack/slacktest"
	"itbot/bot"
	"itbot/bot/seed"
	"itbot/commands"
	"itbot/store"
)

// people are the sandbox people the commands come from, as Slack users.
var people = []slacktest.User{
	{ID: "U0LOADANNA", Name: "anna", Email: "anna.berzina@lgia.gov.lv"},
	{ID: "U0LOADJANI", Name: "janis", Email: "janis.ozols@lgia.gov.lv"},
	{ID: "U0LOADILZE", Name: "ilze", Email: "ilze.liepa@lgia.gov.lv"},
	{ID: "U0LOADPETE", Name: "peteris", Email: "peteris.kalnins@lgia.gov.lv"},
	{ID: "U0LOADKRIS", Name: "kristaps", Email: "kristaps.lapsa@vraa.gov.lv"},
	{ID: "U0LOADDACE", Name: "dace", Email: "dace.avotina@vraa.gov.lv"},
}

type options struct {
	target, secret, fakeListen, data string
	rate, n, conns, workers, lanes   int
	wait                             time.Duration
	bare, quiet                      bool
	cpuprofile, blockprofile         string
	batchDelay                       time.Duration
}

func main() {
	var o options
	flag.StringVar(&o.target, "target", "", "base URL of a running itbot on loopback (e.g. http://127.0.0.1:8080); empty: itbot in process")
	flag.StringVar(&o.secret, "secret", os.Getenv("SLACK_SIGNING_SECRET"), "the signing secret (-target); in process a test secret is used")
	flag.StringVar(&o.fakeListen, "fake-listen", "", "with -target: the loopback address for the local Slack Web API (set slack.api_url to http://ADDR/api/)")
	flag.StringVar(&o.data, "data", "", "in process: directory for the bbolt file (default: a temporary one, removed after)")
	flag.IntVar(&o.rate, "rate", 1000, "commands per second")
	flag.IntVar(&o.n, "n", 10000, "commands to send")
	flag.IntVar(&o.conns, "conns", 256, "most commands in flight")
	flag.IntVar(&o.workers, "workers", 0, "in process: the adapter's workers (0: its default)")
	flag.IntVar(&o.lanes, "lanes", 0, "in process: the adapter's outbound lanes (0: its default)")
	flag.DurationVar(&o.wait, "wait", 2*time.Minute, "longest wait for every request to be created and answered")
	flag.BoolVar(&o.bare, "bare", true, "measure a bare net/http handler first, as the baseline")
	flag.BoolVar(&o.quiet, "quiet", true, "in process: keep itbot's log quiet (errors only)")
	flag.DurationVar(&o.batchDelay, "batch-delay", 0, "in process: override the store's bbolt MaxBatchDelay (0: the store's own setting), to see its effect")
	flag.StringVar(&o.cpuprofile, "cpuprofile", "", "write a CPU profile of the itbot run to this file")
	flag.StringVar(&o.blockprofile, "blockprofile", "", "write a blocking profile of the whole run to this file")
	flag.Parse()
	if err := run(context.Background(), o, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "slackload:", err)
		os.Exit(1)
	}
}

// loopback checks that a URL or address names this machine.
func loopback(hostport string) error {
	host, _, err := net.SplitHostPort(hostport)
	if err != nil {
		host = hostport
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("%s is not a loopback address: slackload only loads this machine", hostport)
}

func run(ctx context.Context, o options, out io.Writer) error {
	if o.rate <= 0 || o.n <= 0 || o.conns <= 0 {
		return errors.New("-rate, -n and -conns must be positive")
	}
	var ln net.Listener
	if o.fakeListen != "" {
		if err := loopback(o.fakeListen); err != nil {
			return err
		}
		var err error
		if ln, err = net.Listen("tcp", o.fakeListen); err != nil {
			return err
		}
	}
	// Profiling labels tell the local Slack, the load and itbot apart.
	var fake *slacktest.Server
	pprof.Do(ctx, pprof.Labels("part", "fake-slack"), func(context.Context) { fake = slacktest.NewOn(ln) })
	defer fake.Close()
	fake.Quiet = true
	for _, p := range people {
		fake.AddUser(p)
	}

	var endpoint string
	var inproc *itbot
	if o.target != "" {
		u, err := url.Parse(o.target)
		if err != nil || u.Host == "" {
			return fmt.Errorf("-target %q: want http://127.0.0.1:PORT", o.target)
		}
		if err := loopback(u.Host); err != nil {
			return err
		}
		if o.secret == "" {
			return errors.New("-target needs the itbot's signing secret: -secret or SLACK_SIGNING_SECRET")
		}
		endpoint = strings.TrimRight(o.target, "/") + slack.PathCommands
		fmt.Fprintf(out, "local Slack Web API: %s (the itbot's slack.api_url must be this)\n", fake.APIURL())
	} else {
		o.secret = slacktest.SigningSecret
		var err error
		if inproc, err = startItbot(ctx, o, fake); err != nil {
			return err
		}
		defer inproc.stop()
		endpoint = inproc.url + slack.PathCommands
	}

	fmt.Fprintf(out, "slackload: %d signed slash commands at %d/s, at most %d in flight, %d CPUs, %s\n",
		o.n, o.rate, o.conns, runtime.NumCPU(), runtime.Version())
	fmt.Fprintf(out, "%-24s %7s %7s %7s %7s %9s %9s %9s %9s %9s\n", "target", "sent", "acked", "busy", "errors", "rate/s", "p50", "p90", "p99", "max")
	if o.bare {
		srv, url, err := bareServer(o.secret)
		if err != nil {
			return err
		}
		res := load(ctx, url, o, fake)
		srv.Close()
		fmt.Fprintln(out, res.line("bare net/http"))
	}
	if o.blockprofile != "" {
		runtime.SetBlockProfileRate(int(time.Millisecond))
		defer func() {
			if f, err := os.Create(o.blockprofile); err == nil {
				pprof.Lookup("block").WriteTo(f, 0)
				f.Close()
			}
		}()
	}
	if o.cpuprofile != "" {
		f, err := os.Create(o.cpuprofile)
		if err != nil {
			return err
		}
		defer f.Close()
		pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	start := time.Now()
	res := load(ctx, endpoint, o, fake)
	fmt.Fprintln(out, res.line("itbot "+slack.PathCommands))
	fmt.Fprintf(out, "  latency from the scheduled send time (client queueing included): p99 %s, max %s\n", ms(res.sched.p(0.99)), ms(res.sched.p(1)))

	// Completion: every command answered on its response_url (and, in
	// process, every request stored and its card posted).
	deadline := time.Now().Add(o.wait)
	done := func() bool {
		return fake.Count("response_url") >= res.ok && (inproc == nil || fake.Count("chat.postMessage") >= 2*res.ok)
	}
	for !done() && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	took := time.Since(start)
	answered := fake.Count("response_url")
	if inproc != nil {
		fmt.Fprintf(out, "itbot: %d requests created, %d answers on response_url, %d cards and thread posts, %d card edits in %s (%.0f requests/s end to end)\n",
			inproc.created(), answered, fake.Count("chat.postMessage"), fake.Count("chat.update"), took.Round(time.Millisecond), float64(inproc.created())/took.Seconds())
	} else {
		fmt.Fprintf(out, "itbot: %d answers on response_url in %s (%.0f/s end to end)\n", answered, took.Round(time.Millisecond), float64(answered)/took.Seconds())
	}
	if !done() {
		return fmt.Errorf("not every command completed within -wait %s", o.wait)
	}
	return nil
}

// itbot is an in-process itbot with the Slack adapter.
type itbot struct {
	url     string
	st      *store.Store
	srv     *http.Server
	cancel  context.CancelFunc
	stopped chan struct{}
	dir     string
	temp    bool
}

func startItbot(ctx context.Context, o options, fake *slacktest.Server) (*itbot, error) {
	it := &itbot{dir: o.data}
	if it.dir == "" {
		d, err := os.MkdirTemp("", "slackload-")
		if err != nil {
			return nil, err
		}
		it.dir, it.temp = d, true
	}
	st, err := store.Open(filepath.Join(it.dir, "itbot.db"))
	if err != nil {
		return nil, err
	}
	it.st = st
	if o.batchDelay > 0 {
		st.DB().MaxBatchDelay = o.batchDelay
	}
	if err := seed.Directory(ctx, st); err != nil {
		return nil, err
	}
	level := slog.LevelInfo
	if o.quiet {
		level = slog.LevelError
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	b := bot.New(st, log)
	b.Sandbox = true
	r := bot.NewRouter(log)
	commands.Register(r, &commands.Deps{Bot: b})
	ad, err := slack.New(slack.Config{SigningSecret: slacktest.SigningSecret, BotToken: slacktest.BotToken,
		APIURL: fake.APIURL(), OpsChannel: "C0LOADOPS", Workers: o.workers, Lanes: o.lanes,
		TeamIDs: []string{slacktest.TeamID}, AppID: slacktest.AppID}, b.Door(r), log)
	if err != nil {
		return nil, err
	}
	b.Notify.Add(ad)
	mux := http.NewServeMux()
	ad.Mount(mux)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	it.url = "http://" + ln.Addr().String()
	it.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go pprof.Do(ctx, pprof.Labels("part", "itbot-http"), func(context.Context) { it.srv.Serve(ln) })
	rctx, cancel := context.WithCancel(ctx)
	it.cancel, it.stopped = cancel, make(chan struct{})
	go pprof.Do(rctx, pprof.Labels("part", "itbot"), func(ctx context.Context) { defer close(it.stopped); ad.Run(ctx) })
	return it, nil
}

// created counts the stored requests.
func (it *itbot) created() int {
	rs, err := it.st.Requests(context.Background(), bot.RequestFilter{})
	if err != nil {
		return 0
	}
	return len(rs)
}

func (it *itbot) stop() {
	it.srv.Close()
	it.cancel()
	<-it.stopped
	it.st.Close()
	if it.temp {
		os.RemoveAll(it.dir)
	}
}

// bareServer is the baseline: a net/http handler that reads the body and
// answers 200, on loopback.
func bareServer(secret string) (*http.Server, string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, "", err
	}
	// The baseline verifies Slack's signature as any endpoint must
	// (v0=HMAC-SHA256 of "v0:timestamp:body", compared in constant time)
	// and answers an empty 200.
	srv := &http.Server{ReadHeaderTimeout: 10 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mac := hmac.New(sha256.New, []byte(secret))
		fmt.Fprintf(mac, "v0:%s:", r.Header.Get("X-Slack-Request-Timestamp"))
		mac.Write(body)
		want := "v0=" + hex.EncodeToString(mac.Sum(nil))
		if !hmac.Equal([]byte(want), []byte(r.Header.Get("X-Slack-Signature"))) {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		w.WriteHeader(http.StatusOK)
	})}
	go srv.Serve(ln)
	return srv, "http://" + ln.Addr().String() + slack.PathCommands, nil
}

// durations are latencies, sorted on demand.
type durations []time.Duration

func (d durations) p(q float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	i := int(q*float64(len(d))) - 1
	if i < 0 {
		i = 0
	}
	if i >= len(d) {
		i = len(d) - 1
	}
	return d[i]
}

type result struct {
	sent, ok, busy, errs int
	rate                 float64
	ack, sched           durations
	firstErr             string
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2fms", float64(d.Microseconds())/1000) }

func (r result) line(name string) string {
	s := fmt.Sprintf("%-24s %7d %7d %7d %7d %9.1f %9s %9s %9s %9s", name, r.sent, r.ok, r.busy, r.errs, r.rate,
		ms(r.ack.p(0.5)), ms(r.ack.p(0.9)), ms(r.ack.p(0.99)), ms(r.ack.p(1)))
	if r.firstErr != "" {
		s += "\n  first error: " + r.firstErr
	}
	return s
}

// load sends o.n signed commands to endpoint at o.rate, open loop.
func load(ctx context.Context, endpoint string, o options, fake *slacktest.Server) result {
	tr := &http.Transport{MaxIdleConns: o.conns, MaxIdleConnsPerHost: o.conns, MaxConnsPerHost: o.conns,
		DisableCompression: true, IdleConnTimeout: 30 * time.Second}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	ack := make([]time.Duration, o.n)
	sched := make([]time.Duration, o.n)
	var ok, errs, busy atomic.Int64
	var firstErr atomic.Value
	sem := make(chan struct{}, o.conns)
	var wg sync.WaitGroup
	interval := time.Second / time.Duration(o.rate)
	start := time.Now()
	for i := 0; i < o.n; i++ {
		at := start.Add(time.Duration(i) * interval)
		if d := time.Until(at); d > 0 {
			time.Sleep(d)
		}
		sem <- struct{}{}
		wg.Add(1)
		go pprof.Do(ctx, pprof.Labels("part", "load"), func(ctx context.Context) {
			defer func() { <-sem; wg.Done() }()
			u := people[i%len(people)]
			body := slacktest.SlashCommand{UserID: u.ID, UserName: u.Name, ChannelID: "C0LOADLGIA", Channel: "it-pieteikumi",
				Text: fmt.Sprintf("consult Slodzes tests nr. %d: kā kopīgot kalendāru?", i), ResponseURL: fake.ResponseURL()}.Body()
			sent := time.Now()
			req, err := slacktest.SignedRequest(ctx, endpoint, o.secret, slacktest.Form, body, sent)
			if err != nil {
				errs.Add(1)
				firstErr.CompareAndSwap(nil, err.Error())
				return
			}
			res, err := client.Do(req)
			var nb int64
			if err == nil {
				nb, _ = io.Copy(io.Discard, res.Body)
				res.Body.Close()
			}
			end := time.Now()
			ack[i], sched[i] = end.Sub(sent), end.Sub(at)
			switch {
			case err != nil:
				errs.Add(1)
				firstErr.CompareAndSwap(nil, err.Error())
			case res.StatusCode != http.StatusOK:
				errs.Add(1)
				firstErr.CompareAndSwap(nil, res.Status)
			case nb > 0:
				// An immediate answer instead of the empty acknowledgement:
				// the command was not taken ("busy", "not stored").
				busy.Add(1)
			default:
				ok.Add(1)
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	r := result{sent: o.n, ok: int(ok.Load()), busy: int(busy.Load()), errs: int(errs.Load()), rate: float64(o.n) / elapsed.Seconds(), ack: ack, sched: sched}
	if s, _ := firstErr.Load().(string); s != "" {
		r.firstErr = s
	}
	sort.Slice(r.ack, func(i, j int) bool { return r.ack[i] < r.ack[j] })
	sort.Slice(r.sched, func(i, j int) bool { return r.sched[i] < r.sched[j] })
	return r
}
