package bot

import (
	"context"
	"crypto/subtle"
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
	"github.com/acercate/acercate/flows/run"
	"github.com/acercate/acercate/secret"
	"github.com/go-json-experiment/json"
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
	// Photos opens the web chat's photos, which the staff's denuncia view
	// uploads (the store); nil sends every photo by its file id.
	Photos PhotoSource

	SendRate, ChatRate, GroupRate float64
	ChatBurst, GroupBurst         int
	// Workers is how many updates are handled at once, each of a
	// different chat (8). An update waiting for its chat's sending limit
	// or a retry holds none.
	Workers int
	// StopTimeout bounds how long Run finishes the work in hand after ctx
	// ended (8 s): updates not done by then stay unconfirmed.
	StopTimeout time.Duration
	// Repoll is how soon long polling looks again for new updates while
	// updates it fetched are not all done (100 ms): getUpdates cannot
	// wait for new ones without confirming those.
	Repoll time.Duration
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

	// runner keeps each chat's updates in order, works on chats in
	// parallel and delivers the replies (flows/run); keyed by chat id.
	runner *run.Runner[int64]

	receiving atomic.Bool
	stopping  atomic.Bool
	// gate orders a webhook request's check of stopping and its
	// inflight.Add before the shutdown's Wait: without it a request could
	// pass the check, then Add after Wait returned, and be cut off.
	gate     sync.Mutex
	inflight sync.WaitGroup

	mu      sync.Mutex
	pollErr string
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
	if cfg.StopTimeout <= 0 {
		cfg.StopTimeout = 8 * time.Second
	}
	if cfg.Repoll <= 0 {
		cfg.Repoll = 100 * time.Millisecond
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
		// Every worker may be sending at once: each keeps its connection
		// to the Bot API alive instead of opening one per call.
		tr.MaxIdleConnsPerHost = max(64, cfg.Workers+16)
		sendClient = &http.Client{Timeout: 30 * time.Second, Transport: tr}
		pollClient = &http.Client{Timeout: cfg.PollTimeout + 15*time.Second, Transport: tr}
	}
	log := cfg.Logger.With("component", "bot")
	b := &Bot{
		cfg: cfg, eng: cfg.Engine, log: log, metrics: cfg.Metrics,
		poll: newAPI(cfg.Token, cfg.APIURL, pollClient),
	}
	var err error
	b.runner, err = run.New[int64](run.Config{Engine: cfg.Engine, Workers: cfg.Workers,
		Backoff: cfg.Backoff, MaxBackoff: cfg.MaxBackoff, Logger: cfg.Logger})
	if err != nil {
		return nil, err
	}
	b.sender = &Sender{
		api:     newAPI(cfg.Token, cfg.APIURL, sendClient),
		lim:     newLimiter(cfg.SendRate, cfg.ChatRate, cfg.GroupRate, cfg.ChatBurst, cfg.GroupBurst),
		track:   &tracker{rdb: cfg.Redis, keys: cfg.Keys, prefix: cfg.RedisPrefix, now: cfg.Now},
		keys:    cfg.Keys,
		list:    cfg.Blocked,
		photos:  cfg.Photos,
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
	if err := b.runner.Err(); err != nil {
		return fmt.Errorf("handling: %w", err)
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
// set, else by long polling — then stops as the runner's shutdown rule
// says (updates being handled finish, those not started stay unconfirmed
// for Telegram to deliver again) and returns nil.
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
	if e := b.poll.call(ctx, "deleteWebhook", tgbotapi.Params{}, nil, nil); e != nil && ctx.Err() == nil {
		b.log.Warn("deleteWebhook failed; long polling may be refused", "err", e)
	}
	b.receiving.Store(true)
	defer b.receiving.Store(false)
	b.log.Info("receiving updates by long polling", "timeout", b.cfg.PollTimeout)
	// The offset follows the contiguous prefix of handled updates: an
	// update after a slow one is handled at once, its confirmation waits
	// (flows/run's package doc says why).
	offs := run.NewOffsets()
	failures := 0
	for ctx.Err() == nil {
		// With updates in hand getUpdates answers at once (it returns them
		// again): only an empty hand can wait for new ones.
		timeout := b.cfg.PollTimeout
		if offs.InHand() > 0 {
			timeout = 0
		}
		ups, e := b.getUpdates(ctx, offs.Offset(), timeout)
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
		fresh := 0
		for _, u := range ups {
			if !offs.Add(int64(u.UpdateID)) {
				continue // in hand already
			}
			fresh++
			b.submit(u, offs)
		}
		if fresh == 0 && offs.InHand() > 0 {
			b.repoll(ctx, offs)
		}
	}
	b.stopping.Store(true)
	b.stop()
	if offset := offs.Offset(); offset > 0 {
		// Confirm what was done, so a restart does not fetch it again;
		// what was not stays for Telegram to deliver again.
		cctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		b.getUpdates(cctx, offset, 0)
		cancel()
	}
	b.log.Info("stopped receiving")
	return nil
}

// repoll waits before looking for new updates while those in hand are
// not all done: Repoll, or less once the hand is empty (a long poll can
// then wait for new ones).
func (b *Bot) repoll(ctx context.Context, offs *run.Offsets) {
	t := time.NewTimer(b.cfg.Repoll)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			return
		case <-offs.Changed():
			if offs.InHand() == 0 {
				return
			}
		}
	}
}

