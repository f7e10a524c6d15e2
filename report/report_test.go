package report

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/acercate/acercate/flows"
	"github.com/acercate/acercate/hours"
	"github.com/acercate/acercate/locales"
	"github.com/acercate/acercate/secret"
	"github.com/acercate/acercate/store"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

func catalog(t testing.TB) *flows.Catalog {
	t.Helper()
	b, err := locales.Bundle()
	if err != nil {
		t.Fatal(err)
	}
	return flows.NewCatalog(b, locales.Shipped, locales.Tag)
}

func openStore(t testing.TB) *store.DB {
	t.Helper()
	keys, err := secret.Parse(secret.Generate())
	if err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "acercate.db"), keys)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// mx is a wall-clock time in Mexico City.
func mx(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, hours.Zone())
}

// seeder writes request-log rows, denuncias and tickets as the flows and
// the staff desk write them.
type seeder struct {
	t      testing.TB
	db     *store.DB
	update int64
	// channel is the channel of the requests req logs ("" is Telegram,
	// as the store takes it).
	channel string
}

func (s *seeder) req(person string, at time.Time, flow, topic, detail, lang, campaign, modulo string) {
	s.t.Helper()
	s.update++
	err := s.db.LogRequest(context.Background(), flows.Request{UpdateID: s.update, At: at, Person: person, Kind: "button",
		Flow: flow, Topic: topic, Detail: detail, Lang: lang, Campaign: campaign, Modulo: modulo, Channel: s.channel})
	if err != nil {
		s.t.Fatal(err)
	}
}

// start is a /start through a campaign (c-) or módulo (m-) link.
func (s *seeder) start(person string, at time.Time, first bool, code, lang string) {
	topic := "start"
	if first {
		topic = "first"
	}
	c, m := "", ""
	if strings.HasPrefix(code, "c-") {
		c = code[2:]
	} else {
		m = code[2:]
	}
	s.req(person, at, "start", topic, code[:1], lang, c, m)
}

func (s *seeder) denuncia(person string, at time.Time, category, municipality, perpetrator, lang, campaign, modulo string) {
	s.t.Helper()
	s.update++
	which := ""
	if perpetrator == "authority" {
		which = "police"
	}
	_, err := s.db.Denuncias().File(context.Background(), flows.Denuncia{Category: category, When: "earlier",
		Municipality: municipality, Perpetrator: perpetrator, Which: which, Person: person,
		Source: fmt.Sprintf("%s:%d", person, s.update), At: at},
		flows.Request{UpdateID: s.update, At: at, Person: person, Kind: "button", Flow: "denuncia", Topic: "filed",
			Detail: category, Lang: lang, Campaign: campaign, Modulo: modulo})
	if err != nil {
		s.t.Fatal(err)
	}
}

// ticket opens a staff-desk ticket as the human flow does (store
// Tickets().Open with the person's message and the logged request), has
// staff answer it answeredAfter later and close it closedAfter later (0:
// never).
func (s *seeder) ticket(person string, opened time.Time, answeredAfter, closedAfter time.Duration, lang, campaign, modulo string) {
	s.t.Helper()
	ctx := context.Background()
	s.update++
	src := fmt.Sprint(s.update)
	tk := s.db.Tickets()
	t, err := tk.Open(ctx, flows.NewTicket{Source: "t:" + src, Person: person, Chat: flows.Telegram(1000 + s.update), Lang: lang,
		Modulo: modulo, Campaign: campaign, StaffChat: -100, At: opened},
		&flows.Relay{Source: "in:" + src, Direction: flows.RelayIn, Kind: "text", Text: "necesito ayuda", At: opened},
		flows.Request{UpdateID: s.update, At: opened, Person: person, Kind: "text", Flow: "human", Topic: "open",
			Detail: flows.PriorityNormal, Lang: lang, Campaign: campaign, Modulo: modulo})
	if err != nil {
		s.t.Fatal(err)
	}
	if answeredAfter > 0 {
		if err := tk.Relay(ctx, flows.Relay{Ticket: t.ID, Source: "out:" + src, Direction: flows.RelayOut, Kind: "text",
			Text: "hola", By: "staff1", At: opened.Add(answeredAfter)}); err != nil {
			s.t.Fatal(err)
		}
	}
	if closedAfter > 0 {
		if _, err := tk.Close(ctx, t.ID, "staff1", opened.Add(closedAfter), nil); err != nil {
			s.t.Fatal(err)
		}
	}
}

