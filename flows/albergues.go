package flows

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Tuning of the shelter answers.
const (
	// shelterResults is how many shelters an answer lists.
	shelterResults = 3
	// shelterNearKm is how far the nearest shelter may be before the answer
	// says plainly that none is known near the person.
	shelterNearKm = 25
	// shelterStaleAfter is when an entry's verified date is old enough to
	// warn that it may have changed.
	shelterStaleAfter = 90 * 24 * time.Hour
	// shelterMessageMax keeps each answer message under Telegram's 4096.
	shelterMessageMax = 3800
)

// alberguesFlow finds the nearest shelters: the person shares their
// location (a keyboard button) or picks or types a city, and may ask only
// for shelters known to receive people like them. The location is used for
// the answer and forgotten: it is never put in the state, the request log
// or a log line.
//
// Vars: "filter" (a population code), "city" (the key of the city last
// searched) and "by" ("loc" after a search by location).
func alberguesFlow() *Flow {
	f := &Flow{
		Name:      "albergues",
		MenuLabel: "menu.albergues",
		Keywords:  "albergues.keywords",
		Start:     shelterStart,
		Handle:    shelterHandle,
		Resume:    shelterResume,
	}
	return f
}

func shelterStart(c *Ctx) {
	switch {
	case c.Event.Kind == EventLocation && c.Event.Location != nil:
		shelterSearchLocation(c, *c.Event.Location)
	case c.Action == "city" && c.Arg != "":
		shelterSearchCityKey(c, c.Arg)
	case c.Event.Kind == EventText:
		// "albergue en Tapachula" typed from the menu: answer at once.
		if city, ok := shelterCityIn(c, c.Event.Text); ok {
			shelterSearchCity(c, city)
			return
		}
		shelterAsk(c, "")
	default:
		shelterAsk(c, "")
	}
}

func shelterHandle(c *Ctx) {
	ev := c.Event
	switch ev.Kind {
	case EventLocation:
		shelterSearchLocation(c, *ev.Location)
	case EventButton:
		switch c.Action {
		case "city":
			shelterSearchCityKey(c, c.Arg)
		case "who":
			shelterChooseWho(c)
		case "f":
			shelterSetFilter(c, c.Arg)
		case "ask":
			shelterAsk(c, "")
		default:
			c.Unhandled()
		}
	case EventText:
		shelterText(c)
	default:
		c.Unhandled()
	}
}

func shelterResume(c *Ctx) {
	switch c.State.Step {
	case "who":
		shelterChooseWho(c)
	case "results":
		shelterOptions(c)
	default:
		shelterAsk(c, "")
	}
}

// shelterText handles typed text: a filter, a city, another flow's
// keyword, or a place the directory does not know.
func shelterText(c *Ctx) {
	text := c.Event.Text
	if pop := shelterPopulationIn(c, text); pop != "" {
		shelterSetFilter(c, pop)
		return
	}
	if strings.IndexFunc(text, unicode.IsLetter) < 0 {
		// "7", "?": not a place; a number that matched no button.
		shelterAsk(c, c.T("albergues.not_understood"))
		return
	}
	if normalize(text) == normalize(c.T("albergues.share")) {
		// The keyboard button sent its label instead of a location: this
		// phone or computer cannot share one.
		shelterAsk(c, c.T("albergues.no_location"))
		return
	}
	city, ok := shelterCityIn(c, text)
	if c.Failed() {
		return
	}
	if ok {
		shelterSearchCity(c, city)
		return
	}
	if r := c.read(); len(r.Intents) > 0 && r.Intents[0].Score >= 1 {
		if r.Top() == "albergues" {
			shelterAsk(c, "")
			return
		}
		c.Unhandled() // the engine starts the flow the words ask for
		return
	}
	shelterUnknownPlace(c, text)
}

