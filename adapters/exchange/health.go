package exchange

import (
	"context"

	"itbot/bot"
)

// downStates are the service health states in which Exchange Online
// counts as down for the availability monitor.
var downStates = map[string]bool{"serviceInterruption": true, "restoringService": true, "extendedRecovery": true}

// Health returns Exchange Online's state from Graph's service health
// (admin/serviceAnnouncement/healthOverviews/Exchange).
func (x *Exchange) Health(ctx context.Context) (bot.Health, error) {
	h := bot.Health{Service: "exchange", At: x.opt.Now().UTC()}
	res, err := x.adminAPI().ServiceAnnouncement().HealthOverviews().ByServiceHealthId("Exchange").Get(ctx, nil)
	if err != nil {
		h.Status = "unknown"
		err = x.translate("service health", subject{}, err)
		h.Detail = bot.ErrorPhrase(err).Render(bot.EN)
		return h, err
	}
	if s := res.GetStatus(); s != nil {
		h.Status = s.String()
	}
	h.Up = h.Status != "" && !downStates[h.Status]
	if n := res.GetService(); n != nil {
		h.Detail = *n
	}
	return h, nil
}
