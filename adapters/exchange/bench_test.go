package exchange_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	"itbot/adapters/exchange"
	"itbot/adapters/exchange/exchangetest"
	"itbot/bot"
	"itbot/bottest"
)

// benchAdapter is the real adapter against the emulator, without the bot.
func benchAdapter(b *testing.B) (*exchange.Exchange, *exchangetest.Tenant, *bot.Institution) {
	b.Helper()
	e := bottest.New(b)
	ten := exchangetest.SandboxTenant(time.Now)
	srv := exchangetest.NewServer(ten)
	b.Cleanup(srv.Close)
	x, err := exchange.New(exchange.Config{TenantID: ten.ID, GraphBaseURL: srv.GraphURL(), AdminBaseURL: srv.AdminURL()},
		exchange.Options{Credential: exchange.StaticCredential("t"), KV: e.Store, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		b.Fatal(err)
	}
	inst, err := e.Store.Institution(context.Background(), "LGIA")
	if err != nil {
		b.Fatal(err)
	}
	return x, ten, inst
}

// BenchmarkAssignRevoke is one licence assignment and one revocation
// through the SDK over loopback HTTP (each: subscribedSkus, the user, and
// assignLicense).
func BenchmarkAssignRevoke(b *testing.B) {
	x, _, inst := benchAdapter(b)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := x.AssignLicence(ctx, inst, "skeneris@lgia.gov.lv", "E1"); err != nil {
			b.Fatal(err)
		}
		if _, err := x.RevokeLicence(ctx, inst, "skeneris@lgia.gov.lv", "E1"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSharedMembers lists a shared mailbox's members through the
// admin API (Get-Mailbox, Get-MailboxPermission, Get-RecipientPermission).
func BenchmarkSharedMembers(b *testing.B) {
	x, _, inst := benchAdapter(b)
	ctx := context.Background()
	if _, err := x.AddSharedMember(ctx, inst, "lietvediba@lgia.gov.lv", "anna.berzina@lgia.gov.lv", ""); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if ms, err := x.SharedMembers(ctx, inst, "lietvediba@lgia.gov.lv"); err != nil || len(ms) != 1 {
			b.Fatal(ms, err)
		}
	}
}

// BenchmarkAccountReport500 builds the account report of an institution
// with 500 accounts (users with paging, three report CSVs via redirect).
func BenchmarkAccountReport500(b *testing.B) {
	x, ten, inst := benchAdapter(b)
	for i := 0; i < 500; i++ {
		ten.AddUser(exchangetest.User{UPN: fmt.Sprintf("lietotajs%03d@lgia.gov.lv", i), DisplayName: fmt.Sprintf("Lietotājs %d", i), UsageLocation: "LV", AccountEnabled: true,
			Mailbox: &exchangetest.Mailbox{SizeBytes: int64(i) << 20, Items: i * 10, LastActivity: time.Now()}})
	}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := x.AccountReport(ctx, inst); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseReportCSV parses a 5000-row mailbox usage report.
func BenchmarkParseReportCSV(b *testing.B) {
	var buf bytes.Buffer
	buf.WriteString("\ufeffReport Refresh Date,User Principal Name,Display Name,Is Deleted,Deleted Date,Created Date,Last Activity Date,Item Count,Storage Used (Byte),Issue Warning Quota (Byte),Prohibit Send Quota (Byte),Prohibit Send/Receive Quota (Byte)\n")
	for i := 0; i < 5000; i++ {
		fmt.Fprintf(&buf, "2026-11-22,user%d@lgia.gov.lv,User %d,False,,2022-10-10,2026-11-22,%d,%d,105226698752,106300440576,107374182400\n", i, i, i*7, i<<20)
	}
	data := buf.Bytes()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := exchange.ParseReportCSV(data); err != nil {
			b.Fatal(err)
		}
	}
}