// shelterAsk asks for the location, with a keyboard button that shares it,
// and offers the cities of the directory.
func shelterAsk(c *Ctx, note string) {
	cities, ok := shelterCities(c)
	if !ok {
		return
	}
	c.Step("ask")
	// A new search: a filter chosen now waits for its place.
	c.State.SetVar("city", "")
	c.State.SetVar("by", "")
	filter := c.State.Var("filter")
	c.Log("ask", shelterFilterDetail("", filter))
	text := c.T("albergues.ask")
	if !c.Caps().CanShareLocation {
		text = c.T("albergues.ask_city")
	}
	if filter != "" {
		text = c.T("albergues.filter_on", "Who", c.T("albergues.pop."+filter)) + "\n\n" + text
	}
	if note != "" {
		text = note + "\n\n" + text
	}
	shelterLocationAsk(c, text)
	shelterCityList(c, c.T("albergues.pick_city"), cities)
}

// shelterLocationAsk sends text with the "share my location" button, or
// on its own where the channel cannot share a location.
func shelterLocationAsk(c *Ctx, text string) {
	if !c.Caps().CanShareLocation {
		c.Send(text)
		return
	}
	c.Keyboard(text, []KeyButton{{Label: c.T("albergues.share"), RequestLocation: true}})
}

// shelterCityList sends the directory's cities as buttons.
func shelterCityList(c *Ctx, text string, cities []ShelterCity) {
	var rows [][]Button
	var row []Button
	for _, city := range cities {
		row = append(row, c.Nav(city.Name, "albergues", "city", city.Key))
		if len(row) == 2 {
			rows, row = append(rows, row), nil
		}
	}
	rows = append(rows, row)
	rows = append(rows, []Button{c.Btn(c.T("albergues.btn.who"), "who", "")}, c.MenuButton())
	c.Send(text, rows...)
}

// shelterChooseWho offers the population filters.
func shelterChooseWho(c *Ctx) {
	c.Step("who")
	c.Log("who", "")
	var rows [][]Button
	var row []Button
	for _, p := range ShelterPopulations {
		row = append(row, c.Btn(c.T("albergues.filter."+p), "f", p))
		if len(row) == 2 {
			rows, row = append(rows, row), nil
		}
	}
	rows = append(rows, row, []Button{c.Btn(c.T("albergues.filter.any"), "f", "any")})
	c.Edit(c.T("albergues.who"), rows...)
}

// shelterSetFilter applies a filter: at once to a city search; a search
// by location needs the location again, since it was not kept.
func shelterSetFilter(c *Ctx, pop string) {
	switch {
	case pop == "any":
		c.State.SetVar("filter", "")
	case shelterKnownPopulation(pop):
		c.State.SetVar("filter", pop)
	default:
		c.Unhandled()
		return
	}
	if key := c.State.Var("city"); key != "" {
		shelterSearchCityKey(c, key)
		return
	}
	note := ""
	if c.State.Var("by") == "loc" {
		note = c.T("albergues.again")
	}
	shelterAsk(c, note)
}

func shelterKnownPopulation(p string) bool {
	for _, k := range ShelterPopulations {
		if k == p {
			return true
		}
	}
	return false
}

// shelterPopulationIn finds a filter whose label the person typed
// ("mujeres", "Todas las personas").
func shelterPopulationIn(c *Ctx, text string) string {
	t := normalize(text)
	if t = strings.Join(strings.Fields(t), " "); t == "" {
		return ""
	}
	for _, p := range append(ShelterPopulations[:len(ShelterPopulations):len(ShelterPopulations)], "any") {
		ids := []string{"albergues.filter." + p, "albergues.pop." + p}
		if p == "any" {
			ids = ids[:1] // "anyone" is a filter, not a population
		}
		for _, id := range ids {
			if strings.Join(strings.Fields(normalize(c.T(id))), " ") == t {
				return p
			}
		}
	}
	return ""
}

// shelterDirectory reports whether there is a shelter directory; when
// there is none it says so, with the emergency numbers.
func shelterDirectory(c *Ctx) bool {
	if c.Deps.Shelters == nil {
		c.Send(c.T("albergues.unavailable"))
		c.Send(emergencyAnswer(c), c.MenuButton())
		return false
	}
	return true
}

