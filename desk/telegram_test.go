package desk_test

import (
	"context"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/acercate/acercate/apptest"
	"github.com/acercate/acercate/bot"
	"github.com/acercate/acercate/bot/telegramtest"
	"github.com/acercate/acercate/desk"
	"github.com/acercate/acercate/flows"
)

// live is the whole service — the bot against the fake Telegram server,
// the real engine and store, and the desk — with two chats: a migrant and
// a staff group where Ana and Beto are staff.
type live struct {
	t     *testing.T
	tg    *telegramtest.Server
	env   *apptest.Env
	staff flows.StaffConfig
	stop  func()
	// limits, when set, changes the bot's sending limits (off by default).
	limits func(*bot.Config)
}

var (
	pMigrant  = telegramtest.Person{ID: migrant, Lang: "es", FirstName: "Migrante"}
	pAna      = telegramtest.Person{ID: ana, FirstName: "Ana"}
	pBeto     = telegramtest.Person{ID: beto, FirstName: "Beto"}
	pStranger = telegramtest.Person{ID: stranger, FirstName: "Nadie"}
)

func newLive(t *testing.T) *live { return newLiveWith(t, nil) }

// newLiveWith is newLive with the bot's sending limits set by limits.
func newLiveWith(t *testing.T, limits func(*bot.Config)) *live {
	t.Helper()
	hours, err := flows.ParseStaffHours("Mon-Fri 09:00-17:00")
	if err != nil {
		t.Fatal(err)
	}
	l := &live{t: t, tg: telegramtest.New(t), limits: limits}
	l.tg.Group(group)
	l.staff = flows.StaffConfig{Chat: group, Users: []int64{ana, beto}, Hours: hours, Lang: "es"}
	l.env = apptest.New(t, apptest.WithEngine(flows.Config{Staff: l.staff, FloodRate: 1000, FloodBurst: 1000}))
	l.start()
	return l
}

// start runs the bot and the desk until stop.
func (l *live) start() {
	l.t.Helper()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	var d *desk.Desk
	cfg := bot.Config{
		Token: l.tg.Token, APIURL: l.tg.APIURL(), Engine: l.env.Engine,
		Redis: l.env.Redis.Client, RedisPrefix: l.env.Redis.Prefix, Keys: l.env.Keys, Blocked: l.env.Store, Photos: l.env.Store,
		SendRate: 1000, ChatRate: 1000, ChatBurst: 1000, GroupRate: 1000, GroupBurst: 1000,
		PollTimeout: time.Second, Backoff: 10 * time.Millisecond, MaxBackoff: 100 * time.Millisecond,
		OnDelivered: func(ctx context.Context, r flows.Reply, id int64) { d.OnDelivered(ctx, r, id) },
		Logger:      quiet, Now: l.env.Clock.Now,
	}
	if l.limits != nil {
		l.limits(&cfg)
	}
	b, err := bot.New(context.Background(), cfg)
	if err != nil {
		l.t.Fatal(err)
	}
	d, err = desk.New(desk.Config{Store: l.env.Store, Engine: l.env.Engine, Sender: b.Sender(), Staff: l.staff,
		Interval: 20 * time.Millisecond, Now: l.env.Clock.Now, Logger: quiet})
	if err != nil {
		l.t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); b.Run(ctx) }()
	go func() { defer wg.Done(); d.Run(ctx) }()
	var once sync.Once
	l.stop = func() { once.Do(func() { cancel(); wg.Wait() }) }
	l.t.Cleanup(l.stop)
}

