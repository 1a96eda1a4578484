// Package mattermost is itbot's Mattermost door, on the official model
// package (model.Client4 for the REST API v4, model.WebSocketClient for
// the event stream).
//
// People reach itbot four ways: the /it custom slash command (answered at
// once, the result follows through the API), direct messages and
// @-mentions (the bot listens on the websocket, reconnects with back-off
// and catches up on what it missed, handling each post once), interactive
// message buttons (every button the router emits; its command string
// travels in an HMAC-signed integration context, so a forged click is
// refused), and the interactive dialog that `/it new` opens. Every click,
// form and message runs the same command string typing would, as the
// person behind the Mattermost account, found through the account's
// e-mail address.
//
// As a bot.Poster the adapter keeps one thread per request and channel:
// the request card (a message attachment with fields and buttons) opens
// it, every update is a reply, every card of the request is edited in
// place, progress replaces the previous progress post, reports are
// attached as files, and secrets go only to a direct channel. Its state
// (threads, cards, de-duplication marks, the catch-up cursor) lives in the
// bot's KV store.
//
// Package mmtest next to it is a Mattermost server for tests that speaks
// the same API.
package mattermost
