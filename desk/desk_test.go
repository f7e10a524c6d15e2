package desk_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/acercate/acercate/apptest"
	"github.com/acercate/acercate/desk"
	"github.com/acercate/acercate/flows"
	"github.com/acercate/acercate/store"
)

// The chats of these tests: a migrant, a staff group with two staff
// members, and someone who is not staff.
const (
	migrant  = int64(7001)
	group    = int64(-100200)
	ana      = int64(501)
	beto     = int64(502)
	stranger = int64(999)
)

// recorder is a Sender that keeps what it delivers, per chat, and fails
// for chats told to.
type recorder struct {
	mu    sync.Mutex
	next  int64
	sent  []flows.Reply
	ids   []int64
	fail  map[int64]error // by Telegram chat id
	tries map[int64]int
}

func (r *recorder) Send(ctx context.Context, reply flows.Reply) (int64, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.tries == nil {
		r.tries = map[int64]int{}
	}
	chat, _ := reply.ChatID.TelegramID()
	r.tries[chat]++
	if err := r.fail[chat]; err != nil {
		return 0, err
	}
	r.next++
	r.sent = append(r.sent, reply)
	r.ids = append(r.ids, 1000+r.next)
	return 1000 + r.next, nil
}

// to returns the messages delivered to a chat with their ids (edits of
// earlier messages are not new messages: see edits).
func (r *recorder) to(chat int64) ([]flows.Reply, []int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []flows.Reply
	var ids []int64
	for i, s := range r.sent {
		if s.ChatID == flows.Telegram(chat) && s.Kind != flows.EditText {
			out = append(out, s)
			ids = append(ids, r.ids[i])
		}
	}
	return out, ids
}

// edits returns the edits of messages made in a chat.
func (r *recorder) edits(chat int64) []flows.Reply {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []flows.Reply
	for _, s := range r.sent {
		if s.ChatID == flows.Telegram(chat) && s.Kind == flows.EditText {
			out = append(out, s)
		}
	}
	return out
}

type harness struct {
	t      *testing.T
	env    *apptest.Env
	logs   *apptest.LogBuffer // the engine's log
	rec    *recorder
	desk   *desk.Desk
	staff  flows.StaffConfig
	update int64
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	hours, err := flows.ParseStaffHours("Mon-Fri 09:00-17:00")
	if err != nil {
		t.Fatal(err)
	}
	staff := flows.StaffConfig{Chat: group, Users: []int64{ana, beto}, Hours: hours, Lang: "es"}
	logs := &apptest.LogBuffer{}
	env := apptest.New(t, apptest.WithEngine(flows.Config{Staff: staff, Logger: slog.New(slog.NewJSONHandler(logs, nil))}))
	h := &harness{t: t, env: env, logs: logs, rec: &recorder{}, staff: staff, update: 1}
	h.newDesk()
	return h
}

