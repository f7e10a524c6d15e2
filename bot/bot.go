package bot

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/acercate/acercate/flows"
	"github.com/acercate/acercate/secret"
	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
	"github.com/redis/go-redis/v9"
)

// Telegram's documented limits, the defaults of the sending limits.
const (
	DefaultSendRate   = 30.0      // messages per second, all chats
	DefaultChatRate   = 1.0       // messages per second to one chat
	DefaultChatBurst  = 3         // a reply of a few messages goes at once
	DefaultGroupRate  = 20.0 / 60 // messages per second to one group
	DefaultGroupBurst = 3
)

// Config is what the bot needs. Rates are messages per second; a zero
// rate turns that limit off (use the Default constants for Telegram's).
type Config struct {
	// Token is the bot's token; it never appears in a log or an error.
	Token string
	// APIURL is the Bot API's base URL (https://api.telegram.org).
	APIURL string
	Engine *flows.Engine
	// Redis keeps the message ids the quick exit deletes; Keys hashes chat
	// ids for its keys; RedisPrefix namespaces them ("acercate:").
	Redis       redis.UniversalClient
	RedisPrefix string
	Keys        *secret.Keys
	// Blocked keeps the chats whose person blocked the bot (the store).
	Blocked BlockList

	SendRate, ChatRate, GroupRate float64
	ChatBurst, GroupBurst         int
	// Workers is how many updates are handled at once, each of a
	// different chat (8).
	Workers int
	// PollTimeout is getUpdates' long-poll timeout (25 s).
	PollTimeout time.Duration
	// Retries bounds retries of a call that failed on the network or with
	// a 5xx (5); Backoff is the first wait (500 ms), doubling up to
	// MaxBackoff (30 s). Handling an update that failed (Redis down) is
	// retried with the same backoff, without bound.
	Retries             int
	Backoff, MaxBackoff time.Duration
	// WebhookURL, when set, receives updates by webhook instead of long
	// polling; Telegram sends WebhookSecret in every request.
	WebhookURL, WebhookSecret string
	// OnDelivered, when set, is called after each reply with a Ref is
	// delivered, with the id of the message it became.
	OnDelivered func(ctx context.Context, r flows.Reply, messageID int64)
	Logger      *slog.Logger
	Metrics     *Metrics
	Now         func() time.Time
	// HTTPClient makes the calls (one with a timeout suited to each use
	// when nil).
	HTTPClient *http.Client
	// Observe, when set, is told of each handled update: its id, kind and
	// handling time (benchmarks use it).
	Observe func(updateID int64, kind string, d time.Duration)
}

// Bot receives updates, hands them to the engine and delivers its replies.
type Bot struct {
	cfg     Config
	poll    *api
	sender  *Sender
	eng     *flows.Engine
	log     *slog.Logger
	metrics *Metrics

	sem   chan struct{}
	locks chatLocks

	receiving atomic.Bool
	stopping  atomic.Bool
	// gate orders a webhook request's check of stopping and its
	// inflight.Add before the shutdown's Wait: without it a request could
	// pass the check, then Add after Wait returned, and be cut off.
	gate     sync.Mutex
	inflight sync.WaitGroup

	mu        sync.Mutex
	pollErr   string
	handleErr string
}

