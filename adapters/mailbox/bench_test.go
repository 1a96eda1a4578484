package mailbox_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"itbot/adapters/exchange/exchangetest"
	"itbot/adapters/mailbox"
)

func sampleBody(b *testing.B, name string) exchangetest.MailMessage {
	raw, err := os.ReadFile(filepath.Join("testdata", "mail", name))
	if err != nil {
		b.Fatal(err)
	}
	m, err := exchangetest.ParseMIME(raw)
	if err != nil {
		b.Fatal(err)
	}
	return m
}

// The HTML body Outlook sends (styles, Word paragraphs, a signature
// image), to text.
func BenchmarkCleanBodyOutlookHTML(b *testing.B) {
	m := sampleBody(b, "lv_licence_outlook.eml")
	b.SetBytes(int64(len(m.Body)))
	for b.Loop() {
		mailbox.CleanBody(m.Body, true)
	}
}

// A plain-text reply with Outlook's Latvian header block and quoted
// history.
func BenchmarkCleanBodyPlainReply(b *testing.B) {
	m := sampleBody(b, "lv_approve_reply.eml")
	b.SetBytes(int64(len(m.Body)))
	for b.Loop() {
		mailbox.CleanBody(m.Body, false)
	}
}

func BenchmarkAuthenticate(b *testing.B) {
	hs := []mailbox.Header{{"Received", "from x by y"}, {"Authentication-Results", "spf=pass (sender IP is 40.107.20.208) smtp.mailfrom=lgia.gov.lv; dkim=pass (signature was verified) header.d=lgia.gov.lv;dmarc=pass action=none header.from=lgia.gov.lv;compauth=pass reason=100"}}
	for b.Loop() {
		mailbox.Authenticate("ilze.liepa@lgia.gov.lv", hs, false)
	}
}

// One mail end to end through the SDK over loopback HTTP to the emulator:
// the delta round, the message and its headers, the decision (a
// consultation request in the store), the reply, mark read, move.
func BenchmarkOneMail(b *testing.B) {
	w := newWorld(b, func(c *mailbox.Config) { c.RepliesPerHour = 1 << 20 })
	w.poll() // folders made, first round done
	ctx := context.Background()
	i := 0
	for b.Loop() {
		i++
		w.send(plain("anna.berzina@lgia.gov.lv", fmt.Sprintf("Jautājums %d", i), fmt.Sprintf("/it konsultācija Kā iestatīt parakstu Nr. %d?", i)))
		st, err := w.A.Poll(ctx)
		if err != nil || st.Handled != 1 || st.Sent != 1 {
			b.Fatalf("%+v %v", st, err)
		}
	}
}

// A backlog of 100 mails in pages of 25: per mail.
func BenchmarkBacklog100(b *testing.B) {
	w := newWorld(b, func(c *mailbox.Config) { c.RepliesPerHour = 1 << 20 })
	w.poll()
	ctx := context.Background()
	n := 0
	for b.Loop() {
		b.StopTimer()
		for k := 0; k < 100; k++ {
			n++
			w.send(plain("anna.berzina@lgia.gov.lv", fmt.Sprintf("Jautājums %d", n), fmt.Sprintf("/it konsultācija Kā iestatīt parakstu Nr. %d?", n)))
		}
		b.StartTimer()
		st, err := w.A.Poll(ctx)
		if err != nil || st.Handled != 100 {
			b.Fatalf("%+v %v", st, err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*100)/1000, "ms/mail")
}
