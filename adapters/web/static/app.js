// itbot web console: live updates. A page that follows requests
// (body[data-live]) listens to /events and, when a request changes, fetches
// itself again and swaps the #live part — unless the person is typing in
// it, then it waits for the field to lose focus. Everything works without
// this script; it only spares the reload.
(function () {
  "use strict";
  var body = document.body;
  if (!body || !body.dataset.live || !window.EventSource || !window.fetch) return;
  var live = document.getElementById("live");
  var pending = false, busy = false;

  function editing() {
    var a = document.activeElement;
    return a && live.contains(a) && (a.tagName === "INPUT" || a.tagName === "TEXTAREA" || a.tagName === "SELECT");
  }

  function refresh() {
    if (busy) { pending = true; return; }
    if (editing()) { pending = true; return; }
    busy = true; pending = false;
    fetch(location.href, { headers: { "X-Partial": "1" }, credentials: "same-origin", cache: "no-store" })
      .then(function (r) {
        if (r.status === 401) { location.reload(); return null; }
        return r.ok ? r.text() : null;
      })
      .then(function (html) {
        if (html !== null && html !== undefined && !editing()) {
          live.innerHTML = html;
          body.dataset.updated = String(Date.now());
        } else if (html) {
          pending = true;
        }
      })
      .catch(function () { pending = true; })
      .then(function () { busy = false; if (pending && !editing()) refresh(); });
  }

  document.addEventListener("focusout", function () { setTimeout(function () { if (pending) refresh(); }, 0); });

  var want = body.dataset.live;
  var es = new EventSource("/events");
  es.addEventListener("change", function (e) {
    if (want.indexOf("request:") === 0 && want.slice(8) !== e.data) return;
    refresh();
  });
  es.addEventListener("open", function () { body.dataset.connected = "1"; });
})();
