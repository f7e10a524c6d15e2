package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/acercate/acercate/flows"
	"github.com/acercate/acercate/store"
)

const purgeUsage = `usage:
  acercate purge [--dry-run]
    removes what is past its retention (ACERCATE_RETENTION_REQUESTS,
    ACERCATE_RETENTION_TICKETS, ACERCATE_RETENTION_DENUNCIAS, in days);
    --dry-run prints what would go and changes nothing`

// runPurge removes what is past retention, once. serve runs the same
// every day (serve_purge.go).
func runPurge(ctx context.Context, env *Env, args []string) error {
	fs := flag.NewFlagSet("purge", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	dry := fs.Bool("dry-run", false, "print what would be removed, change nothing")
	if err := fs.Parse(args); err != nil || fs.NArg() != 0 {
		return usagef("%s", purgeUsage)
	}
	ret, err := retentionEnv(env)
	if err != nil {
		return err
	}
	db, err := openExisting(ctx, env)
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetRetention(ret)
	items, err := db.Purge(ctx, cliActor(env), *dry)
	if err != nil {
		return err
	}
	verb := "removed"
	if *dry {
		verb = "would remove"
	}
	for _, it := range items {
		fmt.Fprintf(env.Stdout, "%-12s before %s: %s %d\n", it.Area, it.Before.In(chiapas).Format("2006-01-02 15:04"),
			verb, it.Count)
	}
	if *dry {
		fmt.Fprintln(env.Stdout, "dry run: nothing was changed")
	}
	return nil
}

// cliActor names the operator in the audit log: "cli:$USER".
func cliActor(env *Env) string {
	if u := strings.TrimSpace(env.Getenv("USER")); u != "" {
		return "cli:" + u
	}
	return "cli"
}

// retentionEnv reads ACERCATE_RETENTION_REQUESTS, _TICKETS and
// _DENUNCIAS: whole days, positive; unset takes store.DefaultRetention.
func retentionEnv(env *Env) (flows.Retention, error) {
	r := store.DefaultRetention
	for _, v := range []struct {
		name string
		dst  *int
	}{
		{"ACERCATE_RETENTION_REQUESTS", &r.Requests},
		{"ACERCATE_RETENTION_TICKETS", &r.Tickets},
		{"ACERCATE_RETENTION_DENUNCIAS", &r.Denuncias},
	} {
		s := strings.TrimSpace(env.Getenv(v.name))
		if s == "" {
			continue
		}
		n, err := strconv.Atoi(s)
		if err != nil || n <= 0 || n > 36500 {
			return r, usagef("%s: %q is not a number of days (1 to 36500)", v.name, s)
		}
		*v.dst = n
	}
	return r, nil
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
