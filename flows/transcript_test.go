package flows_test

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/acercate/acercate/apptest"
	"github.com/acercate/acercate/flows"
	"github.com/acercate/acercate/term"
	"golang.org/x/tools/txtar"
)

var update = flag.Bool("update", false, "rewrite the bot's answers in testdata/*.txtar from what the engine says now")

// TestTranscripts plays every conversation in testdata/*.txtar.
//
// A transcript is readable without knowing Go. Its comment says what it
// shows. Each section is one person's conversation; the section's name is
// the language their phone reports ("es", "fr", "ht", or "de" for one the
// bot does not speak). In a section:
//
//	> text     what the person types; /loc LAT LON shares a location
//	> [Label]  the person taps the button "Label" of the bot's last answer
//	           (a number taps by position, but labels keep a transcript
//	           right when a menu grows); /foto
//	           sends a photo, /audio a voice message; /tap DATA taps a
//	           button with raw data (an old or forged one)
//	! wait 3h  time passes (any Go duration), for the clock and Redis
//	! close T1 the staff close ticket T1 from their group
//	! status ID lleno
//	           the staff set shelter ID's status as of now, as /albergue
//	           does: lleno (full), abierto (open) or cerrado (closed); ID
//	           is the first column of store/albergues.csv
//	! confirm ID NAME
//	           the office confirms shelter ID's entry, as `acercate
//	           albergues confirm ID --by NAME` does; NAME "-" withdraws it
//	! restart  the service restarts (same Redis and database; the
//	           person's screen keeps its buttons)
//	! caps buttons=3 row=2 noedit nodelete noloc
//	           from here on the person's channel can do less than
//	           Telegram (flows.Caps): at most 3 buttons a message, 2 a
//	           row, no edits, no deletion, no location sharing (any of them)
//	# ...      a note for the reader
//
// A person takes a few seconds to type: the clock moves 3 s before each
// line, so a long transcript is not mistaken for a flood.
//
// and every other line is what the bot answers, messages separated by
// "----". Run `go test ./flows -run Transcripts -update` to rewrite the
// answers after changing a message, then read the diff.
func TestTranscripts(t *testing.T) {
	files, err := filepath.Glob("testdata/*.txtar")
	if err != nil || len(files) == 0 {
		t.Fatalf("no transcripts: %v", err)
	}
	// With REDIS_URL set the transcripts play against that Redis and then
	// against the embedded one, so the default a newcomer runs (and its
	// expiry of idle chats) is held to the same answers.
	backends := []string{"default"}
	if os.Getenv("REDIS_URL") != "" {
		backends = append(backends, "embedded")
	}
	for _, backend := range backends {
		t.Run(backend, func(t *testing.T) {
			if backend == "embedded" {
				t.Setenv("REDIS_URL", "")
			}
			playFiles(t, files, *update && backend == "default")
		})
	}
}

