package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"time"

	"github.com/acercate/acercate/hours"
	"github.com/acercate/acercate/store"
)

const purgeUsage = `usage:
  acercate purge [--dry-run]
    removes what is past its retention (ACERCATE_RETENTION_REQUESTS,
    ACERCATE_RETENTION_TICKETS, ACERCATE_RETENTION_DENUNCIAS, in days);
    --dry-run prints what would go and changes nothing`

// runPurge removes what is past retention, once. serve runs the same
// every day (serve_purge.go).
func runPurge(ctx context.Context, env *Env, cfg *Config, args []string) error {
	fs := flag.NewFlagSet("purge", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	dry := fs.Bool("dry-run", false, "print what would be removed, change nothing")
	if err := fs.Parse(args); err != nil || fs.NArg() != 0 {
		return usagef("%s", purgeUsage)
	}
	db, err := openDB(ctx, cfg, true)
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetRetention(cfg.Retention)
	items, err := db.Purge(ctx, cfg.Operator, *dry)
	if err != nil {
		return err
	}
	verb := "removed"
	if *dry {
		verb = "would remove"
	}
	for _, it := range items {
		fmt.Fprintf(env.Stdout, "%-12s before %s: %s %d\n", it.Area, it.Before.In(hours.Zone()).Format("2006-01-02 15:04"),
			verb, it.Count)
	}
	if *dry {
		fmt.Fprintln(env.Stdout, "dry run: nothing was changed")
	}
	return nil
}

// purgeEvery runs a purge now and then every interval until ctx ends,
// logging counts (never records). A failed purge is logged and tried
// again at the next round: retention is a daily duty, not a reason to
// stop the bot.
func purgeEvery(ctx context.Context, db *store.DB, log *slog.Logger, interval time.Duration) error {
	log = log.With("component", "purge")
	for {
		items, err := db.Purge(ctx, "serve", false)
		if err != nil && ctx.Err() == nil {
			log.Error("purge failed", "err", err)
		}
		for _, it := range items {
			log.Info("purged", "area", it.Area, "count", it.Count)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(interval):
		}
	}
}
