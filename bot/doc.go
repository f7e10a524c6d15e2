// Package bot is the Telegram adapter: it receives updates (long polling
// or webhook), turns them into flows events, and delivers the engine's
// replies within Telegram's limits, its failures mapped onto the neutral
// flows.SendError (errors.go). Ordering, parallelism, retries and the
// shutdown rule are the channel-neutral runner's (flows/run); the adapter
// only converts. Telegram's types never leave it. A new channel is a
// package like this one beside it, using the same runner.
package bot