func playFiles(t *testing.T, files []string, update bool) {
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txtar"), func(t *testing.T) {
			// Each section plays on its own app (database, Redis prefix,
			// clock), so the files play side by side. The backend's
			// REDIS_URL stays as it is until they all end.
			t.Parallel()
			ar, err := txtar.ParseFile(file)
			if err != nil {
				t.Fatal(err)
			}
			changed := false
			for i, f := range ar.Files {
				got := play(t, f.Name, string(f.Data))
				if got != string(f.Data) {
					if update {
						ar.Files[i].Data = []byte(got)
						changed = true
						continue
					}
					t.Errorf("section %s differs (-want +got):\n%s", f.Name, diff(string(f.Data), got))
				}
			}
			if changed {
				if err := os.WriteFile(file, txtar.Format(ar), 0o644); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}

// transcriptStaff is the staff desk every transcript runs with: a default
// staff group working Monday to Friday, 09:00-17:00 (the clock starts on
// a Monday at 10:00).
func transcriptStaff(t *testing.T) flows.StaffConfig {
	t.Helper()
	h, err := flows.ParseStaffHours("Mon-Fri 09:00-17:00")
	if err != nil {
		t.Fatal(err)
	}
	return flows.StaffConfig{Chat: -100100, Users: []int64{501}, Hours: h, Lang: "es"}
}

// typing is how long a person takes to type a line.
const typing = 3 * time.Second

// play runs one section and returns it with the bot's actual answers.
func play(t *testing.T, section, script string) string {
	t.Helper()
	env := apptest.New(t, apptest.WithEngine(flows.Config{Staff: transcriptStaff(t)}))
	ctx := context.Background()
	lang, _, _ := strings.Cut(section, " ")
	s := term.NewSession(env.Engine, flows.Telegram(4242), lang)
	s.Now = env.Clock.Now
	var out strings.Builder
	for _, line := range strings.SplitAfter(script, "\n") {
		text := strings.TrimRight(line, "\n")
		switch {
		case strings.HasPrefix(text, "> "):
			out.WriteString(text + "\n")
			env.Clock.Advance(typing)
			answer, err := s.Send(ctx, text[2:])
			if err != nil {
				t.Fatalf("%s: %q: %v", section, text, err)
			}
			checkAnswer(t, section, text, answer, s.Last)
			out.WriteString(answer)
		case strings.HasPrefix(text, "! "):
			out.WriteString(text + "\n")
			directive(t, env, s, text[2:])
		case strings.HasPrefix(text, "#"):
			out.WriteString(text + "\n")
		}
	}
	return out.String()
}

func directive(t *testing.T, env *apptest.Env, s *term.Session, d string) {
	t.Helper()
	verb, arg, _ := strings.Cut(d, " ")
	switch verb {
	case "wait":
		dur, err := time.ParseDuration(arg)
		if err != nil {
			t.Fatalf("! wait %s: %v", arg, err)
		}
		env.Advance(t, dur)
	case "close":
		// Staff close a ticket from their group (human_*.txtar).
		if _, err := env.Store.Tickets().Close(context.Background(), flows.ParseTicketCode(arg), "staff", env.Clock.Now(), nil); err != nil {
			t.Fatalf("! close %s: %v", arg, err)
		}
	case "status":
		// Staff set a shelter's status (albergues_status.txtar), through
		// the store call the group's /albergue makes.
		id, word, _ := strings.Cut(arg, " ")
		status, ok := transcriptShelterStatus[word]
		if !ok {
			t.Fatalf("! status %s: the status is lleno, abierto or cerrado", arg)
		}
		if err := env.Store.SetShelterStatus(context.Background(), id, status, "staff:transcript"); err != nil {
			t.Fatalf("! status %s: %v", arg, err)
		}
	case "confirm":
		// The office confirms a shelter's entry, as `acercate albergues
		// confirm ID --by NAME` does (albergues_confirmed.txtar); "-"
		// withdraws it (--undo).
		id, by, _ := strings.Cut(arg, " ")
		var err error
		if by == "-" {
			err = env.Store.UnconfirmShelter(context.Background(), id, "cli:transcript")
		} else {
			_, err = env.Store.ConfirmShelter(context.Background(), id, by, "cli:transcript")
		}
		if err != nil {
			t.Fatalf("! confirm %s: %v", arg, err)
		}
	case "restart":
		env.Restart(t)
		s.Attach(env.Engine)
	case "caps":
		// From here on the person writes from a channel that can do less
		// than Telegram (caps_*.txtar): "buttons=3 row=2 noedit nodelete
		// noloc", any of them.
		s.Caps = transcriptCaps(t, arg)
	default:
		t.Fatalf("unknown directive %q", d)
	}
}

// transcriptShelterStatus is what staff type after /albergue ID.
var transcriptShelterStatus = map[string]string{
	"lleno": flows.StatusFull, "abierto": flows.StatusOpen, "cerrado": flows.StatusClosed,
}

// checkAnswer holds every answer to Telegram's limits and to "always reply".
func checkAnswer(t *testing.T, section, input, answer string, replies []flows.Reply) {
	t.Helper()
	for _, r := range replies {
		for _, row := range r.Buttons {
			for _, b := range row {
				if len(b.Data) > flows.MaxButtonData {
					t.Errorf("%s: answer to %q has button %q with %d bytes of data", section, input, b.Label, len(b.Data))
				}
			}
		}
	}
	if strings.TrimSpace(answer) == "" && !strings.HasPrefix(input, "> /tap") {
		t.Errorf("%s: no answer to %q", section, input)
	}
	for _, msg := range strings.Split(answer, "----\n") {
		if n := utf8.RuneCountInString(msg); n > 4096 {
			t.Errorf("%s: answer to %q has a message of %d characters", section, input, n)
		}
	}
}

func diff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	for i := 0; i < len(w) || i < len(g); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			fmt.Fprintf(&b, "line %d:\n- %s\n+ %s\n", i+1, wl, gl)
		}
	}
	return b.String()
}

// transcriptCaps reads the "! caps" directive's words.
func transcriptCaps(t *testing.T, arg string) flows.Caps {
	t.Helper()
	c := flows.TelegramCaps
	for _, w := range strings.Fields(arg) {
		k, v, _ := strings.Cut(w, "=")
		n, _ := strconv.Atoi(v)
		switch {
		case k == "buttons" && n > 0:
			c.MaxButtons = n
		case k == "row" && n > 0:
			c.MaxButtonsRow = n
		case w == "noedit":
			c.CanEdit = false
		case w == "nodelete":
			c.CanDelete = false
		case w == "noloc":
			c.CanShareLocation = false
		default:
			t.Fatalf("! caps %s: unknown %q", arg, w)
		}
	}
	return c
}
