package desk_test

import (
	"context"
	"strings"
	"testing"

	"github.com/acercate/acercate/flows"
	"github.com/acercate/acercate/store"
)

// The security review's findings, reproduced: with a default staff group
// and two módulos (Tapachula, Huixtla), Huixtla's staff took and answered
// Tapachula's ticket and read and changed a default-group denuncia from
// their own group. Now each acts only in their group on their módulo's;
// a supervisor acts everywhere; every refusal is audited, and a folio or
// ticket code typed in the wrong group is answered as unknown.
func TestStaffScopedToTheirModulo(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	const (
		tapachula, huixtla = int64(-300), int64(-400)
		lucia, hugo, sara  = int64(601), int64(602), int64(700)
	)
	for _, m := range []store.Modulo{
		{Code: "tapachula", Name: "Módulo Tapachula", StaffChat: tapachula, StaffUsers: []int64{lucia}},
		{Code: "huixtla", Name: "Módulo Huixtla", StaffChat: huixtla, StaffUsers: []int64{hugo}},
	} {
		if err := h.env.Store.AddModulo(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	cfg := h.staff
	cfg.Supervisors = []int64{sara}
	h.env.Engine.SetStaff(cfg)
	in := func(chat, user int64, text string) string {
		t.Helper()
		cmd, payload, _ := strings.Cut(text[1:], " ")
		return texts(h.handle(flows.Event{ChatID: flows.Telegram(chat), UserID: flows.Telegram(user), Group: true, Kind: flows.EventCommand, Command: cmd, Payload: payload}))
	}

	// A person of Tapachula opens T1; a default-group denuncia is filed.
	h.person("/start m-tapachula")
	h.person("hablar con una persona")
	h.person("Me llamo Juana, necesito ayuda")
	folio, err := h.env.Store.Denuncias().File(ctx, flows.Denuncia{
		Category: "authority", When: "today", Municipality: "tapachula", Perpetrator: "crime",
		Text: "Me quitaron el dinero en el retén", Contact: flows.Telegram(migrant), Person: "p", Source: "p:1", At: h.env.Clock.Now(),
	}, flows.Request{UpdateID: 1, At: h.env.Clock.Now(), Person: "p", Kind: "button", Lang: "es"})
	if err != nil {
		t.Fatal(err)
	}
	h.run()
	if ann, _ := h.rec.to(tapachula); len(ann) != 1 {
		t.Fatalf("T1 not announced in Tapachula's group: %s", texts(ann))
	}

	// Huixtla's staff member in Tapachula's group: not listed there.
	mustContain(t, "hugo in tapachula's group", in(tapachula, hugo, "/tomar T1"), "⛔")
	// From Huixtla's own group: Tapachula's ticket is unknown there.
	mustContain(t, "hugo takes T1", in(huixtla, hugo, "/tomar T1"), "No encuentro el caso T1")
	mustContain(t, "hugo answers T1", in(huixtla, hugo, "/r T1 Soy de Huixtla"), "No encuentro el caso T1")
	// The default group's staff see what the default group owns, no more.
	mustContain(t, "ana takes T1", in(group, ana, "/tomar T1"), "No encuentro el caso T1")
	if tk, _ := h.env.Store.Tickets().Get(ctx, 1); tk.Status != flows.TicketOpen {
		t.Fatalf("T1 is %s after the refusals", tk.Status)
	}

	// The default group's denuncia, from Huixtla: answered as unknown,
	// neither shown nor changed.
	got := in(huixtla, hugo, "/denuncia "+folio)
	mustContain(t, "hugo views", got, "No encuentro la denuncia "+folio)
	if strings.Contains(got, "retén") {
		t.Fatalf("Huixtla read the denuncia: %s", got)
	}
	mustContain(t, "hugo sets status", in(huixtla, hugo, "/estado "+folio+" cerrada"), "No encuentro la denuncia")
	if st, _ := h.env.Store.Denuncias().Status(ctx, folio, "p"); st.Status != "received" {
		t.Fatalf("status changed from Huixtla: %+v", st)
	}
	// A folio that does not exist gets the same answer as a refused one.
	other := strings.Replace(folio, "000001", "000002", 1)
	if a, b := in(huixtla, hugo, "/denuncia "+other), in(huixtla, hugo, "/denuncia "+folio); strings.ReplaceAll(a, other, folio) != b {
		t.Errorf("unknown and refused folios answered differently:\n%s\n%s", a, b)
	}
	pend := in(huixtla, hugo, "/pendientes")
	if strings.Contains(pend, "T1") || strings.Contains(pend, folio) {
		t.Errorf("Huixtla's /pendientes lists others' cases: %s", pend)
	}
	mustContain(t, "hugo shelter", in(huixtla, hugo, "/albergue belen-tapachula lleno"), "grupo principal")

	// Each group's own staff act on their own.
	mustContain(t, "ana pending", in(group, ana, "/pendientes"), folio)
	if strings.Contains(in(group, ana, "/pendientes"), "T1") {
		t.Error("the default group lists Tapachula's ticket")
	}
	mustContain(t, "lucia pending", in(tapachula, lucia, "/pendientes"), "T1")
	mustContain(t, "lucia takes", in(tapachula, lucia, "/tomar T1"), "T1")
	mustContain(t, "ana views", in(group, ana, "/denuncia "+folio), "retén")
	mustContain(t, "ana shelter", in(group, ana, "/albergue belen-tapachula lleno"), "Lleno")

	// A supervisor acts from any staff group.
	mustContain(t, "sara views from huixtla", in(huixtla, sara, "/denuncia "+folio), "retén")
	mustContain(t, "sara notes T1", in(huixtla, sara, "/nota T1 revisado"), "T1")

	audit, err := h.env.Store.AuditLog(ctx, h.env.Clock.Now().Add(-24*3600e9))
	if err != nil {
		t.Fatal(err)
	}
	refused := map[string]int{}
	views := 0
	for _, a := range audit {
		if strings.HasPrefix(a.Action, "staff.refused.") {
			refused[a.Action]++
			if !strings.HasPrefix(a.Actor, "staff:") || !strings.HasPrefix(a.Detail, "chat:") || strings.Contains(a.Detail, "-400") {
				t.Errorf("refusal row %+v", a)
			}
		}
		if a.Action == "denuncia.view" {
			views++
		}
	}
	for _, want := range []string{"staff.refused.group", "staff.refused.ticket.take", "staff.refused.ticket.reply",
		"staff.refused.denuncia.view", "staff.refused.denuncia.status", "staff.refused.shelter"} {
		if refused[want] == 0 {
			t.Errorf("no %s in the audit: %v", want, refused)
		}
	}
	if views != 2 {
		t.Errorf("%d denuncia views audited, want 2 (ana's and sara's)", views)
	}
	// No name, text or id (ids as JSON values: a hash may hold the digits).
	for _, secret := range []string{"Juana", "retén", ":602,", ":602}", `"602"`, ":-400,", ":-400}", `"-400"`} {
		if strings.Contains(h.logs.String(), secret) {
			t.Errorf("%q in the log", secret)
		}
	}
}
