package web

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"itbot/bot"
)

// Hub fans request changes out to the open pages (server-sent events).
// Each page subscribes with the person who opened it; a change goes only
// to pages whose person may see the request, so an event never reveals a
// request of another institution. A slow page drops events (its buffer is
// small and the next event reloads it anyway), it never slows the bot.
type Hub struct {
	mu   sync.RWMutex
	subs map[*Sub]struct{}
	// See decides whether a person may see a request (the bot's policy).
	See func(p *bot.Person, r *bot.Request) bool
}

// Sub is one open page.
type Sub struct {
	Person *bot.Person
	C      chan string // request ids that changed
}

// NewHub returns an empty hub.
func NewHub() *Hub { return &Hub{subs: map[*Sub]struct{}{}} }

// Subscribe adds a page of person p.
func (h *Hub) Subscribe(p *bot.Person) *Sub {
	s := &Sub{Person: p, C: make(chan string, 16)}
	h.mu.Lock()
	h.subs[s] = struct{}{}
	h.mu.Unlock()
	return s
}

// Unsubscribe removes a page.
func (h *Hub) Unsubscribe(s *Sub) {
	h.mu.Lock()
	delete(h.subs, s)
	h.mu.Unlock()
}

// Len reports how many pages are open.
func (h *Hub) Len() int {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return len(h.subs)
}

// Publish tells every page that may see r that it changed.
func (h *Hub) Publish(r *bot.Request) {
	h.mu.RLock()
	defer h.mu.RUnlock()
	for s := range h.subs {
		if h.See != nil && !h.See(s.Person, r) {
			continue
		}
		select {
		case s.C <- r.ID:
		default: // full: the page reloads on the events it has
		}
	}
}

// heartbeat keeps idle event streams open through proxies.
const heartbeat = 25 * time.Second

// events streams changes to a page: "event: change" with the request id.
func (s *Server) events(w http.ResponseWriter, r *http.Request, _ *session, p *bot.Person) {
	fl, ok := w.(http.Flusher)
	if !ok {
		http.Error(w, "streaming unsupported", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	fmt.Fprint(w, "retry: 3000\n\n")
	fl.Flush()
	sub := s.hub.Subscribe(p)
	defer s.hub.Unsubscribe(sub)
	t := time.NewTicker(heartbeat)
	defer t.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-s.stop:
			return
		case id := <-sub.C:
			if strings.ContainsAny(id, "\r\n") {
				continue
			}
			fmt.Fprintf(w, "event: change\ndata: %s\n\n", id)
			fl.Flush()
		case <-t.C:
			fmt.Fprint(w, ": keep-alive\n\n")
			fl.Flush()
		}
	}
}
