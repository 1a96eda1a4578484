package mattermost

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
)

// APIError is a Mattermost API call that failed for good.
type APIError struct {
	Call   string // what was attempted
	Status int    // the last HTTP status, 0 for a network error
	Err    error
}

// Error describes the failed call.
func (e *APIError) Error() string {
	return fmt.Sprintf("mattermost %s: status %d: %v", e.Call, e.Status, e.Err)
}

// Unwrap returns the client's error (often a *model.AppError).
func (e *APIError) Unwrap() error { return e.Err }

// statusOf returns the HTTP status of a failed call.
func statusOf(err error) int {
	var e *APIError
	if errors.As(err, &e) {
		return e.Status
	}
	return 0
}

// call runs one API call through model.Client4. Rate limiting (429) is
// retried after the server's Retry-After; server errors (5xx) and network
// errors with exponential back-off; other errors are final. Posts carry a
// pending post id, so the server drops a retried duplicate.
func (a *Adapter) call(ctx context.Context, what string, f func(ctx context.Context) (*model.Response, error)) error {
	var (
		err    error
		status int
	)
	for attempt := 0; ; attempt++ {
		var resp *model.Response
		resp, err = f(ctx)
		if err == nil {
			return nil
		}
		status = 0
		if resp != nil {
			status = resp.StatusCode
		}
		wait, retry := a.backoff(resp, status, attempt)
		if !retry || attempt >= a.cfg.Retries || ctx.Err() != nil {
			break
		}
		a.log.Info("retrying API call", "call", what, "status", status, "wait", wait, "attempt", attempt+1)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return &APIError{Call: what, Status: status, Err: ctx.Err()}
		case <-t.C:
		}
	}
	return &APIError{Call: what, Status: status, Err: err}
}

// backoff decides whether and when to retry.
func (a *Adapter) backoff(resp *model.Response, status, attempt int) (time.Duration, bool) {
	exp := a.retryBase << attempt
	if exp > a.cfg.RetryMaxWait {
		exp = a.cfg.RetryMaxWait
	}
	switch {
	case status == http.StatusTooManyRequests:
		wait := time.Second
		if resp != nil && resp.Header != nil {
			if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && s >= 0 {
				wait = time.Duration(s) * time.Second
			} else if t, err := http.ParseTime(resp.Header.Get("Retry-After")); err == nil {
				wait = time.Until(t)
			} else if s, err := strconv.Atoi(resp.Header.Get("X-Ratelimit-Reset")); err == nil && s >= 0 {
				wait = time.Duration(s) * time.Second
			}
		}
		if wait < 0 {
			wait = 0
		}
		if wait > a.cfg.RetryMaxWait {
			wait = a.cfg.RetryMaxWait
		}
		return wait, true
	case status >= 500, status == 0:
		return exp, true
	}
	return 0, false
}

// createPost creates a post as the bot.
func (a *Adapter) createPost(ctx context.Context, p *model.Post) (*model.Post, error) {
	if p.PendingPostId == "" {
		p.PendingPostId = model.NewId()
	}
	var out *model.Post
	err := a.call(ctx, "create post", func(ctx context.Context) (r *model.Response, err error) {
		out, r, err = a.api.CreatePost(ctx, p)
		return r, err
	})
	return out, err
}

// patchPost replaces a post's message and props (a card edited in place).
func (a *Adapter) patchPost(ctx context.Context, id string, p *model.Post) error {
	msg := p.Message
	// A patch's props replace the post's whole: send everything the post
	// must keep, from_bot included (the server set it at creation; without
	// it the edited post no longer counts as the bot's).
	props := model.StringInterface{}
	for k, v := range p.GetProps() {
		props[k] = v
	}
	props[model.PostPropsFromBot] = "true"
	return a.call(ctx, "patch post", func(ctx context.Context) (r *model.Response, err error) {
		_, r, err = a.api.PatchPost(ctx, id, &model.PostPatch{Message: &msg, Props: &props})
		return r, err
	})
}

// ephemeralPost shows a post to one user only.
func (a *Adapter) ephemeralPost(ctx context.Context, userID string, p *model.Post) error {
	return a.call(ctx, "create ephemeral post", func(ctx context.Context) (r *model.Response, err error) {
		_, r, err = a.api.CreatePostEphemeral(ctx, &model.PostEphemeral{UserID: userID, Post: p})
		return r, err
	})
}

// uploadFile uploads one file to a channel and returns its id.
func (a *Adapter) uploadFile(ctx context.Context, channel, name string, data []byte) (string, error) {
	var out *model.FileUploadResponse
	err := a.call(ctx, "upload file", func(ctx context.Context) (r *model.Response, err error) {
		out, r, err = a.api.UploadFile(ctx, data, channel, name)
		return r, err
	})
	if err != nil {
		return "", err
	}
	if len(out.FileInfos) == 0 {
		return "", &APIError{Call: "upload file", Status: http.StatusOK, Err: errors.New("no file info in the answer")}
	}
	return out.FileInfos[0].Id, nil
}

// getPost fetches one post.
func (a *Adapter) getPost(ctx context.Context, id string) (*model.Post, error) {
	var p *model.Post
	err := a.call(ctx, "get post", func(ctx context.Context) (r *model.Response, err error) {
		p, r, err = a.api.GetPost(ctx, id, "")
		return r, err
	})
	return p, err
}
