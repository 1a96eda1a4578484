package mattermost

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/mattermost/mattermost/server/public/model"

	"itbot/bot"
	"itbot/bot/dialogue"
	"itbot/commands"
)

func sleepBriefly() { time.Sleep(5 * time.Millisecond) }

// repliesTo counts the bot's answers to one post: in a direct channel the
// bot answers after it, so the answers are counted by thread or, for root
// direct messages, by the text they quote back.
func (h *harness) botAnswers(channel string) int {
	return len(h.botPosts(channel))
}

// A direct message is answered once over the live websocket. The
// connection drops; while the bot is away Anna writes twice more and Jānis
// mentions the bot in the channel. When the bot is back it catches up:
// each missed post is answered exactly once, and the post it had already
// answered (fetched again because catch-up looks back a margin) is not
// answered twice.
func TestWebsocketDropAndCatchUp(t *testing.T) {
	h := newHarness(t)
	h.run()
	dm := h.dm("anna.berzina")

	first := h.say("anna.berzina", dm, "", "Labdien!")
	h.waitHandled(first.Id)
	if n := h.botAnswers(dm); n != 1 {
		t.Fatalf("%d answers to the first message, want 1:\n%s", n, texts(h.botPosts(dm)))
	}
	want := bot.Tr(bot.LV, "router.conversation_fallback", bot.Args{"Prefix": bot.Prefix})
	if got := h.botPosts(dm)[0].Message; !strings.Contains(got, strings.Split(want, "\n")[0]) {
		t.Errorf("answer = %q", got)
	}

	// The network goes away and stays away for a while.
	h.mm.RefuseWebSockets(true)
	h.mm.DropWebSockets()
	missed := []*model.Post{
		h.say("anna.berzina", dm, "", "Vai jūs mani dzirdat?"),
		h.say("anna.berzina", dm, "", "/it pieteikumi"),
		h.say("janis.ozols", h.town.Id, "", "@itbot palīdzība, lūdzu"),
	}
	// Posts not addressed to the bot are never handled.
	other := h.say("janis.ozols", h.town.Id, "", "Paldies visiem!")
	h.a.Drain()
	if n := h.botAnswers(dm); n != 1 {
		t.Fatalf("answers while disconnected: %d", n)
	}

	// Back: the bot reconnects by itself and catches up.
	h.mm.RefuseWebSockets(false)
	h.waitCatchUp()
	for _, p := range missed {
		h.waitHandled(p.Id)
	}
	if n := h.botAnswers(dm); n != 3 {
		t.Fatalf("%d answers in the direct channel after catch-up, want 3 (1 live + 2 missed):\n%s", n, texts(h.botPosts(dm)))
	}
	if got := h.botPosts(dm)[2].Message; !strings.Contains(got, bot.Tr(bot.LV, "cmd.requests_none", nil)) {
		t.Errorf("answer to /it pieteikumi = %q", got)
	}
	mention := h.mm.Thread(missed[2].Id)
	if len(mention) != 1 {
		t.Fatalf("answers to the mention:\n%s", texts(mention))
	}
	if v, _ := h.env.Store.Get(context.Background(), bucketSeen, other.Id); v != nil {
		t.Error("a post not addressed to the bot was handled")
	}

	// Another drop with nothing missed: catch-up handles nothing again.
	h.mm.DropWebSockets()
	h.waitCatchUp()
	if n := h.botAnswers(dm); n != 3 {
		t.Errorf("%d answers after a second catch-up, want still 3", n)
	}
	if n := len(h.mm.Thread(missed[2].Id)); n != 1 {
		t.Errorf("%d answers to the mention after a second catch-up", n)
	}
	if !strings.Contains(h.logs.String(), "websocket disconnected; reconnecting") {
		t.Error("the drop was not logged")
	}
}

// The bot ignores its own posts and other bots' posts.
func TestIgnoresBotsAndItself(t *testing.T) {
	h := newHarness(t)
	h.run()
	p := h.say("otherbot", h.town.Id, "", "@itbot palīdzība")
	dm := h.dm("anna.berzina")
	// The bot's own post in the direct channel.
	own, err := h.a.createPost(context.Background(), &model.Post{ChannelId: dm, Message: "@itbot sveiki"})
	if err != nil {
		t.Fatal(err)
	}
	ok := h.say("anna.berzina", dm, "", "sveiki")
	h.waitHandled(ok.Id)
	h.a.Drain()
	if n := len(h.mm.Thread(p.Id)); n != 0 {
		t.Errorf("answered another bot %d times", n)
	}
	for _, id := range []string{own.Id} {
		if v, _ := h.env.Store.Get(context.Background(), bucketSeen, id); v != nil {
			t.Errorf("own post %s was handled", id)
		}
	}
}

