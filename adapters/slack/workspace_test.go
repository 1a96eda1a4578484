package slack

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"itbot/adapters/slack/slacktest"
	"itbot/bot"
)

// A request signed with our signing secret but naming another workspace
// or another app is refused: a slash command creates nothing and the
// person is told; an event is not handled; a click from another workspace
// carrying an approver's user id approves nothing.
func TestOtherWorkspacesAndAppsRefused(t *testing.T) {
	e := newEnv(t)
	for _, sc := range []slacktest.SlashCommand{
		{UserID: uAnna, ChannelID: chLGIA, Text: "consult svešs darba telpa", TeamID: "T0FOREIGN1"},
		{UserID: uAnna, ChannelID: chLGIA, Text: "consult cita lietotne", APIAppID: "A0OTHERAPP"},
	} {
		sc.ResponseURL = e.slack.ResponseURL()
		res := e.post(PathCommands, slacktest.Form, sc.Body(), time.Now(), slacktest.SigningSecret, nil)
		if got := body(res); res.StatusCode != http.StatusOK || !strings.Contains(got, "VARAM") {
			t.Errorf("%s/%s: %d %q", sc.TeamID, sc.APIAppID, res.StatusCode, got)
		}
	}
	ev := slacktest.EventCallback("Ev0FOREIGN01", time.Now(), slacktest.MessageEvent{UserID: uJanis, Channel: "D" + uJanis, Text: "/it consult no citas telpas", TS: "1790000001.000100"}.Event())
	ev["team_id"] = "T0FOREIGN1"
	if res := e.post(PathEvents, slacktest.JSON, slacktest.MustJSON(ev), time.Now(), slacktest.SigningSecret, nil); res.StatusCode != http.StatusOK {
		t.Errorf("foreign event: %d", res.StatusCode)
	}
	ev = slacktest.EventCallback("Ev0FOREIGN02", time.Now(), slacktest.MessageEvent{UserID: uJanis, Channel: "D" + uJanis, Text: "/it consult cita lietotne", TS: "1790000001.000200"}.Event())
	ev["api_app_id"] = "A0OTHERAPP"
	e.post(PathEvents, slacktest.JSON, slacktest.MustJSON(ev), time.Now(), slacktest.SigningSecret, nil)

	// A real request waiting for Ilze's approval, and a click on Approve
	// from another workspace with her user id.
	_, rurl := e.command(uIlze, chLGIA, "whoami")
	e.responseTo(rurl)
	_, rurl = e.command(uAnna, chLGIA, "licence assign janis.ozols@lgia.gov.lv E3")
	e.responseTo(rurl)
	e.wait("the approver's card", func() bool { return len(e.top("D"+uIlze)) == 1 })
	dm := e.top("D" + uIlze)[0]
	const approve = "/it approve IT-2026-000001"
	click := slacktest.BlockActions{UserID: uIlze, ChannelID: "D" + uIlze, MessageTS: dm.TS, ResponseURL: e.slack.ResponseURL(), TeamID: "T0FOREIGN1",
		Button: slacktest.Button{ActionID: buttons(dm.Blocks)[approve], BlockID: "itbot.actions", Value: approve}}
	if res := e.post(PathInteractions, slacktest.Form, click.Body(), time.Now(), slacktest.SigningSecret, nil); res.StatusCode != http.StatusOK {
		t.Fatalf("foreign click: %d", res.StatusCode)
	}
	e.runQueued()
	rs := e.requests()
	if len(rs) != 1 {
		t.Fatalf("%d requests, want only the real one: %+v", len(rs), rs)
	}
	if rs[0].State != bot.StateAwaitingApproval {
		t.Errorf("a click from another workspace changed the request: %s", rs[0].State)
	}
	if logs := e.logs.String(); strings.Count(logs, "request from another workspace or app refused") < 5 {
		t.Errorf("refusals not logged:\n%s", logs)
	}
}

// With no workspace configured, the bot token's own (auth.test) and app
// (bots.info) are learned at start; before that a command is asked to
// wait, not taken.
func TestWorkspaceLearnedFromTheToken(t *testing.T) {
	e := newEnvRun(t, false, func(c *Config, _ *slacktest.Server) { c.TeamIDs, c.AppID = nil, "" })
	res, _ := e.command(uAnna, chLGIA, "consult pirms starta")
	if got := body(res); !strings.Contains(got, bot.Tr(bot.EN, "slack.starting", nil)) {
		t.Fatalf("before auth.test: %q", got)
	}
	e.ad.whoami(t.Context())
	if why := e.ad.trust.check(slacktest.TeamID, "", slacktest.AppID); why != "" {
		t.Fatalf("own workspace after auth.test: %s", why)
	}
	if why := e.ad.trust.check("T0FOREIGN1", "", slacktest.AppID); why != refusedForeignTeam {
		t.Errorf("foreign workspace: %q", why)
	}
	if why := e.ad.trust.check(slacktest.TeamID, "", "A0OTHERAPP"); why != refusedForeignApp {
		t.Errorf("foreign app: %q", why)
	}
}

// An Events API body that is not an envelope (null, not JSON) is a 400,
// not "ignored".
func TestMalformedEventBodies(t *testing.T) {
	e := newEnv(t)
	for _, raw := range []string{"null", "{}", "[]", "not json"} {
		if res := e.post(PathEvents, slacktest.JSON, []byte(raw), time.Now(), slacktest.SigningSecret, nil); res.StatusCode != http.StatusBadRequest {
			t.Errorf("%q: %d", raw, res.StatusCode)
		}
	}
}

// A user Slack does not know (users.info: user_not_found) is told so, not
// that Slack is not answering.
func TestUserNotFoundIsSaid(t *testing.T) {
	e := newEnv(t)
	_, rurl := e.command("U0NOBODY01", chLGIA, "consult kas es esmu")
	ans := e.responseTo(rurl)
	if !strings.Contains(ans.Text, bot.Tr(bot.LV, "slack.user_not_found", bot.Args{"UserID": "U0NOBODY01"})[:30]) ||
		strings.Contains(ans.Text, "not answering") {
		t.Errorf("answer: %q", ans.Text)
	}
}
