package flows

import (
	"context"
	"slices"
	"strings"
	"time"
)

// This file lets another surface show what the flows show, without a
// conversation: the web portal (package web) renders the same rights
// topics and the same shelter answers as the bot, from the same messages
// and the same code, so a correction reaches both.

// RightsTopics returns the "Mis derechos" topic ids, in the order the
// bot lists them.
func RightsTopics() []string { return slices.Clone(rightsTopics) }

// RightsTopic is one rights topic in a language.
type RightsTopic struct {
	ID, Title string
	// Pages are the topic's text split where a translator wrote "---".
	Pages []string
	// Source is the line the last page ends with: the law, its articles
	// and the date the content was checked.
	Source string
}

// RightsTopic returns topic id in lang, and false for an unknown id.
func (c *Catalog) RightsTopic(lang, id string) (RightsTopic, bool) {
	if !slices.Contains(rightsTopics, id) {
		return RightsTopic{}, false
	}
	return RightsTopic{
		ID:    id,
		Title: c.T(lang, "rights."+id+".title", nil),
		Pages: rightsPages(c.T(lang, "rights."+id+".text", nil)),
		Source: c.T(lang, "rights.source", map[string]any{
			"Law":     c.T(lang, "rights."+id+".source", nil),
			"Checked": c.T(lang, "rights.checked", nil),
		}),
	}, true
}

// ShelterView is one shelter as the albergues flow describes it.
type ShelterView struct {
	Name string
	// Lines are the answer's lines after the name (distance, address,
	// phone, who it receives, status and its age, verified date...), the
	// map link taken out into MapURL.
	Lines  []string
	MapURL string
	// Phone is the shelter's phone as the directory writes it, "" when not known.
	Phone string
	// Closed is true when staff reported the shelter closed.
	Closed bool
}

// DescribeShelter renders a shelter in lang at now exactly as the
// albergues flow's answer does. city is the city searched, nil for a
// search from the person's own position: as in the bot, a shelter in that
// city shows no distance and one outside it the distance from its centre.
func (e *Engine) DescribeShelter(ctx context.Context, lang string, now time.Time, s NearShelter, city *ShelterCity) ShelterView {
	c := &Ctx{Context: ctx, State: &State{Lang: lang}, Now: now, Deps: e.deps, e: e}
	var b shelterBlock
	switch {
	case city != nil && s.CityKey == city.Key:
		b.noKm = true
	case city != nil:
		b.from = city.Name
	}
	lines := strings.Split(shelterEntry(c, 1, s, b, ""), "\n")
	v := ShelterView{Name: s.Name, MapURL: shelterMapURL(s.Point), Phone: s.Phone, Closed: s.Status == StatusClosed}
	mapLine := c.T("albergues.map", "URL", v.MapURL)
	for _, l := range lines[1:] {
		if l != mapLine {
			v.Lines = append(v.Lines, l)
		}
	}
	return v
}

// ShelterAge says how long ago a shelter's status was reported, in lang,
// in the words of the albergues flow.
func (e *Engine) ShelterAge(lang string, now, at time.Time) string {
	return shelterAge(&Ctx{State: &State{Lang: lang}, Now: now, e: e}, at)
}
