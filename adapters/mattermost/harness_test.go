package mattermost

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/mattermost/mattermost/server/public/model"

	"itbot/adapters/mattermost/mmtest"
	"itbot/adapters/sandbox"
	"itbot/bot"
	"itbot/bottest"
)

// commandToken is the /it slash command's token in tests.
const commandToken = "cmdtoken0123456789abcdefgh"

// harness is a whole itbot with the Mattermost adapter, talking to a
// mmtest server through the real model.Client4 and WebSocketClient; people
// act through their own model.Client4.
type harness struct {
	t      testing.TB
	env    *bottest.Env
	mm     *mmtest.Server
	a      *Adapter
	web    *httptest.Server
	team   *model.Team
	bot    *model.User
	users  map[string]*model.User // by e-mail or name
	tokens map[string]string
	town   *model.Channel // it-pieteikumi: anna, ilze, the bot
	ops    *model.Channel // it-operatori: kristaps, the bot
	logs   *syncBuffer
	caught chan struct{}
	stop   func()
}

type syncBuffer = bottest.LogBuffer

// newHarness builds the world: a team, the bot account, the sandbox people
// with Mattermost accounts, a user without an e-mail address, one who is
// not in itbot's directory, the requests channel and the operators'
// channel; the sandbox Exchange and DVS behind the bot.
func newHarness(t testing.TB) *harness { return newHarnessWith(t, nil) }

