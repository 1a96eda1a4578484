package web

import (
	"bytes"
	"embed"
	"errors"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"strings"
	"time"

	"itbot/bot"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// csp is the Content-Security-Policy of every answer: nothing inline,
// nothing from elsewhere, no framing.
const csp = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

// handlerFunc is a page that needs a signed-in person.
type handlerFunc func(w http.ResponseWriter, r *http.Request, se *session, p *bot.Person)

func (s *Server) routes() {
	m := http.NewServeMux()
	static, _ := fs.Sub(staticFS, "static")
	files := http.StripPrefix("/static/", http.FileServerFS(static))
	m.Handle("GET /static/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		files.ServeHTTP(w, r)
	}))
	m.HandleFunc("GET /signin", s.signinPage)
	m.HandleFunc("POST /signin/sandbox", s.sandboxSignin)
	m.HandleFunc("GET /auth/login", s.login)
	m.HandleFunc("GET /auth/callback", s.callback)
	m.HandleFunc("POST /lang", s.setLang)
	m.Handle("POST /signout", s.post(s.signout))
	m.Handle("GET /{$}", s.page(s.home))
	m.Handle("GET /queue", s.page(s.queue))
	m.Handle("GET /approvals", s.page(s.approvals))
	m.Handle("GET /my", s.page(s.mine))
	m.Handle("GET /new", s.page(s.newForm))
	m.Handle("POST /new", s.post(s.newSubmit))
	m.Handle("GET /r/{id}", s.page(s.request))
	m.Handle("POST /r/{id}", s.post(s.act))
	m.Handle("GET /r/{id}/files/{n}", s.page(s.file))
	m.Handle("GET /availability", s.page(s.availability))
	m.Handle("GET /availability/chart.png", s.page(s.availabilityChart))
	m.Handle("GET /availability/sla.csv", s.page(s.slaFile))
	m.Handle("GET /availability/sla.png", s.page(s.slaFile))
	m.Handle("GET /calendar", s.page(s.calendar))
	m.Handle("GET /admin", s.page(s.admin))
	m.Handle("POST /admin", s.post(s.adminDo))
	m.Handle("GET /events", s.page(s.events))
	s.mux = http.NewServeMux()
	s.mux.Handle("/", headers(m))
}

// headers sets the security headers of every answer.
func headers(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Content-Security-Policy", csp)
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("X-Frame-Options", "DENY")
		hd.Set("Referrer-Policy", "same-origin")
		if !strings.HasPrefix(r.URL.Path, "/static/") {
			hd.Set("Cache-Control", "no-store")
		}
		h.ServeHTTP(w, r)
	})
}

// page wraps a page that needs a session: without one it sends the
// browser to sign in and come back.
func (s *Server) page(h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		se := s.session(r)
		p, err := s.whoFor(r.Context(), se)
		if err != nil {
			if se != nil {
				// Signed in before, refused now: say why.
				s.endSession(w, r, se)
				s.fail(w, r, nil, http.StatusForbidden, bot.UserMessage(errors.Unwrap(err), s.pageLang(r, nil)))
				return
			}
			if r.URL.Path == "/events" || r.Header.Get("X-Partial") != "" {
				http.Error(w, "not signed in", http.StatusUnauthorized)
				return
			}
			http.Redirect(w, r, "/signin?back="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return
		}
		h(w, r, se, p)
	})
}

// post wraps a state-changing form: a session and its CSRF token are
// required, otherwise 403.
func (s *Server) post(h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		se := s.session(r)
		p, err := s.whoFor(r.Context(), se)
		l := s.pageLang(r, se)
		if err != nil {
			s.fail(w, r, nil, http.StatusForbidden, bot.Tr(l, "web.signin_again", nil))
			return
		}
		if !s.checkCSRF(r, se.CSRF) {
			s.log.Warn("web: POST without a valid CSRF token refused", "person", p.Email, "path", r.URL.Path)
			s.fail(w, r, nil, http.StatusForbidden, bot.Tr(l, "web.csrf", nil))
			return
		}
		h(w, r, se, p)
	})
}

// pageLang is the language of a page: the session's choice, else the
// person's, else the browser's first of lv/en, else Latvian.
func (s *Server) pageLang(r *http.Request, se *session) bot.Lang {
	if se != nil {
		if se.Lang != "" {
			return se.Lang
		}
		if p, err := s.d.Bot.Store.Person(r.Context(), se.Email); err == nil {
			return p.Language()
		}
	}
	if c, err := r.Cookie("itbot_lang"); err == nil {
		if l, ok := bot.ParseLang(c.Value); ok {
			return l
		}
	}
	for _, part := range strings.Split(r.Header.Get("Accept-Language"), ",") {
		tag := strings.ToLower(strings.TrimSpace(strings.Split(part, ";")[0]))
		switch {
		case strings.HasPrefix(tag, "lv"):
			return bot.LV
		case strings.HasPrefix(tag, "en"):
			return bot.EN
		}
	}
	return bot.LV
}