// New returns a bot; it makes no call until Run.
func New(ctx context.Context, cfg Config) (*Bot, error) {
	if cfg.Token == "" {
		return nil, errors.New("bot: no token")
	}
	if cfg.Engine == nil {
		return nil, errors.New("bot: no engine")
	}
	if cfg.Keys == nil {
		return nil, errors.New("bot: no keys")
	}
	if cfg.APIURL == "" {
		cfg.APIURL = "https://api.telegram.org"
	}
	if cfg.RedisPrefix == "" {
		cfg.RedisPrefix = "acercate:"
	}
	if cfg.Workers <= 0 {
		cfg.Workers = 8
	}
	if cfg.PollTimeout <= 0 {
		cfg.PollTimeout = 25 * time.Second
	}
	if cfg.Retries <= 0 {
		cfg.Retries = 5
	}
	if cfg.Backoff <= 0 {
		cfg.Backoff = 500 * time.Millisecond
	}
	if cfg.MaxBackoff <= 0 {
		cfg.MaxBackoff = 30 * time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	sendClient, pollClient := cfg.HTTPClient, cfg.HTTPClient
	if sendClient == nil {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.MaxIdleConnsPerHost = 64
		sendClient = &http.Client{Timeout: 30 * time.Second, Transport: tr}
		pollClient = &http.Client{Timeout: cfg.PollTimeout + 15*time.Second, Transport: tr}
	}
	log := cfg.Logger.With("component", "bot")
	b := &Bot{
		cfg: cfg, eng: cfg.Engine, log: log, metrics: cfg.Metrics,
		poll: newAPI(cfg.Token, cfg.APIURL, pollClient),
		sem:  make(chan struct{}, cfg.Workers),
	}
	b.sender = &Sender{
		api:     newAPI(cfg.Token, cfg.APIURL, sendClient),
		lim:     newLimiter(cfg.SendRate, cfg.ChatRate, cfg.GroupRate, cfg.ChatBurst, cfg.GroupBurst),
		track:   &tracker{rdb: cfg.Redis, keys: cfg.Keys, prefix: cfg.RedisPrefix, now: cfg.Now},
		keys:    cfg.Keys,
		list:    cfg.Blocked,
		metrics: cfg.Metrics,
		log:     log,
		onDeliv: cfg.OnDelivered,
		retries: cfg.Retries,
		backoff: cfg.Backoff,
		maxWait: cfg.MaxBackoff,
		blocked: map[string]bool{},
	}
	if cfg.Blocked != nil {
		hs, err := cfg.Blocked.BlockedChats(ctx)
		if err != nil {
			return nil, fmt.Errorf("bot: read blocked chats: %w", err)
		}
		for _, h := range hs {
			b.sender.blocked[h] = true
		}
	}
	return b, nil
}

// Sender returns the bot's sender, for jobs that send on their own.
func (b *Bot) Sender() *Sender { return b.sender }

// Ready says why the bot is not ready to receive, or nil.
func (b *Bot) Ready() error {
	if b.stopping.Load() {
		return errors.New("receiving: stopping")
	}
	if !b.receiving.Load() {
		return errors.New("receiving: not started")
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.pollErr != "" {
		return fmt.Errorf("receiving: %s", b.pollErr)
	}
	if b.handleErr != "" {
		return fmt.Errorf("handling: %s", b.handleErr)
	}
	return nil
}

func (b *Bot) setErr(which *string, err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if err == nil {
		*which = ""
	} else {
		*which = err.Error()
	}
}

// Run receives updates until ctx ends — by webhook when WebhookURL is
// set, else by long polling — then finishes the updates in hand and
// returns nil.
func (b *Bot) Run(ctx context.Context) error {
	// The message ids kept for the quick exit are written in the
	// background, and once more after receiving stopped.
	tctx, stop := context.WithCancel(context.WithoutCancel(ctx))
	flushed := make(chan struct{})
	go func() {
		defer close(flushed)
		b.sender.track.run(tctx, func(err error) {
			b.log.Warn("cannot keep message ids for the quick exit", "err", err)
		})
	}()
	defer func() { stop(); <-flushed }()
	if b.cfg.WebhookURL != "" {
		return b.runWebhook(ctx)
	}
	return b.runPoll(ctx)
}

// allowedUpdates are the update types the bot asks for.
var allowedUpdates = `["message","edited_message","callback_query","my_chat_member"]`

func (b *Bot) runPoll(ctx context.Context) error {
	// A webhook left from a webhook-mode run would make getUpdates fail.
	if _, e := b.poll.call(ctx, "deleteWebhook", tgbotapi.Params{}, nil); e != nil && ctx.Err() == nil {
		b.log.Warn("deleteWebhook failed; long polling may be refused", "err", e)
	}
	b.receiving.Store(true)
	defer b.receiving.Store(false)
	b.log.Info("receiving updates by long polling", "timeout", b.cfg.PollTimeout)
	hctx := context.WithoutCancel(ctx)
	var offset int64
	failures := 0
	for ctx.Err() == nil {
		ups, e := b.getUpdates(ctx, offset, b.cfg.PollTimeout)
		if e != nil {
			if ctx.Err() != nil {
				break
			}
			failures++
			b.setErr(&b.pollErr, e)
			if e.Code == 409 {
				b.log.Error("getUpdates conflict: another instance is receiving with this token, or a webhook is set; backing off", "code", e.Code)
			} else {
				b.log.Warn("getUpdates failed; backing off", "err", e, "failures", failures)
			}
			b.sleep(ctx, failures)
			continue
		}
		failures = 0
		b.setErr(&b.pollErr, nil)
		if len(ups) == 0 {
			continue
		}
		// The offset moves past this batch only once all of it was handled:
		// until then Telegram keeps the updates and sends them again.
		for attempt := 1; ; attempt++ {
			err := b.handleBatch(hctx, ups)
			b.setErr(&b.handleErr, err)
			if err == nil {
				break
			}
			b.log.Error("handling a batch failed; its updates stay unconfirmed and are retried", "err", err, "attempt", attempt)
			if !b.sleep(ctx, attempt) {
				return nil
			}
		}
		offset = int64(ups[len(ups)-1].UpdateID) + 1
	}
	b.stopping.Store(true)
	if offset > 0 {
		// Confirm the last batch now, so a restart does not fetch it again.
		cctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		b.getUpdates(cctx, offset, 0)
		cancel()
	}
	b.log.Info("stopped receiving")
	return nil
}

// sleep waits the backoff of attempt; false if ctx ended meanwhile.
func (b *Bot) sleep(ctx context.Context, attempt int) bool {
	d := b.cfg.Backoff
	for i := 1; i < attempt && d < b.cfg.MaxBackoff; i++ {
		d *= 2
	}
	t := time.NewTimer(min(d, b.cfg.MaxBackoff))
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

func (b *Bot) getUpdates(ctx context.Context, offset int64, timeout time.Duration) ([]tgbotapi.Update, *Error) {
	p := tgbotapi.Params{
		"offset":          strconv.FormatInt(offset, 10),
		"limit":           "100",
		"timeout":         strconv.Itoa(int(timeout / time.Second)),
		"allowed_updates": allowedUpdates,
	}
	res, e := b.poll.call(ctx, "getUpdates", p, nil)
	if e != nil {
		return nil, e
	}
	var ups []tgbotapi.Update
	if err := json.Unmarshal(res, &ups); err != nil {
		return nil, &Error{Class: ClassServer, Method: "getUpdates", Err: err}
	}
	return ups, nil
}

// handleBatch handles a batch: each chat's updates in order, different
// chats in parallel. It returns the first failure; updates of a chat after
// its failed one are not attempted, so the chat's order holds on retry.
func (b *Bot) handleBatch(ctx context.Context, ups []tgbotapi.Update) error {
	var order []int64
	byChat := map[int64][]incoming{}
	for _, u := range ups {
		in := convert(u)
		in.ev.UpdateID = int64(u.UpdateID)
		if _, seen := byChat[in.chat]; !seen {
			order = append(order, in.chat)
		}
		byChat[in.chat] = append(byChat[in.chat], in)
	}
	b.metrics.queued(len(ups))
	errs := make([]error, len(order))
	var done atomic.Int64
	var wg sync.WaitGroup
	for i, chat := range order {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, in := range byChat[chat] {
				if err := b.handle(ctx, in); err != nil {
					errs[i] = err
					return
				}
				done.Add(1)
				b.metrics.queued(-1)
			}
		}()
	}
	wg.Wait()
	b.metrics.queued(-(len(ups) - int(done.Load())))
	return errors.Join(errs...)
}

// handle handles one update: the engine's step, then each reply, marking
// each delivered. An error leaves the update to be handled again; the
// engine then returns only the replies not yet delivered.
func (b *Bot) handle(ctx context.Context, in incoming) error {
	unlock := b.locks.lock(in.chat)
	defer unlock()
	b.sem <- struct{}{}
	defer func() { <-b.sem }()
	start := time.Now()
	if in.blocked {
		b.sender.markBlocked(ctx, in.chat)
		return nil
	}
	if in.unblocked {
		return b.sender.unblock(ctx, in.chat)
	}
	if !in.has {
		return nil
	}
	// A message from a chat means the bot can write there again: the
	// person unblocked it, or the group has the bot back.
	ev := in.ev
	if err := b.sender.unblock(ctx, in.chat); err != nil {
		return err
	}
	out, err := b.eng.Handle(ctx, ev)
	if err != nil {
		return fmt.Errorf("update %d: %w", ev.UpdateID, err)
	}
	// The person's message and the bot's answers are kept for the quick
	// exit in one Redis round trip once the update is done.
	var also, track []int64
	if in.msgID != 0 {
		also = []int64{in.msgID}
		track = also
	}
	for i, r := range out.Replies {
		id, err := b.sender.send(ctx, r, also)
		if err != nil {
			if temporary(err) {
				b.trackIDs(ctx, ev, track)
				return fmt.Errorf("update %d: %w", ev.UpdateID, err)
			}
			b.log.Warn("reply not delivered", "update_id", ev.UpdateID, "reply", r.Kind, "err", err)
		}
		switch {
		case r.Kind == flows.ClearChat:
			track = nil // deleted; the neutral message is tracked already
		case id != 0 && r.Kind != flows.AnswerTap:
			track = append(track, id)
		}
		if err := b.eng.Delivered(ctx, ev, out.Sent+i+1); err != nil {
			b.trackIDs(ctx, ev, track)
			return fmt.Errorf("update %d: %w", ev.UpdateID, err)
		}
	}
	b.trackIDs(ctx, ev, track)
	d := time.Since(start)
	b.metrics.update(in.kind, d)
	if b.cfg.Observe != nil {
		b.cfg.Observe(ev.UpdateID, in.kind, d)
	}
	b.log.Info("update handled", "update_id", ev.UpdateID, "kind", in.kind, "replies", len(out.Replies), "duplicate", out.Duplicate, "ms", d.Milliseconds())
	return nil
}

// trackIDs keeps a private chat's message ids for the quick exit. Failing
// only means the quick exit cannot delete them: logged, not returned.
func (b *Bot) trackIDs(ctx context.Context, ev flows.Event, ids []int64) {
	if ev.Group || len(ids) == 0 {
		return
	}
	chat, _ := ev.ChatID.TelegramID()
	if err := b.sender.track.add(ctx, chat, ids...); err != nil {
		b.log.Warn("cannot keep message ids for the quick exit", "update_id", ev.UpdateID, "err", err)
	}
}

func (b *Bot) runWebhook(ctx context.Context) error {
	p := tgbotapi.Params{
		"url":             b.cfg.WebhookURL,
		"secret_token":    b.cfg.WebhookSecret,
		"allowed_updates": allowedUpdates,
		"max_connections": strconv.Itoa(max(b.cfg.Workers, 1)),
	}
	for attempt := 1; ; attempt++ {
		_, e := b.poll.call(ctx, "setWebhook", p, nil)
		if e == nil {
			b.setErr(&b.pollErr, nil)
			break
		}
		b.setErr(&b.pollErr, e)
		b.log.Error("setWebhook failed; retrying", "err", e, "attempt", attempt)
		if !b.sleep(ctx, attempt) {
			return nil
		}
	}
	b.receiving.Store(true)
	b.log.Info("receiving updates by webhook")
	<-ctx.Done()
	b.gate.Lock()
	b.stopping.Store(true)
	b.gate.Unlock()
	b.inflight.Wait()
	b.receiving.Store(false)
	b.log.Info("stopped receiving")
	return nil
}

// WebhookHandler receives Telegram's webhook requests. A request without
// the secret header gets 401 and is not looked at; an update is answered
// 200 only once handled, else 500 so Telegram sends it again.
func (b *Bot) WebhookHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got := r.Header.Get("X-Telegram-Bot-Api-Secret-Token")
		if b.cfg.WebhookSecret == "" || subtle.ConstantTimeCompare([]byte(got), []byte(b.cfg.WebhookSecret)) != 1 {
			b.log.Warn("webhook request without the right secret", "remote", r.RemoteAddr)
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		if r.Method != http.MethodPost {
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		if !b.enter() {
			http.Error(w, "stopping", http.StatusServiceUnavailable)
			return
		}
		defer b.inflight.Done()
		body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		var u tgbotapi.Update
		if err == nil {
			err = json.Unmarshal(body, &u)
		}
		if err != nil {
			http.Error(w, "bad update", http.StatusBadRequest)
			return
		}
		in := convert(u)
		in.ev.UpdateID = int64(u.UpdateID)
		b.metrics.queued(1)
		err = b.handle(context.WithoutCancel(r.Context()), in)
		b.metrics.queued(-1)
		b.setErr(&b.handleErr, err)
		if err != nil {
			b.log.Error("handling a webhook update failed; Telegram will send it again", "update_id", u.UpdateID, "err", err)
			http.Error(w, "try again", http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
}

// enter counts a webhook request in flight unless the bot is stopping.
func (b *Bot) enter() bool {
	b.gate.Lock()
	defer b.gate.Unlock()
	if b.stopping.Load() {
		return false
	}
	b.inflight.Add(1)
	return true
}

// chatLocks serialises the updates of one chat across batches and webhook
// requests.
type chatLocks struct {
	mu sync.Mutex
	m  map[int64]*chatLock
}

type chatLock struct {
	mu   sync.Mutex
	refs int
}

func (c *chatLocks) lock(chat int64) func() {
	c.mu.Lock()
	if c.m == nil {
		c.m = map[int64]*chatLock{}
	}
	l := c.m[chat]
	if l == nil {
		l = &chatLock{}
		c.m[chat] = l
	}
	l.refs++
	c.mu.Unlock()
	l.mu.Lock()
	return func() {
		l.mu.Unlock()
		c.mu.Lock()
		if l.refs--; l.refs == 0 {
			delete(c.m, chat)
		}
		c.mu.Unlock()
	}
}
