// Package desk is the staff desk's background work: it posts new tickets
// (urgent first) and new denuncias to the staff groups, re-announces
// urgent tickets nobody took, delivers every relay between a person and
// the staff — recording each delivery or failure, retrying with backoff
// and showing staff the ones that failed for good. The conversation side
// (what the person and the staff type) is flows/human.go; the desk only
// delivers what the store holds, so nothing is lost when the process
// stops between a message and its delivery.
//
// Each destination (a staff group, a person) is delivered to in its own
// lane, at its own pace, so one person's many messages never hold another
// group's announcement (lanes.go). Staff groups are always Telegram's; a
// person is reached through the sender of the channel they wrote from
// (Config.Channels): a new channel gives the desk its sender and nothing
// else. Whether a failed delivery is tried again is the neutral
// flows.SendError's decision.
//
// Two processes may share the database (a rolling deploy's overlap): only
// the one holding the store's "desk" lease does the desk's work, so
// nothing is delivered twice.
package desk

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/acercate/acercate/flows"
	"github.com/acercate/acercate/store"
)

// Sender is one channel's way to deliver a reply; it returns the id of the
// message the reply became (bot.Sender for Telegram). A failure should be a
// *flows.SendError: the desk decides from its kind whether to try again.
type Sender interface {
	Send(ctx context.Context, r flows.Reply) (int64, error)
}

// Config is what the desk needs. Zero durations take the defaults noted.
type Config struct {
	Store  *store.DB
	Engine *flows.Engine
	// Sender delivers on Telegram: to the staff groups (staff stay in
	// their Telegram groups whatever channel a person wrote from) and to
	// the people who wrote from Telegram.
	Sender Sender
	// Channels deliver to the people who wrote from another channel,
	// keyed by the channel's name ("web", "whatsapp"); a new channel adds
	// its adapter's sender here and nothing else in the desk.
	Channels map[string]Sender
	// Staff is the staff configuration the engine uses too.
	Staff flows.StaffConfig
	// Reannounce is how long an urgent ticket may wait untaken before it
	// is posted again (ACERCATE_URGENT_REANNOUNCE, 10m).
	Reannounce time.Duration
	// Interval is how often the desk looks for work (2s).
	Interval time.Duration
	// DenunciaViewTTL is how long a denuncia shown in a staff group with
	// /denuncia stays there before the bot deletes it
	// (ACERCATE_DENUNCIA_VIEW_TTL, 10m; at most 47h: Telegram lets a bot
	// delete its messages for 48 hours).
	DenunciaViewTTL time.Duration
	// MaxAttempts is how many times a relay is tried before it is marked
	// failed and shown to staff (5). A relay whose send error says trying
	// again will not help (flows.SendError: blocked, permanent) fails at
	// once.
	MaxAttempts int
	Now         func() time.Time
	Logger      *slog.Logger
}

// Desk does the staff desk's background work.
type Desk struct {
	cfg     Config
	tickets *store.Tickets
	lang    string
	log     *slog.Logger

	lease *store.Lease
	// lanes deliver to each destination in its own lane (lanes.go); mark
	// is the current round's mark for what they hold.
	lanes *lanes
	mark  int64

	// mu guards what the lanes share: the lease's state, the unreachable
	// groups and the first failure for RunOnce.
	mu      sync.Mutex
	held    bool      // the lease was ours at the last Acquire
	renewed time.Time // when it was last acquired
	// down are the unreachable staff groups, read at the start of a round
	// and kept up to date by the deliveries.
	down    map[int64]store.StaffGroupDown
	laneErr error
}

// leaseName is the desk's lease in the store.
const leaseName = "desk"

// errLeaseLost ends a round whose lease another process took over.
var errLeaseLost = errors.New("desk: lease lost")

