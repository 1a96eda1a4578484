// Package sandbox emulates, in process, the two outside services itbot
// drives: an Exchange Online (Microsoft 365) tenant and the DVS document
// management system. With no configuration itbot runs on these, so a fresh
// checkout works end to end, and they fail the way the real services do:
// unknown users, addresses already taken, licence pools that run out,
// throttling, outages, mailboxes that take a while to be ready.
//
// The package keeps the state model apart from the bot's interfaces:
//
//   - Tenant is the Exchange Online tenant (verified domains, users and their
//     mailboxes, licence pools, shared mailboxes, per-institution anti-spam
//     lists, service health). Exchange implements bot.Exchange on top of it.
//   - DVSState is the DVS (organisations, users and roles, backups, document
//     volume, exports, health). DVS implements bot.DVS on top of it.
//
// Both state types are safe for concurrent use, so HTTP emulators of the
// real wire protocols can share them. SeedTenant and SeedDVS fill them with
// the sandbox institutions (see Institutions). Every message is a catalogue
// phrase with the id prefix "sbx.", in Latvian and English.
package sandbox
