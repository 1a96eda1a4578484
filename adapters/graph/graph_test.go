package graph

import (
	"net/http"
	"testing"
	"time"
)

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	cases := []struct {
		in   string
		want time.Duration
	}{
		{"", -1},
		{"3", 3 * time.Second},
		{"0.5", 500 * time.Millisecond},
		{"9227000000", -1}, // absurd: unreadable, not an overflowed wait
		{"-2", -1},
		{"soon", -1},
		{"Thu, 26 Nov 2026 10:00:30 GMT", 30 * time.Second},
		{"Thu, 26 Nov 2026 09:59:00 GMT", 0},
	}
	for _, c := range cases {
		if got := RetryAfter(c.in, now); got != c.want {
			t.Errorf("RetryAfter(%q) = %v, want %v", c.in, got, c.want)
		}
	}
}

func TestScopeFor(t *testing.T) {
	for in, want := range map[string]string{
		"https://graph.microsoft.com/v1.0":       "https://graph.microsoft.com/.default",
		"http://127.0.0.1:4000/v1.0":             "http://127.0.0.1:4000/.default",
		"https://outlook.office365.com/adminapi": "https://outlook.office365.com/.default",
		"::bad":                                  "https://graph.microsoft.com/.default",
	} {
		if got := ScopeFor(in); got != want {
			t.Errorf("ScopeFor(%q) = %q, want %q", in, got, want)
		}
	}
}

// A 429 did nothing (Graph: "the requests fail"), so anything may be sent
// again; after a 503/504 a POST may have happened and is sent again only
// where SafePost says so.
func TestRepeatable(t *testing.T) {
	get, _ := http.NewRequest(http.MethodGet, "https://g/v1.0/users/x", nil)
	post, _ := http.NewRequest(http.MethodPost, "https://g/v1.0/users", nil)
	h := &Retry{}
	for _, c := range []struct {
		r      *http.Request
		status int
		want   bool
	}{
		{get, 503, true}, {get, 504, true}, {post, 429, true}, {post, 503, false}, {post, 504, false},
	} {
		if got := h.Repeatable(c.r, c.status); got != c.want {
			t.Errorf("%s %d: %v", c.r.Method, c.status, got)
		}
	}
	h.SafePost = func(r *http.Request) bool { return true }
	if !h.Repeatable(post, 503) {
		t.Error("SafePost ignored")
	}
}
