package desk_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/acercate/acercate/flows"
)

// What the bot posts in a staff group goes without link previews: a link
// a person sent must not make Telegram fetch the page and show it there.
func TestTelegramStaffGroupsGetNoLinkPreviews(t *testing.T) {
	l := newLive(t)
	ann := l.openTicket("Me mandaron esto https://example.org/oferta")
	if !ann.NoPreview {
		t.Error("the announcement in the staff group has link previews on")
	}
	l.tg.Text(migrant, pMigrant, "y esto https://example.org/otra")
	relayed := l.wait(group, "T1 ▸ y esto")
	if !relayed.NoPreview {
		t.Error("a relayed message in the staff group has link previews on")
	}
}

// A staff member edits a reply already relayed: the person does not get it
// a second time as a new message; the staff member is told the edit did
// not reach them and to reply anew.
func TestTelegramEditedStaffReplyIsNotRelayedAgain(t *testing.T) {
	l := newLive(t)
	ann := l.openTicket("Necesito ayuda")
	l.tg.Reply(group, pAna, ann.ID, "Ve al módulo mañana a las 9")
	l.wait(migrant, "Ve al módulo mañana a las 9")
	var mine int64
	for _, m := range l.tg.Messages(group) {
		if !m.FromBot && m.Text == "Ve al módulo mañana a las 9" {
			mine = m.ID
		}
	}
	if mine == 0 {
		t.Fatal("no staff reply in the group")
	}
	l.tg.EditReply(group, pAna, mine, ann.ID, "Ve al módulo mañana a las 10")
	l.wait(group, "no le llegan a la persona")
	l.settle()
	if n := l.count(migrant, "Ve al módulo mañana"); n != 1 {
		t.Errorf("the person got the reply %d times", n)
	}
}

// A denuncia shown in the staff group with /denuncia is audited with who
// read it, and deleted from the group once its time is up
// (DenunciaViewTTL, 10 minutes by default).
func TestTelegramDenunciaViewIsDeletedLater(t *testing.T) {
	l := newLive(t)
	ctx := context.Background()
	folio, err := l.env.Store.Denuncias().File(ctx, flows.Denuncia{
		Category: "authority", When: "today", Municipality: "tapachula", Perpetrator: "crime",
		Text: "Me quitaron el dinero en el retén", Person: "p", Source: "p:1", At: l.env.Clock.Now(),
	}, flows.Request{UpdateID: 1, At: l.env.Clock.Now(), Person: "p", Kind: "button", Lang: "es"})
	if err != nil {
		t.Fatal(err)
	}
	l.tg.Command(group, pAna, "/denuncia "+folio)
	view := l.wait(group, "retén")
	l.settle()
	if l.left(group, view.ID) == 0 {
		t.Fatal("deleted at once")
	}
	l.env.Clock.Advance(11 * time.Minute)
	l.waitDeleted(group, "the denuncia shown in the group, after its time", view.ID)
	audit, _ := l.env.Store.AuditLog(ctx, time.Time{})
	seen := false
	for _, a := range audit {
		seen = seen || (a.Action == "denuncia.view" && a.Object == folio && strings.HasPrefix(a.Actor, "staff:"))
	}
	if !seen {
		t.Errorf("the view is not audited with who: %+v", audit)
	}
}

// /borrar takes what the bot posted about the person in the staff group
// with it (within Telegram's 48 hours): the announcement quoting their
// first message, and their relayed messages.
func TestTelegramErasureDeletesStaffGroupPosts(t *testing.T) {
	l := newLive(t)
	ann := l.openTicket("Soy Juana, mi teléfono es 555 1234")
	l.tg.Text(migrant, pMigrant, "Estoy en la central")
	relayed := l.wait(group, "T1 ▸ Estoy en la central")
	l.tg.Command(migrant, pMigrant, "/borrar")
	l.wait(migrant, "¿Borro todo")
	if _, err := l.tg.TapLabel(migrant, pMigrant, "Sí, borrar todo"); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		left := 0
		for _, m := range l.tg.BotMessages(group) {
			if m.ID == ann.ID || m.ID == relayed.ID || strings.Contains(m.Text, "Juana") {
				left++
			}
		}
		if left == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d posts about the person still in the staff group after /borrar", left)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
