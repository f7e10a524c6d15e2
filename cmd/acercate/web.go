package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/acercate/acercate/app"
	"github.com/acercate/acercate/flows"
	"github.com/acercate/acercate/web"
)

// runWeb is `acercate web`: the portal (and its web chat) on embedded
// defaults, as `chat` is for the terminal: an embedded Redis unless
// REDIS_URL is set, a local SQLite file, a data key generated beside it,
// no token, no network. It serves on ACERCATE_HTTP_ADDR (default
// 127.0.0.1:8080), prints the address, and stops on Ctrl-C.
func runWeb(ctx context.Context, env *Env, cfg *Config, args []string) error {
	if len(args) > 0 {
		return usagef("web takes no arguments; it is configured by the environment (see README.md)")
	}
	// serve's default listens on every interface; a trial on a laptop
	// stays on this machine unless told otherwise.
	addr := cfg.Serve.HTTPAddr
	if cfg.Serve.httpAddrDefault {
		addr = "127.0.0.1:8080"
	}
	keys, err := cfg.keys(keyCreate)
	if err != nil {
		return err
	}
	logger := slog.New(slog.NewTextHandler(env.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	a, err := app.Open(ctx, app.Config{
		RedisURL: cfg.RedisURL, DBPath: cfg.DBPath, Keys: keys, StateTTL: cfg.StateTTL, Logger: logger,
		Retention: cfg.Retention,
	})
	if err != nil {
		return err
	}
	defer a.Close()
	portal, err := newPortal(a, portalConfig{PublicURL: cfg.PublicURL, BotUsername: cfg.BotUsername, SessionTTL: cfg.StateTTL}, logger)
	if err != nil {
		return err
	}
	// The same listener as serve's: its connection limit, timeouts and
	// header limit, so what a newcomer tries is what runs in production.
	srv, ln, err := listenHTTP(addr, portal.Handler(), serveLimits(cfg.Serve.MaxConns), logger)
	if err != nil {
		return fmt.Errorf("ACERCATE_HTTP_ADDR: %w", err)
	}
	fmt.Fprintf(env.Stdout, "Acércate portal: http://%s/ (Ctrl-C stops it)\n", browsable(ln.String()))
	<-ctx.Done()
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err = srv.Shutdown(sctx)
	if perr := portal.Stop(sctx); err == nil {
		err = perr
	}
	return err
}

// browsable makes a listening address one a browser can open: the
// unspecified host (":8080", "0.0.0.0") as localhost.
func browsable(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		host = "localhost"
	}
	return net.JoinHostPort(host, port)
}

// portalConfig is what the commands give the portal.
type portalConfig struct {
	PublicURL, BotUsername string
	SessionTTL             time.Duration
	// Others delivers the web chat's replies to other channels (the
	// Telegram staff groups); nil when there is no bot.
	Others func(ctx context.Context, r flows.Reply) error
}

// newPortal builds the web portal and its chat over a wired app.
func newPortal(a *app.App, c portalConfig, logger *slog.Logger) (*web.Server, error) {
	return web.New(web.Config{
		Engine: a.Engine, Shelters: a.Store.Deps().Shelters, Keys: a.Store.Keys(),
		PublicURL: c.PublicURL, BotUsername: c.BotUsername, SessionTTL: c.SessionTTL,
		Redis: a.Redis, RedisPrefix: a.RedisPrefix, Others: c.Others, Photos: a.Store,
		Logger: logger,
	})
}

// parsePublicURL trims a base URL's trailing slash and checks it is an
// http(s) address without query or fragment ("" is fine: not set).
func parsePublicURL(v string) (string, bool) {
	v = strings.TrimRight(strings.TrimSpace(v), "/")
	if v == "" {
		return "", true
	}
	u, err := url.Parse(v)
	return v, err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" && u.RawQuery == "" && u.Fragment == ""
}