func (h *harness) newDesk() {
	h.t.Helper()
	d, err := desk.New(desk.Config{Store: h.env.Store, Engine: h.env.Engine, Sender: h.rec, Staff: h.staff,
		Now: h.env.Clock.Now, Reannounce: 10 * time.Minute, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		h.t.Fatal(err)
	}
	h.desk = d
}

// errBlocked is how a channel's sender says the person blocked the bot.
var errBlocked = &flows.SendError{Kind: flows.SendBlocked, Err: errors.New("Forbidden: bot was blocked by the user")}

// handle sends an event to the engine and returns the replies, as the
// channel would deliver them.
func (h *harness) handle(ev flows.Event) []flows.Reply {
	h.t.Helper()
	h.update++
	ev.UpdateID = h.update
	h.env.Clock.Advance(3 * time.Second)
	out, err := h.env.Engine.Handle(context.Background(), ev)
	if err != nil {
		h.t.Fatalf("handle %+v: %v", ev, err)
	}
	if err := h.env.Engine.Delivered(context.Background(), ev, len(out.Replies)); err != nil {
		h.t.Fatal(err)
	}
	return out.Replies
}

func (h *harness) person(text string) []flows.Reply {
	h.t.Helper()
	ev := flows.Event{ChatID: flows.Telegram(migrant), UserID: flows.Telegram(migrant), Lang: "es", Kind: flows.EventText, Text: text}
	if strings.HasPrefix(text, "/") {
		cmd, payload, _ := strings.Cut(text[1:], " ")
		ev.Kind, ev.Text, ev.Command, ev.Payload = flows.EventCommand, "", cmd, payload
	}
	return h.handle(ev)
}

func (h *harness) tap(chat, user int64, r []flows.Reply, label string) []flows.Reply {
	h.t.Helper()
	for _, reply := range r {
		for _, row := range reply.Buttons {
			for _, b := range row {
				if b.Label == label {
					return h.handle(flows.Event{ChatID: flows.Telegram(chat), UserID: flows.Telegram(user), Group: chat < 0, Lang: "es",
						Kind: flows.EventButton, Data: b.Data, TapID: "tap", MessageID: 1})
				}
			}
		}
	}
	h.t.Fatalf("no button %q in %+v", label, r)
	return nil
}

func (h *harness) staffSays(user int64, text string, replyTo int64) []flows.Reply {
	h.t.Helper()
	ev := flows.Event{ChatID: flows.Telegram(group), UserID: flows.Telegram(user), Group: true, Kind: flows.EventText, Text: text, ReplyTo: replyTo}
	if strings.HasPrefix(text, "/") {
		cmd, payload, _ := strings.Cut(text[1:], " ")
		ev.Kind, ev.Text, ev.Command, ev.Payload = flows.EventCommand, "", cmd, payload
	}
	return h.handle(ev)
}

func (h *harness) run() {
	h.t.Helper()
	if err := h.desk.RunOnce(context.Background()); err != nil {
		h.t.Fatal(err)
	}
}

func texts(r []flows.Reply) string {
	var b strings.Builder
	for _, x := range r {
		b.WriteString(x.Text)
		b.WriteString("\n----\n")
	}
	return b.String()
}

func mustContain(t *testing.T, what, got string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(got, w) {
			t.Errorf("%s: %q not in:\n%s", what, w, got)
		}
	}
}

// openTicket walks the person to an open ticket and returns the
// announcement's message id.
func (h *harness) openTicket(first string) int64 {
	h.t.Helper()
	h.person("/start")
	h.person("quiero hablar con una persona")
	got := h.person(first)
	mustContain(h.t, "opened", texts(got), "T1")
	h.run()
	ann, ids := h.rec.to(group)
	if len(ann) == 0 {
		h.t.Fatal("ticket not announced")
	}
	return ids[0]
}

