package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/acercate/acercate/app"
	"github.com/acercate/acercate/bot"
	"github.com/acercate/acercate/flows"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// runServe is `acercate serve`: the Telegram bot (when TELEGRAM_BOT_TOKEN
// is set) and the web portal, with /healthz (and the webhook, in webhook
// mode) on ACERCATE_HTTP_ADDR and /readyz and /metrics
// on ACERCATE_ADMIN_ADDR, until SIGTERM or SIGINT: then it stops
// receiving, finishes what is in hand and exits 0.
func runServe(ctx context.Context, env *Env, cfg *Config, args []string) error {
	if len(args) > 0 {
		return usagef("serve takes no arguments; it is configured by the environment (see README.md)")
	}
	scfg := &cfg.Serve
	keys, err := cfg.keys(keyFromEnv)
	if err != nil {
		return err
	}
	logger := slog.New(slog.NewJSONHandler(env.Stderr, &slog.HandlerOptions{Level: scfg.LogLevel}))
	log := logger.With("component", "serve")
	// Handling goes on after a signal (in-flight updates are finished);
	// only receiving stops.
	openCtx := context.WithoutCancel(ctx)
	a, err := app.Open(openCtx, app.Config{RedisURL: cfg.RedisURL, DBPath: cfg.DBPath, Keys: keys, StateTTL: cfg.StateTTL, Logger: logger, Retention: cfg.Retention})
	if err != nil {
		return err
	}
	defer a.Close()

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	senv := &serveEnv{App: a, Logger: logger, Now: time.Now, Config: cfg}
	var b *bot.Bot
	var jobs []serveJob
	if scfg.Token != "" {
		b, err = bot.New(openCtx, bot.Config{
			Token: scfg.Token, APIURL: scfg.APIURL, Engine: a.Engine,
			// The store's keys: their hash key survives a data key rotation,
			// so the bot's chat hashes stay those of the engine (store/rekey.go).
			Redis: a.Redis, Keys: a.Store.Keys(), Blocked: a.Store, Photos: a.Store,
			SendRate: scfg.SendRate, ChatRate: scfg.ChatRate, ChatBurst: bot.DefaultChatBurst,
			GroupRate: scfg.GroupRate, GroupBurst: bot.DefaultGroupBurst,
			Workers:    scfg.Workers,
			WebhookURL: scfg.WebhookURL, WebhookSecret: scfg.WebhookSecret,
			OnDelivered: senv.onDelivered,
			Logger:      logger, Metrics: bot.NewMetrics(reg),
		})
		if err != nil {
			return err
		}
		senv.Sender = b.Sender()
	}
	pcfg := portalConfig{PublicURL: cfg.PublicURL, BotUsername: cfg.BotUsername, SessionTTL: cfg.StateTTL}
	if b != nil {
		pcfg.Others = func(ctx context.Context, r flows.Reply) error {
			_, err := b.Sender().Send(ctx, r)
			return err
		}
	}
	portal, err := newPortal(a, pcfg, logger)
	if err != nil {
		return err
	}
	// Staff answers to web visitors reach them through the portal's chat.
	senv.Web = portal
	if b != nil {
		if jobs, err = serveJobs(senv); err != nil {
			return err
		}
	} else {
		// The portal alone: no staff group or coordinator can be written
		// to, but what is kept is still purged on time.
		log.Warn("TELEGRAM_BOT_TOKEN is not set: serving the web portal alone, without the Telegram bot")
		j, err := purgeJob(senv)
		if err != nil {
			return err
		}
		jobs = append(jobs, j)
	}

	healthz := func(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, "ok") }
	// The public port: what Telegram and the proxy in front need, no more.
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", healthz)
	refused := newRefusals(reg, logger.With("component", "webhook"), time.Second)
	defer refused.flush()
	if b != nil && scfg.WebhookURL != "" {
		mux.Handle(scfg.webhookPath(), guardWebhook(scfg.WebhookSecret, b.WebhookHandler(), refused))
	}
	// Everything else on the public port is the web portal.
	mux.Handle("/", portal.Handler())
	// The admin port (loopback by default): readiness and metrics tell
	// the Go version, the load and what fails, for the operator only.
	admin := http.NewServeMux()
	admin.HandleFunc("GET /healthz", healthz)
	admin.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		if why := notReady(r.Context(), a, b); len(why) > 0 {
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprintln(w, strings.Join(why, "\n"))
			return
		}
		fmt.Fprintln(w, "ready")
	})
	admin.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	lim := serveLimits(scfg.MaxConns)
	srv, addr, err := listenHTTP(scfg.HTTPAddr, mux, lim, log)
	if err != nil {
		return fmt.Errorf("ACERCATE_HTTP_ADDR: %w", err)
	}
	adminSrv, adminAddr, err := listenHTTP(scfg.AdminAddr, admin, lim, log)
	if err != nil {
		srv.Close()
		return fmt.Errorf("ACERCATE_ADMIN_ADDR: %w", err)
	}
	log.Info("serving", "http", addr.String(), "admin", adminAddr.String(), "telegram", b != nil, "webhook", scfg.WebhookURL != "", "workers", scfg.Workers, "jobs", len(jobs))

	var wg sync.WaitGroup
	for _, j := range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := j.Run(ctx); err != nil && ctx.Err() == nil {
				log.Error("job stopped", "job", j.Name, "err", err)
			}
		}()
	}
	if b != nil {
		err = b.Run(ctx)
	} else {
		<-ctx.Done()
	}
	wg.Wait()
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	srv.Shutdown(sctx)
	adminSrv.Shutdown(sctx)
	portal.Stop(sctx)
	if err != nil {
		return err
	}
	log.Info("stopped")
	return nil
}

// notReady lists why the service cannot do its work now, or nothing.
func notReady(ctx context.Context, a *app.App, b *bot.Bot) []string {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	var why []string
	if err := a.Redis.Ping(ctx).Err(); err != nil {
		why = append(why, "redis: "+err.Error())
	}
	if err := a.Store.Ping(ctx); err != nil {
		why = append(why, "sqlite: "+err.Error())
	}
	if b != nil {
		if err := b.Ready(); err != nil {
			why = append(why, err.Error())
		}
	}
	return why
}