func shelterCities(c *Ctx) ([]ShelterCity, bool) {
	if !shelterDirectory(c) {
		return nil, false
	}
	cities, err := c.Deps.Shelters.ShelterCities(c)
	if err != nil {
		c.Fail(err)
		return nil, false
	}
	return cities, true
}

// shelterCityIn finds the directory city named in text: the whole name
// ("San Cristóbal de Las Casas"), a part of it of 4 letters or more
// ("tuxtla", "san cristobal"), or one of its longer words.
func shelterCityIn(c *Ctx, text string) (ShelterCity, bool) {
	words := strings.Fields(normalize(text))
	if len(words) == 0 || c.Deps.Shelters == nil {
		return ShelterCity{}, false
	}
	cities, err := c.Deps.Shelters.ShelterCities(c)
	if err != nil {
		c.Fail(err)
		return ShelterCity{}, false
	}
	best, bestScore := -1, 0
	for i, city := range cities {
		name := strings.Fields(normalize(city.Name))
		score := 0
		switch {
		case containsRun(words, name):
			score = 100 + len(name)
		case len(strings.Join(words, "")) >= 4 && containsRun(name, words):
			score = 50 + len(words)
		default:
			for _, w := range name {
				if len(w) >= 5 && w != "ciudad" && containsRun(words, []string{w}) {
					score++
				}
			}
		}
		if score > bestScore {
			best, bestScore = i, score
		}
	}
	if best < 0 {
		return ShelterCity{}, false
	}
	return cities[best], true
}

func shelterSearchCityKey(c *Ctx, key string) {
	cities, ok := shelterCities(c)
	if !ok {
		return
	}
	for _, city := range cities {
		if city.Key == key {
			shelterSearchCity(c, city)
			return
		}
	}
	// A button from before the directory changed.
	shelterAsk(c, c.T("albergues.city_gone"))
}

func shelterFilterDetail(where, filter string) string {
	var parts []string
	if where != "" {
		parts = append(parts, where)
	}
	if filter != "" {
		parts = append(parts, "filter="+filter)
	}
	return strings.Join(parts, ";")
}

// shelterUnknownPlace answers a place the directory has no shelters for.
// Without its coordinates the distance cannot be measured, and the answer
// says so rather than guess.
func shelterUnknownPlace(c *Ctx, text string) {
	cities, ok := shelterCities(c)
	if !ok {
		return
	}
	c.Step("ask")
	c.State.SetVar("city", "")
	c.State.SetVar("by", "")
	c.Log("search", shelterFilterDetail("city=unknown", c.State.Var("filter")))
	place := strings.TrimSpace(text)
	if utf8.RuneCountInString(place) > 40 {
		place = string([]rune(place)[:40]) + "…"
	}
	unknown := "albergues.unknown_place"
	if !c.Caps().CanShareLocation {
		unknown = "albergues.unknown_place_city"
	}
	shelterLocationAsk(c, c.T(unknown, "Place", place))
	c.Send(emergencyAnswer(c))
	shelterCityList(c, c.T("albergues.pick_city"), cities)
}

// shelterSearchLocation answers with the shelters nearest to where the
// person is. loc is not kept anywhere.
func shelterSearchLocation(c *Ctx, loc Location) {
	// The directory's cities are not needed here (a store that fails
	// fails the search itself): only whether there is a directory.
	if !shelterDirectory(c) {
		return
	}
	filter := c.State.Var("filter")
	c.State.SetVar("city", "")
	c.State.SetVar("by", "loc")
	c.Log("search", shelterFilterDetail("by_location", filter))
	shelterAnswer(c, loc, nil, filter)
}

func shelterSearchCity(c *Ctx, city ShelterCity) {
	filter := c.State.Var("filter")
	c.State.SetVar("city", city.Key)
	c.State.SetVar("by", "")
	c.Log("search", shelterFilterDetail("city="+city.Key, filter))
	shelterAnswer(c, city.Center, &city, filter)
}