// stop applies the shutdown rule to the runner, within StopTimeout.
func (b *Bot) stop() {
	sctx, cancel := context.WithTimeout(context.Background(), b.cfg.StopTimeout)
	defer cancel()
	left := b.runner.Pending()
	if err := b.runner.Stop(sctx); err != nil {
		b.log.Warn("calls in flight cut off at shutdown", "err", err)
	}
	b.log.Info("runner stopped; updates not done stay unconfirmed", "in_hand", left)
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
	var ups updates
	if e := b.poll.call(ctx, "getUpdates", p, nil, &ups); e != nil {
		return nil, e
	}
	return ups, nil
}

// submit hands a polled update to the runner; offs hears when it is done.
func (b *Bot) submit(u tgbotapi.Update, offs *run.Offsets) {
	in := convert(u)
	in.ev.UpdateID = int64(u.UpdateID)
	b.metrics.queued(1)
	b.runner.Submit(in.chat, &task{b: b, in: in, id: int64(u.UpdateID), offs: offs})
}

// task is one Telegram update for the runner.
type task struct {
	b    *Bot
	in   incoming
	id   int64
	offs *run.Offsets // nil for a webhook update
	// track are the message ids kept for the quick exit once the update
	// is done: the person's, then the bot's answers.
	track []int64
	// hash is the chat's keyed hash, computed once for the update.
	hash string
}

// Prepare clears or sets the chat's "blocked" mark; an update that is no
// event stops there.
func (t *task) Prepare(ctx context.Context) (flows.Event, bool, error) {
	in, s := t.in, t.b.sender
	switch {
	case in.blocked:
		s.markBlocked(ctx, in.chat)
		return in.ev, false, nil
	case in.unblocked:
		return in.ev, false, s.unblock(ctx, s.chatHash(in.chat))
	case !in.has:
		return in.ev, false, nil
	}
	if t.hash == "" {
		t.hash = s.chatHash(in.chat)
	}
	// A message from a chat means the bot can write there again: the
	// person unblocked it, or the group has the bot back.
	if err := s.unblock(ctx, t.hash); err != nil {
		return in.ev, false, err
	}
	t.track = t.track[:0]
	if in.msgID != 0 {
		t.track = append(t.track, in.msgID)
	}
	return in.ev, true, nil
}

// Send makes one attempt at a reply: the chat's limit or a failure comes
// back as a flows.SendError for the runner to wait on.
func (t *task) Send(ctx context.Context, r flows.Reply) error {
	var also []int64
	if t.in.msgID != 0 {
		also = []int64{t.in.msgID}
	}
	id, err := t.b.sender.attempt(ctx, r, also, t.in.chat, t.hash)
	switch {
	case err != nil:
	case r.Kind == flows.ClearChat:
		t.track = nil // deleted; the neutral message is tracked already
	case id != 0 && r.Kind != flows.AnswerTap:
		t.track = append(t.track, id)
	}
	return err
}

