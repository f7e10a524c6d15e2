package flows_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/acercate/acercate/apptest"
	"github.com/acercate/acercate/flows"
	"github.com/acercate/acercate/term"
	"github.com/redis/go-redis/v9"
)

// Taps of the intake, by label.
const (
	tapDenuncia = "[Hacer una denuncia]"
	tapStart    = "[Empezar]"
	tapDone     = "[✅ Listo]"
	tapNoPhotos = "[No tengo fotos]"
	tapAnon     = "[🙈 No, anónima]"
	tapContact  = "[💬 Sí, que me escriban aquí]"
	tapSend     = "[📨 Enviar la denuncia]"
	tapResume   = "[▶️ Seguir con mi denuncia]"
)

// toText are the taps that take a person from the first message to the
// "what happened" question: robbery, today, Tapachula, a criminal group.
var toText = []string{"/start", tapDenuncia, tapStart, "[Robo o asalto]", "[Hoy]", "[Tapachula]", "[Un grupo criminal]"}

// toSummary goes on to the summary: a text, no photos, anonymous.
var toSummary = append(append([]string(nil), toText...),
	"Me quitaron la mochila en la central de autobuses.", tapDone, tapNoPhotos, tapAnon)

// say sends lines and returns the last answer, failing on any error.
func say(t *testing.T, s *term.Session, lines ...string) string {
	t.Helper()
	var out string
	for _, l := range lines {
		var err error
		if out, err = s.Send(context.Background(), l); err != nil {
			t.Fatalf("%q: %v", l, err)
		}
	}
	return out
}

func session(env *apptest.Env, chat int64) *term.Session {
	s := term.NewSession(env.Engine, flows.Telegram(chat), "es")
	s.Now = env.Clock.Now
	return s
}

func countDenuncias(t *testing.T, env *apptest.Env) int {
	t.Helper()
	l, err := env.Store.Denuncias().List(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	return len(l)
}

// failNextCommit fails the next Lua script call on a Redis client: the
// engine's commit of state and replies, which comes after a step's own
// store transaction. It stands for Redis going away (or the process
// dying) between the two.
type failNextCommit struct{ armed atomic.Bool }

func (f *failNextCommit) DialHook(next redis.DialHook) redis.DialHook { return next }

func (f *failNextCommit) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return next
}

func (f *failNextCommit) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		name := cmd.Name()
		if (name == "evalsha" || name == "eval") && f.armed.CompareAndSwap(true, false) {
			err := errors.New("injected: redis went away")
			cmd.SetErr(err)
			return err
		}
		return next(ctx, cmd)
	}
}

// TestDenunciaCrashAfterStoreCommit makes the engine's Redis commit fail
// after the store committed the denuncia. The channel retries the same
// update (after a restart, or on another replica): the person gets one
// folio, the store holds one denuncia and one log row for the update.
func TestDenunciaCrashAfterStoreCommit(t *testing.T) {
	for _, retry := range []string{"restart", "replica"} {
		t.Run(retry, func(t *testing.T) {
			env := apptest.New(t)
			ctx := context.Background()
			s := session(env, 4242)
			say(t, s, toSummary...)
			confirm, err := s.Event(tapSend)
			if err != nil {
				t.Fatal(err)
			}
			hook := &failNextCommit{}
			hook.armed.Store(true)
			env.App.Redis.AddHook(hook)
			if _, err := env.Engine.Handle(ctx, confirm); err == nil {
				t.Fatal("the confirmation was handled although Redis failed")
			}
			if hook.armed.Load() {
				t.Fatal("the injected failure never happened")
			}
			if n := countDenuncias(t, env); n != 1 {
				t.Fatalf("after the failed commit the store holds %d denuncias, want the 1 committed", n)
			}

			eng := env.Engine
			if retry == "restart" {
				env.Restart(t)
				eng = env.Engine
			} else {
				eng = env.Second(t).Engine
			}
			out, err := eng.Handle(ctx, confirm)
			if err != nil {
				t.Fatalf("retry: %v", err)
			}
			text := s.Render(out.Replies)
			if !strings.Contains(text, "DEN-2026-000001") || strings.Contains(text, "DEN-2026-000002") {
				t.Fatalf("retry answered:\n%s\nwant folio DEN-2026-000001 only", text)
			}
			// Telegram may deliver the update once more: nothing new happens.
			again, err := eng.Handle(ctx, confirm)
			if err != nil || !again.Duplicate {
				t.Fatalf("third delivery: %+v, %v; want a duplicate", again, err)
			}
			if n := countDenuncias(t, env); n != 1 {
				t.Fatalf("store holds %d denuncias, want 1", n)
			}
			reqs, err := env.Store.Requests(ctx)
			if err != nil {
				t.Fatal(err)
			}
			rows := 0
			for _, r := range reqs {
				if r.UpdateID == confirm.UpdateID {
					rows++
					if r.Topic != "filed" || r.Detail != "robbery" || r.Flow != "denuncia" {
						t.Errorf("log row of the confirmation = %+v", r)
					}
				}
			}
			if rows != 1 {
				t.Fatalf("%d request-log rows for the confirmation, want 1", rows)
			}
			out2, err := env.Store.PendingOutbox(ctx, 10)
			if err != nil || len(out2) != 1 || out2[0].Ref != "DEN-2026-000001" {
				t.Fatalf("outbox = %+v, %v; want one announcement of the folio", out2, err)
			}
			// The draft is gone: a new denuncia starts from the consent note.
			s2 := term.NewSession(eng, flows.Telegram(4242), "es")
			s2.Now = env.Clock.Now
			if got := say(t, s2, "/menu", tapDenuncia); !strings.Contains(got, "Antes de empezar") {
				t.Fatalf("after filing, the denuncia entry shows:\n%s", got)
			}
		})
	}
}

