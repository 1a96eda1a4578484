package dvs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"itbot/bot"
)

// BackupStatus is a backup as the DVS reports it, with the facts
// bot.Backup leaves out.
type BackupStatus struct {
	bot.Backup
	// Scope is "all" (the whole DVS) or an organisation id.
	Scope string
	// Detail says why a backup failed.
	Detail string
	// VerifyDetail says why a verification failed; VerifiedAt is when the
	// test restore ended.
	VerifyDetail string
	VerifiedAt   time.Time
}

// Finished reports whether the backup and its verification have ended
// (successfully or not).
func (b BackupStatus) Finished() bool {
	switch b.Status {
	case "failed":
		return true
	case "succeeded":
		return b.Verified != "pending" && b.Verified != ""
	}
	return false
}

func (w wireBackup) status() BackupStatus {
	b := BackupStatus{
		Backup: bot.Backup{ID: w.ID, StartedAt: w.StartedAt.UTC(), Status: w.Status, SizeBytes: w.SizeBytes, SHA256: w.SHA256},
		Scope:  w.Scope, Detail: w.Detail, VerifyDetail: w.Verification.Detail,
	}
	if w.FinishedAt != nil {
		b.FinishedAt = w.FinishedAt.UTC()
	}
	if w.Verification.Status != "none" {
		b.Verified = w.Verification.Status
	}
	if w.Verification.CheckedAt != nil {
		b.VerifiedAt = w.Verification.CheckedAt.UTC()
	}
	return b
}

// ListBackups lists backups, newest first: of one organisation (the
// backups that hold its data) or, with org "", all of them; at most limit
// (0: the DVS's default).
func (c *Client) ListBackups(ctx context.Context, org string, limit int) ([]BackupStatus, error) {
	q := query("org", org)
	if limit > 0 {
		q.Set("limit", strconv.Itoa(limit))
	}
	var bs wireBackups
	if _, err := c.do(ctx, call{method: http.MethodGet, path: "/backups", query: q}, &bs); err != nil {
		return nil, c.fail(err, subject{Org: org, Institution: org, What: "backups"})
	}
	out := make([]BackupStatus, len(bs.Backups))
	for i, b := range bs.Backups {
		out[i] = b.status()
	}
	return out, nil
}

// StartBackup starts a backup of scope ("all", or an organisation id) and
// returns it as the DVS accepted it (running). A backup already running is
// ECONFLICT.
func (c *Client) StartBackup(ctx context.Context, scope string) (BackupStatus, error) {
	var b wireBackup
	_, err := c.do(ctx, call{method: http.MethodPost, path: "/backups", body: map[string]string{"scope": scope}, idemKey: newKey()}, &b)
	if err != nil {
		return BackupStatus{}, c.fail(err, subject{What: "backup"})
	}
	return b.status(), nil
}

// Backup returns one backup's status.
func (c *Client) Backup(ctx context.Context, id string) (BackupStatus, error) {
	var b wireBackup
	if _, err := c.do(ctx, call{method: http.MethodGet, path: "/backups/" + esc(id)}, &b); err != nil {
		return BackupStatus{}, c.fail(err, subject{What: "backup " + id})
	}
	return b.status(), nil
}

// ParseClock reads a time of day "HH:MM" (24-hour).
func ParseClock(s string) (hour, minute int, err error) {
	h, m, ok := strings.Cut(strings.TrimSpace(s), ":")
	if ok {
		hour, err = strconv.Atoi(h)
		if err == nil {
			minute, err = strconv.Atoi(m)
		}
	}
	if !ok || err != nil || hour < 0 || hour > 23 || minute < 0 || minute > 59 || len(m) != 2 {
		return 0, 0, fmt.Errorf("time of day %q: want HH:MM, e.g. 02:30", s)
	}
	return hour, minute, nil
}

// ErrBackup is the cause of a scheduled backup that did not end verified.
var ErrBackup = errors.New("dvs: scheduled backup not verified")

// BackupJob is the scheduled DVS backup: every day at Hour:Minute Riga
// time it starts a backup, follows it to the end of its verification (the
// DVS's test restore) and alerts the operators' channels when it could not
// start, failed, failed verification or did not end in time.
type BackupJob struct {
	Client       *Client
	Hour, Minute int
	// Scope is what to back up: "all" (default) or an organisation id.
	Scope string
	// MaxWait is how long the backup and its verification may take before
	// the operators are alerted; default 6 h (counted in polls of the
	// client's PollInterval).
	MaxWait time.Duration
	Notify  *bot.Notifier
	// KV, when set, marks each day's run, so a restart at the same minute
	// does not back up twice.
	KV  bot.KVStore
	Now func() time.Time
	Log *slog.Logger
}

func (j *BackupJob) now() time.Time {
	if j.Now != nil {
		return j.Now()
	}
	return time.Now()
}

func (j *BackupJob) log() *slog.Logger {
	if j.Log != nil {
		return j.Log
	}
	return slog.Default()
}

// Next returns the first run time strictly after now.
func (j *BackupJob) Next(now time.Time) time.Time {
	t := now.In(bot.TimeZone)
	next := time.Date(t.Year(), t.Month(), t.Day(), j.Hour, j.Minute, 0, 0, bot.TimeZone)
	if !next.After(now) {
		next = time.Date(t.Year(), t.Month(), t.Day()+1, j.Hour, j.Minute, 0, 0, bot.TimeZone)
	}
	return next
}

