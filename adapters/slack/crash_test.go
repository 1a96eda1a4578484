package slack

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"itbot/adapters/slack/slacktest"
)

// reqID finds a request id in a message.
var reqID = regexp.MustCompile(`IT-\d{4}-\d{6,}`)

// crashChildEnv names the data file a crash-test child serves on;
// crashAPIEnv the local Slack it posts to (the parent's, which outlives it).
const (
	crashChildEnv = "ITBOT_SLACK_CRASH_CHILD"
	crashAPIEnv   = "ITBOT_SLACK_CRASH_API"
)

// onAPI points the adapter at the local Slack api.
func onAPI(api string) func(*Config, *slacktest.Server) {
	return func(c *Config, _ *slacktest.Server) { c.APIURL = api }
}

// TestCrashChild is the process TestKilledUnderLoadLosesNothing kills: the
// whole bot with the Slack adapter on a real bbolt file, its endpoints on
// loopback. It prints its URL and serves until killed.
func TestCrashChild(t *testing.T) {
	path := os.Getenv(crashChildEnv)
	if path == "" {
		t.Skip("run by TestKilledUnderLoadLosesNothing")
	}
	e := newEnvAt(t, path, true, onAPI(os.Getenv(crashAPIEnv)))
	fmt.Printf("URL %s\n", e.srv.URL)
	select {}
}

// TestKilledUnderLoadLosesNothing: signed slash commands are sent to a
// child process that is killed with SIGKILL in the middle of the load;
// after a restart on the same data file every command that was
// acknowledged (200) exists as exactly one request, none exists twice, and
// every request's card reached Slack (the local Slack outlives the child;
// cards a stop cut short are posted again, a few perhaps twice — counted).
func TestKilledUnderLoadLosesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a child process")
	}
	path := filepath.Join(t.TempDir(), "itbot.db")
	sl := newSlack(t)
	child := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
	child.Env = append(os.Environ(), crashChildEnv+"="+path, crashAPIEnv+"="+sl.APIURL())
	out, err := child.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	child.Stderr = os.Stderr
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	defer child.Process.Kill()
	url := ""
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		if u, ok := strings.CutPrefix(sc.Text(), "URL "); ok {
			url = u
			break
		}
	}
	if url == "" {
		t.Fatal("the child did not start")
	}
	go func() {
		for sc.Scan() {
		}
	}()

	// The load: 8 senders, each command with its own text; the child is
	// killed once 120 were acknowledged.
	const total, killAfter = 400, 120
	var (
		mu    sync.Mutex
		acked = map[string]bool{}
		sent  atomic.Int64
		n     atomic.Int64
		kill  sync.Once
		wg    sync.WaitGroup
	)
	client := &http.Client{Timeout: 5 * time.Second}
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := sent.Add(1)
				if i > total {
					return
				}
				text := fmt.Sprintf("consult avārija %d", i)
				c := slacktest.SlashCommand{UserID: uIlze, UserName: "ilze", ChannelID: chLGIA, Text: text, ResponseURL: sl.ResponseURL()}
				req, _ := slacktest.SignedRequest(context.Background(), url+PathCommands, slacktest.SigningSecret, slacktest.Form, c.Body(), time.Now())
				res, err := client.Do(req)
				if err != nil {
					continue // refused: the child is gone
				}
				b := make([]byte, 1)
				nb, _ := res.Body.Read(b)
				res.Body.Close()
				if res.StatusCode == 200 && nb == 0 {
					mu.Lock()
					acked["avārija "+strings.TrimPrefix(text, "consult avārija ")] = true
					mu.Unlock()
					if n.Add(1) == killAfter {
						kill.Do(func() { child.Process.Kill() })
					}
				}
			}
		}()
	}
	wg.Wait()
	kill.Do(func() { child.Process.Kill() })
	child.Wait()
	if len(acked) < killAfter {
		t.Fatalf("only %d commands acknowledged before the kill", len(acked))
	}

	// The restart: the notices a stop cut short are posted again, the
	// journal's unfinished deliveries run.
	e := newEnvAt(t, path, true, onAPI(sl.APIURL()))
	if _, err := e.Bot.Reannounce(context.Background()); err != nil {
		t.Fatal(err)
	}
	e.wait("the journal drained and the notices delivered", func() bool {
		ps, err := e.Store.JournalPending(context.Background(), Platform, 0)
		cs, err2 := e.Store.Unannounced(context.Background(), 0)
		return err == nil && err2 == nil && len(ps) == 0 && len(cs) == 0 && e.ad.Idle()
	})
	count := map[string]int{}
	for _, r := range e.requests() {
		count[r.Params.Text]++
	}
	lost, twice := 0, 0
	for text := range acked {
		if count[text] == 0 {
			lost++
		}
	}
	for text, c := range count {
		if c > 1 {
			twice++
			t.Errorf("%q created %d times", text, c)
		}
	}
	if lost > 0 {
		t.Errorf("%d of %d acknowledged commands lost", lost, len(acked))
	}
	cards := map[string]int{}
	for _, m := range sl.Messages(chLGIA) {
		if m.ThreadTS == "" && !m.Ephemeral && !m.Human {
			if id := reqID.FindString(blocksText(m.Blocks)); id != "" {
				cards[id]++
			}
		}
	}
	noCard, doubled := 0, 0
	for _, r := range e.requests() {
		switch cards[r.ID] {
		case 0:
			noCard++
		case 1:
		default:
			doubled++
		}
	}
	if noCard > 0 {
		t.Errorf("%d requests have no card in the channel", noCard)
	}
	t.Logf("%d acknowledged before the kill, %d requests after the restart, %d lost, %d twice; cards: %d missing, %d posted twice",
		len(acked), len(count), lost, twice, noCard, doubled)
}