// Finish keeps the message ids for the quick exit in one Redis round
// trip, and lets the offset move past a handled polled update.
func (t *task) Finish(ctx context.Context, res run.Result) {
	b := t.b
	b.trackIDs(ctx, t.in.ev, t.hash, t.track)
	b.metrics.queued(-1)
	if res.Err != nil {
		b.log.Info("update left unconfirmed", "update_id", t.id, "kind", t.in.kind, "err", res.Err)
		return
	}
	if t.offs != nil {
		t.offs.Done(t.id)
	}
	b.metrics.update(t.in.kind, res.Took)
	if b.cfg.Observe != nil {
		b.cfg.Observe(t.id, t.in.kind, res.Took)
	}
	// Debug, not Info: a line per update was 6% of the CPU under load (the
	// harness, 2,800 updates/s), and the metrics count them by kind and
	// time them; what went wrong is logged at Info and above.
	b.log.Debug("update handled", "update_id", t.id, "kind", t.in.kind, "replies", res.Replies, "duplicate", res.Duplicate, "ms", res.Took.Milliseconds())
}

// trackIDs keeps a private chat's message ids for the quick exit. Failing
// only means the quick exit cannot delete them: logged, not returned.
func (b *Bot) trackIDs(ctx context.Context, ev flows.Event, hash string, ids []int64) {
	if ev.Group || len(ids) == 0 {
		return
	}
	chat, _ := ev.ChatID.TelegramID()
	if err := b.sender.track.addKeyed(ctx, chat, hash, ids...); err != nil {
		b.log.Warn("cannot keep message ids for the quick exit", "update_id", ev.UpdateID, "err", err)
	}
}

func (b *Bot) runWebhook(ctx context.Context) error {
	p := tgbotapi.Params{
		"url":             b.cfg.WebhookURL,
		"secret_token":    b.cfg.WebhookSecret,
		"allowed_updates": allowedUpdates,
		// A request waiting behind its chat's earlier updates holds no
		// worker, only its connection: more connections than workers
		// keep one chat's burst from taking them all.
		"max_connections": strconv.Itoa(webhookConnections),
	}
	for attempt := 1; ; attempt++ {
		e := b.poll.call(ctx, "setWebhook", p, nil, nil)
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
	// Requests whose update did not start are answered 503 (Telegram
	// sends them again); those being handled finish.
	b.stop()
	b.inflight.Wait()
	b.receiving.Store(false)
	b.log.Info("stopped receiving")
	return nil
}

// webhookConnections is the webhook's max_connections (Telegram allows
// 1–100).
const webhookConnections = 40

// WebhookHandler receives Telegram's webhook requests. A request without
// the secret header gets 401 and is not looked at; an update is answered
// 200 only once handled, else 503 or 500 so Telegram sends it again. A
// request waits only for its own chat's earlier updates.
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
			// Decoded as getUpdates' answers are (api.call).
			err = json.Unmarshal(body, &u, decodeOptions, updateOptions)
		}
		if err != nil {
			http.Error(w, "bad update", http.StatusBadRequest)
			return
		}
		in := convert(u)
		in.ev.UpdateID = int64(u.UpdateID)
		b.metrics.queued(1)
		err = b.runner.Do(r.Context(), in.chat, &task{b: b, in: in, id: int64(u.UpdateID)})
		switch {
		case errors.Is(err, run.ErrStopped):
			http.Error(w, "stopping", http.StatusServiceUnavailable)
		case err != nil:
			// The request went away: Telegram sends the update again, and
			// the engine knows what of it was handled.
			b.log.Warn("webhook request ended before its update was done", "update_id", u.UpdateID, "err", err)
			http.Error(w, "try again", http.StatusInternalServerError)
		default:
			w.WriteHeader(http.StatusOK)
		}
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