// setLang switches the page language: in the session when signed in, in a
// cookie before.
func (s *Server) setLang(w http.ResponseWriter, r *http.Request) {
	l, ok := bot.ParseLang(r.PostFormValue("lang"))
	back := safeBack(r.PostFormValue("back"))
	se := s.session(r)
	switch {
	case se != nil:
		if !s.checkCSRF(r, se.CSRF) {
			s.fail(w, r, nil, http.StatusForbidden, bot.Tr(s.pageLang(r, se), "web.csrf", nil))
			return
		}
		if ok {
			se.Lang = l
			s.saveSession(r.Context(), se)
		}
	default:
		c, err := r.Cookie(cookiePre)
		if err != nil || !s.checkCSRF(r, c.Value) {
			s.fail(w, r, nil, http.StatusForbidden, bot.Tr(s.pageLang(r, nil), "web.csrf", nil))
			return
		}
		if ok {
			http.SetCookie(w, s.cookie("itbot_lang", string(l), 365*24*time.Hour))
		}
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
}

// view is what every page template gets.
type view struct {
	Lang    bot.Lang
	Other   bot.Lang // the language to switch to
	Title   string
	Page    string
	Person  *bot.Person
	CSRF    string
	Sandbox bool
	Flash   []flash
	Secrets []bot.Reply
	Path    string
	Live    string // what the page follows live ("" none)
	Nav     []navItem
	Data    map[string]any
}

type navItem struct {
	Href, Label string
	Current     bool
}

// render writes page name in language l.
func (s *Server) render(w http.ResponseWriter, r *http.Request, se *session, name string, l bot.Lang, data map[string]any) {
	s.renderStatus(w, r, se, name, l, http.StatusOK, data)
}

func (s *Server) renderStatus(w http.ResponseWriter, r *http.Request, se *session, name string, l bot.Lang, status int, data map[string]any) {
	v := view{Lang: l, Other: bot.EN, Page: name, Sandbox: s.d.Sandbox, Path: r.URL.RequestURI(), Data: data}
	if l == bot.EN {
		v.Other = bot.LV
	}
	partial := r.Header.Get("X-Partial") != ""
	if se != nil {
		v.CSRF = se.CSRF
		if p, err := s.d.Bot.Store.Person(r.Context(), se.Email); err == nil {
			v.Person = p
			v.Nav = s.nav(p, l, r.URL.Path)
			if !partial {
				// Messages shown once belong to a whole page: a live
				// refresh of another open page must not take them.
				v.Flash = s.takeFlash(r.Context(), se)
				v.Secrets = s.takeSecrets(p.Email)
			}
		}
	} else {
		v.CSRF = s.preToken(w, r) // the language switch of a page without a session
	}
	if live, ok := data["Live"].(string); ok {
		v.Live = live
	}
	v.Title = bot.Tr(l, "web.title."+name, nil)
	t, err := s.template(name, l)
	if err != nil {
		s.log.Error("web template", "page", name, "err", err)
		http.Error(w, "template error", http.StatusInternalServerError)
		return
	}
	var buf bytes.Buffer
	tname := "layout"
	if partial {
		tname = "live"
	}
	if err := t.ExecuteTemplate(&buf, tname, v); err != nil {
		s.log.Error("web render", "page", name, "err", err)
		http.Error(w, "render error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// nav lists the pages p may open.
func (s *Server) nav(p *bot.Person, l bot.Lang, path string) []navItem {
	var items []navItem
	add := func(href, id string) {
		items = append(items, navItem{Href: href, Label: bot.Tr(l, id, nil), Current: path == href})
	}
	if p.HasAny(bot.RoleOperator, bot.RoleApprover, bot.RoleAdmin) {
		add("/queue", "web.title.queue")
	}
	if p.HasAny(bot.RoleITContact, bot.RoleExpertGroup, bot.RoleOperator, bot.RoleApprover) {
		add("/approvals", "web.title.approvals")
	}
	add("/my", "web.title.my")
	add("/new", "web.title.new")
	add("/availability", "web.title.availability")
	add("/calendar", "web.title.calendar")
	if p.Has(bot.RoleAdmin) {
		add("/admin", "web.title.admin")
	}
	return items
}

// fail shows an error page with a message that says what to do.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, se *session, status int, msg string) {
	s.renderStatus(w, r, se, "error", s.pageLang(r, se), status, map[string]any{"Message": msg, "Status": status})
}

// internal logs an unexpected error and shows a page that says so.
func (s *Server) internal(w http.ResponseWriter, r *http.Request, se *session, err error) {
	s.log.Error("web", "path", r.URL.Path, "err", err)
	s.fail(w, r, se, http.StatusInternalServerError, bot.Tr(s.pageLang(r, se), "web.internal", nil))
}

// template returns page name's template set, parsed once per language.
func (s *Server) template(name string, l bot.Lang) (*template.Template, error) {
	templatesOnce.Do(func() { templates, templatesErr = parseTemplates() })
	if templatesErr != nil {
		return nil, templatesErr
	}
	t, ok := templates[string(l)+"/"+name]
	if !ok {
		return nil, errors.New("no page " + name)
	}
	return t, nil
}