// Run runs the job every day until ctx ends.
func (j *BackupJob) Run(ctx context.Context) {
	for {
		next := j.Next(j.now())
		j.log().Info("dvs backup scheduled", "at", bot.FormatTime(next))
		if err := sleepTimer(ctx, time.Until(next)); err != nil {
			return
		}
		if j.KV != nil {
			day := next.In(bot.TimeZone).Format(time.DateOnly)
			first, err := j.KV.PutIfAbsent(ctx, "dvs", "backup-run/"+day, []byte(j.now().UTC().Format(time.RFC3339)))
			if err != nil {
				j.log().Warn("dvs backup run mark", "err", err)
			} else if !first {
				continue
			}
		}
		if _, err := j.RunOnce(ctx); err != nil && ctx.Err() == nil {
			j.log().Warn("dvs scheduled backup", "err", err)
		}
	}
}

// RunOnce starts one backup and follows it to the end of its
// verification. A backup that does not end verified alerts the operators
// and returns an error wrapping ErrBackup (or the call's error).
func (j *BackupJob) RunOnce(ctx context.Context) (BackupStatus, error) {
	scope := j.Scope
	if scope == "" {
		scope = "all"
	}
	at := bot.FormatTime(j.now())
	b, err := j.Client.StartBackup(ctx, scope)
	if err != nil {
		if ctx.Err() != nil {
			return b, err
		}
		j.alert(ctx, "dvs.backup_alert_start", func(l bot.Lang) bot.Args {
			return bot.Args{"At": at, "Error": j.Client.Reason(err, l)}
		})
		return b, err
	}
	j.log().Info("dvs backup started", "id", b.ID, "scope", scope)
	wait := j.MaxWait
	if wait <= 0 {
		wait = 6 * time.Hour
	}
	maxPolls := max(1, int(wait/j.Client.cfg.PollInterval))
	failures := 0
	for polls := 0; !b.Finished(); polls++ {
		if polls >= maxPolls {
			j.alert(ctx, "dvs.backup_alert_stuck", func(l bot.Lang) bot.Args {
				return bot.Args{"ID": b.ID, "Minutes": int(wait.Minutes()), "Status": b.Status, "Verified": b.Verified}
			})
			return b, fmt.Errorf("%w: %s still %s/%s after %s", ErrBackup, b.ID, b.Status, b.Verified, wait)
		}
		if err := j.Client.sleep(ctx, j.Client.cfg.PollInterval); err != nil {
			return b, err
		}
		next, err := j.Client.Backup(ctx, b.ID)
		if err != nil {
			if ctx.Err() != nil {
				return b, err
			}
			if failures++; failures >= 3 {
				j.alert(ctx, "dvs.backup_alert_poll", func(l bot.Lang) bot.Args {
					return bot.Args{"ID": b.ID, "Error": j.Client.Reason(err, l)}
				})
				return b, err
			}
			continue
		}
		failures = 0
		b = next
	}
	switch {
	case b.Status == "failed":
		j.alert(ctx, "dvs.backup_alert_failed", func(bot.Lang) bot.Args { return bot.Args{"ID": b.ID, "Detail": b.Detail} })
		return b, fmt.Errorf("%w: %s failed: %s", ErrBackup, b.ID, b.Detail)
	case b.Verified != "verified":
		j.alert(ctx, "dvs.backup_alert_verify", func(bot.Lang) bot.Args {
			a := bot.Args{"ID": b.ID, "Detail": b.VerifyDetail}
			for i, kv := 0, SizeArgs(b.SizeBytes); i+1 < len(kv); i += 2 {
				a[kv[i].(string)] = kv[i+1]
			}
			return a
		})
		return b, fmt.Errorf("%w: %s verification %s: %s", ErrBackup, b.ID, b.Verified, b.VerifyDetail)
	}
	j.log().Info("dvs backup verified", "id", b.ID, "bytes", b.SizeBytes, "sha256", b.SHA256)
	return b, nil
}

// alert posts a backup alert to every operators' channel, with the last
// verified backup for context.
func (j *BackupJob) alert(ctx context.Context, id string, args func(bot.Lang) bot.Args) {
	j.log().Warn("dvs backup alert", "alert", id)
	if j.Notify == nil {
		return
	}
	var last time.Time
	if bs, err := j.Client.ListBackups(ctx, "", 60); err == nil {
		for _, b := range bs {
			if b.Status == "succeeded" && b.Verified == "verified" && b.StartedAt.After(last) {
				last = b.StartedAt
			}
		}
	}
	j.Notify.ToOps(ctx, nil, bot.Address{}, func(l bot.Lang) bot.Reply {
		a := args(l)
		a["LastVerified"] = bot.Tr(l, "dvs.backup_none", nil)
		if !last.IsZero() {
			a["LastVerified"] = bot.FormatTime(last)
		}
		return bot.Reply{Kind: bot.KindText, Title: bot.Tr(l, "dvs.backup_alert_title", nil), Text: bot.Tr(l, id, a)}
	})
}

// Reason renders why a call failed in a few words, for the operators'
// alerts: the timeout, the lost connection or the DVS's own answer.
func (c *Client) Reason(err error, l bot.Lang) string {
	var te *TransportError
	var ae *APIError
	switch {
	case errors.As(err, &te) && te.Timeout:
		return bot.Tr(l, "dvs.reason_timeout", bot.Args{"Seconds": int(c.cfg.Timeout.Round(time.Second) / time.Second)})
	case errors.As(err, &te):
		return bot.Tr(l, "dvs.reason_unreachable", nil)
	case errors.As(err, &ae):
		return bot.Tr(l, "dvs.reason_http", bot.Args{"Status": ae.Status, "Message": ae.Message})
	}
	return bot.UserMessage(err, l)
}