// TestDenunciaAnswerLostAfterCommit: the step and the state committed but
// the process died before the answer reached the person. The redelivered
// update returns the same answer, with the same folio.
func TestDenunciaAnswerLostAfterCommit(t *testing.T) {
	env := apptest.New(t)
	ctx := context.Background()
	s := session(env, 4242)
	say(t, s, toSummary...)
	confirm, _ := s.Event(tapSend)
	first, err := env.Engine.Handle(ctx, confirm)
	if err != nil {
		t.Fatal(err)
	}
	env.Restart(t) // no Delivered: the answer never left
	again, err := env.Engine.Handle(ctx, confirm)
	if err != nil || !again.Duplicate {
		t.Fatalf("redelivery = %+v, %v", again, err)
	}
	if len(again.Replies) != len(first.Replies) || !strings.Contains(s.Render(again.Replies), "DEN-2026-000001") {
		t.Fatalf("redelivered answer:\n%s", s.Render(again.Replies))
	}
	if n := countDenuncias(t, env); n != 1 {
		t.Fatalf("store holds %d denuncias, want 1", n)
	}
}

// TestDenunciaFolioOnlyForItsPerson: /folio shows the status to the person
// who filed, in their language, as staff change it; anyone else gets the
// very same answer as for a folio that does not exist.
func TestDenunciaFolioOnlyForItsPerson(t *testing.T) {
	env := apptest.New(t)
	ctx := context.Background()
	owner := session(env, 4242)
	say(t, owner, toSummary...)
	if got := say(t, owner, tapSend); !strings.Contains(got, "DEN-2026-000001") {
		t.Fatalf("filing answered:\n%s", got)
	}
	if got := say(t, owner, "/folio DEN-2026-000001"); !strings.Contains(got, "Estado: Recibida") {
		t.Fatalf("owner's /folio:\n%s", got)
	}
	if err := env.Store.Denuncias().SetStatus(ctx, "DEN-2026-000001", "canalizada", "test"); err != nil {
		t.Fatal(err)
	}
	if got := say(t, owner, "/folio den 2026 1"); !strings.Contains(got, "Estado: Canalizada") ||
		!strings.Contains(got, "una institución") {
		t.Fatalf("owner's /folio after referral:\n%s", got)
	}

	other := session(env, 5151)
	say(t, other, "/start")
	theirs := say(t, other, "/folio DEN-2026-000001")
	unknown := say(t, other, "/folio DEN-2026-000002")
	if !strings.Contains(theirs, "No encontré") || strings.Contains(theirs, "Canalizada") {
		t.Fatalf("someone else's /folio:\n%s", theirs)
	}
	if strings.ReplaceAll(theirs, "000001", "000002") != unknown {
		t.Fatalf("someone else's folio and an unknown one are answered differently:\n%s\n---\n%s", theirs, unknown)
	}
}

