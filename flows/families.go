package flows

import (
	"errors"
	"strconv"
	"strings"
)

// familiesSubjects are the subjects of the families flow, in the order its
// list shows them. The ids are stable: they travel in button data, they
// are the topic the request log records for the weekly report, and they
// name the messages in locales/families.<lang>.toml:
//
//	families.<id>.title   the button and the heading
//	families.<id>.text    the answer; a line holding only "---" starts a page
//	families.<id>.words   words that open the subject directly when typed
//
// The contacts each subject shows come from the office's reference
// directory (familiesContacts), never from the messages, so the office adds
// or corrects a phone without a release.
var familiesSubjects = []string{"remains", "detained", "missing", "paisano", "municipal", "casa"}

// familiesContacts are the directory kinds each subject lists after its
// last page, in order.
var familiesContacts = map[string][]string{
	"remains":   {DirSRELine, DirStateOffice},
	"detained":  {DirSRELine, DirMexicanConsulate, DirStateOffice},
	"missing":   {DirSearchCommission, DirFamilyLinks, DirFamiliesCommittee},
	"paisano":   {DirPaisano},
	"municipal": {DirMunicipalContact},
	"casa":      {DirCasaChiapas},
}

// TicketTopicFamilies tags a ticket opened from the families flow: the
// office's attention to Chiapanecos abroad and their families.
const TicketTopicFamilies = "families"

// TicketTopics are the topics a ticket may be tagged with; each has a
// message staff.g.topic.<topic> in the staff's language.
var TicketTopics = []string{TicketTopicFamilies}

// familiesFlow is for the families of Chiapanecos abroad: bringing home a
// relative who died abroad, a relative detained or in trouble abroad, a
// missing relative, Heroínas y Héroes Paisanos for the trip home, the
// municipal contacts and Casa Chiapas. Every answer shows its sources'
// dates, says what is not known, and offers a person from the office (a
// ticket tagged for the office's attention to Chiapanecos abroad).
func familiesFlow() *Flow {
	f := &Flow{
		Name:      "families",
		MenuLabel: "menu.families",
		Keywords:  "families.keywords",
		Commands:  []string{"familia", "familiares", "family", "famille", "fanmi"},
	}
	topics := &pagedTopics{action: "subject", words: &topicWords{prefix: "families.", ids: familiesSubjects},
		show: showFamiliesSubject, list: showFamiliesList}
	f.Start, f.Handle = topics.start, topics.handle
	f.Resume = func(c *Ctx) { showFamiliesList(c, false) }
	return f
}

// familiesHuman is the button to a person from the office, the ticket
// tagged for the office's attention to Chiapanecos abroad.
func familiesHuman(c *Ctx) []Button {
	if !c.Has("human") {
		return nil
	}
	return []Button{c.Nav(c.T("families.btn.human"), "human", "topic", TicketTopicFamilies)}
}

func showFamiliesList(c *Ctx, edit bool) {
	c.Step("list")
	c.Log("", "")
	rows := make([][]Button, 0, len(familiesSubjects)+2)
	for _, id := range familiesSubjects {
		rows = append(rows, []Button{c.Nav(c.T("families."+id+".title"), "families", "subject", id)})
	}
	rows = append(rows, familiesHuman(c), c.MenuButton())
	rightsShow(c, edit, c.T("families.intro"), rows)
}

// showFamiliesSubject shows one page of a subject; its last page comes
// with the subject's contacts from the directory, in messages of their own.
func showFamiliesSubject(c *Ctx, id string, page int, edit bool) {
	if c.Deps.Directory == nil {
		c.Fail(errors.New("families: no reference directory"))
		return
	}
	all := rightsPages(c.T("families." + id + ".text"))
	page = rightsClamp(page, len(all))
	var contacts []string
	if page == len(all) {
		var err error
		if contacts, err = familiesContactMessages(c, id); err != nil {
			c.Fail(err)
			return
		}
	}
	c.Step("subject")
	detail := ""
	if page > 1 {
		detail = strconv.Itoa(page)
	}
	c.Log(id, detail)

	title := c.T("families." + id + ".title")
	var b strings.Builder
	if len(all) > 1 {
		b.WriteString(c.T("families.heading_paged", "Title", title, "Page", page, "Pages", len(all)))
	} else {
		b.WriteString(c.T("families.heading", "Title", title))
	}
	b.WriteString("\n\n")
	b.WriteString(all[page-1])
	if page == len(all) {
		b.WriteString("\n\n")
		b.WriteString(c.T("families.unchecked"))
	}
	var rows [][]Button
	if page < len(all) {
		rows = append(rows, []Button{c.Nav(c.T("families.more"), "families", "subject", id+"."+strconv.Itoa(page+1))})
	}
	nav := [][]Button{familiesHuman(c), {
		c.Nav(c.T("families.subjects"), "families", "list", ""),
		c.Nav(c.T("btn.menu"), "menu", "", ""),
	}}
	if len(contacts) == 0 {
		rightsShow(c, edit, b.String(), append(rows, nav...))
		return
	}
	// The buttons go under the last message, where the person's eyes are.
	rightsShow(c, edit, b.String(), rows)
	for i, m := range contacts {
		if i == len(contacts)-1 {
			c.Send(m, nav...)
		} else {
			c.Send(m)
		}
	}
}

// familiesContactMessages renders the directory's entries for a subject
// after the subject's own heading.
func familiesContactMessages(c *Ctx, subject string) ([]string, error) {
	return directoryMessages(c, c.T("families.contacts."+subject), familiesContacts[subject], false, "")
}

// familiesSourceDate shows a source's date as the source gives it: a day,
// a month or a year.
func familiesSourceDate(c *Ctx, d string) string {
	switch len(d) {
	case 10:
		return c.T("albergues.date", "Day", d[8:10], "Month", d[5:7], "Year", d[:4])
	case 7:
		return c.T("families.month", "Month", d[5:7], "Year", d[:4])
	}
	return d
}

func nonEmptyStrings(s ...string) []string {
	out := s[:0:0]
	for _, v := range s {
		if v != "" {
			out = append(out, v)
		}
	}
	return out
}
