package flows_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/acercate/acercate/apptest"
	"github.com/acercate/acercate/flows"
	"github.com/acercate/acercate/term"
	"github.com/redis/go-redis/v9"
)

// scanUser is the person of the privacy tests: an id that appears nowhere
// else, so finding its digits anywhere is a leak.
const scanUser = 731904862

// scanName and scanTexts are what the person types: their name inside a
// denuncia's story, a place, free text to the shelter search.
const scanName = "Wilner Jean-Baptiste"

var scanTexts = []string{
	"Me llamo " + scanName + " y dos hombres me quitaron 3500 pesos en la combi",
	"Luego me amenazaron con volver por mi hermana Rosemène",
	"Cerca del puente Zacualpa junto a la gasolinera",
	"busco donde dormir esta noche con mis dos hijos pequeños",
	"quiero hablar con alguien sobre mi caso de extorsión en Huehuetán",
	"me siguen llamando al celular desde un número desconocido",
}

// scanPlaces are the places the person shares from their phone: two in
// Tapachula, to the shelter search (the second with a filter), and one
// near Huixtla, for where a denuncia happened. The bot uses them to answer
// and says it keeps none of them.
var scanPlaces = [][2]float64{{14.91372, -92.25419}, {14.89261, -92.27734}, {15.12473, -92.45128}}

// scanPlaceTexts returns how a shared place could be written down: each
// coordinate in full and rounded to three decimals (about 100 m), without
// its sign.
func scanPlaceTexts() []string {
	var out []string
	for _, p := range scanPlaces {
		for _, v := range p {
			v = math.Abs(v)
			out = append(out, strconv.FormatFloat(v, 'f', -1, 64), strconv.FormatFloat(v, 'f', 3, 64))
		}
	}
	return out
}

func scanLoc(i int) string {
	return fmt.Sprintf("/loc %v %v", scanPlaces[i][0], scanPlaces[i][1])
}

// withStaff configures a staff group, so "Hablar con una persona" opens
// tickets.
var withStaff = apptest.WithEngine(flows.Config{Staff: flows.StaffConfig{Chat: -1001}})

// fullSession plays a whole conversation: a campaign link, the shelter
// search with free text, by location, by location for women, and in
// Tapachula for women; a denuncia whose place is first a shared location,
// then changed to a typed place, two messages of story with the person's
// name, a photo and "contact me", filed.
func fullSession(t *testing.T, env *apptest.Env) *term.Session {
	t.Helper()
	s := term.NewSession(env.Engine, flows.Telegram(scanUser), "es")
	s.Now = env.Clock.Now
	lines := []string{
		"/start c-feria-tapachula",
		scanTexts[3],
		scanLoc(0),
		"[👥 ¿Para quién es?]", "[Mujeres]", scanLoc(1),
		"[🔎 Buscar otra vez]", "[Tapachula]",
		"[Menú principal]",
		"[Hacer una denuncia]", "[Empezar]", "[Extorsión (te pidieron dinero con amenazas)]", "[Ayer]",
		scanLoc(2),
		"[Un grupo criminal]",
		scanTexts[0], scanTexts[1], "[✅ Listo]",
		"/foto", "[✅ Listo]",
		"[💬 Sí, que me escriban aquí]",
		"[✏️ Dónde]", "[Otro lugar]", scanTexts[2],
		"[📨 Enviar la denuncia]",
		"/folio DEN-2026-000001",
		"[Menú principal]", "[Hablar con una persona]", scanTexts[4], scanTexts[5],
	}
	ctx := context.Background()
	for _, l := range lines {
		env.Clock.Advance(typingTime)
		out, err := s.Send(ctx, l)
		if err != nil {
			t.Fatalf("%q: %v", l, err)
		}
		if strings.TrimSpace(out) == "" {
			t.Fatalf("no answer to %q", l)
		}
		if strings.HasPrefix(l, "/loc ") {
			// The place is not kept in the conversation's state either,
			// which Redis holds sealed, so the scans could not see it.
			st, _, err := env.Engine.Store().LoadState(ctx, flows.Telegram(scanUser))
			if err != nil {
				t.Fatal(err)
			}
			js, err := json.Marshal(st)
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range scanPlaceTexts() {
				if strings.Contains(string(js), p) {
					t.Errorf("after %q the state keeps %q: %s", l, p, js)
				}
			}
		}
	}
	if st, ok, _ := env.Engine.Store().LoadState(ctx, flows.Telegram(scanUser)); !ok || st.Flow != "human" || st.Step != "open" {
		t.Fatalf("no ticket open at the end of the session: %+v", st)
	}
	return s
}