// TestDenunciaFoliosAcrossRestarts: folios keep counting after a restart.
func TestDenunciaFoliosAcrossRestarts(t *testing.T) {
	env := apptest.New(t)
	a := session(env, 1002)
	say(t, a, toSummary...)
	if got := say(t, a, tapSend); !strings.Contains(got, "DEN-2026-000001") {
		t.Fatalf("first folio:\n%s", got)
	}
	env.Restart(t)
	b := session(env, 1003)
	say(t, b, toSummary...)
	if got := say(t, b, tapSend); !strings.Contains(got, "DEN-2026-000002") {
		t.Fatalf("folio after a restart:\n%s", got)
	}
}

// TestDenunciaTooLongText: a message that does not fit is answered kindly
// and nothing of what was written before is lost.
func TestDenunciaTooLongText(t *testing.T) {
	env := apptest.New(t)
	s := session(env, 4242)
	say(t, s, toText...)
	say(t, s, "Primero me siguieron.")
	long := strings.Repeat("palabra ", 300) // 2399 characters once trimmed
	got := say(t, s, long)
	if !strings.Contains(got, "2399 letras") || !strings.Contains(got, "ya tengo 21 de 2000") {
		t.Fatalf("too long answer:\n%s", got)
	}
	say(t, s, tapDone, tapNoPhotos, tapAnon)
	sum := say(t, s, "/menu", tapDenuncia, tapResume) // leave, come back, continue: the summary
	if !strings.Contains(sum, "Primero me siguieron.") || strings.Contains(sum, "palabra") {
		t.Fatalf("summary after a too long message:\n%s", sum)
	}
	// A first message that alone is too long.
	s2 := session(env, 4343)
	say(t, s2, toText...)
	if got := say(t, s2, strings.Repeat("x", flows.DenunciaTextMax+1)); !strings.Contains(got, "2001 letras") {
		t.Fatalf("first message too long:\n%s", got)
	}
	if got := say(t, s2, strings.Repeat("x", flows.DenunciaTextMax)); !strings.Contains(got, "2000 de 2000") {
		t.Fatalf("a message of exactly the limit:\n%s", got)
	}
}

// TestDenunciaPhotoLimit: five photos are kept; the intake moves on.
func TestDenunciaPhotoLimit(t *testing.T) {
	env := apptest.New(t)
	s := session(env, 4242)
	say(t, s, append(toText, "Texto.", tapDone)...)
	for i := 1; i < flows.DenunciaPhotosMax; i++ {
		if got := say(t, s, "/foto"); !strings.Contains(got, strconv.Itoa(i)+" de 5") {
			t.Fatalf("photo %d:\n%s", i, got)
		}
	}
	if got := say(t, s, "/foto"); !strings.Contains(got, "el máximo") || !strings.Contains(got, "¿Quieres que alguien") {
		t.Fatalf("fifth photo:\n%s", got)
	}
	say(t, s, tapAnon)
	if got := say(t, s, tapSend); !strings.Contains(got, "DEN-2026-000001") {
		t.Fatalf("filing:\n%s", got)
	}
	rec, err := env.Store.Denuncias().View(context.Background(), "DEN-2026-000001", "test")
	if err != nil {
		t.Fatal(err)
	}
	if len(rec.Photos) != 5 {
		t.Fatalf("%d photos stored, want 5", len(rec.Photos))
	}
}

// send hands one event to the engine as the terminal would, for events
// the terminal cannot make (a photo with a given file id).
func send(t *testing.T, env *apptest.Env, s *term.Session, ev flows.Event) string {
	t.Helper()
	out, err := env.Engine.Handle(context.Background(), ev)
	if err != nil {
		t.Fatal(err)
	}
	return s.Render(out.Replies)
}

