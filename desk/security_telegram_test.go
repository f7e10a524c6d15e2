package desk_test

import "testing"

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
