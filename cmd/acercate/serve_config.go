package main

import (
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/acercate/acercate/bot"
	"github.com/acercate/acercate/secret"
)

// serveConfig is `acercate serve`'s configuration, read from the
// environment once and validated: a bad value is a usage error (exit 2)
// naming the variable, never showing a secret's value.
type serveConfig struct {
	// Token is "" when the portal runs alone.
	Token         string
	APIURL        string
	WebhookURL    string
	WebhookSecret string
	HTTPAddr      string
	SendRate      float64
	ChatRate      float64
	GroupRate     float64
	Workers       int
	RedisURL      string
	DBPath        string
	StateTTL      time.Duration
	Keys          *secret.Keys
	LogLevel      slog.Level
	// PublicURL is the portal's public base (ACERCATE_PUBLIC_URL), "" if unset.
	PublicURL string
	// BotUsername is ACERCATE_BOT_USERNAME, for the portal's Telegram links.
	BotUsername string
}

var (
	botToken      = regexp.MustCompile(`^[0-9]{1,20}:[A-Za-z0-9_-]{20,}$`)
	webhookSecret = regexp.MustCompile(`^[A-Za-z0-9_-]{16,256}$`)
)

func readServeConfig(env *Env) (*serveConfig, error) {
	c := &serveConfig{}
	c.Token = strings.TrimSpace(env.Getenv("TELEGRAM_BOT_TOKEN"))
	if c.Token != "" && !botToken.MatchString(c.Token) {
		return nil, usagef("TELEGRAM_BOT_TOKEN does not look like a bot token (digits, a colon, then letters)")
	}
	c.APIURL = strings.TrimRight(strings.TrimSpace(env.Getenv("TELEGRAM_API_URL")), "/")
	if c.APIURL == "" {
		c.APIURL = "https://api.telegram.org"
	}
	if u, err := url.Parse(c.APIURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, usagef("TELEGRAM_API_URL: %q is not an http(s) URL", c.APIURL)
	}
	c.WebhookURL = strings.TrimSpace(env.Getenv("ACERCATE_WEBHOOK_URL"))
	if c.WebhookURL != "" && c.Token == "" {
		return nil, usagef("ACERCATE_WEBHOOK_URL is set but TELEGRAM_BOT_TOKEN is not (the token @BotFather gave the bot)")
	}
	if c.WebhookURL != "" {
		if u, err := url.Parse(c.WebhookURL); err != nil || u.Scheme != "https" || u.Host == "" {
			return nil, usagef("ACERCATE_WEBHOOK_URL: %q is not an https URL (Telegram calls webhooks over HTTPS only)", c.WebhookURL)
		}
		c.WebhookSecret = env.Getenv("ACERCATE_WEBHOOK_SECRET")
		if c.WebhookSecret == "" {
			return nil, usagef("ACERCATE_WEBHOOK_SECRET is not set; webhook mode needs it (16-256 of A-Z a-z 0-9 _ -, e.g. openssl rand -hex 32)")
		}
		if !webhookSecret.MatchString(c.WebhookSecret) {
			return nil, usagef("ACERCATE_WEBHOOK_SECRET must be 16-256 characters of A-Z a-z 0-9 _ - (e.g. openssl rand -hex 32)")
		}
	}
	c.HTTPAddr = strings.TrimSpace(env.Getenv("ACERCATE_HTTP_ADDR"))
	if c.HTTPAddr == "" {
		c.HTTPAddr = ":8080"
	}
	if _, port, err := net.SplitHostPort(c.HTTPAddr); err != nil || port == "" {
		return nil, usagef("ACERCATE_HTTP_ADDR: %q is not host:port (like :8080 or 127.0.0.1:8080)", c.HTTPAddr)
	}
	var err error
	if c.SendRate, err = floatEnv(env, "ACERCATE_SEND_RATE", bot.DefaultSendRate); err != nil {
		return nil, err
	}
	if c.ChatRate, err = floatEnv(env, "ACERCATE_CHAT_RATE", bot.DefaultChatRate); err != nil {
		return nil, err
	}
	if c.GroupRate, err = floatEnv(env, "ACERCATE_GROUP_RATE", bot.DefaultGroupRate); err != nil {
		return nil, err
	}
	c.Workers = 8
	if v := strings.TrimSpace(env.Getenv("ACERCATE_WORKERS")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1024 {
			return nil, usagef("ACERCATE_WORKERS: %q is not a number from 1 to 1024", v)
		}
		c.Workers = n
	}
	switch v := strings.ToLower(strings.TrimSpace(env.Getenv("ACERCATE_LOG_LEVEL"))); v {
	case "", "info":
		c.LogLevel = slog.LevelInfo
	case "debug":
		c.LogLevel = slog.LevelDebug
	case "warn":
		c.LogLevel = slog.LevelWarn
	case "error":
		c.LogLevel = slog.LevelError
	default:
		return nil, usagef("ACERCATE_LOG_LEVEL: %q is not debug, info, warn or error", v)
	}
	if c.StateTTL, err = durationEnv(env, "ACERCATE_STATE_TTL", 72*time.Hour); err != nil {
		return nil, err
	}
	if c.Keys, err = requiredKeys(env); err != nil {
		return nil, err
	}
	c.RedisURL = strings.TrimSpace(env.Getenv("REDIS_URL"))
	if c.RedisURL != "" {
		if u, err := url.Parse(c.RedisURL); err != nil || (u.Scheme != "redis" && u.Scheme != "rediss" && u.Scheme != "unix") {
			return nil, usagef("REDIS_URL is not a redis:// URL")
		}
	}
	c.DBPath = dbPath(env)
	if c.PublicURL, err = publicURLEnv(env); err != nil {
		return nil, err
	}
	c.BotUsername = optionalBotUsername(env)
	return c, nil
}

// webhookPath is where the webhook is served: the path of its URL.
func (c *serveConfig) webhookPath() string {
	u, err := url.Parse(c.WebhookURL)
	if err != nil || u.Path == "" || u.Path == "/" {
		return "/telegram"
	}
	return u.Path
}

func (c *serveConfig) String() string {
	return fmt.Sprintf("serve(api=%s webhook=%t http=%s)", c.APIURL, c.WebhookURL != "", c.HTTPAddr)
}