// TestDenunciaSealedAtRest files a denuncia with recognisable text, place,
// photo ids and chat id, and checks that none of them is in the SQLite
// files (database, WAL and shared memory) in plain form, while the
// office can still open all of them.
func TestDenunciaSealedAtRest(t *testing.T) {
	env := apptest.New(t)
	ctx := context.Background()
	const chat = 987654321777
	secrets := []string{"MARCADOR-RELATO-7731", "LUGAR-ESCONDIDO-5521", "FOTO-ID-AgACAgE-4410", "FOTO-ID-AgACAgE-4411", strconv.Itoa(chat)}
	s := session(env, chat)
	say(t, s, "/start", tapDenuncia, tapStart, "[Robo o asalto]", "[Hoy]", "[Otro lugar]", secrets[1],
		"[Un grupo criminal]", "Me golpearon. "+secrets[0], tapDone)
	for _, id := range secrets[2:4] {
		ev, _ := s.Event("/foto")
		ev.PhotoID = id
		send(t, env, s, ev)
	}
	say(t, s, tapDone, tapContact)
	if got := say(t, s, tapSend); !strings.Contains(got, "DEN-2026-000001") {
		t.Fatalf("filing:\n%s", got)
	}

	check := func(when string) {
		t.Helper()
		for _, suffix := range []string{"", "-wal", "-shm"} {
			raw, err := os.ReadFile(env.DBPath + suffix)
			if errors.Is(err, os.ErrNotExist) {
				continue
			}
			if err != nil {
				t.Fatal(err)
			}
			for _, secret := range secrets {
				if bytes.Contains(raw, []byte(secret)) {
					t.Errorf("%s: %q is in plain form in %s", when, secret, "acercate.db"+suffix)
				}
			}
		}
	}
	check("while running")

	rec, err := env.Store.Denuncias().View(ctx, "DEN-2026-000001", "test")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(rec.Text, secrets[0]) || rec.Place != secrets[1] || rec.Contact != flows.Telegram(chat) ||
		len(rec.Photos) != 2 || rec.Photos[0] != secrets[2] || rec.Photos[1] != secrets[3] {
		t.Fatalf("opened record = %+v", rec)
	}
	if rec.Municipality != "other" || rec.Category != "robbery" || rec.When != "today" || rec.On != "2026-11-16" {
		t.Fatalf("codes = %+v", rec)
	}
	env.App.Close() // checkpoints the WAL into the database file
	check("after close")
}

// TestDenunciaLogsNoText: the request log of a whole intake holds codes,
// never what the person wrote.
func TestDenunciaLogsNoText(t *testing.T) {
	env := apptest.New(t)
	s := session(env, 4242)
	say(t, s, "/start", tapDenuncia, tapStart, "[Robo o asalto]", "[📅 Escribir la fecha]", "3/11", "LUGAR-ESCRITO",
		"[Un grupo criminal]", "RELATO-ESCRITO", tapDone, tapNoPhotos, tapContact, tapSend)
	reqs, err := env.Store.Requests(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var topics []string
	for _, r := range reqs {
		for _, f := range []string{r.Topic, r.Detail} {
			if strings.Contains(f, "ESCRIT") || strings.Contains(f, "3/11") {
				t.Errorf("request log holds the person's words: %+v", r)
			}
		}
		if r.Flow == "denuncia" {
			topics = append(topics, r.Topic+"="+r.Detail)
		}
	}
	want := "consent= start= cat=robbery when=ask_date when=date where=typed who=crime text= text=done photos=0 contact=me filed=robbery"
	if got := strings.Join(topics, " "); got != want {
		t.Fatalf("log topics:\n got %s\nwant %s", got, want)
	}
}

// TestDenunciaKeepsDraftOverHours: a draft left for a day (within the
// state's TTL) is offered again; past the TTL it is gone with the state.
func TestDenunciaKeepsDraftOverHours(t *testing.T) {
	env := apptest.New(t)
	s := session(env, 4242)
	say(t, s, "/start", tapDenuncia, tapStart, "[Violencia sexual]", "/menu")
	env.Advance(t, 24*time.Hour)
	if got := say(t, s, "denuncia"); !strings.Contains(got, "sin terminar") {
		t.Fatalf("after a day:\n%s", got)
	}
	if got := say(t, s, tapResume); !strings.Contains(got, "¿Cuándo pasó?") {
		t.Fatalf("resume after a day:\n%s", got)
	}
	env.Advance(t, 73*time.Hour)
	if got := say(t, s, "denuncia"); strings.Contains(got, "sin terminar") {
		t.Fatalf("after the TTL the draft is still offered:\n%s", got)
	}
}

// BenchmarkDenunciaIntake measures a whole intake through the engine, from
// the menu to the folio (12 events), with Redis and SQLite.
func BenchmarkDenunciaIntake(b *testing.B) {
	env := apptest.New(b, apptest.WithEngine(flows.Config{FloodRate: 1e9, FloodBurst: 1e9}))
	ctx := context.Background()
	lines := append(append([]string(nil), toSummary...), tapSend)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s := term.NewSession(env.Engine, flows.Telegram(int64(10000+i)), "es")
		s.Now = env.Clock.Now
		for _, l := range lines {
			if _, err := s.Send(ctx, l); err != nil {
				b.Fatal(err)
			}
		}
	}
}