const typingTime = 3e9

// dbBytes returns the SQLite file and its write-ahead log, as a thief of
// the disk would read them.
func dbBytes(t *testing.T, env *apptest.Env) []byte {
	t.Helper()
	var all []byte
	for _, suffix := range []string{"", "-wal", "-shm", "-journal"} {
		b, err := os.ReadFile(env.DBPath + suffix)
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		all = append(all, b...)
	}
	if len(all) == 0 {
		t.Fatal("no database bytes")
	}
	return all
}

// redisDump returns every key of the test's prefix and every value, of
// every type, as one text.
func redisDump(t *testing.T, env *apptest.Env) []byte {
	t.Helper()
	ctx := context.Background()
	rdb := env.Redis.Client
	var b bytes.Buffer
	iter := rdb.Scan(ctx, 0, env.Redis.Prefix+"*", 1000).Iterator()
	for iter.Next(ctx) {
		key := iter.Val()
		fmt.Fprintf(&b, "KEY %s\n", key)
		typ, err := rdb.Type(ctx, key).Result()
		if err != nil {
			t.Fatal(err)
		}
		var vals []string
		switch typ {
		case "string":
			v, err := rdb.Get(ctx, key).Result()
			if err != nil && err != redis.Nil {
				t.Fatal(err)
			}
			vals = []string{v}
		case "hash":
			m, err := rdb.HGetAll(ctx, key).Result()
			if err != nil {
				t.Fatal(err)
			}
			for k, v := range m {
				vals = append(vals, k, v)
			}
		case "list":
			vals, err = rdb.LRange(ctx, key, 0, -1).Result()
		case "set":
			vals, err = rdb.SMembers(ctx, key).Result()
		case "zset":
			vals, err = rdb.ZRange(ctx, key, 0, -1).Result()
		case "stream":
			msgs, err2 := rdb.XRange(ctx, key, "-", "+").Result()
			err = err2
			for _, m := range msgs {
				vals = append(vals, fmt.Sprint(m.Values))
			}
		case "none":
		default:
			t.Fatalf("key %s of type %s: teach redisDump to read it", key, typ)
		}
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range vals {
			b.WriteString(v)
			b.WriteByte('\n')
		}
	}
	if err := iter.Err(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// dbText returns every value of every table, as text, read through SQL.
func dbText(t *testing.T, db *sql.DB) string {
	t.Helper()
	ctx := context.Background()
	rows, err := db.QueryContext(ctx, `SELECT name FROM sqlite_master WHERE type = 'table'`)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var n string
		rows.Scan(&n)
		tables = append(tables, n)
	}
	rows.Close()
	var b strings.Builder
	for _, tb := range tables {
		rows, err := db.QueryContext(ctx, `SELECT * FROM "`+tb+`"`)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(&b, "%s:", tb)
			for _, v := range vals {
				if bs, ok := v.([]byte); ok {
					v = string(bs)
				}
				fmt.Fprintf(&b, " %v", v)
			}
			b.WriteByte('\n')
		}
		rows.Close()
	}
	return b.String()
}