// A Mattermost account without an e-mail address cannot be matched to a
// person: the answer says so in Latvian and English and nothing is
// created, whether the person types the slash command or writes to the
// bot.
func TestUserWithoutEmail(t *testing.T) {
	h := newHarness(t)
	h.run()
	cr := h.slash("sso.lietotajs", h.town.Id, "licence piešķirt janis.ozols@lgia.gov.lv E3")
	want := both("mm.no_email", bot.Args{"User": "@sso.lietotajs"})
	if cr.ResponseType != model.CommandResponseTypeEphemeral || cr.Text != want {
		t.Errorf("answer = %+v\nwant %q", cr, want)
	}
	if !strings.Contains(cr.Text, "e-pasta adreses") || !strings.Contains(cr.Text, "no e-mail address") {
		t.Errorf("answer is not in both languages: %q", cr.Text)
	}
	dm := h.dm("sso.lietotajs")
	p := h.say("sso.lietotajs", dm, "", "Lūdzu piešķiriet licenci")
	h.waitHandled(p.Id)
	got := h.botPosts(dm)
	if len(got) != 1 || !strings.Contains(got[0].Message, "no e-mail address") {
		t.Errorf("direct answer:\n%s", texts(got))
	}
	if rs := h.requests(); len(rs) != 0 {
		t.Errorf("%d requests created for a user without e-mail", len(rs))
	}
	if !strings.Contains(h.logs.String(), "user without e-mail address refused") {
		t.Error("the refusal was not logged")
	}

	// An address itbot does not know is refused the same way, naming it.
	cr = h.slash("zane.kalna", h.town.Id, "pieteikumi")
	if !strings.Contains(cr.Text, "zane.kalna@lgia.gov.lv") || !strings.Contains(cr.Text, "not known to itbot") {
		t.Errorf("unknown person's answer = %q", cr.Text)
	}
}

// Without a team the catch-up reads every channel the bot is a member of.
func TestCatchUpWithoutTeam(t *testing.T) {
	h := newHarnessWith(t, func(c *Config) { c.Team = ""; c.OpsChannel = "" })
	h.run()
	dm := h.dm("janis.ozols")
	h.mm.RefuseWebSockets(true)
	h.mm.DropWebSockets()
	p := h.say("janis.ozols", dm, "", "Hello?")
	h.mm.RefuseWebSockets(false)
	h.waitCatchUp()
	h.waitHandled(p.Id)
	if n := len(h.botPosts(dm)); n != 1 {
		t.Fatalf("%d answers, want 1", n)
	}
	if n := h.mm.Calls("GET", "/api/v4/users/"+h.bot.Id+"/channels"); n == 0 {
		t.Error("the bot's channels were not listed across teams")
	}
}

// A yes/no question's buttons go once it is answered: the click's answer
// updates the question post (its text stays, the answer under it).
func TestAnsweredQuestionLosesItsButtons(t *testing.T) {
	h := newHarness(t)
	dialogue.New(h.env.Bot, dialogue.Options{Help: commands.HelpText, Ack: commands.Ack}).Install(h.env.Router)
	h.run()
	dm := h.dm("anna.berzina")
	msg := h.say("anna.berzina", dm, "", "Lūdzu izveidojiet kopīgo pastkasti arhivs@lgia.gov.lv")
	h.waitHandled(msg.Id)
	var q *model.Post
	for _, p := range h.botPosts(dm) {
		if len(buttons(p)) > 0 {
			q = p
		}
	}
	if q == nil {
		t.Fatalf("no question with buttons:\n%s", texts(h.botPosts(dm)))
	}
	h.click("anna.berzina", q, bot.Tr(bot.LV, "dlg.btn_create", nil))
	got := h.mm.Post(q.Id)
	if len(buttons(got)) != 0 || !strings.Contains(got.Message, bot.Tr(bot.LV, "mm.answered_yes", nil)) || !strings.Contains(got.Message, "arhivs@lgia.gov.lv") {
		t.Errorf("the answered question: %q, buttons %v", got.Message, buttons(got))
	}
	if v, _ := got.GetProp(model.PostPropsFromBot).(string); v != "true" {
		t.Errorf("the updated question lost from_bot")
	}
	if rs := h.requests(); len(rs) != 1 {
		t.Errorf("%d requests, want the one confirmed", len(rs))
	}
}
