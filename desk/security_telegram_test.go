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