// seedWeek47 is the office's week 2026-W47 (Monday 16 to Sunday 22
// November) and the week before it.
func seedWeek47(t testing.TB) *store.DB {
	db := openStore(t)
	ctx := context.Background()
	db.Now = func() time.Time { return mx(2026, 1, 10, 9, 0) }
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(db.AddModulo(ctx, store.Modulo{Code: "tapachula", Name: "Módulo Tapachula"}))
	must(db.AddModulo(ctx, store.Modulo{Code: "hidalgo", Name: "Ciudad Hidalgo"}))
	must(db.AddCampaign(ctx, store.Campaign{Code: "feria", Name: "Feria | de la frontera", Modulo: "tapachula", Starts: "2026-11-14"}))
	must(db.AddCampaign(ctx, store.Campaign{Code: "radio", Name: "Radio comunitaria", Starts: "2026-03-01"}))
	must(db.AddCampaign(ctx, store.Campaign{Code: "lona2027", Name: "Lonas 2027", Starts: "2027-01-10"}))
	for k, v := range map[string]int{"goal.campaigns": 26, "goal.modulos": 8, "goal.workshops": 6, "goal.people": 500, "goal.families_people": 40, "done.workshops": 2} {
		must(db.SetGoal(ctx, 2026, k, v))
	}
	s := &seeder{t: t, db: db}

	// Week 46: six people, no links, in Spanish and French.
	for i := 1; i <= 6; i++ {
		p := fmt.Sprintf("old%d", i)
		lang := "es"
		if i > 4 {
			lang = "fr"
		}
		at := mx(2026, 11, 10, 10+i, 0)
		s.req(p, at, "start", "first", "", lang, "", "")
		s.req(p, at.Add(time.Minute), "rights", "asylum", "", lang, "", "")
		s.req(p, at.Add(2*time.Minute), "albergues", "search", "city=tapachula", lang, "", "")
	}

	// Week 47. Eight new people through the fair's link: they read rights
	// (asylum, and one reads a second page), search shelters.
	for i := 1; i <= 8; i++ {
		p := fmt.Sprintf("feria%d", i)
		lang := []string{"es", "es", "es", "ht", "ht", "ht", "fr", "en"}[i-1]
		at := mx(2026, 11, 17, 9+i, 0)
		s.start(p, at, true, "c-feria", lang)
		s.req(p, at.Add(time.Minute), "rights", "", "", lang, "feria", "")
		s.req(p, at.Add(2*time.Minute), "rights", "asylum", "", lang, "feria", "")
		if i%2 == 0 {
			s.req(p, at.Add(3*time.Minute), "albergues", "search", "city=tapachula;filter=women", lang, "feria", "")
		} else {
			s.req(p, at.Add(3*time.Minute), "albergues", "search", "by_location", lang, "feria", "")
		}
	}
	s.req("feria1", mx(2026, 11, 17, 10, 5), "rights", "asylum", "2", "es", "feria", "")
	s.req("feria2", mx(2026, 11, 17, 11, 5), "rights", "work", "", "es", "feria", "")
	// Three of them later scan the Tapachula módulo's poster: their last
	// touch moves, their first touch stays the fair.
	for i := 1; i <= 3; i++ {
		p := fmt.Sprintf("feria%d", i)
		s.start(p, mx(2026, 11, 19, 12, i), false, "m-tapachula", "es")
		s.req(p, mx(2026, 11, 19, 12, 10+i), "rights", "detained", "", "es", "", "tapachula")
	}
	// Two people of last week come back without a link.
	s.req("old1", mx(2026, 11, 18, 9, 0), "rights", "work", "", "es", "", "")
	s.req("old5", mx(2026, 11, 18, 9, 30), "albergues", "search", "city=unknown", "fr", "", "")
	// One person comes through the radio and asks for a shelter in Arriaga.
	s.start("radio1", mx(2026, 11, 20, 8, 0), true, "c-radio", "es")
	s.req("radio1", mx(2026, 11, 20, 8, 1), "albergues", "search", "city=arriaga", "es", "radio", "")

	// Families of Chiapanecos abroad: last week two mothers asked about
	// a son who died abroad; this week six relatives come through the
	// Tapachula módulo (five in Spanish, one in English): three read how
	// to bring a relative home (one on to the second page), two about a
	// missing relative, one about a detained one, one about Paisano; the
	// subject list itself is not a subject viewed. The six came through
	// the web chat (the poster's QR code); one of them, fam4, asked about
	// Paisano from Telegram afterwards, and counts once in each channel.
	for i := 1; i <= 2; i++ {
		s.req(fmt.Sprintf("madre%d", i), mx(2026, 11, 12, 9, i), "families", "remains", "", "es", "", "")
	}
	for i := 1; i <= 6; i++ {
		p, lang := fmt.Sprintf("fam%d", i), "es"
		if i == 6 {
			lang = "en"
		}
		at := mx(2026, 11, 19, 15, i)
		s.channel = "web"
		s.start(p, at, true, "m-tapachula", lang)
		s.req(p, at.Add(time.Minute), "families", "", "", lang, "", "tapachula")
		subject := []string{"remains", "remains", "remains", "missing", "missing", "detained"}[i-1]
		s.req(p, at.Add(2*time.Minute), "families", subject, "", lang, "", "tapachula")
	}
	s.req("fam1", mx(2026, 11, 19, 15, 30), "families", "remains", "2", "es", "", "tapachula")
	s.channel = ""
	s.req("fam4", mx(2026, 11, 19, 15, 40), "families", "paisano", "", "es", "", "tapachula")

	// Emergencies: four during the week and one on Sunday 23:30 local
	// (05:30 Monday UTC) — that one is still week 47. Another on Monday
	// 00:30 local belongs to week 48 and must not be counted.
	for i := 1; i <= 4; i++ {
		s.req(fmt.Sprintf("feria%d", i), mx(2026, 11, 21, 10, i), "emergency", "help", "text", "es", "feria", "")
	}
	s.req("feria5", mx(2026, 11, 22, 23, 30), "emergency", "help", "button", "ht", "feria", "")
	s.req("late1", mx(2026, 11, 23, 0, 30), "emergency", "help", "text", "es", "", "")

	// Denuncias: five robberies by an authority in Tapachula, one
	// extortion in Suchiate; one filed Monday 00:30 is week 48's.
	for i := 1; i <= 5; i++ {
		s.denuncia(fmt.Sprintf("feria%d", i), mx(2026, 11, 20, 14, i), "robbery", "tapachula", "authority", "es", "feria", "")
	}
	s.denuncia("old1", mx(2026, 11, 21, 9, 0), "extortion", "suchiate", "crime", "es", "", "")
	s.denuncia("late1", mx(2026, 11, 23, 0, 30), "kidnapping", "tapachula", "unknown", "es", "", "")

	// Escalations: six opened in the week, five answered after 5, 10, 15,
	// 20 and 90 minutes, three closed; one opened in week 46 is closed in 47.
	s.ticket("old1", mx(2026, 11, 10, 9, 0), 30*time.Minute, 8*24*time.Hour, "es", "", "")
	for i, wait := range []time.Duration{5, 10, 15, 20, 90} {
		closed := time.Duration(0)
		if i < 2 {
			closed = 2 * time.Hour
		}
		s.ticket(fmt.Sprintf("feria%d", i+1), mx(2026, 11, 18, 10+i, 0), wait*time.Minute, closed, "es", "feria", "")
	}
	s.ticket("feria4", mx(2026, 11, 22, 20, 0), 0, 0, "ht", "", "tapachula")
	return db
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./report -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (go test ./report -update, then read the diff):\n%s", name, got)
	}
}

