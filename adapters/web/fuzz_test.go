package web

import (
	"net/url"
	"strings"
	"testing"
)

// FuzzSafeBack: whatever a sign-in's return address says, the browser is
// sent to a path on this console, never to another site.
func FuzzSafeBack(f *testing.F) {
	for _, s := range []string{"/", "/queue?inst=LGIA", "//evil.example", "/\\evil.example", "https://evil.example/", "javascript:alert(1)",
		"/r/IT-2026-000001", "/%2F%2Fevil", "\r\nLocation: x", "/ok\nx", "", "queue"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out := safeBack(in)
		if !strings.HasPrefix(out, "/") || strings.HasPrefix(out, "//") || strings.HasPrefix(out, "/\\") || strings.ContainsAny(out, "\r\n") {
			t.Fatalf("safeBack(%q) = %q", in, out)
		}
		u, err := url.Parse(out)
		if err == nil && (u.Host != "" || u.Scheme != "") {
			t.Fatalf("safeBack(%q) = %q leaves the site", in, out)
		}
	})
}