// newHarnessWith is newHarness with the adapter's configuration edited by
// edit first.
func newHarnessWith(t testing.TB, edit func(*Config)) *harness {
	t.Helper()
	h := &harness{t: t, env: bottest.New(t), mm: mmtest.New(t), users: map[string]*model.User{}, tokens: map[string]string{},
		logs: &syncBuffer{}, caught: make(chan struct{}, 16)}
	tn := sandbox.NewTenant()
	tn.Now = h.env.Clock.Now
	if err := sandbox.SeedTenant(tn); err != nil {
		t.Fatal(err)
	}
	h.env.Bot.Exchange = sandbox.NewExchange(tn)
	dvs := sandbox.NewDVSState()
	dvs.Now = h.env.Clock.Now
	if err := sandbox.SeedDVS(dvs); err != nil {
		t.Fatal(err)
	}
	h.env.Bot.DVS = sandbox.NewDVS(dvs)
	h.team = h.mm.AddTeam("varam")
	h.bot, h.tokens["itbot"] = h.mm.AddUser("itbot", "", true)
	h.users["itbot"] = h.bot
	for _, p := range []struct{ name, email string }{
		{"anna.berzina", "anna.berzina@lgia.gov.lv"},
		{"ilze.liepa", "ilze.liepa@lgia.gov.lv"},
		{"janis.ozols", "janis.ozols@lgia.gov.lv"},
		{"kristaps.lapsa", "kristaps.lapsa@vraa.gov.lv"},
		{"sso.lietotajs", ""},
		{"zane.kalna", "zane.kalna@lgia.gov.lv"},
		{"otherbot", "otherbot@lgia.gov.lv"},
	} {
		u, tok := h.mm.AddUser(p.name, p.email, p.name == "otherbot")
		h.users[p.name] = u
		h.tokens[p.name] = tok
		if p.email != "" {
			h.users[p.email] = u
			h.tokens[p.email] = tok
		}
	}
	h.town = h.mm.AddChannel(h.team.Id, "it-pieteikumi", model.ChannelTypeOpen,
		h.bot.Id, h.id("anna.berzina"), h.id("ilze.liepa"), h.id("janis.ozols"), h.id("sso.lietotajs"), h.id("zane.kalna"), h.id("otherbot"))
	h.ops = h.mm.AddChannel(h.team.Id, "it-operatori", model.ChannelTypeOpen, h.bot.Id, h.id("kristaps.lapsa"))

	mux := http.NewServeMux()
	h.web = httptest.NewServer(mux)
	t.Cleanup(h.web.Close)
	h.mm.AddCommand(h.team.Id, "it", h.web.URL+"/mattermost/command", commandToken)
	cfg := Config{URL: h.mm.URL(), Token: h.tokens["itbot"], CommandTokens: []string{"othertoken0123456789abcdef, " + commandToken},
		ActionSecret: strings.Repeat("s3cr3t-", 6), PublicURL: h.web.URL, Team: "varam", OpsChannel: "it-operatori",
		ReconnectMin: 5 * time.Millisecond, ReconnectMax: 40 * time.Millisecond,
		CommandWait: 20 * time.Second} // answers in the command's response, even on a loaded machine
	if edit != nil {
		edit(&cfg)
	}
	a, err := New(cfg, Deps{Door: h.env.Bot.Door(h.env.Router), Log: slog.New(slog.NewTextHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	if err != nil {
		t.Fatal(err)
	}
	a.retryBase = time.Millisecond
	a.onCatchUp = func() { h.caught <- struct{}{} }
	h.a = a
	a.Register(mux)
	if err := a.Connect(context.Background()); err != nil {
		t.Fatal(err)
	}
	h.env.Bot.Notify.Add(a)
	t.Cleanup(func() {
		if h.stop != nil {
			h.stop()
		}
		a.Close()
		if t.Failed() {
			t.Logf("adapter log:\n%s", h.logs.String())
		}
	})
	return h
}

// run starts the websocket listener and waits until it is connected and
// its first catch-up is done.
func (h *harness) run() {
	h.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		h.a.Run(ctx)
	}()
	h.stop = func() { cancel(); <-done }
	h.waitCatchUp()
}

func (h *harness) waitCatchUp() {
	h.t.Helper()
	select {
	case <-h.caught:
	case <-time.After(20 * time.Second):
		h.t.Fatal("no catch-up after (re)connecting")
	}
	h.a.Drain()
}

func (h *harness) id(name string) string { return h.users[name].Id }

func (h *harness) client(name string) *model.Client4 { return h.mm.Client(h.tokens[name]) }

// slash runs "/it text" as a person in a channel, the way the Mattermost
// client does, and waits for the bot to finish.
func (h *harness) slash(name, channel, text string) *model.CommandResponse {
	h.t.Helper()
	cr, _, err := h.client(name).ExecuteCommand(context.Background(), channel, strings.TrimSpace("/it "+text))
	if err != nil {
		h.t.Fatalf("/it %s as %s: %v", text, name, err)
	}
	h.a.Drain()
	return cr
}

// click presses the button labelled label on a post, as a person.
func (h *harness) click(name string, post *model.Post, label string) {
	h.t.Helper()
	id := ""
	for _, at := range post.Attachments() {
		for _, ac := range at.Actions {
			if ac.Name == label {
				id = ac.Id
			}
		}
	}
	if id == "" {
		h.t.Fatalf("no button %q on post %s; buttons: %v", label, post.Id, buttons(post))
	}
	if _, err := h.client(name).DoPostActionWithCookie(context.Background(), post.Id, id, "", "", nil, ""); err != nil {
		h.t.Fatalf("click %q as %s: %v", label, name, err)
	}
	h.a.Drain()
}

// say posts a message as a person.
func (h *harness) say(name, channel, root, text string) *model.Post {
	h.t.Helper()
	p, _, err := h.client(name).CreatePost(context.Background(), &model.Post{ChannelId: channel, RootId: root, Message: text})
	if err != nil {
		h.t.Fatalf("post as %s: %v", name, err)
	}
	return p
}

// dm returns the direct channel between a person and the bot.
func (h *harness) dm(name string) string {
	h.t.Helper()
	ch, _, err := h.client(name).CreateDirectChannel(context.Background(), h.id(name), h.bot.Id)
	if err != nil {
		h.t.Fatal(err)
	}
	return ch.Id
}

// botPosts returns the bot's posts in a channel.
func (h *harness) botPosts(channel string) []*model.Post {
	var out []*model.Post
	for _, p := range h.mm.Posts(channel) {
		if p.UserId == h.bot.Id {
			out = append(out, p)
		}
	}
	return out
}

// requests returns every stored request, newest first.
func (h *harness) requests() []*bot.Request {
	h.t.Helper()
	rs, err := h.env.Store.Requests(context.Background(), bot.RequestFilter{})
	if err != nil {
		h.t.Fatal(err)
	}
	return rs
}

func buttons(p *model.Post) []string {
	var out []string
	for _, at := range p.Attachments() {
		for _, ac := range at.Actions {
			out = append(out, ac.Name)
		}
	}
	return out
}

// attachment returns a post's only attachment, or fails.
func attachment(t *testing.T, p *model.Post) *model.MessageAttachment {
	t.Helper()
	atts := p.Attachments()
	if len(atts) != 1 {
		t.Fatalf("post %s has %d attachments, want 1: %q", p.Id, len(atts), p.Message)
	}
	return atts[0]
}

// field returns an attachment field's value by its title.
func field(a *model.MessageAttachment, title string) string {
	for _, f := range a.Fields {
		if f.Title == title {
			s, _ := f.Value.(string)
			return s
		}
	}
	return ""
}

// texts returns the messages and attachment texts of posts, for failure
// output.
func texts(ps []*model.Post) string {
	var b strings.Builder
	for _, p := range ps {
		b.WriteString("- " + p.Message)
		for _, a := range p.Attachments() {
			b.WriteString(" [" + a.Title + ": " + a.Text + "]")
		}
		b.WriteString("\n")
	}
	return b.String()
}