func render(t *testing.T, r *Report, format, lang string) []byte {
	t.Helper()
	var b bytes.Buffer
	if format == "txt" {
		b.WriteString(Text(r, NewLabels(catalog(t), lang)))
	} else if err := Write(&b, r, format, NewLabels(catalog(t), lang)); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestGoldenWeek(t *testing.T) {
	db := seedWeek47(t)
	now := mx(2026, 11, 23, 8, 0) // Monday 08:00, when the summary goes out
	w, err := hours.Parse("last", now)
	if err != nil {
		t.Fatal(err)
	}
	r, err := Build(context.Background(), db, w, now)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"md", "csv", "json", "html", "txt"} {
		golden(t, "week47."+f, render(t, r, f, "es"))
	}
	golden(t, "week47.en.md", render(t, r, "md", "en"))
	golden(t, "week47.ht.txt", render(t, r, "txt", "ht"))

	// What the golden files must show, checked here too so that an
	// -update cannot silently bless a wrong count.
	if r.Week != "2026-W47" || r.Partial || r.Empty {
		t.Fatalf("week %s partial %v empty %v", r.Week, r.Partial, r.Empty)
	}
	// Requests: 55 of the flows, the six tickets opened (the human flow
	// logs each opening) and 20 of the six families (starts, subject
	// lists, subjects, a second page); the families' figures count the
	// subjects' first pages only.
	want := Totals{People: 17, NewPeople: 15, ReturningPeople: 2, Requests: 81, RightsViews: 13, ShelterSearches: 10,
		Denuncias: 6, EscalationsOpened: 6, Emergencies: 5, FamiliesPeople: 6, FamiliesRequests: 7}
	if r.Totals != want {
		t.Errorf("totals = %+v\nwant     %+v", r.Totals, want)
	}
	if r.Previous.People != 8 || r.Previous.NewPeople != 8 || r.Previous.EscalationsOpened != 1 ||
		r.Previous.FamiliesPeople != 2 || r.Previous.FamiliesRequests != 2 {
		t.Errorf("previous = %+v", r.Previous)
	}
	if want := []Count{{"remains", 3}, {"missing", 2}, {"detained", 1}, {"paisano", 1}}; fmt.Sprint(r.Families) != fmt.Sprint(want) {
		t.Errorf("families by subject = %v, want %v", r.Families, want)
	}
	e := r.Escalations
	if !e.Available || e.Opened != 6 || e.Answered != 5 || e.Closed != 3 ||
		*e.FirstResponseMedianSecond != 15*60 || *e.FirstResponseP90Second != 90*60 {
		t.Errorf("escalations = %+v", e)
	}
	seg := map[string]Segment{}
	for _, s := range r.Segments.Modulo {
		seg["m-"+s.Key] = s
	}
	for _, s := range r.Segments.Campaign {
		seg["c-"+s.Key] = s
	}
	// Three people scanned the módulo's poster; a fourth asked for staff
	// from it (the ticket's opening request carries the módulo); six
	// relatives of Chiapanecos abroad came through it.
	if s := seg["m-tapachula"]; s.People != 10 || s.Requests != 27 || s.Escalations != 1 || s.Name != "Módulo Tapachula" ||
		s.FamiliesPeople != 6 || s.Families != 7 {
		t.Errorf("módulo tapachula = %+v", s)
	}
	if s := seg["c-feria"]; s.People != 8 || s.NewPeople != 8 || s.Denuncias != 5 || s.Emergencies != 5 {
		t.Errorf("campaign feria = %+v", s)
	}
	// Channels: the six relatives' 19 requests came through the web, the
	// other 62 through Telegram; fam4 used both and counts in each.
	if want := []Channel{{"telegram", 12, 62}, {"web", 6, 19}}; fmt.Sprint(r.Channels) != fmt.Sprint(want) {
		t.Errorf("channels = %v, want %v", r.Channels, want)
	}
	goals := map[string]Goal{}
	for _, g := range r.Goals {
		goals[g.Key] = g
	}
	if goals["campaigns"].Actual != 2 || goals["modulos"].Actual != 2 || goals["workshops"].Actual != 2 ||
		goals["people"].Actual != 23 || *goals["people"].Target != 500 ||
		goals["families_people"].Actual != 8 || *goals["families_people"].Target != 40 {
		t.Errorf("goals = %+v", r.Goals)
	}
	// Attribution: first touch the fair, last touch the módulo.
	a, ok, err := db.AttributionOf(context.Background(), "feria1")
	if err != nil || !ok || a.FirstCode != "c-feria" || a.LastCode != "m-tapachula" {
		t.Errorf("feria1 attribution = %+v %v %v", a, ok, err)
	}
}

