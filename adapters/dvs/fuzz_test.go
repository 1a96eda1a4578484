package dvs

import (
	"net/http"
	"testing"
	"time"
	"unicode/utf8"
)

// FuzzParseRetryAfter: any header value gives a wait that is never
// negative.
func FuzzParseRetryAfter(f *testing.F) {
	for _, s := range []string{"7", "0", "-1", "Mon, 23 Nov 2026 10:00:30 GMT", "Sun, 06 Nov 1994 08:49:37 GMT", "99999999999999999999", "1e3", ""} {
		f.Add(s)
	}
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, v string) {
		if d := ParseRetryAfter(v, now); d < 0 {
			t.Fatalf("ParseRetryAfter(%q) = %v", v, d)
		}
	})
}

// FuzzAPIError: any error answer (body and Retry-After) is read without
// panicking, and the message kept for the log is bounded.
func FuzzAPIError(f *testing.F) {
	f.Add(503, []byte(`{"error":{"code":"unavailable","message":"apkope"}}`), "30")
	f.Add(400, []byte(`{"error":{"code":"unknown_role","message":"x","details":{"known":["lietvedis","vaditajs"]}}}`), "")
	f.Add(404, []byte(`<html>Not Found</html>`), "")
	f.Add(429, []byte(`{"error":null}`), "Mon, 23 Nov 2026 10:00:30 GMT")
	f.Add(500, []byte(`{"error":{"details":{"known":"not a list"}}}`), "-3")
	f.Fuzz(func(t *testing.T, status int, body []byte, retryAfter string) {
		h := http.Header{}
		h.Set("Retry-After", retryAfter)
		ae := apiError("GET /x", status, body, h)
		if ae.RetryAfter < 0 {
			t.Fatalf("negative Retry-After %v", ae.RetryAfter)
		}
		if ae.Code == "" && len(ae.Message) > 200 {
			t.Fatalf("unbounded message of %d bytes", len(ae.Message))
		}
		_ = joinDetail(ae.Details["known"])
		c, _ := New(Config{BaseURL: "http://dvs/v1"})
		err := c.fail(ae, subject{User: "u@x.lv", Role: "r", Institution: "LGIA"})
		if err == nil || !utf8.ValidString(err.Error()) && utf8.Valid(body) {
			t.Fatalf("fail(%v) = %v", ae, err)
		}
	})
}
