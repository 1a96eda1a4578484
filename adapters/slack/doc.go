// Package slack is itbot's Slack adapter, on github.com/slack-go/slack.
//
// A Slack user gets the /it slash command with the console's grammar,
// direct messages and @mentions that reach the conversational path, a
// thread per request whose first message is the request's card (edited in
// place on every change, every update posted in the thread), approval
// cards by direct message with Approve/Reject buttons (Reject asks for the
// reason in a modal), a modal for "/it new", and reports as files in the
// thread.
//
// Connections: in HTTP mode Slack posts to /slack/commands,
// /slack/interactions and /slack/events on the bot's HTTP server; every
// request's signature is checked with the signing secret, stale
// timestamps are refused, the url_verification challenge is answered,
// and event retries and replays are handled once (the event id is marked
// in the bot's KV store). In Socket Mode the same handlers are fed from a
// websocket the bot opens, reconnecting with back-off.
//
// Every request is acknowledged at once and run by a bounded worker pool;
// answers follow through the response_url or chat.postMessage. Outbound
// posts go through lanes keyed by request, so one request's notices keep
// their order; a 429 is waited out (Retry-After) and the call retried, so
// nothing is dropped for it.
//
// People are recognised by their Slack profile e-mail (users.info,
// cached) and the bot's own directory; the Slack id is then linked onto
// the person so direct messages reach them. Someone the bot does not know
// is told, in Latvian and English, whom to ask; nothing is created.
package slack