// shelterFarKm is how far the nearest shelter known to take the people
// searched for may be before the nearer ones, not known to, are shown
// first: beyond it, getting there is a journey of its own.
const shelterFarKm = 100

// shelterBlock is a part of an answer: a heading and the shelters under it.
type shelterBlock struct {
	heading string
	list    []NearShelter
	// from says what distances are measured from: "" the person, a city
	// name its centre; noKm shows none (shelters in the city searched).
	from string
	noKm bool
}

// shelterAnswer finds and sends the shelters for a search from a point
// (the person's, or the centre of city), with a filter or none.
func shelterAnswer(c *Ctx, from Location, city *ShelterCity, filter string) {
	sh := c.Deps.Shelters
	inCity := func(s *Shelter) bool { return city == nil || s.CityKey == city.Key }
	open := func(s *Shelter) bool { return s.Status != StatusClosed }
	find := func(from Location, keep func(*Shelter) bool) []NearShelter {
		if c.Failed() {
			return nil
		}
		list, err := sh.NearestShelters(c, from, shelterResults, keep)
		if err != nil {
			c.Fail(err)
		}
		return list
	}
	who := ""
	if filter != "" {
		who = c.T("albergues.pop." + filter)
	}
	var blocks []shelterBlock
	var intro string
	if city != nil {
		elsewhere := func(keep func(*Shelter) bool) []NearShelter {
			return find(city.Center, func(s *Shelter) bool { return s.CityKey != city.Key && open(s) && keep(s) })
		}
		if filter == "" {
			list := find(from, func(s *Shelter) bool { return inCity(s) && open(s) })
			if len(list) > 0 {
				blocks = append(blocks, shelterBlock{heading: c.T("albergues.in_city", "City", city.Name), list: list, noKm: true})
				// Fewer than asked for in the city: the nearest outside it too.
				if more := elsewhere(func(*Shelter) bool { return true }); len(list) < shelterResults && len(more) > 0 {
					blocks = append(blocks, shelterBlock{heading: c.T("albergues.also_near", "City", city.Name),
						list: more[:shelterResults-len(list)], from: city.Name})
				}
			} else {
				blocks = append(blocks, shelterBlock{heading: c.T("albergues.city_none", "City", city.Name),
					list: elsewhere(func(*Shelter) bool { return true }), from: city.Name})
			}
		} else {
			known := find(from, func(s *Shelter) bool { return inCity(s) && open(s) && s.Serves(filter) })
			maybe := find(from, func(s *Shelter) bool { return inCity(s) && open(s) && !s.Serves(filter) })
			maybeBlock := shelterBlock{heading: c.T("albergues.city_maybe_who", "City", city.Name, "Who", who), list: maybe, noKm: true}
			switch other := elsewhere(func(s *Shelter) bool { return s.Serves(filter) }); {
			case len(known) > 0:
				blocks = append(blocks, shelterBlock{heading: c.T("albergues.in_city_who", "City", city.Name, "Who", who), list: known, noKm: true})
				if len(maybe) > 0 {
					blocks = append(blocks, maybeBlock)
				}
			case len(other) > 0:
				// The city's own shelters first (not known is not no), then
				// the nearest that say they take these people.
				blocks = append(blocks, shelterBlock{heading: c.T("albergues.city_none_who", "City", city.Name, "Who", who)})
				if len(maybe) > 0 {
					blocks = append(blocks, maybeBlock)
				}
				blocks = append(blocks, shelterBlock{heading: c.T("albergues.elsewhere_who", "City", city.Name, "Who", who), list: other, from: city.Name})
			default:
				blocks = append(blocks, shelterBlock{heading: c.T("albergues.nobody_who", "Who", who)})
				if len(maybe) > 0 {
					blocks = append(blocks, maybeBlock)
				}
			}
		}
	} else {
		if filter == "" {
			list := find(from, open)
			blocks = append(blocks, shelterBlock{heading: c.T("albergues.nearest"), list: list})
		} else {
			known := find(from, func(s *Shelter) bool { return open(s) && s.Serves(filter) })
			maybe := find(from, func(s *Shelter) bool { return open(s) && !s.Serves(filter) })
			if len(known) > 0 {
				// Only those nearer than the nearest that says it receives
				// them: farther ones are of no use.
				for i, m := range maybe {
					if m.Km >= known[0].Km {
						maybe = maybe[:i]
						break
					}
				}
				knownBlock := shelterBlock{heading: c.T("albergues.nearest_who", "Who", who), list: known}
				switch {
				case len(maybe) > 0 && known[0].Km > shelterFarKm:
					// The known ones are a journey away: what is near
					// comes first, so nobody reads the answer as being
					// sent to another state.
					blocks = append(blocks, shelterBlock{heading: c.T("albergues.nearest_maybe_who", "Who", who), list: maybe}, knownBlock)
				case len(maybe) > 0:
					blocks = append(blocks, knownBlock, shelterBlock{heading: c.T("albergues.closer_maybe_who", "Who", who), list: maybe})
				default:
					blocks = append(blocks, knownBlock)
				}
			} else {
				blocks = append(blocks, shelterBlock{heading: c.T("albergues.nobody_who", "Who", who)})
				if len(maybe) > 0 {
					blocks = append(blocks, shelterBlock{heading: c.T("albergues.nearest_maybe_who", "Who", who), list: maybe})
				}
			}
		}
		nearest := math.Inf(1)
		for _, b := range blocks {
			if len(b.list) > 0 {
				nearest = math.Min(nearest, b.list[0].Km)
			}
		}
		if nearest > shelterNearKm {
			// Said plainly, without the emergency numbers: being far
			// from a shelter is not a danger by itself.
			if !math.IsInf(nearest, 1) {
				intro = c.T("albergues.none_near", "Km", shelterKm(c, nearest, true))
			}
		}
	}
	closed := find(from, func(s *Shelter) bool { return s.Status == StatusClosed && inCity(s) })
	if c.Failed() {
		return
	}
	if city == nil {
		// Closed ones only where the person would have looked.
		limit := float64(shelterNearKm)
		for _, b := range blocks {
			if n := len(b.list); n > 0 {
				limit = math.Max(limit, b.list[n-1].Km)
			}
		}
		for i, s := range closed {
			if s.Km > limit {
				closed = closed[:i]
				break
			}
		}
	}
	if city == nil {
		// A location outside Mexico: the shelters listed are in Mexico,
		// and the distance is measured from across the border.
		switch countryOf(from) {
		case "gt":
			intro = strings.TrimSpace(c.T("albergues.abroad_gt") + "\n\n" + intro)
		case "abroad":
			intro = strings.TrimSpace(c.T("albergues.abroad") + "\n\n" + intro)
		}
	}
	c.Step("results")
	shelterSendAnswer(c, intro, blocks, closed, filter)
	shelterOptions(c)
}