// New returns a desk.
func New(cfg Config) (*Desk, error) {
	if cfg.Store == nil || cfg.Engine == nil || cfg.Sender == nil {
		return nil, errors.New("desk: store, engine and sender are required")
	}
	if cfg.Reannounce <= 0 {
		cfg.Reannounce = 10 * time.Minute
	}
	if cfg.Interval <= 0 {
		cfg.Interval = 2 * time.Second
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = 5
	}
	if cfg.DenunciaViewTTL <= 0 {
		cfg.DenunciaViewTTL = 10 * time.Minute
	}
	cfg.DenunciaViewTTL = min(cfg.DenunciaViewTTL, 47*time.Hour)
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	lang := cfg.Staff.Lang
	if !cfg.Engine.Catalog().Has(lang) {
		lang = cfg.Engine.Catalog().Languages()[0]
	}
	d := &Desk{cfg: cfg, tickets: cfg.Store.Tickets(), lang: lang, log: cfg.Logger.With("component", "desk"),
		// The lease lasts 30 s (at least 5 rounds) unless renewed: how
		// long another process waits to take over from one that stopped
		// without releasing it.
		lease: cfg.Store.Lease(leaseName, store.NewLeaseOwner(), max(30*time.Second, 5*cfg.Interval))}
	d.lanes = newLanes(d.failed)
	return d, nil
}

// failed records a delivery's failure that is not the send's (the store
// failed): logged, and returned by RunOnce.
func (d *Desk) failed(err error) {
	d.log.Error("desk delivery failed", "err", err)
	d.mu.Lock()
	if d.laneErr == nil {
		d.laneErr = err
	}
	d.mu.Unlock()
}

// sender is the sender of the channel that reaches chat.
func (d *Desk) sender(chat flows.Address) Sender {
	ch := chat.Channel
	if ch == flows.ChannelTelegram {
		return d.cfg.Sender
	}
	if s := d.cfg.Channels[ch]; s != nil {
		return s
	}
	return noChannel(ch)
}

// noChannel is the sender of a channel this process has no adapter for:
// every delivery fails for good, and staff are told.
type noChannel string

func (n noChannel) Send(context.Context, flows.Reply) (int64, error) {
	return 0, &flows.SendError{Kind: flows.SendPermanent, Err: fmt.Errorf("desk: no sender for channel %q", string(n))}
}

// permanent reports whether a send error will not go away by trying again.
func permanent(err error) bool { return !flows.AsSendError(err).Retry() }

// errorKind names a send error for the record and the staff, never with
// its text.
func errorKind(err error) string { return string(flows.AsSendError(err).Kind) }