// TestScanNoPlainPersonalData plays a whole conversation, then reads the
// SQLite file (and its WAL) byte by byte, its rows through SQL, and every
// Redis key and value: the person's raw id, their name, nothing they typed
// and none of the places they shared may be there in plain form. The
// request log says how each search was made (by_location, a city, a
// filter), never where the person was.
func TestScanNoPlainPersonalData(t *testing.T) {
	env := apptest.New(t, withStaff)
	fullSession(t, env)
	db, redisBytes := dbBytes(t, env), redisDump(t, env)
	if len(redisBytes) == 0 {
		t.Fatal("nothing in Redis: the scan would prove nothing")
	}
	// Through SQL as well as the file: a coordinate in a REAL column is
	// binary in the file, and text here.
	rows := []byte(dbText(t, env.Store.SQL()))
	secrets := append([]string{strconv.Itoa(scanUser), scanName, "Rosemène", "Zacualpa"}, scanTexts...)
	secrets = append(secrets, scanPlaceTexts()...)
	for _, s := range secrets {
		for where, b := range map[string][]byte{"SQLite file": db, "SQLite rows": rows, "Redis": redisBytes} {
			if bytes.Contains(b, []byte(s)) {
				t.Errorf("%s holds %q in plain form", where, s)
			}
		}
	}
	// The session went where it was meant to.
	reqs, err := env.Store.Requests(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	flowsSeen := map[string]bool{}
	var searches, wheres []string
	for _, r := range reqs {
		flowsSeen[r.Flow] = true
		switch {
		case r.Flow == "albergues" && r.Topic == "search":
			searches = append(searches, r.Detail)
		case r.Flow == "denuncia" && r.Topic == "where":
			wheres = append(wheres, r.Detail)
		}
	}
	// The request log says how a search was made, and the town a shared
	// place was nearest to, never the place.
	if want := []string{"by_location", "by_location;filter=women", "city=tapachula;filter=women"}; !slices.Equal(searches, want) {
		t.Errorf("shelter searches logged as %q, want %q", searches, want)
	}
	if want := []string{"location:huixtla", "ask_place", "typed"}; !slices.Equal(wheres, want) {
		t.Errorf("denuncia places logged as %q, want %q", wheres, want)
	}
	for _, f := range []string{"albergues", "denuncia", "human"} {
		if !flowsSeen[f] {
			t.Errorf("the session never reached %s: %v", f, flowsSeen)
		}
	}
	// The scan can fail: what was told to staff is there, sealed, and opens.
	k, err := env.Store.Tickets().Current(context.Background(), env.Keys.Hash("person", strconv.Itoa(scanUser)))
	if err != nil {
		t.Fatal(err)
	}
	relays, err := env.Store.Tickets().Relays(context.Background(), k.ID)
	if err != nil || len(relays) != 2 || relays[0].Text != scanTexts[4] || relays[1].Text != scanTexts[5] {
		t.Fatalf("relays %+v, %v", relays, err)
	}
	// And the sealed story.
	rec, err := env.Store.Denuncias().View(context.Background(), "DEN-2026-000001", "test")
	if err != nil || !strings.Contains(rec.Text, scanName) || rec.Contact != flows.Telegram(scanUser) || rec.Place != scanTexts[2] {
		t.Fatalf("the denuncia does not hold what was typed: %+v, %v", rec, err)
	}
}

// TestEraseLeavesNoTrace: after /borrar, neither SQLite (through SQL, and
// its file's bytes) nor Redis holds the person's id, raw or hashed; the
// denuncia stays, anonymised, with its case; one audit row says an
// erasure happened.
func TestEraseLeavesNoTrace(t *testing.T) {
	env := apptest.New(t, withStaff)
	ctx := context.Background()
	s := fullSession(t, env)
	// A second person, whose records must stay linked to them.
	other := newPerson(t, env, nil, 55501, "es")
	other.command("start", "")
	person := env.Keys.Hash("person", strconv.Itoa(scanUser))
	chat := env.Keys.Hash("chat", strconv.Itoa(scanUser))
	traces := []string{person, chat, strconv.Itoa(scanUser)}
	// What a channel keeps about the chat under its tag (the Telegram
	// adapter's message ids) goes too.
	channelKey := env.Redis.Prefix + "msgs:{" + chat + "}"
	if err := env.Redis.Client.ZAdd(ctx, channelKey, redis.Z{Score: 1, Member: "77"}).Err(); err != nil {
		t.Fatal(err)
	}
	countPeople := func() int {
		var n int
		if err := env.Store.SQL().QueryRow(`SELECT count(*) FROM person_years`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	peopleBefore := countPeople()
	before := dbText(t, env.Store.SQL()) + string(redisDump(t, env))
	for _, tr := range traces[:2] {
		if !strings.Contains(before, tr) {
			t.Fatalf("before /borrar %q is nowhere: the test would prove nothing", tr)
		}
	}
	for _, l := range []string{"/borrar", "[Sí, borrar todo]"} {
		env.Clock.Advance(typingTime)
		if _, err := s.Send(ctx, l); err != nil {
			t.Fatal(err)
		}
	}
	if r := s.Render(s.Last); !strings.Contains(r, "denuncias que ya no están ligadas a ti ni a tu contacto: 1") ||
		!strings.Contains(r, "con sus mensajes, borradas: 1") {
		t.Fatalf("the erasure report does not count the denuncia:\n%s", s.Render(s.Last))
	}
	sqlText, file, rd := dbText(t, env.Store.SQL()), dbBytes(t, env), redisDump(t, env)
	for _, tr := range traces {
		if strings.Contains(sqlText, tr) {
			t.Errorf("SQLite rows still hold %q", tr)
		}
		if bytes.Contains(file, []byte(tr)) {
			t.Errorf("the SQLite file still holds %q", tr)
		}
		if bytes.Contains(rd, []byte(tr)) {
			t.Errorf("Redis still holds %q", tr)
		}
	}
	// The case stays, with what the office needs, and nobody's link.
	rec, err := env.Store.Denuncias().View(ctx, "DEN-2026-000001", "test")
	if err != nil {
		t.Fatal(err)
	}
	if rec.Category != "extortion" || rec.Person != "" || !rec.Contact.IsZero() || !strings.Contains(rec.Text, "combi") {
		t.Errorf("anonymised denuncia: category %q person %q contact %v text %q", rec.Category, rec.Person, rec.Contact, rec.Text)
	}
	// The request log keeps its counts: every row is still there.
	reqs, err := env.Store.Requests(ctx)
	if err != nil {
		t.Fatal(err)
	}
	people := map[string]int{}
	for _, r := range reqs {
		people[r.Person]++
	}
	if len(people) != 2 {
		t.Errorf("request log has %d people, want 2 (the erased one under one random value, and the other)", len(people))
	}
	if n := countPeople(); n != peopleBefore || n != 2 {
		t.Errorf("people attended this year: %d, was %d (want 2)", n, peopleBefore)
	}
	if people[env.Keys.Hash("person", "55501")] == 0 {
		t.Error("the other person's rows lost their link")
	}
	log, err := env.Store.AuditLog(ctx, apptest.Start)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range log {
		if e.Action == "privacy.erase" {
			n++
			if e.Actor != "person" || strings.Contains(e.Detail, person) {
				t.Errorf("audit row names the person: %+v", e)
			}
		}
	}
	if n != 1 {
		t.Errorf("%d privacy.erase audit rows, want 1", n)
	}
	// The other person's conversation is untouched.
	if st := other.state(); st.Lang != "es" {
		t.Errorf("the other person's state changed: %+v", st)
	}
	// Coming back starts anew.
	env.Clock.Advance(typingTime)
	out, err := s.Send(ctx, "/folio DEN-2026-000001")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "No encontré una denuncia tuya") {
		t.Errorf("/folio after /borrar:\n%s", out)
	}
}

// TestQuickExitForgetsTheDraft: /salir answers with ClearChat and a
// neutral text, and the denuncia draft is gone from the state.
func TestQuickExitForgetsTheDraft(t *testing.T) {
	env := apptest.New(t)
	p := newPerson(t, env, nil, 881, "fr")
	p.command("start", "")
	out := p.tap("denuncia:*::")
	out = p.tap(button(t, out, msg(env, "fr", "denuncia.btn.start")))
	p.tap(button(t, out, msg(env, "fr", "denuncia.cat.robbery")))
	if st := p.state(); st.Flow != "denuncia" || len(st.Drafts["denuncia"]) == 0 {
		t.Fatalf("no denuncia draft: %+v", st)
	}
	out = p.command("sortir", "")
	if len(out) != 1 || out[0].Kind != flows.ClearChat || out[0].Text != msg(env, "fr", "privacy.exit.text") {
		t.Fatalf("/sortir answered %+v", out)
	}
	st := p.state()
	if st.Flow != "" || len(st.Drafts) != 0 || st.Lang != "fr" {
		t.Errorf("state after the quick exit: %+v", st)
	}
}

// button returns the data of the button labelled label in replies.
func button(t *testing.T, replies []flows.Reply, label string) string {
	t.Helper()
	for _, r := range replies {
		for _, row := range r.Buttons {
			for _, b := range row {
				if b.Label == label {
					return b.Data
				}
			}
		}
	}
	t.Fatalf("no button %q in %s", label, texts(replies))
	return ""
}

// TestQuickExitDuringATicket: with a conversation open with staff, every
// message goes to staff, but /salir, the quick exit button and /borrar
// still work.
func TestQuickExitDuringATicket(t *testing.T) {
	env := apptest.New(t, withStaff)
	p := newPerson(t, env, nil, 882, "es")
	p.command("start", "")
	p.tap("human:*::")
	out := p.text("necesito hablar con alguien")
	if st := p.state(); st.Flow != "human" || st.Step != "open" {
		t.Fatalf("no ticket open: %+v\n%s", st, texts(out))
	}
	exit := button(t, out, msg(env, "es", "privacy.btn.exit"))
	out = p.command("salir", "")
	if len(out) != 1 || out[0].Kind != flows.ClearChat {
		t.Fatalf("/salir during a ticket answered %s", texts(out))
	}
	// Staff are told not to write to a phone someone else may hold.
	k, err := env.Store.Tickets().Current(context.Background(), env.Keys.Hash("person", "882"))
	if err != nil {
		t.Fatal(err)
	}
	relays, err := env.Store.Tickets().Relays(context.Background(), k.ID)
	if err != nil || len(relays) != 2 || relays[1].Kind != flows.RelayNotice ||
		relays[1].Text != msg(env, "es", "privacy.g.quick_exit", "Code", k.Code()) {
		t.Fatalf("relays after the quick exit: %+v, %v", relays, err)
	}
	p.tap("human:*::")
	out = p.tap(exit)
	if len(out) != 2 || out[1].Kind != flows.ClearChat {
		t.Fatalf("the quick exit button during a ticket answered %s", texts(out))
	}
	p.tap("human:*::")
	out = p.command("borrar", "")
	yes := button(t, out, msg(env, "es", "privacy.btn.erase_yes"))
	out = p.tap(yes)
	if !strings.Contains(texts(out), "con sus mensajes, borradas: 1") {
		t.Errorf("/borrar during a ticket:\n%s", texts(out))
	}
	// The staff group is told, without anything of the person: the ticket
	// and its messages are gone, so a reply there would reach nobody.
	var told int
	for _, r := range out {
		if r.ChatID == flows.Telegram(-1001) {
			told++
			if r.Text != msg(env, "es", "privacy.g.erased", "Code", k.Code()) {
				t.Errorf("the group read %q", r.Text)
			}
		}
	}
	if told != 1 {
		t.Errorf("%d messages to the staff group after /borrar, want 1:\n%s", told, texts(out))
	}
}

// TestStoreForgetDeletesEveryChatKey: Store.Forget (for tools) deletes
// the state, handled-update records and channel keys of one chat only.
func TestStoreForgetDeletesEveryChatKey(t *testing.T) {
	env := apptest.New(t)
	ctx := context.Background()
	a := newPerson(t, env, nil, 901, "es")
	b := newPerson(t, env, nil, 902, "es")
	a.command("start", "")
	b.command("start", "")
	tag := env.Keys.Hash("chat", "901")
	if err := env.Redis.Client.Set(ctx, env.Redis.Prefix+"msgs:{"+tag+"}", "x", 0).Err(); err != nil {
		t.Fatal(err)
	}
	if err := env.Engine.Store().Forget(ctx, flows.Telegram(901)); err != nil {
		t.Fatal(err)
	}
	if d := redisDump(t, env); bytes.Contains(d, []byte(tag)) {
		t.Errorf("keys of chat 901 are left:\n%s", d)
	}
	if _, ok, _ := env.Engine.Store().LoadState(ctx, flows.Telegram(901)); ok {
		t.Error("chat 901 still has a state")
	}
	if st := b.state(); st.Lang != "es" {
		t.Errorf("chat 902 lost its state: %+v", st)
	}
}
