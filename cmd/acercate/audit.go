package main

import (
	"context"
	"flag"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/acercate/acercate/hours"
)

const auditUsage = `usage:
  acercate audit [--since 2026-11-01|72h|30d] [--action denuncia.view]
    prints who did what with people's records, oldest first: every staff
    view of a denuncia or a conversation, every status change, export,
    erasure (/borrar) and purge`

// runAudit prints the audit log. Reading it is not itself audited: it
// holds no personal data (people appear as "person", staff as keyed
// hashes or their login).
func runAudit(ctx context.Context, env *Env, cfg *Config, args []string) error {
	fs := flag.NewFlagSet("audit", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	sinceFlag := fs.String("since", "", "only entries at or after this date (YYYY-MM-DD, Chiapas time), time (RFC 3339) or age (72h, 30d)")
	action := fs.String("action", "", "only entries of this action")
	if err := fs.Parse(args); err != nil || fs.NArg() != 0 {
		return usagef("%s", auditUsage)
	}
	since, err := parseSince(*sinceFlag, time.Now())
	if err != nil {
		return usagef("--since: %v", err)
	}
	db, err := openDB(ctx, cfg, true)
	if err != nil {
		return err
	}
	defer db.Close()
	entries, err := db.AuditLog(ctx, since)
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "AT\tACTOR\tACTION\tOBJECT\tDETAIL")
	n := 0
	for _, e := range entries {
		if *action != "" && e.Action != *action {
			continue
		}
		n++
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", e.At.In(hours.Zone()).Format("2006-01-02 15:04:05"),
			e.Actor, e.Action, dash(e.Object), dash(e.Detail))
	}
	if err := w.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "%d entries\n", n)
	return nil
}

// parseSince reads --since: "" (everything), a date (midnight in
// Chiapas), an RFC 3339 time, or an age before now ("72h", "30d").
func parseSince(v string, now time.Time) (time.Time, error) {
	v = strings.TrimSpace(v)
	switch {
	case v == "":
		return time.Time{}, nil
	case strings.HasSuffix(v, "d"):
		var days int
		if _, err := fmt.Sscanf(v, "%dd", &days); err == nil && days > 0 && fmt.Sprintf("%dd", days) == v {
			return now.Add(-time.Duration(days) * 24 * time.Hour), nil
		}
	}
	if d, err := time.ParseDuration(v); err == nil && d > 0 {
		return now.Add(-d), nil
	}
	if t, err := time.ParseInLocation("2006-01-02", v, hours.Zone()); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("%q is not a date (2026-11-01), a time (RFC 3339) or an age (72h, 30d)", v)
}
