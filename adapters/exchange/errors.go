package exchange

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"

	abs "github.com/microsoft/kiota-abstractions-go"
	"github.com/microsoftgraph/msgraph-sdk-go/models/odataerrors"

	"itbot/adapters/graph"
	"itbot/bot"
)

// subject names what a call was about, for the messages.
type subject struct {
	User    string // the account
	Address string // an address being created
	SKU     string // the licence's friendly name
	Mailbox string // a shared mailbox
	// NotFound is the phrase id for a 404 (exo.user_unknown by default).
	NotFound string
}

// callError is a failed call's facts, from Graph or the admin API.
type callError struct {
	api        string // "graph" or "admin"
	status     int
	code       string
	exception  string
	message    string
	retryAfter time.Duration
}

// asCall reads a Graph or admin API error; ok is false for other errors.
func asCall(err error) (callError, bool) {
	var oe *odataerrors.ODataError
	if errors.As(err, &oe) {
		c := callError{api: "graph", status: oe.ResponseStatusCode, retryAfter: -1}
		if me := oe.GetErrorEscaped(); me != nil {
			if p := me.GetCode(); p != nil {
				c.code = *p
			}
			if p := me.GetMessage(); p != nil {
				c.message = *p
			}
		}
		if h := oe.GetResponseHeaders(); h != nil {
			if v := h.Get("Retry-After"); len(v) > 0 {
				c.retryAfter = graph.RetryAfter(v[0], time.Now())
			}
		}
		return c, true
	}
	var ae *abs.ApiError
	if errors.As(err, &ae) {
		c := callError{api: "graph", status: ae.ResponseStatusCode, message: ae.Message, retryAfter: -1}
		if ae.ResponseHeaders != nil {
			if v := ae.ResponseHeaders.Get("Retry-After"); len(v) > 0 {
				c.retryAfter = graph.RetryAfter(v[0], time.Now())
			}
		}
		return c, true
	}
	var ad *adminError
	if errors.As(err, &ad) {
		return callError{api: "admin", status: ad.Status, code: ad.Code, exception: ad.Exception, message: ad.Message, retryAfter: ad.RetryAfter}, true
	}
	return callError{}, false
}

// isCode reports whether err is a Graph error with that code.
func isCode(err error, code string) bool {
	c, ok := asCall(err)
	return ok && strings.EqualFold(c.code, code)
}

// isNotFound reports whether err says the object does not exist.
func isNotFound(err error) bool {
	c, ok := asCall(err)
	return ok && (c.status == http.StatusNotFound || strings.HasSuffix(c.exception, "ManagementObjectNotFoundException") || c.code == "Request_ResourceNotFound")
}

// translate turns a failed call into a *bot.Error with a clear phrase. The
// full cause stays wrapped for the log.
func (x *Exchange) translate(op string, s subject, err error) error {
	if err == nil {
		return nil
	}
	var be *bot.Error
	if errors.As(err, &be) {
		return err
	}
	c, ok := asCall(err)
	if !ok {
		var ne net.Error
		if errors.As(err, &ne) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
			return bot.Wrap(err, bot.EUNAVAILABLE, "exo.unreachable", "Op", op)
		}
		return bot.Wrap(err, bot.EINTERNAL, "error.internal")
	}
	cause := fmt.Errorf("%s: %s %d %s %s %s: %s", op, c.api, c.status, http.StatusText(c.status), c.code, c.exception, c.message)
	msg := strings.ToLower(c.message)
	service := "Microsoft Graph"
	if c.api == "admin" {
		service = "Exchange Online"
	}
	switch {
	case c.status == http.StatusTooManyRequests || c.status == http.StatusServiceUnavailable || c.status == http.StatusGatewayTimeout:
		secs := int((c.retryAfter + time.Second - 1) / time.Second)
		if c.retryAfter < 0 {
			secs = 0
		}
		return bot.Wrap(cause, bot.EUNAVAILABLE, "exo.throttled", "Service", service, "Seconds", secs, "Status", c.status)
	case c.status >= 500:
		return bot.Wrap(cause, bot.EUNAVAILABLE, "exo.unavailable", "Service", service, "Status", c.status)
	case c.status == http.StatusUnauthorized || c.status == http.StatusForbidden:
		return bot.Wrap(cause, bot.EUNAVAILABLE, "exo.app_forbidden", "Service", service, "Status", c.status, "Op", op)
	case strings.EqualFold(c.code, "MailboxNotEnabledForRESTAPI"):
		return bot.Wrap(cause, bot.EPENDING, "exo.mailbox_preparing", "User", s.User)
	case strings.Contains(msg, "already exists") || strings.Contains(msg, "already being used") || strings.HasSuffix(c.exception, "AlreadyExistsException"):
		a := s.Address
		if a == "" {
			a = s.Mailbox
		}
		return bot.Wrap(cause, bot.ECONFLICT, "exo.address_taken", "Address", a)
	case strings.Contains(msg, "domain portion of the userprincipalname") || strings.Contains(msg, "accepted domain") || strings.Contains(msg, "verified domain"):
		a := s.Address
		if a == "" {
			a = s.Mailbox
		}
		return bot.Wrap(cause, bot.EINVALID, "exo.domain_not_in_tenant", "Domain", bot.Domain(a))
	case strings.Contains(msg, "available licenses") || strings.Contains(msg, "enough licenses"):
		return bot.Wrap(cause, bot.ENOLICENCE, "exo.no_free_units", "SKU", s.SKU, "Enabled", "?")
	case strings.Contains(msg, "valid company license"):
		return bot.Wrap(cause, bot.EINVALID, "exo.sku_not_in_tenant", "SKU", s.SKU, "Known", "")
	case strings.Contains(msg, "usage location"):
		return bot.Wrap(cause, bot.EINVALID, "exo.usage_location", "User", s.User)
	case c.status == http.StatusNotFound || c.code == "Request_ResourceNotFound" || strings.HasSuffix(c.exception, "ManagementObjectNotFoundException"):
		id := s.NotFound
		if id == "" {
			id = "exo.user_unknown"
		}
		return bot.Wrap(cause, bot.ENOTFOUND, id, "User", s.User, "Mailbox", s.Mailbox)
	case c.status == http.StatusBadRequest:
		m := c.message
		if len(m) > 300 {
			m = m[:300] + "…"
		}
		return bot.Wrap(cause, bot.EINVALID, "exo.rejected", "Service", service, "Message", m)
	}
	return bot.Wrap(cause, bot.EINTERNAL, "error.internal")
}
