package main

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/acercate/acercate/flows"
	"github.com/acercate/acercate/locales"
	"github.com/acercate/acercate/secret"
	"github.com/acercate/acercate/store"
)

// Config is everything acercate reads from the environment. Run reads it
// once, before any command starts, and checks every value that is set: a
// bad one is a usage error (exit 2) naming the variable, and nothing has
// been opened, created or written yet. Commands read their settings here,
// never from the environment.
//
// A new variable: a field here (or in the subject's own settings struct,
// like staffSettings), one line in readConfig (or in the subject's read
// function) with the envReader method that parses and checks it, and a row
// in README.md's configuration table (TestConfigMatchesREADME fails
// without it). What a command requires (serve's token) it checks itself,
// from the Config, before it opens anything.
type Config struct {
	// DBPath is ACERCATE_DB: the SQLite file.
	DBPath string
	// RedisURL is REDIS_URL; "" is an embedded Redis.
	RedisURL string
	// StateTTL is ACERCATE_STATE_TTL.
	StateTTL time.Duration
	// Retention is ACERCATE_RETENTION_REQUESTS, _TICKETS and _DENUNCIAS.
	Retention flows.Retention
	// Operator names the person at the terminal in the audit log ($USER).
	Operator string
	// BotUsername is ACERCATE_BOT_USERNAME, without "@"; "" when unset.
	BotUsername string
	// PublicURL is ACERCATE_PUBLIC_URL, the web portal's public base
	// ("https://acercate.example") without a trailing slash; "" when unset.
	PublicURL string
	// NewDataKey is ACERCATE_NEW_DATA_KEY (rekey); nil when unset.
	NewDataKey *secret.Keys

	// dataKey is ACERCATE_DATA_KEY; nil when unset (see Config.keys).
	dataKey *secret.Keys
	// olderKeys are ACERCATE_OLD_DATA_KEY's.
	olderKeys []*secret.Keys

	Serve  serveConfig
	Staff  staffSettings
	Report reportSettings
}

// readConfig reads and checks the whole configuration.
func readConfig(getenv func(string) string) (*Config, error) {
	r := &envReader{getenv: getenv}
	c := &Config{}
	c.DBPath = r.str("ACERCATE_DB", "acercate.db")
	if c.RedisURL = r.str("REDIS_URL", ""); c.RedisURL != "" {
		u, err := url.Parse(c.RedisURL)
		r.check("REDIS_URL", err == nil && (u.Scheme == "redis" || u.Scheme == "rediss" || u.Scheme == "unix"),
			"is not a redis:// URL")
	}
	c.StateTTL = r.duration("ACERCATE_STATE_TTL", 72*time.Hour)
	c.Retention = readRetention(r)
	if c.Operator = r.str("USER", ""); c.Operator != "" {
		c.Operator = "cli:" + c.Operator
	} else {
		c.Operator = "cli"
	}
	c.BotUsername = strings.TrimPrefix(r.str("ACERCATE_BOT_USERNAME", ""), "@")
	if c.BotUsername != "" {
		r.check("ACERCATE_BOT_USERNAME", botUsernameRE.MatchString(c.BotUsername),
			"%q is not a Telegram bot username (5-32 letters, digits or _, ending in bot)", c.BotUsername)
	}
	c.PublicURL = r.publicURL("ACERCATE_PUBLIC_URL")
	c.dataKey = r.key("ACERCATE_DATA_KEY")
	c.NewDataKey = r.key("ACERCATE_NEW_DATA_KEY")
	for _, part := range strings.FieldsFunc(r.str("ACERCATE_OLD_DATA_KEY", ""), func(r rune) bool { return r == ',' }) {
		o, err := secret.Parse(part)
		if err != nil {
			r.fail(usagef("ACERCATE_OLD_DATA_KEY: %v", err))
			break
		}
		c.olderKeys = append(c.olderKeys, o)
	}
	c.Serve = readServeConfig(r)
	c.Staff = readStaffSettings(r)
	c.Report = readReportSettings(r)
	if r.err != nil {
		return nil, r.err
	}
	return c, nil
}

// readRetention reads ACERCATE_RETENTION_REQUESTS, _TICKETS and
// _DENUNCIAS: whole days, 1 to 36500; unset takes store.DefaultRetention.
func readRetention(r *envReader) flows.Retention {
	d := store.DefaultRetention
	return flows.Retention{
		Requests:  r.intIn("ACERCATE_RETENTION_REQUESTS", d.Requests, 1, 36500, "a number of days"),
		Tickets:   r.intIn("ACERCATE_RETENTION_TICKETS", d.Tickets, 1, 36500, "a number of days"),
		Denuncias: r.intIn("ACERCATE_RETENTION_DENUNCIAS", d.Denuncias, 1, 36500, "a number of days"),
	}
}

// keySource is where a command may take its data key from.
type keySource int

const (
	// keyFromEnv: only ACERCATE_DATA_KEY (serve: production names its key).
	keyFromEnv keySource = iota
	// keyBesideDB: ACERCATE_DATA_KEY, else the key `acercate chat` keeps
	// beside the database (ACERCATE_DB + ".key"); never creates one.
	keyBesideDB
	// keyCreate: as keyBesideDB, generating the file when there is none
	// (acercate chat, so a local trial needs no setup).
	keyCreate
)

// keyFileSuffix names the local data key file: ACERCATE_DB + ".key".
const keyFileSuffix = ".key"

