package dvs

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"itbot/bot"
	"itbot/bottest"
)

func newJob(t *testing.T, e *env) (*BackupJob, *bottest.Poster) {
	t.Helper()
	n := bot.NewNotifier(slog.New(slog.DiscardHandler))
	ops := &bottest.Poster{Name: "test", Ops: "it-ops"}
	n.Add(ops)
	return &BackupJob{Client: e.client, Hour: 2, Minute: 30, Notify: n, Log: slog.New(slog.DiscardHandler),
		Now: func() time.Time { return time.Date(2026, 11, 23, 0, 30, 0, 0, time.UTC) }}, ops
}

func TestBackupJob(t *testing.T) {
	tests := []struct {
		name      string
		setup     func(e *env, j *BackupJob)
		wantErr   bool
		wantAlert []string // LV alert must contain these
		wantEN    string
		status    string
		verified  string
	}{
		{name: "verified backup: no alert", status: "succeeded", verified: "verified"},
		{name: "verification fails", setup: func(e *env, _ *BackupJob) {
			e.sim.FailNextVerification("testa atjaunošana: kontrolsumma nesakrīt")
		}, wantErr: true, status: "succeeded", verified: "failed",
			wantAlert: []string{"pārbaude (testa atjaunošana) neizdevās", "kontrolsumma nesakrīt", "Pēdējā pārbaudītā kopija: 2026-11-23 01:30", "GB"},
			wantEN:    "verification (test restore) failed"},
		{name: "backup fails", setup: func(e *env, _ *BackupJob) { e.sim.FailNextBackup("krātuvē nav vietas") },
			wantErr: true, status: "failed", wantAlert: []string{"neizdevās: krātuvē nav vietas"}, wantEN: "failed: krātuvē nav vietas"},
		{name: "DVS down: cannot start", setup: func(e *env, _ *BackupJob) { e.sim.SetDown("apkope") },
			wantErr: true, wantAlert: []string{"neizdevās sākt", "apkope", "Pēdējā pārbaudītā kopija: nav"}, wantEN: "could not start"},
		{name: "does not finish in time", setup: func(e *env, j *BackupJob) { j.MaxWait = DefaultPollInterval },
			wantErr: true, status: "running", wantAlert: []string{"nav beigusies 0 minūšu laikā"}, wantEN: "has not finished"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, nil)
			j, ops := newJob(t, e)
			if tc.setup != nil {
				tc.setup(e, j)
			}
			b, err := j.RunOnce(t.Context())
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v", err)
			}
			if err != nil && tc.status != "" && !errors.Is(err, ErrBackup) {
				t.Errorf("err %v does not wrap ErrBackup", err)
			}
			if b.Status != tc.status || b.Verified != tc.verified {
				t.Errorf("backup %s/%s, want %s/%s", b.Status, b.Verified, tc.status, tc.verified)
			}
			ns := ops.Notices()
			if len(tc.wantAlert) == 0 {
				if len(ns) != 0 {
					t.Fatalf("unexpected alerts %+v", ns)
				}
				return
			}
			if len(ns) != 1 {
				t.Fatalf("%d alerts, want 1", len(ns))
			}
			n := ns[0]
			if n.To.Channel != "it-ops" || n.Lang != bot.LV || n.Reply.Title != "⚠ DVS rezerves kopija" {
				t.Errorf("alert %+v", n)
			}
			for _, w := range tc.wantAlert {
				if !strings.Contains(n.Reply.Text, w) {
					t.Errorf("alert %q lacks %q", n.Reply.Text, w)
				}
			}
		})
	}
}

func TestBackupJobAlertInEnglish(t *testing.T) {
	e := newEnv(t, nil)
	j, ops := newJob(t, e)
	j.Notify.OpsLang = bot.EN
	e.sim.FailNextVerification("checksum mismatch")
	if _, err := j.RunOnce(t.Context()); err == nil {
		t.Fatal("no error")
	}
	ns := ops.Notices()
	if len(ns) != 1 || !strings.Contains(ns[0].Reply.Text, "verification (test restore) failed: checksum mismatch") ||
		!strings.Contains(ns[0].Reply.Text, "Last verified backup: 2026-11-23 01:30") {
		t.Fatalf("alerts %+v", ns)
	}
}

func TestBackupJobPollFailures(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.Retries = -1 })
	j, ops := newJob(t, e)
	started := false
	j.Client.sleep = func(context.Context, time.Duration) error {
		if !started {
			started = true
			e.sim.FailNext(3, 500, 0)
		}
		return nil
	}
	_, err := j.RunOnce(t.Context())
	if code(err) != bot.EUNAVAILABLE {
		t.Fatalf("err = %v", err)
	}
	ns := ops.Notices()
	if len(ns) != 1 || !strings.Contains(ns[0].Reply.Text, "stāvokli neizdevās uzzināt") {
		t.Fatalf("alerts %+v", ns)
	}
}

func TestBackupJobNext(t *testing.T) {
	j := &BackupJob{Hour: 2, Minute: 30}
	riga := func(y int, m time.Month, d, h, min int) time.Time {
		return time.Date(y, m, d, h, min, 0, 0, bot.TimeZone)
	}
	tests := []struct{ now, want time.Time }{
		{riga(2026, 11, 23, 1, 0), riga(2026, 11, 23, 2, 30)},
		{riga(2026, 11, 23, 2, 30), riga(2026, 11, 24, 2, 30)},
		{riga(2026, 11, 23, 10, 0), riga(2026, 11, 24, 2, 30)},
		{riga(2026, 12, 31, 23, 0), riga(2027, 1, 1, 2, 30)},
		{riga(2026, 3, 28, 12, 0), riga(2026, 3, 29, 2, 30)},   // the night summer time starts
		{riga(2026, 10, 24, 12, 0), riga(2026, 10, 25, 2, 30)}, // the night it ends
	}
	for _, tc := range tests {
		if got := j.Next(tc.now); !got.Equal(tc.want) {
			t.Errorf("Next(%v) = %v, want %v", tc.now, got, tc.want)
		}
	}
}