// Run does the desk's work every Interval until ctx ends. A round that
// fails (the database is busy) is logged and tried again next time. On
// the way out the lease is released, so a process still running takes
// over at its next round.
//
// A round does not wait for its deliveries: each destination's go on in
// its own lane while the next rounds dispatch more (lanes.go). On the way
// out the lanes stop after the delivery in hand; what they did not reach
// stays due in the store.
func (d *Desk) Run(ctx context.Context) error {
	t := time.NewTicker(d.cfg.Interval)
	defer t.Stop()
	defer d.release(context.WithoutCancel(ctx))
	defer d.lanes.wait()
	for {
		if err := d.round(ctx); err != nil && ctx.Err() == nil {
			d.log.Error("desk round failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// RunOnce does one round, if this process holds the desk's lease —
// announce new tickets, re-announce urgent ones, announce new denuncias,
// deliver due relays, report failed ones, edit the announcements of
// tickets taken or closed — and waits until its deliveries are done. It
// returns the first failure of the round or of a delivery.
func (d *Desk) RunOnce(ctx context.Context) error {
	err := d.round(ctx)
	d.lanes.wait()
	d.mu.Lock()
	lerr := d.laneErr
	d.laneErr = nil
	d.mu.Unlock()
	return errors.Join(err, lerr)
}

// round reads what is due and dispatches it to the lanes.
func (d *Desk) round(ctx context.Context) error {
	if err := d.hold(ctx); err != nil {
		if errors.Is(err, errLeaseLost) {
			return nil
		}
		return err
	}
	dir, err := d.tickets.Staff(ctx)
	if err != nil {
		return err
	}
	down, err := d.tickets.StaffGroupsDown(ctx)
	if err != nil {
		return err
	}
	d.mu.Lock()
	d.down = down
	d.mu.Unlock()
	d.mark = d.lanes.begin(d.mark)
	for _, step := range []func(context.Context, flows.StaffDirectory) error{
		d.announce, d.reannounce, d.denuncias, d.relays, d.failures, d.refresh, d.expire,
	} {
		if err := step(ctx, dir); err != nil {
			if errors.Is(err, errLeaseLost) {
				return nil
			}
			return err
		}
	}
	return nil
}

// hold takes the lease, or renews it when the last renewal is an Interval
// old — at the start of a round and before each delivery, so it outlasts
// any one delivery — and returns errLeaseLost while another process holds
// it. A change of holder is logged once.
func (d *Desk) hold(ctx context.Context) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	now := d.cfg.Now()
	if d.held && now.Sub(d.renewed) < d.cfg.Interval {
		return nil
	}
	ok, err := d.lease.Acquire(ctx, now)
	if err != nil {
		return err
	}
	if ok != d.held {
		if ok {
			d.log.Info("desk lease taken: this process runs the staff desk", "owner", d.lease.Owner())
		} else {
			d.log.Info("desk lease held by another process: standing by", "owner", d.lease.Owner())
		}
	}
	d.held = ok
	if !ok {
		return errLeaseLost
	}
	d.renewed = now
	return nil
}

// groupWaits reports whether chat is a staff group that was unreachable
// and is not due to be tried again yet: what is for it stays pending.
func (d *Desk) groupWaits(chat int64) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	g, ok := d.down[chat]
	return ok && d.cfg.Now().Before(g.Next)
}

// groupResult records what a delivery to a staff group says about the
// group (sendErr nil: it got through), and logs only when the group
// becomes unreachable or reachable again. It returns an error that ends
// the round (the store failed, the process is stopping).
func (d *Desk) groupResult(ctx context.Context, chat int64, sendErr error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	g, was := d.down[chat]
	now := d.cfg.Now()
	group := d.cfg.Store.Keys().ChatHash(flows.Telegram(chat))[:12]
	if sendErr == nil {
		if !was {
			return nil
		}
		if err := d.tickets.StaffGroupReachable(ctx, chat); err != nil {
			return err
		}
		delete(d.down, chat)
		d.log.Info("staff group reachable again", "group", group, "failures", g.Failures,
			"down_for", now.Sub(g.Since).Round(time.Second).String())
		return nil
	}
	if !was {
		g = store.StaffGroupDown{Chat: chat, Since: now}
	}
	g.Failures++
	g.Error = errorKind(sendErr)
	g.Next = now.Add(backoff(g.Failures))
	if err := d.tickets.StaffGroupFailed(ctx, g); err != nil {
		return err
	}
	if d.down == nil {
		d.down = map[int64]store.StaffGroupDown{}
	}
	d.down[chat] = g
	if !was {
		d.log.Warn("staff group unreachable: its tickets and messages wait, tried again with backoff up to 10 min (acercate staff groups)",
			"group", group, "error_kind", g.Error)
	}
	return nil
}

// release gives the lease up if it is ours.
func (d *Desk) release(ctx context.Context) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if !d.held {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := d.lease.Release(ctx); err != nil {
		d.log.Error("release desk lease", "err", err)
		return
	}
	d.held = false
	d.log.Info("desk lease released", "owner", d.lease.Owner())
}

// OnDelivered is the channel's hook for replies the engine made with a
// Ref: a staff group message that belongs to a ticket ("ticket:12") is
// recorded, so a staff reply to it reaches that ticket's person.
func (d *Desk) OnDelivered(ctx context.Context, r flows.Reply, messageID int64) {
	if group, tg := r.ChatID.TelegramID(); r.Ref == flows.DenunciaViewRef && tg && messageID != 0 {
		p := store.StaffPost{Chat: group, Message: messageID, DeleteAt: d.cfg.Now().Add(d.cfg.DenunciaViewTTL)}
		if err := d.cfg.Store.RecordStaffPost(ctx, p); err != nil {
			d.log.Error("record a denuncia shown in a staff group", "err", err)
		}
		return
	}
	id, ok := ticketRef(r.Ref)
	group, tg := r.ChatID.TelegramID() // staff groups are Telegram groups
	if !ok || !tg || messageID == 0 {
		return
	}
	if err := d.tickets.MapMessage(ctx, group, messageID, id); err != nil {
		d.log.Error("map delivered message", "ticket", "T"+strconv.FormatInt(id, 10), "err", err)
	}
}

func ticketRef(ref string) (int64, bool) {
	s, ok := strings.CutPrefix(ref, "ticket:")
	if !ok {
		return 0, false
	}
	id, err := strconv.ParseInt(s, 10, 64)
	return id, err == nil && id > 0
}

func ref(id int64) string { return "ticket:" + strconv.FormatInt(id, 10) }

func (d *Desk) t(id string, kv ...any) string {
	m := make(map[string]any, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		m[fmt.Sprint(kv[i])] = kv[i+1]
	}
	return d.cfg.Engine.Catalog().T(d.lang, id, m)
}

func (d *Desk) buttons(t flows.Ticket) [][]flows.Button {
	keys := d.cfg.Store.Keys()
	return [][]flows.Button{{
		{Label: d.t("staff.g.btn.take"), Data: flows.StaffButtonData(keys, t.StaffChat, "take", t.ID)},
		{Label: d.t("staff.g.btn.close"), Data: flows.StaffButtonData(keys, t.StaffChat, "close", t.ID)},
	}}
}

func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}

// announce posts tickets never posted, urgent first. The ticket's first
// message, when it is text, is part of the post.
func (d *Desk) announce(ctx context.Context, dir flows.StaffDirectory) error {
	list, err := d.tickets.ToAnnounce(ctx, 20)
	if err != nil {
		return err
	}
	for _, t := range list {
		if t.StaffChat == 0 || d.groupWaits(t.StaffChat) || d.lanes.isBusy(d.mark, annKey(t.ID)) {
			continue
		}
		first, err := d.tickets.FirstRelay(ctx, t.ID)
		if err != nil {
			return err
		}
		// The first message goes with the announcement if it is still to
		// be delivered.
		message, first := d.firstMessage(first, func(r flows.Relay) bool { return r.Status == flows.RelayPending })
		text, buttons := d.announcement(t, dir, message)
		keys := []string{annKey(t.ID)}
		if first != nil {
			keys = append(keys, relayKey(first.ID))
		}
		d.lanes.dispatch(ctx, d.mark, job{dest: dest(flows.Telegram(t.StaffChat)), keys: keys, run: func(ctx context.Context) error {
			if d.groupWaits(t.StaffChat) {
				return nil
			}
			now := d.cfg.Now()
			if err := d.hold(ctx); err != nil {
				return err
			}
			msg, err := d.cfg.Sender.Send(ctx, flows.Reply{Kind: flows.SendText, ChatID: flows.Telegram(t.StaffChat), Text: text,
				Buttons: buttons, Ref: ref(t.ID)})
			if gerr := d.groupResult(ctx, t.StaffChat, err); gerr != nil {
				return gerr
			}
			if err != nil {
				d.log.Debug("announce failed", "ticket", t.Code(), "error_kind", errorKind(err))
				return nil
			}
			if err := d.tickets.Announced(ctx, t.ID, t.StaffChat, msg, now); err != nil {
				return err
			}
			if err := d.tickets.Shown(ctx, t.ID, t.Status); err != nil {
				return err
			}
			if first != nil {
				if err := d.tickets.RelayDelivered(ctx, first.ID, msg, now); err != nil {
					return err
				}
			}
			d.log.Info("ticket announced", "ticket", t.Code(), "priority", t.Priority)
			return nil
		}})
	}
	return nil
}

// The keys of what the lanes deliver (lanes.go).
func annKey(ticket int64) string     { return "announce:" + strconv.FormatInt(ticket, 10) }
func reannKey(ticket int64) string   { return "reannounce:" + strconv.FormatInt(ticket, 10) }
func refreshKey(ticket int64) string { return "refresh:" + strconv.FormatInt(ticket, 10) }
func relayKey(relay int64) string    { return "relay:" + strconv.FormatInt(relay, 10) }
func failKey(relay int64) string     { return "failure:" + strconv.FormatInt(relay, 10) }
func outboxKey(entry int64) string   { return "outbox:" + strconv.FormatInt(entry, 10) }

// dest is a destination's lane: one per chat.
func dest(chat flows.Address) string { return chat.String() }

// firstMessage is what an announcement says of the person's first
// message (first, nil when none): its text, quoted, when quoted(it) (then
// it is returned, as delivered with the announcement), or what kind of
// message it was.
func (d *Desk) firstMessage(first *flows.Relay, quoted func(flows.Relay) bool) (string, *flows.Relay) {
	if first == nil || first.Direction != flows.RelayIn {
		return d.t("staff.g.none"), nil
	}
	switch r := *first; r.Kind {
	case flows.RelayText:
		if quoted(r) {
			return "«" + shorten(r.Text, 2500) + "»", first
		}
	case flows.RelayPhoto:
		return d.t("staff.g.first_photo"), nil
	case flows.RelayLocation:
		return d.t("staff.g.first_location"), nil
	case flows.RelayVoice:
		// Only that it came: the audio is never passed on (flows/human_voice.go).
		return d.t("staff.g.first_voice"), first
	}
	return d.t("staff.g.none"), nil
}

// announcement is a ticket's post in its staff group and its buttons, as
// they fit its status: once taken only Close is left and the post says it
// is being handled (never by whom: staff see that in the group); once
// closed, no buttons.
func (d *Desk) announcement(t flows.Ticket, dir flows.StaffDirectory, message string) (string, [][]flows.Button) {
	mark, hours := "🆕", ""
	if t.Priority == flows.PriorityUrgent {
		mark = "🔴"
	}
	if t.OutOfHours {
		hours = d.t("staff.g.ooh")
	}
	modulo := d.t("staff.g.none")
	if m, ok := dir.Modulos[t.Modulo]; ok && m.Name != "" {
		modulo = m.Name
	} else if t.Modulo != "" {
		modulo = t.Modulo
	}
	campaign := t.Campaign
	if campaign == "" {
		campaign = d.t("staff.g.none")
	}
	text := d.t("staff.g.announce", "Mark", mark, "Code", t.Code(), "Priority", d.t("staff.g.priority."+t.Priority),
		"Lang", t.Lang, "Modulo", modulo, "Campaign", campaign, "Hours", hours, "Message", message)
	if t.Topic != "" {
		// Which kind of case it is, above everything: "Chiapanecos abroad".
		text = d.t("staff.g.topic."+t.Topic) + "\n" + text
	}
	switch {
	case t.Status == flows.TicketTaken:
		return text + "\n\n" + d.t("staff.g.ann.taken"), [][]flows.Button{{d.buttons(t)[0][1]}}
	case t.Status == flows.TicketClosed && t.ClosedBy == "person":
		return text + "\n\n" + d.t("staff.g.ann.closed_person"), nil
	case t.Status == flows.TicketClosed:
		return text + "\n\n" + d.t("staff.g.ann.closed"), nil
	}
	return text, d.buttons(t)
}

// refresh edits the announcement of each ticket taken or closed since it
// was posted, so the group sees at a glance which are handled and nobody
// taps Take on a ticket already taken.
func (d *Desk) refresh(ctx context.Context, dir flows.StaffDirectory) error {
	list, err := d.tickets.ToRefresh(ctx, 20)
	if err != nil {
		return err
	}
	for _, t := range list {
		if d.groupWaits(t.StaffChat) || d.lanes.isBusy(d.mark, annKey(t.ID), reannKey(t.ID), refreshKey(t.ID)) {
			continue
		}
		first, err := d.tickets.FirstRelay(ctx, t.ID)
		if err != nil {
			return err
		}
		message, _ := d.firstMessage(first, func(r flows.Relay) bool { return r.Message == t.GroupMessage })
		text, buttons := d.announcement(t, dir, message)
		d.lanes.dispatch(ctx, d.mark, job{dest: dest(flows.Telegram(t.StaffChat)), keys: []string{refreshKey(t.ID)}, run: func(ctx context.Context) error {
			if d.groupWaits(t.StaffChat) {
				return nil
			}
			if err := d.hold(ctx); err != nil {
				return err
			}
			_, err := d.cfg.Sender.Send(ctx, flows.Reply{Kind: flows.EditText, ChatID: flows.Telegram(t.StaffChat), MessageID: t.GroupMessage,
				Text: text, Buttons: buttons})
			if gerr := d.groupResult(ctx, t.StaffChat, err); gerr != nil {
				return gerr
			}
			if err != nil {
				d.log.Debug("announcement edit failed", "ticket", t.Code(), "error_kind", errorKind(err))
				return nil
			}
			return d.tickets.Shown(ctx, t.ID, t.Status)
		}})
	}
	return nil
}

// reannounce posts again urgent tickets nobody took within Reannounce.
func (d *Desk) reannounce(ctx context.Context, _ flows.StaffDirectory) error {
	now := d.cfg.Now()
	list, err := d.tickets.ToReannounce(ctx, now.Add(-d.cfg.Reannounce), 20)
	if err != nil {
		return err
	}
	for _, t := range list {
		if d.groupWaits(t.StaffChat) || d.lanes.isBusy(d.mark, annKey(t.ID), refreshKey(t.ID)) {
			continue
		}
		text := d.t("staff.g.reannounce", "Code", t.Code(), "Age", ageText(now.Sub(t.OpenedAt)))
		d.lanes.dispatch(ctx, d.mark, job{dest: dest(flows.Telegram(t.StaffChat)), keys: []string{reannKey(t.ID)}, run: func(ctx context.Context) error {
			if d.groupWaits(t.StaffChat) {
				return nil
			}
			if err := d.hold(ctx); err != nil {
				return err
			}
			msg, err := d.cfg.Sender.Send(ctx, flows.Reply{Kind: flows.SendText, ChatID: flows.Telegram(t.StaffChat), Text: text,
				MessageID: t.GroupMessage, Buttons: d.buttons(t), Ref: ref(t.ID)})
			if gerr := d.groupResult(ctx, t.StaffChat, err); gerr != nil {
				return gerr
			}
			if err != nil {
				d.log.Debug("re-announce failed", "ticket", t.Code(), "error_kind", errorKind(err))
				return nil
			}
			if err := d.tickets.Announced(ctx, t.ID, t.StaffChat, msg, now); err != nil {
				return err
			}
			d.log.Info("urgent ticket re-announced", "ticket", t.Code(), "announcements", t.Announcements+1)
			return nil
		}})
	}
	return nil
}

func ageText(d time.Duration) string {
	m := int(d.Round(time.Minute) / time.Minute)
	if m < 60 {
		return fmt.Sprintf("%d min", m)
	}
	return fmt.Sprintf("%d h %02d min", m/60, m%60)
}

// denuncias announces new denuncias from the outbox: folio, category,
// municipality and urgency — never anything the person wrote.
func (d *Desk) denuncias(ctx context.Context, dir flows.StaffDirectory) error {
	entries, err := d.cfg.Store.PendingOutbox(ctx, 50)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if e.Kind != store.FolioKind || d.lanes.isBusy(d.mark, outboxKey(e.ID)) {
			continue
		}
		a, err := d.cfg.Store.DenunciaAnnouncement(ctx, e.Ref)
		if errors.Is(err, flows.ErrNoDenuncia) {
			// Erased before it was announced: nothing to tell.
			if err := d.cfg.Store.OutboxDelivered(ctx, e.ID, d.cfg.Now()); err != nil {
				return err
			}
			continue
		}
		if err != nil {
			return err
		}
		chat := d.cfg.Staff.Chat
		if m, ok := dir.Modulos[a.Modulo]; ok && m.Chat != 0 {
			chat = m.Chat
		}
		if chat == 0 || d.groupWaits(chat) {
			continue // no staff group configured, or it is unreachable: it waits in the outbox
		}
		urgent := ""
		if a.Urgent {
			urgent = d.t("staff.g.urgent_mark")
		}
		text := d.t("staff.g.denuncia_new", "Folio", a.Folio, "Urgent", urgent,
			"Category", d.t("denuncia.cat."+a.Category), "Municipality", d.t("denuncia.mun."+a.Municipality))
		d.lanes.dispatch(ctx, d.mark, job{dest: dest(flows.Telegram(chat)), keys: []string{outboxKey(e.ID)}, run: func(ctx context.Context) error {
			if d.groupWaits(chat) {
				return nil
			}
			if err := d.hold(ctx); err != nil {
				return err
			}
			_, err := d.cfg.Sender.Send(ctx, flows.Reply{Kind: flows.SendText, ChatID: flows.Telegram(chat), Text: text})
			if gerr := d.groupResult(ctx, chat, err); gerr != nil {
				return gerr
			}
			if err != nil {
				d.log.Debug("denuncia announcement failed", "error_kind", errorKind(err))
				return d.cfg.Store.OutboxAttemptFailed(ctx, e.ID)
			}
			if err := d.cfg.Store.OutboxDelivered(ctx, e.ID, d.cfg.Now()); err != nil {
				return err
			}
			d.log.Info("denuncia announced", "urgent", a.Urgent)
			return nil
		}})
	}
	return nil
}

