package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/acercate/acercate/secret"
)

const rekeyUsage = `usage:
  ACERCATE_NEW_DATA_KEY=... acercate rekey [--new-key-file PATH] [--batch 500]
    re-seals every encrypted field under the new key while the bot keeps
    running, then makes the database open only under the new key.
  acercate rekey            (no new key: re-seals under ACERCATE_DATA_KEY
    what was written under ACERCATE_OLD_DATA_KEY while the rotation ran)
See README "Privacy and retention" for the whole rotation.`

// runRekey rotates the data key (or finishes a rotation).
func runRekey(ctx context.Context, env *Env, cfg *Config, args []string) error {
	fs := flag.NewFlagSet("rekey", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	keyFile := fs.String("new-key-file", "", "read the new data key from this file instead of ACERCATE_NEW_DATA_KEY")
	batch := fs.Int("batch", 500, "rows per transaction")
	if err := fs.Parse(args); err != nil || fs.NArg() != 0 || *batch <= 0 {
		return usagef("%s", rekeyUsage)
	}
	newKeys, source := cfg.NewDataKey, "ACERCATE_NEW_DATA_KEY"
	if *keyFile != "" {
		raw, err := os.ReadFile(*keyFile)
		if err != nil {
			return usagef("--new-key-file: %v", err)
		}
		source = "--new-key-file"
		if newKeys, err = secret.Parse(string(raw)); err != nil {
			return usagef("%s: %v", source, err)
		}
	}
	// A rotation names its keys: the local key beside a trial database is
	// not rotated.
	current, err := cfg.keys(keyFromEnv)
	if err != nil {
		return err
	}
	finishing := newKeys == nil
	if finishing {
		newKeys = current
	} else if newKeys.Check() == current.Check() {
		return usagef("%s is the key in use (ACERCATE_DATA_KEY); generate another: openssl rand -base64 32", source)
	}
	db, err := openDB(ctx, cfg, true)
	if err != nil {
		return err
	}
	defer db.Close()
	stats, err := db.Rekey(ctx, newKeys, *batch)
	if err != nil {
		return err
	}
	areas := make([]string, 0, len(stats.Areas))
	for a, n := range stats.Areas {
		areas = append(areas, fmt.Sprintf("%s %d", a, n))
	}
	sort.Strings(areas)
	fmt.Fprintf(env.Stdout, "re-sealed %d fields (%s); %d were already under the new key\n",
		stats.Resealed, strings.Join(areas, ", "), stats.Current)
	if finishing {
		fmt.Fprintln(env.Stdout, "rotation finished: once ACERCATE_STATE_TTL has passed since the restart, unset ACERCATE_OLD_DATA_KEY")
		return nil
	}
	fmt.Fprintln(env.Stdout, `the database now opens only under the new key. Next:
  1. restart serve with ACERCATE_DATA_KEY=<new key> and ACERCATE_OLD_DATA_KEY=<old key>
     (the old key still opens what serve wrote during the rekey and the conversations in Redis);
  2. run "acercate rekey" again with the same two variables to re-seal what was written meanwhile;
  3. after ACERCATE_STATE_TTL (72h by default), unset ACERCATE_OLD_DATA_KEY and destroy the old key.`)
	return nil
}
