package main

import (
	"log/slog"
	"net"
	"net/url"
	"regexp"
	"runtime"
	"strings"

	"github.com/acercate/acercate/bot"
)

// serveConfig is `acercate serve`'s part of the Config: the Telegram
// connection, the HTTP listeners and the pace of sending.
type serveConfig struct {
	// httpAddrDefault is true when ACERCATE_HTTP_ADDR is unset, so `acercate
	// web` can take its own default.
	httpAddrDefault bool
	// Token is "" when serve runs the web portal alone.
	Token         string
	APIURL        string
	WebhookURL    string
	WebhookSecret string
	HTTPAddr      string
	// AdminAddr serves /metrics and /readyz, away from the public port.
	AdminAddr string
	// MaxConns is each listener's connection limit.
	MaxConns  int
	SendRate  float64
	ChatRate  float64
	GroupRate float64
	Workers   int
	LogLevel  slog.Level
}

var (
	botToken      = regexp.MustCompile(`^[0-9]{1,20}:[A-Za-z0-9_-]{20,}$`)
	webhookSecret = regexp.MustCompile(`^[A-Za-z0-9_-]{16,256}$`)
)

// readServeConfig reads serve's variables. A token that is set must look
// like one; that serve needs one at all is checked by serveConfig.require.
// Error messages never show a secret's value.
func readServeConfig(r *envReader) serveConfig {
	var c serveConfig
	c.Token = r.str("TELEGRAM_BOT_TOKEN", "")
	if c.Token != "" {
		r.check("TELEGRAM_BOT_TOKEN", botToken.MatchString(c.Token), "does not look like a bot token (digits, a colon, then letters)")
	}
	c.APIURL = strings.TrimRight(r.str("TELEGRAM_API_URL", "https://api.telegram.org"), "/")
	if u, err := url.Parse(c.APIURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		r.check("TELEGRAM_API_URL", false, "%q is not an http(s) URL", c.APIURL)
	}
	c.WebhookURL = r.str("ACERCATE_WEBHOOK_URL", "")
	if c.WebhookURL != "" && c.Token == "" {
		// Without a token serve runs the portal alone; a webhook needs the bot.
		r.fail(usagef("ACERCATE_WEBHOOK_URL is set but TELEGRAM_BOT_TOKEN is not (the token @BotFather gave the bot)"))
	}
	c.WebhookSecret = r.raw("ACERCATE_WEBHOOK_SECRET")
	if c.WebhookURL != "" {
		u, err := url.Parse(c.WebhookURL)
		r.check("ACERCATE_WEBHOOK_URL", err == nil && u.Scheme == "https" && u.Host != "",
			"%q is not an https URL (Telegram calls webhooks over HTTPS only)", c.WebhookURL)
		if c.WebhookSecret == "" {
			r.fail(usagef("ACERCATE_WEBHOOK_SECRET is not set; webhook mode needs it (16-256 of A-Z a-z 0-9 _ -, e.g. openssl rand -hex 32)"))
		}
	}
	if c.WebhookSecret != "" {
		r.check("ACERCATE_WEBHOOK_SECRET", webhookSecret.MatchString(c.WebhookSecret),
			"must be 16-256 characters of A-Z a-z 0-9 _ - (e.g. openssl rand -hex 32)")
	}
	c.HTTPAddr = r.str("ACERCATE_HTTP_ADDR", "")
	if c.httpAddrDefault = c.HTTPAddr == ""; c.httpAddrDefault {
		c.HTTPAddr = ":8080"
	}
	httpPort := checkAddr(r, "ACERCATE_HTTP_ADDR", c.HTTPAddr, ":8080 or 127.0.0.1:8080")
	c.AdminAddr = r.str("ACERCATE_ADMIN_ADDR", "127.0.0.1:9090")
	adminPort := checkAddr(r, "ACERCATE_ADMIN_ADDR", c.AdminAddr, "127.0.0.1:9090 or :9090")
	r.check("ACERCATE_ADMIN_ADDR", c.AdminAddr != c.HTTPAddr || httpPort == "0" || adminPort == "0",
		"%q is ACERCATE_HTTP_ADDR too; metrics and readiness are not served on the public port", c.AdminAddr)
	c.MaxConns = r.intIn("ACERCATE_HTTP_MAX_CONNS", 256, 8, 65536, "a number of connections")
	c.SendRate = r.float("ACERCATE_SEND_RATE", bot.DefaultSendRate)
	c.ChatRate = r.float("ACERCATE_CHAT_RATE", bot.DefaultChatRate)
	c.GroupRate = r.float("ACERCATE_GROUP_RATE", bot.DefaultGroupRate)
	c.Workers = r.intIn("ACERCATE_WORKERS", defaultWorkers(), 1, 1024, "a number of updates at once")
	switch v := strings.ToLower(r.str("ACERCATE_LOG_LEVEL", "info")); v {
	case "info":
		c.LogLevel = slog.LevelInfo
	case "debug":
		c.LogLevel = slog.LevelDebug
	case "warn":
		c.LogLevel = slog.LevelWarn
	case "error":
		c.LogLevel = slog.LevelError
	default:
		r.check("ACERCATE_LOG_LEVEL", false, "%q is not debug, info, warn or error", v)
	}
	return c
}

// checkAddr checks a host:port to listen on and returns its port.
func checkAddr(r *envReader, name, addr, like string) string {
	_, port, err := net.SplitHostPort(addr)
	r.check(name, err == nil && port != "", "%q is not host:port (like %s)", addr, like)
	return port
}

// webhookPath is where the webhook is served: the path of its URL.
func (c *serveConfig) webhookPath() string {
	u, err := url.Parse(c.WebhookURL)
	if err != nil || u.Path == "" || u.Path == "/" {
		return "/telegram"
	}
	return u.Path
}

// defaultWorkers sizes ACERCATE_WORKERS from the machine: 32 per core
// (64 on 2 cores), at most 1024. A worker is held only while a step or a
// call is under way, mostly waiting on Redis, SQLite or Telegram, so a
// core keeps about that many busy: on the 2-core machine, 8 workers left
// the cores idle at 3,000 people tapping once a second (README, load).
func defaultWorkers() int { return min(1024, 32*runtime.GOMAXPROCS(0)) }