// shelterSendAnswer sends the blocks, splitting between shelters so no
// message passes Telegram's limit. The first message gives the person
// their keyboard back (the location button is no longer needed).
func shelterSendAnswer(c *Ctx, intro string, blocks []shelterBlock, closed []NearShelter, filter string) {
	var msgs []string
	var cur strings.Builder
	add := func(part string) {
		if cur.Len() > 0 && utf8.RuneCountInString(cur.String())+utf8.RuneCountInString(part)+2 > shelterMessageMax {
			msgs = append(msgs, cur.String())
			cur.Reset()
		}
		if cur.Len() > 0 {
			cur.WriteString("\n\n")
		}
		cur.WriteString(part)
	}
	if intro != "" {
		add(intro)
	}
	n, km := 0, false
	for _, b := range blocks {
		add(b.heading)
		for _, s := range b.list {
			n++
			km = km || !b.noKm
			add(shelterEntry(c, n, s, b, filter))
		}
	}
	if n == 0 {
		add(c.T("albergues.none_at_all"))
	}
	if len(closed) > 0 {
		var names []string
		for _, s := range closed {
			names = append(names, c.T("albergues.closed_item", "Name", s.Name, "Age", shelterAge(c, s.StatusAt)))
		}
		add(c.T("albergues.closed", "Names", strings.Join(names, "; ")))
	}
	if km {
		add(c.T("albergues.straight_line"))
	}
	msgs = append(msgs, cur.String())
	for i, m := range msgs {
		if i == 0 {
			c.RemoveKeyboard(m)
		} else {
			c.Send(m)
		}
	}
}