// backoff is how long to wait before attempt n+1 after n failed ones.
func backoff(attempts int) time.Duration {
	d := 5 * time.Second
	for i := 1; i < attempts && d < 10*time.Minute; i++ {
		d *= 3
	}
	return min(d, 10*time.Minute)
}

// relays delivers the relays that are due: a person's messages to their
// ticket's staff group, staff replies to the person through the sender of
// the person's channel. A person's message waits until its ticket was
// announced, so it is threaded under the announcement: one whose
// announcement is being delivered goes in the group's lane behind it.
func (d *Desk) relays(ctx context.Context, _ flows.StaffDirectory) error {
	list, err := d.tickets.PendingRelays(ctx, d.cfg.Now(), 100)
	if err != nil {
		return err
	}
	for _, r := range list {
		if d.lanes.isBusy(d.mark, relayKey(r.ID)) {
			continue
		}
		t, err := d.tickets.Get(ctx, r.Ticket)
		if errors.Is(err, flows.ErrNoTicket) {
			continue
		}
		if err != nil {
			return err
		}
		to := t.Chat
		if r.Direction == flows.RelayIn {
			if t.GroupMessage == 0 && !d.lanes.isBusy(d.mark, annKey(t.ID)) || d.groupWaits(t.StaffChat) {
				continue
			}
			to = flows.Telegram(t.StaffChat)
		}
		d.lanes.dispatch(ctx, d.mark, job{dest: dest(to), keys: []string{relayKey(r.ID)}, run: func(ctx context.Context) error {
			return d.relay(ctx, r)
		}})
	}
	return nil
}

