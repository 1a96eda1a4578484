package commands

import (
	"context"
	"log/slog"
	"strings"
	"time"

	"itbot/bot"
	"itbot/bot/availability"
)

func init() {
	bot.RegisterTexts(
		bot.T("statuscmd.bad_month", "„{{.Value}}” nav mēnesis. Ierakstiet to kā GGGG-MM, piemēram 2026-11.", "\"{{.Value}}\" is not a month. Write it as YYYY-MM, e.g. 2026-11."),
		bot.T("statuscmd.bad_option", "Nezināma izvēle „{{.Value}}”. Var: /it statuss [--grafiks] [--mēnesis GGGG-MM]", "Unknown option \"{{.Value}}\". You can use: /it status [--chart] [--month YYYY-MM]"),
		bot.T("statuscmd.chart_failed", "Attēlu neizdevās izveidot; skaitļi ir augstāk.", "The picture could not be drawn; the figures are above."),
		bot.T("statuscmd.no_services", "Pieejamības uzraudzība nav ieslēgta.", "Availability monitoring is not switched on."),
		bot.T("statuscmd.future", "Mēnesis {{.Month}} vēl nav sācies.", "The month {{.Month}} has not begun yet."),
	)
}

// Reporter gives the services' availability reports for the month
// containing a time (availability.Monitor does).
type Reporter interface {
	Reports(ctx context.Context, month time.Time) ([]*availability.Report, error)
}

// ChartFunc draws reports as a PNG (chart.PNG); it is passed in so that
// this package does not import the plotting library.
type ChartFunc func(rs []*availability.Report, l bot.Lang) ([]byte, error)

// ServiceStatus returns the handler of "/it statuss|status" without a
// request id: each service's state now, the month's availability against
// its target, the downtime budget left and the month's outages; with
// --chart (--grafiks) the same as a PNG; --month 2026-10 (--mēnesis) for
// another month. now is the clock (the bot's); chart failures go to log.
func ServiceStatus(src Reporter, chart ChartFunc, now func() time.Time, log *slog.Logger) bot.HandlerFunc {
	if log == nil {
		log = slog.Default()
	}
	return func(ctx context.Context, w bot.ResponseWriter, c *bot.Command) error {
		wantChart := false
		month := now()
		for i := 0; i < len(c.Args); i++ {
			switch a := bot.Fold(strings.TrimLeft(c.Args[i], "-")); {
			case a == "chart" || a == "grafiks" || a == "attels" || a == "png":
				wantChart = true
			case a == "month" || a == "menesis" || strings.HasPrefix(a, "month=") || strings.HasPrefix(a, "menesis="):
				v := ""
				if _, after, ok := strings.Cut(a, "="); ok {
					v = after
				} else if i+1 < len(c.Args) {
					i++
					v = c.Args[i]
				}
				from, _, err := availability.ParseMonth(v)
				if err != nil {
					return bot.Errorf(bot.EINVALID, "statuscmd.bad_month", "Value", v)
				}
				if from.After(now()) {
					return bot.Errorf(bot.EINVALID, "statuscmd.future", "Month", v)
				}
				month = from
			default:
				return bot.Errorf(bot.EINVALID, "statuscmd.bad_option", "Value", c.Args[i])
			}
		}
		rs, err := src.Reports(ctx, month)
		if err != nil {
			return err
		}
		rep := bot.Reply{Kind: bot.KindText, Text: availability.Render(rs, c.Lang)}
		if len(rs) == 0 {
			return bot.Errorf(bot.EUNAVAILABLE, "statuscmd.no_services")
		}
		if wantChart && chart != nil {
			png, err := chart(rs, c.Lang)
			if err != nil {
				log.Error("availability chart", "err", err)
				rep.Text += "\n" + bot.Tr(c.Lang, "statuscmd.chart_failed", nil)
			} else {
				name := "pieejamiba-" + rs[0].From.In(bot.TimeZone).Format("2006-01") + ".png"
				if c.Lang == bot.EN {
					name = "availability-" + rs[0].From.In(bot.TimeZone).Format("2006-01") + ".png"
				}
				rep.Files = []bot.File{{Name: name, Mime: "image/png", Data: png}}
			}
		}
		return say(ctx, w, rep)
	}
}
