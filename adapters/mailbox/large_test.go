package mailbox_test

import (
	"bytes"
	"context"
	"testing"

	"itbot/bot"
)

// Defect 2 (issue 15): files past Graph's 4 MB request limit. 3 MiB of
// files is about 4.2 MB in base64: a reply with them in one request is
// refused (413) and was dropped. Now every file goes to a draft on its
// own, large ones through an upload session in ranges, and the mail
// arrives with all its files, byte for byte.
func TestLargeFilesReachTheRequester(t *testing.T) {
	w := newWorld(t)
	in := w.deliver("lv_licence_outlook.eml")
	w.poll()
	r := w.requests()[0]
	big := bytes.Repeat([]byte("IT-2026;konts@lgia.gov.lv;E3;aktīvs\n"), 7<<20/36) // ≈ 7 MB: an upload session in ranges
	mid := bytes.Repeat([]byte("x"), 2_900_000)                                    // under 3 MB alone, over the limit together
	files := []bot.File{{Name: "konti.csv", Mime: "text/csv", Data: big}, {Name: "kopsavilkums.csv", Mime: "text/csv", Data: mid},
		{Name: "vel.csv", Mime: "text/csv", Data: mid}}
	n := bot.Notice{To: bot.Address{Platform: "mailbox", Channel: in.ConversationID, Thread: in.ConversationID, User: r.Requester}, Lang: bot.LV, Request: r,
		Reply: bot.Reply{Kind: bot.KindUpdate, Title: r.ID, Text: "pārskats", Request: r, Files: files}}
	before := len(w.sent())
	w.Bot.Notify.Post(context.Background(), n)
	if _, err := w.A.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	sent := w.sent()
	if len(sent) != before+1 {
		t.Fatalf("%d mails sent, want %d", len(sent), before+1)
	}
	got := map[string][]byte{}
	for _, a := range sent[len(sent)-1].Attachments {
		got[a.Name] = a.Content
	}
	for _, f := range files {
		if !bytes.Equal(got[f.Name], f.Data) {
			t.Errorf("%s: %d bytes arrived of %d", f.Name, len(got[f.Name]), len(f.Data))
		}
	}
}
