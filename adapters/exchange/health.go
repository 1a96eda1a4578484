package exchange

import (
	"context"

	"github.com/microsoftgraph/msgraph-sdk-go/models"

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
	// serviceHealth.status is an evolvable enum (Graph: "serviceHealth
	// resource type", ending in unknownFutureValue): a value the SDK does
	// not know parses as nil. Neither says whether Exchange is up, so
	// the state is unknown, never down (a false outage alarm).
	switch s := res.GetStatus(); {
	case s == nil:
		h.Status, h.Unknown = "unknown", true
	case *s == models.UNKNOWNFUTUREVALUE_SERVICEHEALTHSTATUS:
		h.Status, h.Unknown = s.String(), true
	default:
		h.Status = s.String()
		h.Up = !downStates[h.Status]
	}
	if n := res.GetService(); n != nil {
		h.Detail = *n
	}
	return h, nil
}
