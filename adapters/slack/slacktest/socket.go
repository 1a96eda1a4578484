package slacktest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// socketHub is the Socket Mode side: apps.connections.open hands out
// ws://…/ws; each connection gets a hello, WebSocket pings, and the
// envelopes a test sends; the app's acknowledgements are kept by envelope
// id.
type socketHub struct {
	s        *Server
	upgrader websocket.Upgrader

	mu      sync.Mutex
	conns   []*wsConn
	opened  int
	acks    map[string]json.RawMessage
	seq     int
	changed chan struct{}
	closed  bool
}

type wsConn struct {
	c    *websocket.Conn
	wmu  sync.Mutex
	done chan struct{}
}

func (c *wsConn) write(v any) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	c.c.SetWriteDeadline(time.Now().Add(5 * time.Second))
	return c.c.WriteJSON(v)
}

func newSocketHub(s *Server) *socketHub {
	h := &socketHub{s: s, acks: map[string]json.RawMessage{}, changed: make(chan struct{})}
	// slack-go dials with Origin: https://api.slack.com, as Slack expects.
	h.upgrader.CheckOrigin = func(r *http.Request) bool {
		o := r.Header.Get("Origin")
		return o == "" || o == "https://api.slack.com"
	}
	return h
}

func (h *socketHub) notify() {
	close(h.changed)
	h.changed = make(chan struct{})
}

func (h *socketHub) serve(w http.ResponseWriter, r *http.Request) {
	c, err := h.upgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	conn := &wsConn{c: c, done: make(chan struct{})}
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		c.Close()
		return
	}
	h.opened++
	n := h.opened
	h.conns = append(h.conns, conn)
	h.notify()
	h.mu.Unlock()

	conn.write(map[string]any{"type": "hello", "num_connections": n,
		"debug_info":      map[string]any{"host": "applink-test", "approximate_connection_time": 18060},
		"connection_info": map[string]any{"app_id": AppID}})
	go h.ping(conn)
	defer func() {
		close(conn.done)
		c.Close()
		h.mu.Lock()
		for i, x := range h.conns {
			if x == conn {
				h.conns = append(h.conns[:i], h.conns[i+1:]...)
				break
			}
		}
		h.notify()
		h.mu.Unlock()
	}()
	for {
		var ack struct {
			EnvelopeID string          `json:"envelope_id"`
			Payload    json.RawMessage `json:"payload"`
		}
		if err := c.ReadJSON(&ack); err != nil {
			return
		}
		h.mu.Lock()
		if ack.Payload == nil {
			ack.Payload = json.RawMessage("null")
		}
		h.acks[ack.EnvelopeID] = ack.Payload
		h.notify()
		h.mu.Unlock()
	}
}

func (h *socketHub) ping(c *wsConn) {
	t := time.NewTicker(h.s.pingPeriod)
	defer t.Stop()
	for {
		select {
		case <-c.done:
			return
		case <-t.C:
			c.wmu.Lock()
			err := c.c.WriteControl(websocket.PingMessage, []byte("ping"), time.Now().Add(time.Second))
			c.wmu.Unlock()
			if err != nil {
				return
			}
		}
	}
}

func (h *socketHub) close() {
	h.mu.Lock()
	h.closed = true
	cs := append([]*wsConn(nil), h.conns...)
	h.mu.Unlock()
	for _, c := range cs {
		c.c.Close()
	}
}

// SocketConnections reports how many Socket Mode connections were opened
// so far and how many are open now.
func (s *Server) SocketConnections() (opened, open int) {
	h := s.socket
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.opened, len(h.conns)
}

// WaitSocket waits until at least opened connections were made and one is
// open.
func (s *Server) WaitSocket(ctx context.Context, opened int) error {
	h := s.socket
	for {
		h.mu.Lock()
		ok := h.opened >= opened && len(h.conns) > 0
		ch := h.changed
		h.mu.Unlock()
		if ok {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// SendEnvelope sends one Socket Mode envelope (type "slash_commands",
// "interactive" or "events_api") with payload on the newest connection and
// returns its envelope id.
func (s *Server) SendEnvelope(typ string, payload any) (string, error) {
	h := s.socket
	raw, err := json.Marshal(payload)
	if err != nil {
		return "", err
	}
	h.mu.Lock()
	if len(h.conns) == 0 {
		h.mu.Unlock()
		return "", errors.New("slacktest: no socket mode connection")
	}
	c := h.conns[len(h.conns)-1]
	h.seq++
	id := fmt.Sprintf("env-%06d", h.seq)
	h.mu.Unlock()
	env := map[string]any{"envelope_id": id, "type": typ, "payload": json.RawMessage(raw),
		"accepts_response_payload": typ != "events_api", "retry_attempt": 0, "retry_reason": ""}
	return id, c.write(env)
}

// WaitAck waits for the app's acknowledgement of an envelope and returns
// its payload ("null" for an ack without one).
func (s *Server) WaitAck(ctx context.Context, envelopeID string) (json.RawMessage, error) {
	h := s.socket
	for {
		h.mu.Lock()
		p, ok := h.acks[envelopeID]
		ch := h.changed
		h.mu.Unlock()
		if ok {
			return p, nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// DropSockets closes every open Socket Mode connection abruptly, as a
// network failure would; the app is expected to reconnect.
func (s *Server) DropSockets() {
	h := s.socket
	h.mu.Lock()
	cs := append([]*wsConn(nil), h.conns...)
	h.mu.Unlock()
	for _, c := range cs {
		c.c.Close()
	}
}

// SendDisconnect sends Slack's "disconnect" message (refresh_requested)
// on every open connection; the app is expected to reconnect.
func (s *Server) SendDisconnect() {
	h := s.socket
	h.mu.Lock()
	cs := append([]*wsConn(nil), h.conns...)
	h.mu.Unlock()
	for _, c := range cs {
		c.write(map[string]any{"type": "disconnect", "reason": "refresh_requested",
			"debug_info": map[string]any{"host": "applink-test"}})
	}
}
