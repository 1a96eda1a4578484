package mattermost

import "net/http"

// Register mounts the adapter's endpoints on mux: POST {prefix}/command
// (the slash command), POST {prefix}/actions (buttons) and POST
// {prefix}/dialog (dialog submissions). The Mattermost server must be able
// to reach them.
func (a *Adapter) Register(mux *http.ServeMux) {
	mux.HandleFunc("POST "+a.cfg.PathPrefix+"/command", a.serveCommand)
	mux.HandleFunc("POST "+a.cfg.PathPrefix+"/actions", a.serveAction)
	mux.HandleFunc("POST "+a.cfg.PathPrefix+"/dialog", a.serveDialog)
}

// Handler returns the adapter's endpoints on their own mux.
func (a *Adapter) Handler() http.Handler {
	mux := http.NewServeMux()
	a.Register(mux)
	return mux
}