func TestGoldenEmptyWeek(t *testing.T) {
	db := seedWeek47(t)
	now := mx(2026, 11, 23, 8, 0)
	r, err := Build(context.Background(), db, hours.Week{Year: 2026, Num: 40}, now)
	if err != nil {
		t.Fatal(err)
	}
	if !r.Empty || r.Totals != (Totals{}) {
		t.Fatalf("week 40: empty %v totals %+v", r.Empty, r.Totals)
	}
	for _, f := range []string{"md", "csv", "json", "html", "txt"} {
		golden(t, "empty."+f, render(t, r, f, "es"))
	}
}

func TestGoldenCurrentWeekSoFar(t *testing.T) {
	db := seedWeek47(t)
	now := mx(2026, 11, 23, 8, 0)
	w, err := hours.Parse("", now)
	if err != nil {
		t.Fatal(err)
	}
	r, err := Build(context.Background(), db, w, now)
	if err != nil {
		t.Fatal(err)
	}
	// Only what happened on Monday from 00:00 local: the 00:30 emergency
	// and denuncia, by a new person.
	if r.Week != "2026-W48" || !r.Partial || r.Totals.Emergencies != 1 || r.Totals.Denuncias != 1 || r.Totals.People != 1 {
		t.Fatalf("week 48 so far: %+v", r)
	}
	golden(t, "week48_partial.md", render(t, r, "md", "es"))
}

