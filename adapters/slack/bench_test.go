package slack

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"itbot/adapters/slack/slacktest"
	"itbot/bot"
	"itbot/bottest"
)

// BenchmarkAckCommand is the acknowledgement of one signed slash command:
// read the body, check the signature and the timestamp, parse the form,
// queue the work, answer 200. The queued work is discarded, so only the
// acknowledgement is measured (cmd/slackload measures the whole path).
func BenchmarkAckCommand(b *testing.B) {
	e := newEnvRun(b, false)
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		for {
			select {
			case <-e.ad.inbound:
				e.ad.pending.Add(-1)
			case <-stop:
				return
			}
		}
	}()
	body := slacktest.SlashCommand{UserID: uAnna, UserName: "anna", ChannelID: chLGIA, Text: "consult Kā kopīgot kalendāru?",
		ResponseURL: "https://hooks.slack.com/commands/T0VARAM01/1/abc"}.Body()
	at := time.Now()
	req, _ := slacktest.SignedRequest(context.Background(), "http://itbot.test"+PathCommands, slacktest.SigningSecret, slacktest.Form, body, at)
	hdr := req.Header
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			r := httptest.NewRequest(http.MethodPost, PathCommands, bytes.NewReader(body))
			r.Header = hdr
			w := httptest.NewRecorder()
			e.ad.ServeCommands(w, r)
			if w.Code != http.StatusOK {
				b.Fatalf("status %d", w.Code)
			}
		}
	})
}

// BenchmarkRender renders a request card to Block Kit.
func BenchmarkRender(b *testing.B) {
	e := bottest.New(b)
	rep := e.Say("anna.berzina@lgia.gov.lv", "/it licence piešķirt janis.ozols@lgia.gov.lv E3")[0]
	b.ReportAllocs()
	for b.Loop() {
		Render(rep)
	}
}

// BenchmarkCommandToAnswer runs the whole path in process, one command at
// a time: signed HTTP request, acknowledgement, user lookup (cached),
// router, request stored in bbolt, card and operators' card posted and
// the answer sent to the local Slack.
func BenchmarkCommandToAnswer(b *testing.B) {
	e := newEnv(b)
	var n atomic.Int64
	body := func() []byte {
		return slacktest.SlashCommand{UserID: uIlze, UserName: "ilze", ChannelID: chLGIA, Text: "consult Jautājums",
			ResponseURL: e.slack.ResponseURL()}.Body()
	}
	b.ReportAllocs()
	for b.Loop() {
		n.Add(1)
		res := e.post(PathCommands, slacktest.Form, body(), time.Now(), slacktest.SigningSecret, nil)
		if res.StatusCode != 200 {
			b.Fatal(res.Status)
		}
		want := int(n.Load())
		if !e.slack.WaitFor(10*time.Second, func() bool {
			return e.slack.Count("response_url") >= want && e.slack.Count("chat.postMessage") >= 2*want
		}) {
			b.Fatal("not answered")
		}
	}
	b.StopTimer()
	rs, _ := e.Store.Requests(context.Background(), bot.RequestFilter{})
	if len(rs) < b.N {
		b.Fatalf("%d requests for %d commands", len(rs), b.N)
	}
}