func TestTicketFromOpenToClose(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	h.person("/start")
	ask := h.person("quiero hablar con una persona")
	mustContain(t, "ask", texts(ask), "el equipo de Acércate", "lun–vie 09:00–17:00")
	opened := h.person("Necesito saber cómo pedir refugio")
	mustContain(t, "opened", texts(opened), "T1", "Te contestarán en cuanto puedan", "/menu")
	for _, r := range opened {
		if r.ChatID != flows.Telegram(migrant) {
			t.Fatalf("the engine wrote to another chat: %+v", r)
		}
	}

	h.run()
	ann, ids := h.rec.to(group)
	if len(ann) != 1 {
		t.Fatalf("announcements: %+v", ann)
	}
	mustContain(t, "announcement", ann[0].Text, "T1", "Necesito saber cómo pedir refugio", "Idioma: es")
	annID := ids[0]

	// Ana takes it with the button; the ticket is hers.
	got := h.tap(group, ana, ann, "✋ Tomar")
	mustContain(t, "take", texts(got), "T1 ya tiene quien lo atienda")

	// She answers by replying to the announcement: it reaches the person
	// signed with the team's name, never hers.
	h.env.Clock.Advance(4 * time.Minute)
	got = h.staffSays(ana, "Hola, con gusto te ayudo. ¿Dónde estás?", annID)
	mustContain(t, "reply ack", texts(got), "T1", "en camino")
	h.run()
	toPerson, _ := h.rec.to(migrant)
	if len(toPerson) != 1 {
		t.Fatalf("to person: %+v", toPerson)
	}
	mustContain(t, "signed reply", toPerson[0].Text, "¿Dónde estás?", "— el equipo de Acércate")

	// The person answers: not by the bot, but threaded under the ticket.
	got = h.person("Estoy en Tapachula, cerca del parque")
	if strings.Contains(texts(got), "No entendí") || len(got) != 1 {
		t.Fatalf("automation answered while a ticket is open: %s", texts(got))
	}
	h.handle(flows.Event{ChatID: flows.Telegram(migrant), UserID: flows.Telegram(migrant), Kind: flows.EventLocation, Location: &flows.Location{Lat: 14.9, Lon: -92.26}})
	h.handle(flows.Event{ChatID: flows.Telegram(migrant), UserID: flows.Telegram(migrant), Kind: flows.EventPhoto, PhotoID: "file-1", Text: "mi documento"})
	h.run()
	inGroup, gids := h.rec.to(group)
	if len(inGroup) != 4 {
		t.Fatalf("group got %d messages: %s", len(inGroup), texts(inGroup))
	}
	for _, r := range inGroup[1:] {
		if r.MessageID != annID {
			t.Errorf("not threaded under the announcement: %+v", r)
		}
	}
	mustContain(t, "relayed", texts(inGroup[1:]), "T1 ▸ Estoy en Tapachula", "📍 14.90000, -92.26000", "📷 mi documento")
	if inGroup[3].PhotoID != "file-1" {
		t.Errorf("photo not relayed as a photo: %+v", inGroup[3])
	}
	// A reply to a relayed message reaches the person too.
	h.staffSays(ana, "Gracias, ya vi tu ubicación.", gids[1])
	h.run()
	toPerson, _ = h.rec.to(migrant)
	mustContain(t, "second reply", texts(toPerson), "ya vi tu ubicación")

	// Close with an internal note; the person is told, the note is not sent.
	h.env.Clock.Advance(20 * time.Minute)
	got = h.staffSays(ana, "/cerrar T1 se le explicó COMAR", 0)
	mustContain(t, "close", texts(got), "T1 cerrado", "Primera respuesta: 4 min")
	h.run()
	toPerson, _ = h.rec.to(migrant)
	last := toPerson[len(toPerson)-1].Text
	mustContain(t, "close notice", last, "Esta conversación terminó")
	if strings.Contains(texts(toPerson), "COMAR") {
		t.Error("the internal note reached the person")
	}

	tk, err := h.env.Store.Tickets().Get(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	if d := tk.FirstResponseAt.Sub(tk.OpenedAt); d != 4*time.Minute+6*time.Second {
		t.Errorf("first response = %v", d)
	}
	if tk.ClosedAt.Sub(tk.OpenedAt) < 24*time.Minute || tk.Status != flows.TicketClosed {
		t.Errorf("resolution: %+v", tk)
	}
	relays, _ := h.env.Store.Tickets().Relays(ctx, 1)
	for _, r := range relays {
		if r.Status != flows.RelayDelivered || r.Message == 0 {
			t.Errorf("relay not recorded as delivered: %+v", r)
		}
	}
	notes, _ := h.env.Store.Tickets().Notes(ctx, 1)
	if len(notes) != 1 || notes[0].Text != "se le explicó COMAR" {
		t.Errorf("notes = %+v", notes)
	}

	// Back to the bot: the person's next message is answered as usual.
	got = h.person("albergues")
	if strings.Contains(texts(got), "Se lo pasé al equipo") {
		t.Errorf("still relaying after close: %s", texts(got))
	}

	// Staff events never enter the request log; people's do.
	reqs, _ := h.env.Store.Requests(ctx)
	staffHash := h.env.Keys.Hash("person", "501")
	for _, r := range reqs {
		if r.Person == staffHash {
			t.Errorf("staff event in the request log: %+v", r)
		}
	}
}

func TestTwoStaffTakeAtOnce(t *testing.T) {
	h := newHarness(t)
	h.openTicket("Ayuda con mis papeles")
	ann, _ := h.rec.to(group)
	var take flows.Button
	for _, b := range ann[0].Buttons[0] {
		if b.Label == "✋ Tomar" {
			take = b
		}
	}
	var wg sync.WaitGroup
	results := make([]string, 2)
	for i, user := range []int64{ana, beto} {
		wg.Add(1)
		go func(i int, user int64) {
			defer wg.Done()
			ev := flows.Event{UpdateID: 900 + int64(i), ChatID: flows.Telegram(group), UserID: flows.Telegram(user), Group: true,
				Kind: flows.EventButton, Data: take.Data, TapID: "t"}
			out, err := h.env.Engine.Handle(context.Background(), ev)
			if err != nil {
				t.Error(err)
				return
			}
			results[i] = texts(out.Replies)
		}(i, user)
	}
	wg.Wait()
	won := 0
	told := 0
	for _, r := range results {
		if strings.Contains(r, "ya tiene quien lo atienda") {
			won++
		}
		if strings.Contains(r, "ya lo tomó otra persona") {
			told++
		}
	}
	if won != 1 || told != 1 {
		t.Fatalf("won %d, told %d:\n%s", won, told, strings.Join(results, "\n====\n"))
	}
	// The loser cannot answer the person either: nobody answers twice.
	tk, _ := h.env.Store.Tickets().Get(context.Background(), 1)
	loser := ana
	if tk.TakenBy == h.env.Keys.Hash("staff", "501") {
		loser = beto
	}
	got := h.staffSays(loser, "/r T1 hola", 0)
	mustContain(t, "loser reply", texts(got), "lo atiende otra persona")
}

func TestStrangersAreRefused(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	annID := h.openTicket("Necesito ayuda")
	ann, _ := h.rec.to(group)

	for _, cmd := range []string{"/pendientes", "/tomar T1", "/r T1 hola", "/denuncia DEN-2026-000001"} {
		got := h.staffSays(stranger, cmd, 0)
		mustContain(t, cmd, texts(got), "Solo el equipo del módulo")
	}
	got := h.staffSays(stranger, "te escribo yo", annID)
	mustContain(t, "stranger reply", texts(got), "Solo el equipo del módulo")
	// A real button tapped by a stranger.
	got = h.tap(group, stranger, ann, "✋ Tomar")
	if got[0].Kind != flows.AnswerTap || !strings.Contains(got[0].Text, "Solo el equipo") {
		t.Errorf("stranger tap: %+v", got)
	}
	// Forged data from a staff member, and real data used in another group.
	for _, ev := range []flows.Event{
		{ChatID: flows.Telegram(group), UserID: flows.Telegram(ana), Group: true, Kind: flows.EventButton, Data: "stf:take:1:0000000000000000", TapID: "x"},
		{ChatID: flows.Telegram(-555), UserID: flows.Telegram(ana), Group: true, Kind: flows.EventButton, Data: ann[0].Buttons[0][0].Data, TapID: "x"},
		{ChatID: flows.Telegram(-555), UserID: flows.Telegram(ana), Group: true, Kind: flows.EventCommand, Command: "tomar", Payload: "T1"},
	} {
		got := h.handle(ev)
		mustContain(t, "forged", texts(got), "Solo el equipo del módulo")
	}
	// Nothing was taken, nothing relayed.
	tk, _ := h.env.Store.Tickets().Get(ctx, 1)
	if tk.Status != flows.TicketOpen {
		t.Fatalf("ticket changed by strangers: %+v", tk)
	}
	h.run()
	if toPerson, _ := h.rec.to(migrant); len(toPerson) != 0 {
		t.Fatalf("a stranger reached the person: %+v", toPerson)
	}
	// Staff chatting among themselves is not for the bot, even replying to
	// each other; a reply to a message of the bot that is no conversation
	// is told it reached nobody.
	if got := h.staffSays(ana, "¿alguien va a comer?", 0); len(got) != 0 {
		t.Errorf("bot answered staff chatter: %+v", got)
	}
	if got := h.handle(flows.Event{ChatID: flows.Telegram(group), UserID: flows.Telegram(beto), Group: true, Kind: flows.EventText, Text: "yo voy", ReplyTo: 9001}); len(got) != 0 {
		t.Errorf("bot answered a reply between staff: %+v", got)
	}
	got = h.handle(flows.Event{ChatID: flows.Telegram(group), UserID: flows.Telegram(beto), Group: true, Kind: flows.EventText, Text: "ya le escribo", ReplyTo: 9002, ReplyToBot: true})
	mustContain(t, "reply to no conversation", texts(got), "no le llegó a nadie")
	// Every refusal is logged — by keyed hashes, never ids or what was typed.
	logs := h.logs.String()
	if n := strings.Count(logs, "staff action refused") + strings.Count(logs, "staff button refused"); n != 9 {
		t.Errorf("%d refusals logged, want 9:\n%s", n, logs)
	}
	for _, secret := range []string{"te escribo yo", "hola", "DEN-2026-000001"} {
		if strings.Contains(logs, secret) {
			t.Errorf("the log holds %q:\n%s", secret, logs)
		}
	}
	// Ids as a JSON value (a hash may contain the same digits).
	for _, id := range []int64{stranger, group} {
		n := strconv.FormatInt(id, 10)
		for _, v := range []string{":" + n + ",", ":" + n + "}", `"` + n + `"`} {
			if strings.Contains(logs, v) {
				t.Errorf("the log holds the id %s:\n%s", n, logs)
			}
		}
	}
}

func TestUrgentTicketIsReannounced(t *testing.T) {
	h := newHarness(t)
	h.openTicket("Uno normal")
	// A second person, urgent.
	h.handle(flows.Event{ChatID: flows.Telegram(7002), UserID: flows.Telegram(7002), Lang: "es", Kind: flows.EventCommand, Command: "start"})
	h.handle(flows.Event{ChatID: flows.Telegram(7002), UserID: flows.Telegram(7002), Lang: "es", Kind: flows.EventText, Text: "hablar con una persona"})
	got := h.handle(flows.Event{ChatID: flows.Telegram(7002), UserID: flows.Telegram(7002), Lang: "es", Kind: flows.EventText, Text: "Mi hermana está secuestrada"})
	mustContain(t, "urgent open", texts(got), "T2")
	h.run()
	ann, _ := h.rec.to(group)
	if len(ann) != 2 || !strings.Contains(ann[1].Text, "🔴") || !strings.Contains(ann[1].Text, "URGENTE") {
		t.Fatalf("urgent announcement: %s", texts(ann))
	}
	pend := h.staffSays(ana, "/pendientes", 0)
	list := texts(pend)
	if strings.Index(list, "T2") > strings.Index(list, "T1") {
		t.Errorf("urgent not first in /pendientes:\n%s", list)
	}
	// As Telegram sends it in a group: the engine cuts the bot's name.
	if at := texts(h.staffSays(ana, "/pendientes@acercatebot", 0)); at != list {
		t.Errorf("/pendientes@acercatebot:\n%s\nwant\n%s", at, list)
	}
	h.env.Clock.Advance(5 * time.Minute)
	h.run()
	if ann, _ := h.rec.to(group); len(ann) != 2 {
		t.Fatalf("re-announced too early: %s", texts(ann))
	}
	h.env.Clock.Advance(6 * time.Minute)
	h.run()
	ann, _ = h.rec.to(group)
	if len(ann) != 3 {
		t.Fatalf("not re-announced: %s", texts(ann))
	}
	mustContain(t, "re-announce", ann[2].Text, "T2 es urgente y nadie lo ha tomado")
	// Taken: no more re-announcements.
	h.staffSays(beto, "/tomar T2", 0)
	h.env.Clock.Advance(30 * time.Minute)
	h.run()
	if ann, _ := h.rec.to(group); len(ann) != 3 {
		t.Fatalf("re-announced after it was taken: %s", texts(ann))
	}
}

func TestOutOfHours(t *testing.T) {
	h := newHarness(t)
	// Saturday 21 November 2026, 11:00 in Tapachula.
	h.env.Clock.Set(time.Date(2026, 11, 21, 17, 0, 0, 0, time.UTC))
	h.person("/start")
	ask := h.person("hablar con una persona")
	mustContain(t, "ask", texts(ask), "Ahora el equipo no está trabajando", "lun 09:00", "911")
	got := h.person("¿Me pueden ayudar con la COMAR?")
	mustContain(t, "opened", texts(got), "T1", "cuando vuelvan (lun 09:00)")
	h.run()
	ann, _ := h.rec.to(group)
	mustContain(t, "announcement", ann[0].Text, "fuera de horario")
}

func TestRestartMidTicket(t *testing.T) {
	h := newHarness(t)
	annID := h.openTicket("Hola, necesito ayuda")
	h.staffSays(ana, "/tomar T1", 0)
	h.env.Restart(t)
	h.newDesk()
	// The old process stopped without releasing the desk's lease (a
	// crash): the new one takes over once it expired.
	h.env.Clock.Advance(30 * time.Second)
	got := h.person("¿Siguen ahí?")
	mustContain(t, "after restart", texts(got), "Se lo pasé al equipo")
	h.staffSays(ana, "Sí, aquí estamos.", annID)
	h.run()
	inGroup, _ := h.rec.to(group)
	mustContain(t, "relayed after restart", texts(inGroup), "T1 ▸ ¿Siguen ahí?")
	toPerson, _ := h.rec.to(migrant)
	mustContain(t, "reply after restart", texts(toPerson), "Sí, aquí estamos.")
}

func TestMenuOffersToClose(t *testing.T) {
	h := newHarness(t)
	h.openTicket("Hola")
	got := h.person("/menu")
	mustContain(t, "menu", texts(got), "¿Quieres terminar la conversación")
	// Emergency words still answer at once, and reach the staff.
	got = h.person("auxilio me persiguen")
	mustContain(t, "emergency", texts(got), "911")
	got = h.tap(migrant, migrant, h.person("/menu"), "Sí, terminar")
	mustContain(t, "left", texts(got), "Terminaste la conversación")
	h.run()
	inGroup, _ := h.rec.to(group)
	mustContain(t, "group told", texts(inGroup), "auxilio me persiguen", "T1: la persona terminó la conversación")
	tk, _ := h.env.Store.Tickets().Get(context.Background(), 1)
	if tk.Status != flows.TicketClosed || tk.ClosedBy != "person" {
		t.Fatalf("ticket: %+v", tk)
	}
}

func TestFailedRelayIsRetriedThenShown(t *testing.T) {
	h := newHarness(t)
	annID := h.openTicket("Hola")
	h.rec.fail = map[int64]error{migrant: errors.New("network down")}
	h.staffSays(ana, "Hola, ¿cómo estás?", annID)
	for i := 0; i < 5; i++ {
		h.run()
		h.env.Clock.Advance(15 * time.Minute)
	}
	h.run()
	if n := h.rec.tries[migrant]; n != 5 {
		t.Errorf("%d attempts, want 5", n)
	}
	inGroup, _ := h.rec.to(group)
	mustContain(t, "failure shown", texts(inGroup), "T1: no pude entregar una respuesta", "5 intentos")
	relays, _ := h.env.Store.Tickets().Relays(context.Background(), 1)
	if last := relays[len(relays)-1]; last.Status != flows.RelayFailed || last.Attempts != 5 {
		t.Errorf("relay: %+v", last)
	}
	// A permanent error (blocked) fails at once.
	h.rec.fail = map[int64]error{migrant: errBlocked}
	h.rec.tries = nil
	h.staffSays(ana, "¿Sigues ahí?", annID)
	h.run()
	h.env.Clock.Advance(time.Hour)
	h.run()
	if n := h.rec.tries[migrant]; n != 1 {
		t.Errorf("%d attempts at a blocked chat, want 1", n)
	}
}

func TestDenunciasFromTheGroup(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	folio, err := h.env.Store.Denuncias().File(ctx, flows.Denuncia{
		Category: "kidnapping", When: "today", On: "2026-11-16", Municipality: "tapachula", Perpetrator: "crime",
		Text: "Se llevaron a mi primo en la carretera", Contact: flows.Telegram(migrant), Person: "p", Source: "p:1", At: h.env.Clock.Now(),
	}, flows.Request{UpdateID: 1, At: h.env.Clock.Now(), Person: "p", Kind: "button", Lang: "fr"})
	if err != nil {
		t.Fatal(err)
	}
	h.run()
	ann, _ := h.rec.to(group)
	if len(ann) != 1 {
		t.Fatalf("denuncia not announced: %+v", ann)
	}
	mustContain(t, "denuncia announcement", ann[0].Text, folio, "Secuestro", "Tapachula", "URGENTE")
	if strings.Contains(ann[0].Text, "primo") {
		t.Fatal("the free text reached the group")
	}
	h.run()
	if again, _ := h.rec.to(group); len(again) != 1 {
		t.Fatal("announced twice")
	}

	// The announcement may scroll away: /pendientes lists the denuncias
	// nobody has looked at yet, without what the person wrote.
	got := h.staffSays(ana, "/pendientes", 0)
	mustContain(t, "pending denuncias", texts(got), "Denuncias sin revisar: 1", folio, "Secuestro", "Tapachula")
	if strings.Contains(texts(got), "primo") {
		t.Fatal("the free text reached /pendientes")
	}
	got = h.staffSays(ana, "/denuncia "+folio, 0)
	mustContain(t, "view", texts(got), "Se llevaron a mi primo", "bitácora")
	got = h.staffSays(ana, "/estado "+folio+" canalizada", 0)
	mustContain(t, "status", texts(got), "Canalizada", "Se le avisó")
	var told bool
	for _, r := range got {
		if r.ChatID == flows.Telegram(migrant) && strings.Contains(r.Text, folio) && strings.Contains(r.Text, "Transmise") {
			told = true
		}
	}
	if !told {
		t.Errorf("the person was not told in French: %s", texts(got))
	}
	got = h.staffSays(ana, "/pendientes", 0)
	if strings.Contains(texts(got), folio) {
		t.Errorf("a denuncia being handled is still pending: %s", texts(got))
	}
	audit, _ := h.env.Store.AuditLog(ctx, time.Time{})
	actions := map[string]bool{}
	for _, a := range audit {
		actions[a.Action] = strings.HasPrefix(a.Actor, "staff:")
	}
	if !actions["denuncia.view"] || !actions["denuncia.status"] {
		t.Errorf("audit = %+v", audit)
	}

	got = h.staffSays(ana, "/albergue belen-tapachula lleno", 0)
	mustContain(t, "shelter", texts(got), "belen-tapachula", "Lleno")
	got = h.staffSays(ana, "/albergue nada-aqui lleno", 0)
	mustContain(t, "unknown shelter", texts(got), "No hay ningún albergue")
}

func TestModuloGroupAndSignature(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	const moduloGroup, lucia = int64(-300), int64(601)
	if err := h.env.Store.AddModulo(ctx, store.Modulo{Code: "tapachula", Name: "Módulo Tapachula", StaffChat: moduloGroup, StaffUsers: []int64{lucia}}); err != nil {
		t.Fatal(err)
	}
	if err := h.env.Store.AddCampaign(ctx, store.Campaign{Code: "feria", Name: "Feria", Modulo: "tapachula"}); err != nil {
		t.Fatal(err)
	}
	// Came through the campaign's link: the campaign's módulo answers.
	h.person("/start c-feria")
	ask := h.person("hablar con una persona")
	mustContain(t, "ask", texts(ask), "Módulo Tapachula")
	h.person("¿Dónde queda el módulo?")
	h.run()
	if ann, _ := h.rec.to(group); len(ann) != 0 {
		t.Fatalf("announced in the default group: %s", texts(ann))
	}
	ann, ids := h.rec.to(moduloGroup)
	if len(ann) != 1 {
		t.Fatal("not announced in the módulo's group")
	}
	mustContain(t, "announcement", ann[0].Text, "Módulo: Módulo Tapachula", "Campaña: feria")
	// The módulo's own staff member answers; the reply is signed by the módulo.
	h.handle(flows.Event{ChatID: flows.Telegram(moduloGroup), UserID: flows.Telegram(lucia), Group: true, Kind: flows.EventText, Text: "En el parque central.", ReplyTo: ids[0]})
	h.run()
	toPerson, _ := h.rec.to(migrant)
	if len(toPerson) != 1 {
		t.Fatalf("to person: %s", texts(toPerson))
	}
	mustContain(t, "signed", toPerson[0].Text, "En el parque central.", "— Módulo Tapachula")
	// The módulo's group lists its own tickets.
	got := h.handle(flows.Event{ChatID: flows.Telegram(moduloGroup), UserID: flows.Telegram(lucia), Group: true, Kind: flows.EventCommand, Command: "pendientes"})
	mustContain(t, "módulo pending", texts(got), "T1")
}

// A person who leaves before the desk posted their ticket: staff still see
// it, with the notice that the person left, and nothing stays pending.
func TestTicketClosedBeforeAnnounced(t *testing.T) {
	h := newHarness(t)
	h.person("/start")
	h.person("hablar con una persona")
	h.person("Hola, una pregunta")
	h.tap(migrant, migrant, h.person("/menu"), "Sí, terminar")
	h.run()
	inGroup, _ := h.rec.to(group)
	mustContain(t, "group", texts(inGroup), "Nuevo caso T1", "Hola, una pregunta", "T1: la persona terminó la conversación")
	if len(inGroup[0].Buttons) != 0 || !strings.Contains(inGroup[0].Text, "la persona terminó la conversación.") {
		t.Errorf("a closed ticket announced as open: %+v", inGroup[0])
	}
	relays, _ := h.env.Store.Tickets().Relays(context.Background(), 1)
	for _, r := range relays {
		if r.Status != flows.RelayDelivered {
			t.Errorf("relay left %s: %+v", r.Status, r)
		}
	}
}

// The announcement follows the ticket: taken, its Take button goes and it
// says someone handles it; closed, no buttons. Each change is one edit.
func TestAnnouncementShowsTakenAndClosed(t *testing.T) {
	h := newHarness(t)
	annID := h.openTicket("Necesito saber de la COMAR")
	ann, _ := h.rec.to(group)
	h.tap(group, ana, ann, "✋ Tomar")
	h.run()
	h.run()
	edits := h.rec.edits(group)
	if len(edits) != 1 || edits[0].MessageID != annID {
		t.Fatalf("edits after take: %+v", edits)
	}
	mustContain(t, "taken", edits[0].Text, "Nuevo caso T1", "«Necesito saber de la COMAR»", "Ya lo atiende alguien del equipo")
	if len(edits[0].Buttons) != 1 || len(edits[0].Buttons[0]) != 1 || edits[0].Buttons[0][0].Label != "🔒 Cerrar" {
		t.Errorf("buttons once taken: %+v", edits[0].Buttons)
	}
	h.staffSays(ana, "/cerrar T1", 0)
	h.run()
	h.run()
	edits = h.rec.edits(group)
	if len(edits) != 2 || edits[1].MessageID != annID {
		t.Fatalf("edits after close: %+v", edits)
	}
	mustContain(t, "closed", edits[1].Text, "Nuevo caso T1", "🔒 Cerrado.")
	if len(edits[1].Buttons) != 0 || strings.Contains(edits[1].Text, "Ya lo atiende") {
		t.Errorf("closed announcement: %+v", edits[1])
	}
	if n := len(h.rec.edits(migrant)); n != 0 {
		t.Errorf("%d edits in the person's chat", n)
	}
}
