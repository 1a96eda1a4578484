package exchange

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/google/uuid"

	"itbot/adapters/graph"
)

// adminClient calls the Exchange Online admin API's InvokeCommand
// endpoint: POST {base}/{tenant}/InvokeCommand with
// {"CmdletInput":{"CmdletName":…,"Parameters":{…}}}. The SDK's retry
// handler does not cover it, so 429/503/504 with Retry-After are waited out
// here, bounded by maxWait and maxRetries.
type adminClient struct {
	base, tenant string
	cred         azcore.TokenCredential
	scope        string
	http         *http.Client
	maxWait      time.Duration
	maxRetries   int
	log          *slog.Logger
	// sleep waits d or until ctx ends (tests leave it nil).
	sleep func(ctx context.Context, d time.Duration) error
}

// adminError is an error answer of the admin API.
type adminError struct {
	Status     int
	Code       string
	Exception  string // the Exchange exception type, when the message names one
	Message    string
	RetryAfter time.Duration // for throttling: the last Retry-After
	Waited     time.Duration // for throttling: the time already waited
}

// Error describes the answer for the log.
func (e *adminError) Error() string {
	s := fmt.Sprintf("admin api %d %s", e.Status, e.Code)
	if e.Exception != "" {
		s += " " + e.Exception
	}
	return s + ": " + e.Message
}

// cmdletResult is InvokeCommand's answer.
type cmdletResult struct {
	Value    []map[string]any `json:"value"`
	Warnings []string         `json:"@adminapi.warnings"`
	NextLink string           `json:"@odata.nextLink"`
}

// reException reads "|Microsoft.Exchange…Exception|message" as the admin
// API words cmdlet errors.
var reException = regexp.MustCompile(`\|([A-Za-z0-9_.]+(?:Exception|Error))\|(.*)$`)

func parseAdminError(status int, body []byte) *adminError {
	e := &adminError{Status: status, Code: http.StatusText(status)}
	var in struct {
		Error struct {
			Code    string `json:"code"`
			Message string `json:"message"`
			Details []struct {
				Message string `json:"message"`
			} `json:"details"`
		} `json:"error"`
	}
	if json.Unmarshal(body, &in) != nil || (in.Error.Code == "" && in.Error.Message == "") {
		e.Message = strings.TrimSpace(string(body))
		if len(e.Message) > 300 {
			e.Message = e.Message[:300]
		}
		return e
	}
	if in.Error.Code != "" {
		e.Code = in.Error.Code
	}
	e.Message = in.Error.Message
	for _, d := range in.Error.Details {
		if d.Message != "" && !strings.Contains(e.Message, "|") {
			e.Message = d.Message
		}
	}
	if m := reException.FindStringSubmatch(e.Message); m != nil {
		e.Exception, e.Message = m[1], m[2]
	}
	return e
}

func (c *adminClient) wait(ctx context.Context, d time.Duration) error {
	if c.sleep != nil {
		return c.sleep(ctx, d)
	}
	return graph.SleepCtx(ctx, d)
}

// invoke runs one cmdlet and returns its output objects (all pages).
func (c *adminClient) invoke(ctx context.Context, cmdlet string, params map[string]any) (*cmdletResult, error) {
	if params == nil {
		params = map[string]any{}
	}
	body, err := json.Marshal(map[string]any{"CmdletInput": map[string]any{"CmdletName": cmdlet, "Parameters": params}})
	if err != nil {
		return nil, err
	}
	u := c.base + "/" + c.tenant + "/InvokeCommand"
	out := &cmdletResult{}
	for u != "" {
		page, err := c.post(ctx, cmdlet, u, body)
		if err != nil {
			return nil, err
		}
		out.Value = append(out.Value, page.Value...)
		out.Warnings = append(out.Warnings, page.Warnings...)
		u = page.NextLink
	}
	return out, nil
}

// post sends one request, waiting out throttling.
func (c *adminClient) post(ctx context.Context, cmdlet, u string, body []byte) (*cmdletResult, error) {
	var waited time.Duration
	for attempt := 0; ; attempt++ {
		tok, err := c.cred.GetToken(ctx, policy.TokenRequestOptions{Scopes: []string{c.scope}})
		if err != nil {
			return nil, fmt.Errorf("admin api token: %w", err)
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(body))
		if err != nil {
			return nil, err
		}
		req.Header.Set("Authorization", "Bearer "+tok.Token)
		req.Header.Set("Content-Type", "application/json; charset=utf-8")
		req.Header.Set("Accept", "application/json")
		req.Header.Set("X-AnchorMailbox", "APP:SystemMailbox{bb558c35-97f1-4cb9-8ff7-d53741dc928c}@"+c.tenant)
		req.Header.Set("Prefer", "odata.maxpagesize=1000")
		req.Header.Set("client-request-id", uuid.NewString())
		resp, err := c.http.Do(req)
		if err != nil {
			return nil, err
		}
		data, err := io.ReadAll(io.LimitReader(resp.Body, 32<<20))
		resp.Body.Close()
		if err != nil {
			return nil, err
		}
		if resp.StatusCode/100 == 2 {
			var res cmdletResult
			if err := json.Unmarshal(data, &res); err != nil {
				return nil, fmt.Errorf("admin api %s: %w", cmdlet, err)
			}
			return &res, nil
		}
		e := parseAdminError(resp.StatusCode, data)
		switch resp.StatusCode {
		case http.StatusTooManyRequests, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
			d := graph.RetryAfter(resp.Header.Get("Retry-After"), time.Now())
			if d < 0 {
				d = time.Duration(2<<attempt) * time.Second
			}
			e.RetryAfter, e.Waited = d, waited
			// A throttled (429) cmdlet did nothing; after a 503/504 only a
			// Get- cmdlet is sent again: a New-/Set-/Add-/Remove- may have
			// run (see graph.Retry). The caller's next attempt reads first.
			again := resp.StatusCode == http.StatusTooManyRequests || strings.HasPrefix(strings.ToLower(cmdlet), "get-")
			if !again || attempt >= c.maxRetries || waited+d > c.maxWait {
				return nil, e
			}
			c.log.Info("admin api throttled", "cmdlet", cmdlet, "status", resp.StatusCode, "retry_after", d, "waited", waited)
			if err := c.wait(ctx, d); err != nil {
				return nil, err
			}
			waited += d
			continue
		}
		return nil, e
	}
}