// relay delivers one relay and records what became of it. The ticket is
// read again: its announcement may have gone out since the round read it.
func (d *Desk) relay(ctx context.Context, r flows.Relay) error {
	t, err := d.tickets.Get(ctx, r.Ticket)
	if errors.Is(err, flows.ErrNoTicket) {
		return nil
	}
	if err != nil {
		return err
	}
	var reply flows.Reply
	send := d.sender(t.Chat)
	if r.Direction == flows.RelayIn {
		if t.GroupMessage == 0 || d.groupWaits(t.StaffChat) {
			return nil
		}
		send = d.cfg.Sender
		reply = flows.Reply{Kind: flows.SendText, ChatID: flows.Telegram(t.StaffChat), MessageID: t.GroupMessage, Ref: ref(t.ID)}
		switch r.Kind {
		case flows.RelayPhoto:
			reply.PhotoID, reply.Text = r.PhotoID, d.t("staff.g.relay.photo", "Code", t.Code(), "Text", r.Text)
		case flows.RelayLocation:
			lat, lon := "?", "?"
			if r.Location != nil {
				// Kept rounded to the area (flows.Location.Area).
				lat, lon = strconv.FormatFloat(r.Location.Lat, 'f', 2, 64), strconv.FormatFloat(r.Location.Lon, 'f', 2, 64)
			}
			reply.Text = d.t("staff.g.relay.location", "Code", t.Code(), "Lat", lat, "Lon", lon)
		case flows.RelayNotice:
			reply.Text = r.Text
		case flows.RelayVoice:
			reply.Text = d.t("staff.g.relay.voice", "Code", t.Code())
		default:
			reply.Text = d.t("staff.g.relay.text", "Code", t.Code(), "Text", r.Text)
		}
	} else {
		reply = flows.Reply{Kind: flows.SendText, ChatID: t.Chat, Text: r.Text, PhotoID: r.PhotoID}
	}
	now := d.cfg.Now()
	if err := d.hold(ctx); err != nil {
		return err
	}
	msg, err := send.Send(ctx, reply)
	if r.Direction == flows.RelayIn {
		if gerr := d.groupResult(ctx, t.StaffChat, err); gerr != nil {
			return gerr
		}
	}
	if err != nil {
		kind := errorKind(err)
		next := time.Time{}
		d.mu.Lock()
		g, down := d.down[t.StaffChat]
		d.mu.Unlock()
		switch {
		case r.Direction == flows.RelayIn && kind == string(flows.SendBlocked) && down:
			// The bot is not in the staff group (removed, maybe for a
			// moment): the person was told their message reached the
			// team, so it waits for the group, tried with the group's
			// backoff, and is never given up while the group is away.
			next = g.Next
		case r.Attempts+1 < d.cfg.MaxAttempts && !permanent(err):
			next = now.Add(backoff(r.Attempts + 1))
		}
		d.log.Warn("relay failed", "ticket", t.Code(), "direction", r.Direction, "attempt", r.Attempts+1,
			"error_kind", kind, "final", next.IsZero())
		return d.tickets.RelayAttemptFailed(ctx, r.ID, kind, next)
	}
	if err := d.tickets.RelayDelivered(ctx, r.ID, msg, now); err != nil {
		return err
	}
	if r.Direction == flows.RelayIn && msg != 0 {
		return d.tickets.MapMessage(ctx, t.StaffChat, msg, t.ID)
	}
	return nil
}