// wait waits until a bot message in chat contains every want, and
// returns it.
func (l *live) wait(chat int64, want ...string) telegramtest.Message {
	l.t.Helper()
	deadline := time.Now().Add(45 * time.Second)
	for {
		msgs := l.tg.BotMessages(chat)
		for i := len(msgs) - 1; i >= 0; i-- {
			ok := true
			for _, w := range want {
				ok = ok && strings.Contains(msgs[i].Text, w)
			}
			if ok {
				return msgs[i]
			}
		}
		if time.Now().After(deadline) {
			var all []string
			for _, m := range msgs {
				all = append(all, m.Text)
			}
			l.t.Fatalf("no message in %d with %q; got:\n%s", chat, want, strings.Join(all, "\n----\n"))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// message returns the bot's message id in chat as it is now.
func (l *live) message(chat, id int64) telegramtest.Message {
	for _, m := range l.tg.BotMessages(chat) {
		if m.ID == id {
			return m
		}
	}
	l.t.Fatalf("no message %d in %d", id, chat)
	return telegramtest.Message{}
}

// waitEdit waits until the bot's message id in chat was edited to
// contain every want.
func (l *live) waitEdit(chat, id int64, want ...string) {
	l.t.Helper()
	deadline := time.Now().Add(45 * time.Second)
	for {
		m := l.message(chat, id)
		ok := m.Edits > 0
		for _, w := range want {
			ok = ok && strings.Contains(m.Text, w)
		}
		if ok {
			return
		}
		if time.Now().After(deadline) {
			l.t.Fatalf("message %d in %d not edited to %q; it is:\n%s", id, chat, want, m.Text)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func (l *live) settle() {
	l.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for l.tg.Pending() != 0 {
		if time.Now().After(deadline) {
			l.t.Fatal("updates not handled")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func (l *live) count(chat int64, want string) int {
	n := 0
	for _, m := range l.tg.BotMessages(chat) {
		if strings.Contains(m.Text, want) {
			n++
		}
	}
	return n
}

// repliedTo returns the message id a bot message in chat replied to.
func (l *live) repliedTo(chat int64, text string) string {
	for _, c := range l.tg.CallsTo("sendMessage") {
		if c.Params.Get("chat_id") == itoa(chat) && strings.Contains(c.Params.Get("text"), text) {
			return c.Params.Get("reply_to_message_id")
		}
	}
	for _, c := range l.tg.CallsTo("sendPhoto") {
		if c.Params.Get("chat_id") == itoa(chat) && strings.Contains(c.Params.Get("caption"), text) {
			return c.Params.Get("reply_to_message_id")
		}
	}
	return ""
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func (l *live) openTicket(first string) telegramtest.Message {
	l.t.Helper()
	l.tg.Command(migrant, pMigrant, "/start")
	l.settle()
	l.tg.Text(migrant, pMigrant, "quiero hablar con una persona")
	l.settle()
	l.tg.Text(migrant, pMigrant, first)
	l.wait(migrant, "Tu número de caso es T1")
	return l.wait(group, "Nuevo caso T1", first)
}

func TestTelegramTicketLifecycle(t *testing.T) {
	l := newLive(t)
	ann := l.openTicket("Necesito ayuda con mi refugio")

	// Ana takes it with the button.
	if _, err := l.tg.TapLabel(group, pAna, "✋ Tomar"); err != nil {
		t.Fatal(err)
	}
	l.wait(group, "T1 ya tiene quien lo atienda")
	// The announcement itself now says so, and its Take button is gone.
	l.waitEdit(group, ann.ID, "✋ Ya lo atiende alguien del equipo", "Necesito ayuda con mi refugio")
	if m := l.message(group, ann.ID); strings.Contains(m.Markup, "Tomar") || !strings.Contains(m.Markup, "Cerrar") {
		t.Errorf("buttons once taken: %s", m.Markup)
	}

	// Ana replies to the announcement: the person gets it signed by the
	// team, never with her name.
	l.tg.Reply(group, pAna, ann.ID, "Hola, ¿en qué ciudad estás?")
	got := l.wait(migrant, "¿en qué ciudad estás?", "— el equipo de Acércate")
	if strings.Contains(got.Text, "Ana") {
		t.Errorf("the staff member's name reached the person: %q", got.Text)
	}

	// The person answers; it reaches the group threaded under the ticket,
	// and the bot does not answer for the staff.
	l.tg.Text(migrant, pMigrant, "En Tapachula")
	l.wait(migrant, "Se lo pasé al equipo")
	relayed := l.wait(group, "T1 ▸ En Tapachula")
	if r := l.repliedTo(group, "T1 ▸ En Tapachula"); r != itoa(ann.ID) {
		t.Errorf("relay replies to %q, want the announcement %d", r, ann.ID)
	}
	l.tg.Photo(migrant, pMigrant, "mi constancia")
	l.wait(group, "📷 mi constancia")

	// A reply to the relayed message reaches the person too.
	l.tg.Reply(group, pAna, relayed.ID, "Gracias. Ve al Centro Multiservicios.")
	l.wait(migrant, "Centro Multiservicios")

	// Close: the person is told in their language.
	l.tg.Command(group, pAna, "/cerrar T1 orientada sobre COMAR")
	l.wait(group, "T1 cerrado")
	l.wait(migrant, "Esta conversación terminó")
	l.waitEdit(group, ann.ID, "🔒 Cerrado.")
	if m := l.message(group, ann.ID); m.Markup != "" {
		t.Errorf("buttons once closed: %s", m.Markup)
	}
	if l.count(migrant, "COMAR") != 0 {
		t.Error("the internal note reached the person")
	}
	if v := l.tg.Violations(); len(v) > 0 {
		t.Errorf("Telegram limits violated: %v", v)
	}
}

func TestTelegramTwoStaffTakeAtOnce(t *testing.T) {
	l := newLive(t)
	ann := l.openTicket("Ayuda por favor")
	var data string
	for _, b := range telegramtest.Buttons(ann.Markup) {
		if b[0] == "✋ Tomar" {
			data = b[1]
		}
	}
	l.tg.Tap(group, pAna, ann.ID, data)
	l.tg.Tap(group, pBeto, ann.ID, data)
	l.settle()
	l.wait(group, "T1 ya tiene quien lo atienda")
	l.wait(group, "T1 ya lo tomó otra persona del equipo")
	if n := l.count(group, "T1 ya tiene quien lo atienda"); n != 1 {
		t.Errorf("%d staff won the ticket", n)
	}
}

func TestTelegramStrangersRefused(t *testing.T) {
	l := newLive(t)
	ann := l.openTicket("Hola")
	l.tg.Command(group, pStranger, "/tomar T1")
	l.tg.Reply(group, pStranger, ann.ID, "yo contesto")
	l.settle()
	if n := l.count(group, "Solo el equipo del módulo"); n != 2 {
		t.Errorf("%d refusals, want 2", n)
	}
	// A forged callback from a staff member, and a real one from a stranger.
	l.tg.Tap(group, pAna, ann.ID, "stf:take:1:0123456789abcdef")
	if _, err := l.tg.TapLabel(group, pStranger, "✋ Tomar"); err != nil {
		t.Fatal(err)
	}
	l.settle()
	refused := 0
	for _, c := range l.tg.CallsTo("answerCallbackQuery") {
		if strings.Contains(c.Params.Get("text"), "Solo el equipo") {
			refused++
		}
	}
	if refused != 2 {
		t.Errorf("%d refused taps, want 2", refused)
	}
	tk, err := l.env.Store.Tickets().Get(context.Background(), 1)
	if err != nil || tk.Status != flows.TicketOpen {
		t.Fatalf("ticket after strangers: %+v, %v", tk, err)
	}
	if l.count(migrant, "yo contesto") != 0 {
		t.Error("a stranger's words reached the person")
	}
}

func TestTelegramUrgentReannounced(t *testing.T) {
	l := newLive(t)
	l.tg.Command(migrant, pMigrant, "/start")
	l.settle()
	l.tg.Text(migrant, pMigrant, "hablar con una persona")
	l.settle()
	l.tg.Text(migrant, pMigrant, "Hay un niño solo en la estación, tiene 8 años")
	l.wait(group, "🔴 Nuevo caso T1", "URGENTE")
	l.env.Clock.Advance(11 * time.Minute)
	l.wait(group, "T1 es urgente y nadie lo ha tomado")
}

func TestTelegramOutOfHours(t *testing.T) {
	l := newLive(t)
	l.env.Clock.Set(time.Date(2026, 11, 22, 3, 0, 0, 0, time.UTC)) // Saturday 21:00 in Tapachula
	l.tg.Command(migrant, pMigrant, "/start")
	l.settle()
	l.tg.Text(migrant, pMigrant, "hablar con una persona")
	l.wait(migrant, "Ahora el equipo no está trabajando", "lun 09:00")
	l.tg.Text(migrant, pMigrant, "¿Dónde puedo dormir hoy?")
	l.wait(migrant, "cuando vuelvan (lun 09:00)")
	l.wait(group, "Nuevo caso T1", "fuera de horario")
}

func TestTelegramRestartMidTicket(t *testing.T) {
	l := newLive(t)
	ann := l.openTicket("Hola, necesito orientación")
	l.tg.Command(group, pAna, "/tomar T1")
	l.wait(group, "T1 ya tiene quien lo atienda")
	l.stop()
	l.env.Restart(t)
	l.start()
	l.tg.Text(migrant, pMigrant, "¿Siguen ahí?")
	l.wait(group, "T1 ▸ ¿Siguen ahí?")
	l.tg.Reply(group, pAna, ann.ID, "Sí, seguimos aquí.")
	l.wait(migrant, "Sí, seguimos aquí.")
}