// keys is the data key (with ACERCATE_OLD_DATA_KEY's) for a command.
func (c *Config) keys(from keySource) (*secret.Keys, error) {
	k := c.dataKey
	if k == nil {
		var err error
		if k, err = c.localKey(from); err != nil {
			return nil, err
		}
	}
	return k.WithOlder(c.olderKeys...), nil
}

// localKey reads (or, with keyCreate, makes) the key beside the database.
func (c *Config) localKey(from keySource) (*secret.Keys, error) {
	const unset = "ACERCATE_DATA_KEY is not set (base64 of 32 random bytes: openssl rand -base64 32)"
	if from == keyFromEnv {
		return nil, usagef("%s", unset)
	}
	path := c.DBPath + keyFileSuffix
	raw, err := os.ReadFile(path)
	switch {
	case errors.Is(err, os.ErrNotExist) && from == keyCreate:
		key := secret.Generate()
		// O_EXCL: two first runs at once must not each write their own key.
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return nil, fmt.Errorf("keep local data key: %w", err)
		}
		if _, err := f.WriteString(key + "\n"); err != nil {
			f.Close()
			return nil, fmt.Errorf("keep local data key: %w", err)
		}
		if err := f.Close(); err != nil {
			return nil, fmt.Errorf("keep local data key: %w", err)
		}
		raw = []byte(key)
	case errors.Is(err, os.ErrNotExist):
		return nil, usagef("%s, and there is no %s beside the database", unset, path)
	case err != nil:
		return nil, fmt.Errorf("read local data key: %w", err)
	}
	k, err := secret.Parse(string(raw))
	if err != nil {
		return nil, usagef("local data key %s: %v", path, err)
	}
	return k, nil
}

// openDB opens the database at ACERCATE_DB under the data key (or the
// local key beside it). existing refuses to create one: a list, a report
// or a status change on a mistyped ACERCATE_DB must not make an empty
// database and report nothing.
func openDB(ctx context.Context, cfg *Config, existing bool) (*store.DB, error) {
	if existing {
		if _, err := os.Stat(cfg.DBPath); err != nil {
			return nil, usagef("ACERCATE_DB: no database at %s", cfg.DBPath)
		}
	}
	keys, err := cfg.keys(keyBesideDB)
	if err != nil {
		return nil, err
	}
	return store.Open(ctx, cfg.DBPath, keys)
}

// envReader reads variables, keeping the first problem; a bad variable
// reads as its default so reading can go on to the end.
type envReader struct {
	getenv func(string) string
	err    error
}

func (r *envReader) get(name string) string { return r.getenv(name) }

func (r *envReader) fail(err error) {
	if r.err == nil {
		r.err = err
	}
}

// check fails with "NAME: <why>" when ok is false.
func (r *envReader) check(name string, ok bool, format string, a ...any) bool {
	if !ok {
		r.fail(usagef("%s: %s", name, fmt.Sprintf(format, a...)))
	}
	return ok
}

// raw is a variable as set (a secret: spaces are not trimmed).
func (r *envReader) raw(name string) string { return r.get(name) }

// str is a variable, trimmed, or def when unset or blank.
func (r *envReader) str(name, def string) string {
	if v := strings.TrimSpace(r.get(name)); v != "" {
		return v
	}
	return def
}

// duration is a positive duration ("72h"), or def.
func (r *envReader) duration(name string, def time.Duration) time.Duration {
	v := r.str(name, "")
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if !r.check(name, err == nil && d > 0, "%q is not a positive duration like 72h or 30m", v) {
		return def
	}
	return d
}

// float is a non-negative number, or def.
func (r *envReader) float(name string, def float64) float64 {
	v := r.str(name, "")
	if v == "" {
		return def
	}
	f, err := strconv.ParseFloat(v, 64)
	if !r.check(name, err == nil && f >= 0, "%q is not a non-negative number", v) {
		return def
	}
	return f
}

// intIn is a whole number from lo to hi ("what" says what it counts), or def.
func (r *envReader) intIn(name string, def, lo, hi int, what string) int {
	v := r.str(name, "")
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if !r.check(name, err == nil && n >= lo && n <= hi, "%q is not %s (%d to %d)", v, what, lo, hi) {
		return def
	}
	return n
}

// chatID is a Telegram chat id (non-zero), or 0 when unset.
func (r *envReader) chatID(name string) int64 {
	v := r.str(name, "")
	if v == "" {
		return 0
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if !r.check(name, err == nil && id != 0, "%q is not a Telegram chat id (a group's id is negative, like -1001234567890)", v) {
		return 0
	}
	return id
}

// lang is one of the shipped languages (lower-cased), or def.
func (r *envReader) lang(name, def string) string {
	v := strings.ToLower(r.str(name, ""))
	if v == "" {
		return def
	}
	if !r.check(name, isShipped(v), "%q is not one of %s", v, strings.Join(locales.Shipped, ", ")) {
		return def
	}
	return v
}

// key is a data key (base64 of 32 bytes), or nil when unset. Its value is
// never shown.
func (r *envReader) key(name string) *secret.Keys {
	v := r.raw(name)
	if strings.TrimSpace(v) == "" {
		return nil
	}
	k, err := secret.Parse(v)
	if err != nil {
		r.fail(usagef("%s: %v", name, err))
		return nil
	}
	return k
}

// publicURL is an http(s) base address without query or fragment, its
// trailing slash cut, or "" when unset.
func (r *envReader) publicURL(name string) string {
	v, ok := parsePublicURL(r.str(name, ""))
	if !r.check(name, ok, "%q is not an http(s) base URL like https://acercate.example", v) {
		return ""
	}
	return v
}

func isShipped(lang string) bool { return slices.Contains(locales.Shipped, lang) }