func TestSmallCountsNeverShowOutsideJSON(t *testing.T) {
	db := seedWeek47(t)
	now := mx(2026, 11, 23, 8, 0)
	r, err := Build(context.Background(), db, hours.Week{Year: 2026, Num: 47}, now)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"md", "csv", "html", "txt"} {
		out := string(render(t, r, f, "es"))
		// Goals count campaigns, módulos and workshops, not people: they
		// are shown as they are ("2 of 26 campaigns").
		var kept []string
		for _, line := range strings.Split(out, "\n") {
			if !strings.Contains(line, "Campañas de promoción") && !strings.Contains(line, "Módulos de información") && !strings.Contains(line, "Talleres") {
				kept = append(kept, line)
			}
		}
		out = strings.Join(kept, "\n")
		// Week 47 has counts of 1 to 4 in many places (one extortion,
		// three people of the módulo); none may appear as a number.
		for _, small := range []string{"| 1 |", "| 2 |", "| 3 |", "| 4 |", ",1\n", ",2\n", ",3\n", ",4\n", "<td>1</td>", "<td>3</td>", ": 1 (", ": 3 ("} {
			if strings.Contains(out, small) {
				t.Errorf("%s shows a small count %q", f, small)
			}
		}
		if !strings.Contains(out, "<5") && !strings.Contains(out, "&lt;5") {
			t.Errorf("%s has no <5 at all", f)
		}
	}
	if Num(0) != "0" || Num(1) != "<5" || Num(4) != "<5" || Num(5) != "5" {
		t.Error("Num")
	}
	ch := func(cur, prev int) string {
		a, b := &grid{}, &grid{}
		return change(a, a.cell(cur), b, b.cell(prev))
	}
	if ch(10, 4) != "–" || ch(4, 10) != "–" || ch(0, 10) != "-100%" || ch(15, 10) != "+50%" || ch(6, 5) != "+20%" || ch(5, 0) != "–" {
		t.Errorf("change: %s %s %s %s", ch(10, 4), ch(4, 10), ch(0, 10), ch(15, 10))
	}
}

// TestWeekCannotBeUndoneBySubtraction checks the sums the suppression
// relies on hold in a real week (a part list that did not add up to its
// total would make the suppression reason about a table nobody reads),
// and that no hidden count of week 47 or the week before can be worked
// out from what the reports show.
func TestWeekCannotBeUndoneBySubtraction(t *testing.T) {
	db := seedWeek47(t)
	r, err := Build(context.Background(), db, hours.Week{Year: 2026, Num: 47}, mx(2026, 11, 23, 8, 0))
	if err != nil {
		t.Fatal(err)
	}
	for name, s := range map[string]*sheet{"week": r.shown, "previous": r.shownBefore} {
		for _, rel := range s.g.rels {
			sum := 0
			for _, p := range rel[1:] {
				sum += s.g.val[p]
			}
			if sum != s.g.val[rel[0]] {
				t.Errorf("%s: parts %v add up to %d, not their total %d", name, rel[1:], sum, s.g.val[rel[0]])
			}
		}
		assertUnrecoverable(t, s.g)
	}
	// Denuncias 6 = robbery 5 + extortion 1: the total hides.
	if got := r.shown.g.text(r.shown.total["denuncias"]); got != Hidden {
		t.Errorf("denuncias total shows %s", got)
	}
}
