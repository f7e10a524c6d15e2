package main

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/acercate/acercate/secret"
)

// dbPath is ACERCATE_DB, or ./acercate.db.
func dbPath(env *Env) string {
	if p := strings.TrimSpace(env.Getenv("ACERCATE_DB")); p != "" {
		return p
	}
	return "acercate.db"
}

// requiredKeys reads ACERCATE_DATA_KEY, which serve and the office's tools
// require: without it nothing sealed could be opened.
func requiredKeys(env *Env) (*secret.Keys, error) {
	v := env.Getenv("ACERCATE_DATA_KEY")
	if v == "" {
		return nil, usagef("ACERCATE_DATA_KEY is not set (base64 of 32 random bytes: openssl rand -base64 32)")
	}
	k, err := secret.Parse(v)
	if err != nil {
		return nil, usagef("ACERCATE_DATA_KEY: %v", err)
	}
	return withOlderKeys(env, k)
}

// withOlderKeys adds ACERCATE_OLD_DATA_KEY (comma-separated) to k, so
// data sealed before a rotation still opens (acercate rekey).
func withOlderKeys(env *Env, k *secret.Keys) (*secret.Keys, error) {
	v := strings.TrimSpace(env.Getenv("ACERCATE_OLD_DATA_KEY"))
	if v == "" {
		return k, nil
	}
	var older []*secret.Keys
	for _, part := range strings.Split(v, ",") {
		o, err := secret.Parse(part)
		if err != nil {
			return nil, usagef("ACERCATE_OLD_DATA_KEY: %v", err)
		}
		older = append(older, o)
	}
	return k.WithOlder(older...), nil
}

// localKeys is for the terminal chat: ACERCATE_DATA_KEY when set, else a
// key generated once and kept beside the database (mode 0600), so a local
// trial needs no setup and its database stays readable across runs.
func localKeys(env *Env, db string) (*secret.Keys, error) {
	if env.Getenv("ACERCATE_DATA_KEY") != "" {
		return requiredKeys(env)
	}
	path := db + ".key"
	raw, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		key := secret.Generate()
		if err := os.WriteFile(path, []byte(key+"\n"), 0o600); err != nil {
			return nil, fmt.Errorf("keep local data key: %w", err)
		}
		raw = []byte(key)
	} else if err != nil {
		return nil, fmt.Errorf("read local data key: %w", err)
	}
	k, err := secret.Parse(string(raw))
	if err != nil {
		return nil, fmt.Errorf("local data key %s: %w", path, err)
	}
	return k, nil
}

// durationEnv reads a duration variable ("72h"), or def when unset.
func durationEnv(env *Env, name string, def time.Duration) (time.Duration, error) {
	v := strings.TrimSpace(env.Getenv(name))
	if v == "" {
		return def, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return 0, usagef("%s: %q is not a positive duration like 72h or 30m", name, v)
	}
	return d, nil
}

// floatEnv reads a non-negative number variable, or def when unset.
func floatEnv(env *Env, name string, def float64) (float64, error) {
	v := strings.TrimSpace(env.Getenv(name))
	if v == "" {
		return def, nil
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f < 0 {
		return 0, usagef("%s: %q is not a non-negative number", name, v)
	}
	return f, nil
}