// shelterOptions ends an answer: filter, search again, menu.
func shelterOptions(c *Ctx) {
	text := c.T("albergues.options")
	if f := c.State.Var("filter"); f != "" {
		text = c.T("albergues.filter_on", "Who", c.T("albergues.pop."+f)) + "\n" + text
	}
	c.Send(text,
		[]Button{c.Btn(c.T("albergues.btn.who"), "who", "")},
		[]Button{c.Btn(c.T("albergues.btn.again"), "ask", "")},
		c.MenuButton())
}

// shelterEntry renders one shelter with everything known about it, and
// says plainly what is not known.
func shelterEntry(c *Ctx, n int, s NearShelter, b shelterBlock, filter string) string {
	// One builder for the lines, sized for a typical entry (~600 bytes).
	var out strings.Builder
	out.Grow(768)
	line := func(l string) { out.WriteByte('\n'); out.WriteString(l) }
	add := func(id string, kv ...any) { line(c.T(id, kv...)) }
	out.WriteString(strconv.Itoa(n))
	out.WriteString(". ")
	out.WriteString(s.Name)
	if !b.noKm {
		// From a city, a distance is never exact: a city is not a point.
		km := shelterKm(c, s.Km, !s.Exact || b.from != "")
		switch {
		case b.from != "":
			add("albergues.km_from", "Km", km, "From", b.from)
		case s.Exact:
			add("albergues.km", "Km", km)
		case s.Area:
			add("albergues.km_area", "Km", km, "Place", shelterPlace(s.Shelter))
		case s.Km >= shelterTownKm:
			// Far away, how far the town is tells the person what they
			// need, and cannot be read as where the shelter is.
			add("albergues.km_town", "Km", km, "City", s.City)
		default:
			// A city centre is not the shelter: nearby, how far it is from
			// the person would read as how far the shelter is.
			add("albergues.km_approx", "City", s.City)
		}
	}
	if s.Address != "" {
		add("albergues.address", "Address", s.Address, "City", s.City, "State", s.State)
	} else {
		add("albergues.no_address", "City", s.City, "State", s.State)
	}
	if s.Phone != "" {
		add("albergues.phone", "Phone", s.Phone)
	} else {
		add("albergues.no_phone")
	}
	switch {
	case filter != "" && !s.Serves(filter):
		if len(s.Populations) > 0 {
			add("albergues.serves", "Who", shelterList(c, "albergues.pop.", s.Populations))
		}
		add("albergues.serves_maybe", "Who", c.T("albergues.pop."+filter))
	case len(s.Populations) > 0:
		add("albergues.serves", "Who", shelterList(c, "albergues.pop.", s.Populations))
	default:
		add("albergues.serves_unknown")
	}
	if len(s.Services) > 0 {
		add("albergues.services", "List", shelterList(c, "albergues.svc.", s.Services))
	}
	for _, note := range s.Notes {
		line("ℹ️ " + c.T("albergues.note."+note))
	}
	if s.Capacity != "" {
		lo, hi, _ := strings.Cut(strings.TrimPrefix(s.Capacity, "~"), "-")
		switch {
		case hi != "":
			add("albergues.capacity", "N", lo+"–"+hi)
		case strings.HasPrefix(s.Capacity, "~"):
			add("albergues.capacity_about", "N", lo)
		default:
			add("albergues.capacity", "N", lo)
		}
	}
	if s.Status == "" {
		add("albergues.status_unknown")
	} else {
		add("albergues.status", "Status", c.T("albergues.status."+s.Status), "Age", shelterAge(c, s.StatusAt))
	}
	add("albergues.map", "URL", shelterMapURL(s.Point))
	switch {
	case s.Exact:
	case b.noKm || !s.Area && b.from == "":
		add("albergues.approx_map", "City", shelterPlace(s.Shelter))
	default:
		add("albergues.approx", "City", shelterPlace(s.Shelter))
	}
	// "Revisado" only of what the office itself confirmed (acercate
	// albergues confirm); every other entry says its source's date.
	switch {
	case !s.Confirmed.IsZero() && c.Now.Sub(s.Confirmed) > shelterStaleAfter:
		add("albergues.confirmed_stale", "Date", shelterDate(c, s.Confirmed))
	case !s.Confirmed.IsZero():
		add("albergues.confirmed", "Date", shelterDate(c, s.Confirmed))
	case c.Now.Sub(s.Verified) > shelterStaleAfter:
		add("albergues.stale", "Date", shelterDate(c, s.Verified))
	default:
		add("albergues.verified", "Date", shelterDate(c, s.Verified))
	}
	return out.String()
}

