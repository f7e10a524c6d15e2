// Package bot is the Telegram adapter: it receives updates (long polling
// or webhook), turns them into flows events, and delivers the engine's
// replies within Telegram's limits. Telegram's types never leave it.
package bot