// expire deletes the denuncias shown in staff groups whose time is up
// (DenunciaViewTTL). A delete that fails for a while (the group is away)
// is tried again next round; one Telegram refuses for good is dropped.
func (d *Desk) expire(ctx context.Context, _ flows.StaffDirectory) error {
	due, err := d.cfg.Store.DueStaffPosts(ctx, d.cfg.Now(), 50)
	if err != nil {
		return err
	}
	for _, p := range due {
		if d.groupWaits(p.Chat) {
			continue
		}
		if err := d.hold(ctx); err != nil {
			return err
		}
		_, err := d.cfg.Sender.Send(ctx, flows.Reply{Kind: flows.DeleteText, ChatID: flows.Telegram(p.Chat), MessageID: p.Message})
		if err != nil && !permanent(err) {
			d.log.Debug("delete of a denuncia shown in a group failed; tried again", "error_kind", errorKind(err))
			continue
		}
		if err := d.cfg.Store.StaffPostDeleted(ctx, p.Chat, p.Message); err != nil {
			return err
		}
	}
	return nil
}

// failures shows staff the relays that failed for good.
func (d *Desk) failures(ctx context.Context, _ flows.StaffDirectory) error {
	list, err := d.tickets.FailedUnreported(ctx, 20)
	if err != nil {
		return err
	}
	for _, r := range list {
		if d.lanes.isBusy(d.mark, failKey(r.ID)) {
			continue
		}
		t, err := d.tickets.Get(ctx, r.Ticket)
		if errors.Is(err, flows.ErrNoTicket) {
			continue
		}
		if err != nil {
			return err
		}
		if d.groupWaits(t.StaffChat) {
			continue
		}
		answer := r.ReplyTo
		if answer == 0 {
			answer = t.GroupMessage
		}
		text := d.t("staff.g.failed."+r.Direction, "Code", t.Code(), "Attempts", r.Attempts, "Why", r.Error)
		d.lanes.dispatch(ctx, d.mark, job{dest: dest(flows.Telegram(t.StaffChat)), keys: []string{failKey(r.ID)}, run: func(ctx context.Context) error {
			if d.groupWaits(t.StaffChat) {
				return nil
			}
			if err := d.hold(ctx); err != nil {
				return err
			}
			_, err := d.cfg.Sender.Send(ctx, flows.Reply{Kind: flows.SendText, ChatID: flows.Telegram(t.StaffChat), Text: text,
				MessageID: answer, Ref: ref(t.ID)})
			if gerr := d.groupResult(ctx, t.StaffChat, err); gerr != nil {
				return gerr
			}
			if err != nil {
				d.log.Debug("failure report failed", "ticket", t.Code(), "error_kind", errorKind(err))
				return nil
			}
			return d.tickets.RelayReported(ctx, r.ID)
		}})
	}
	return nil
}
