package web

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"time"

	"itbot/bot"
)

// Cookie names.
const (
	cookieSession = "itbot_session"
	cookiePre     = "itbot_pre"  // CSRF token of the sign-in page, before a session exists
	cookieAuth    = "itbot_auth" // binds an OIDC sign-in to the browser that started it
)

// Store buckets.
const (
	bucketSessions = "web_sessions"
	bucketAuth     = "web_auth"
)

// session is one signed-in browser, kept in the bot's store: the cookie
// holds a random token, the store its SHA-256, so a copy of the data file
// cannot be replayed as a cookie.
type session struct {
	Email   string    `json:"email"`
	CSRF    string    `json:"csrf"`
	Lang    bot.Lang  `json:"lang,omitempty"` // chosen on the page; "" follows the person
	Via     string    `json:"via"`            // oidc or sandbox
	Created time.Time `json:"created"`
	Expires time.Time `json:"expires"`
	Flash   []flash   `json:"flash,omitempty"`

	key string // store key
}

// flash is a message shown once on the next page: what an action answered.
type flash struct {
	Kind  string `json:"kind"` // ok or error
	Title string `json:"title,omitempty"`
	Text  string `json:"text"`
}

func sessionKey(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// newSession stores a session for email and sets its cookie.
func (s *Server) newSession(ctx context.Context, w http.ResponseWriter, email, via string) (*session, error) {
	token := randomToken(32)
	now := s.d.Bot.Now()
	se := &session{Email: email, CSRF: randomToken(32), Via: via, Created: now, Expires: now.Add(time.Duration(s.cfg.SessionHours) * time.Hour), key: sessionKey(token)}
	if err := s.saveSession(ctx, se); err != nil {
		return nil, err
	}
	http.SetCookie(w, s.cookie(cookieSession, token, time.Duration(s.cfg.SessionHours)*time.Hour))
	return se, nil
}

func (s *Server) saveSession(ctx context.Context, se *session) error {
	b, err := json.Marshal(se)
	if err != nil {
		return err
	}
	return s.d.Bot.Store.Put(ctx, bucketSessions, se.key, b)
}

// session returns the request's session, or nil when there is none or it
// expired.
func (s *Server) session(r *http.Request) *session {
	c, err := r.Cookie(cookieSession)
	if err != nil || len(c.Value) != 64 {
		return nil
	}
	key := sessionKey(c.Value)
	b, err := s.d.Bot.Store.Get(r.Context(), bucketSessions, key)
	if err != nil || b == nil {
		return nil
	}
	var se session
	if json.Unmarshal(b, &se) != nil {
		return nil
	}
	se.key = key
	if !s.d.Bot.Now().Before(se.Expires) {
		s.d.Bot.Store.Delete(r.Context(), bucketSessions, key)
		return nil
	}
	return &se
}

// endSession forgets the session and clears its cookie.
func (s *Server) endSession(w http.ResponseWriter, r *http.Request, se *session) {
	if se != nil {
		s.d.Bot.Store.Delete(r.Context(), bucketSessions, se.key)
	}
	http.SetCookie(w, s.cookie(cookieSession, "", -1))
}

// PruneSessions forgets expired sessions and sign-ins never finished, and
// reports how many.
func (s *Server) PruneSessions(ctx context.Context) (int, error) {
	now := s.d.Bot.Now()
	n := 0
	for _, bucket := range []string{bucketSessions, bucketAuth} {
		var old []string
		err := s.d.Bot.Store.Scan(ctx, bucket, "", "", func(k string, v []byte) error {
			var e struct {
				Expires time.Time `json:"expires"`
			}
			if json.Unmarshal(v, &e) != nil || !now.Before(e.Expires) {
				old = append(old, k)
			}
			return nil
		})
		if err != nil {
			return n, err
		}
		for _, k := range old {
			if err := s.d.Bot.Store.Delete(ctx, bucket, k); err != nil {
				return n, err
			}
			n++
		}
	}
	return n, nil
}

// cookie builds one of the console's cookies: HttpOnly, SameSite=Lax,
// Secure unless the console is served over plain http on loopback. maxAge
// < 0 deletes it.
func (s *Server) cookie(name, value string, maxAge time.Duration) *http.Cookie {
	c := &http.Cookie{Name: name, Value: value, Path: "/", HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode}
	if maxAge < 0 {
		c.MaxAge = -1
	} else if maxAge > 0 {
		c.MaxAge = int(maxAge / time.Second)
	}
	return c
}

// sameToken compares two tokens in constant time.
func sameToken(a, b string) bool {
	return a != "" && len(a) == len(b) && subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// checkCSRF reports whether a POST carries the session's CSRF token (form
// field csrf) and, when the browser says where it comes from, comes from
// this console (Origin header).
func (s *Server) checkCSRF(r *http.Request, want string) bool {
	if o := r.Header.Get("Origin"); o != "" && o != "null" && !s.sameOrigin(r, o) {
		return false
	}
	return sameToken(r.PostFormValue("csrf"), want)
}

// sameOrigin reports whether origin is the console's own.
func (s *Server) sameOrigin(r *http.Request, origin string) bool {
	if s.cfg.PublicURL != "" {
		return origin == s.cfg.PublicURL
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return origin == scheme+"://"+r.Host
}

// addFlash keeps messages for the session's next page.
func (s *Server) addFlash(ctx context.Context, se *session, fs ...flash) {
	se.Flash = append(se.Flash, fs...)
	if len(se.Flash) > 10 {
		se.Flash = se.Flash[len(se.Flash)-10:]
	}
	if err := s.saveSession(ctx, se); err != nil {
		s.log.Warn("web session", "err", err)
	}
}

// takeFlash returns and clears the session's messages.
func (s *Server) takeFlash(ctx context.Context, se *session) []flash {
	if len(se.Flash) == 0 {
		return nil
	}
	fs := se.Flash
	se.Flash = nil
	if err := s.saveSession(ctx, se); err != nil {
		s.log.Warn("web session", "err", err)
	}
	return fs
}