// shelterTownKm is the distance from which a shelter known only by its
// town is shown with how far the town is ("Tapachula está a unos 80 km de
// ti"); nearer, a city-centre pin says only the town, since a few km from
// a centre could be the shelter's door or the other end of town.
const shelterTownKm = 10

// shelterPlace names where an approximate point is: the town, and for a
// point of the shelter's own area, the area too ("Palenque (Pakal-Ná)").
func shelterPlace(s Shelter) string {
	if s.Area && s.Address != "" {
		return s.City + " (" + s.Address + ")"
	}
	return s.City
}

func shelterList(c *Ctx, prefix string, codes []string) string {
	out := make([]string, len(codes))
	for i, code := range codes {
		out[i] = c.T(prefix + code)
	}
	return strings.Join(out, ", ")
}

// shelterKm formats a distance: one decimal under 10 km, whole km above;
// an approximate distance always in whole km, never below 1.
func shelterKm(c *Ctx, km float64, approx bool) string {
	if approx || km >= 10 {
		return strconv.Itoa(int(math.Max(1, math.Round(km))))
	}
	s := strconv.FormatFloat(math.Max(0.1, km), 'f', 1, 64)
	return strings.Replace(s, ".", c.T("albergues.decimal"), 1)
}

// shelterAge says how long ago a status was reported.
func shelterAge(c *Ctx, at time.Time) string {
	d := c.Now.Sub(at)
	switch {
	case d < time.Minute:
		return c.T("albergues.age.now")
	case d < 2*time.Minute:
		return c.T("albergues.age.minute")
	case d < time.Hour:
		return c.T("albergues.age.minutes", "N", int(d/time.Minute))
	case d < 2*time.Hour:
		return c.T("albergues.age.hour")
	case d < 48*time.Hour:
		return c.T("albergues.age.hours", "N", int(d/time.Hour))
	}
	return c.T("albergues.age.days", "N", int(d/(24*time.Hour)))
}

func shelterDate(c *Ctx, d time.Time) string {
	y, m, day := d.Date()
	if y < 1000 || y > 9999 {
		return c.T("albergues.date", "Day", d.Format("02"), "Month", d.Format("01"), "Year", d.Format("2006"))
	}
	// Format's "02", "01" and "2006", without its three allocations.
	return c.T("albergues.date", "Day", twoDigits[day], "Month", twoDigits[m], "Year", strconv.Itoa(y))
}

// twoDigits are the days and months as Format's "02" writes them.
var twoDigits = func() (d [32]string) {
	for i := range d {
		d[i] = fmt.Sprintf("%02d", i)
	}
	return d
}()

// shelterMapURL opens the point in the map app the phone has.
func shelterMapURL(p Location) string {
	return "https://www.google.com/maps/search/?api=1&query=" +
		strconv.FormatFloat(p.Lat, 'f', -1, 64) + "," + strconv.FormatFloat(p.Lon, 'f', -1, 64)
}
