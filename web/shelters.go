package web

import (
	"html/template"
	"math"
	"net/http"
	"strconv"
	"strings"

	"github.com/acercate/acercate/flows"
)

// shelterList is how many shelters a search lists: more than the bot's
// three, since a page scrolls and costs no extra message.
const shelterList = 10

// shelterClosedKm is how far a closed shelter may be and still be named,
// as in the bot: only where the person would have looked.
const shelterClosedKm = 25

type sheltersData struct {
	Cities []flows.ShelterCity
	// City is the key of the city searched ("" for none or a location).
	City string
	// Searched is true once there is a list to show, Heading its heading.
	Searched bool
	Heading  string
	List     []shelterItem
	// Closed names the closed shelters near the search, in the bot's words.
	Closed string
	// Notes are the answer's closing remarks (distances in straight line...).
	Notes []string
	// Problem is a kind word about a search that could not be done.
	Problem string
}

type shelterItem struct {
	flows.ShelterView
	// Tel is the phone as a tel: link, "" when not usable as one.
	Tel template.URL
	// Geo opens the phone's own map app at the shelter. Both are built
	// here from digits and numbers only, so they are safe as URLs.
	Geo template.URL
}

// shelters is the page before a search, or a search by city (GET, so a
// city's list can be bookmarked or shared).
func (s *Server) shelters(w http.ResponseWriter, r *http.Request) {
	p := s.newPage(r, "menu.albergues", nil)
	d, ok := s.shelterForm(w, r, p)
	if !ok {
		return
	}
	if key := r.URL.Query().Get("ciudad"); key != "" {
		var city *flows.ShelterCity
		for i := range d.Cities {
			if d.Cities[i].Key == key {
				city = &d.Cities[i]
			}
		}
		if city == nil {
			d.Problem = p.T("albergues.city_gone")
		} else {
			d.City = city.Key
			if !s.shelterSearch(w, r, p, d, city.Center, city) {
				return
			}
		}
	}
	p.Data = d
	s.render(w, r, http.StatusOK, "shelters", p)
}

// sheltersNear is a search from the browser's location. It is a POST so
// the position never appears in an address, the history or a log; it is
// used for this answer and kept nowhere.
func (s *Server) sheltersNear(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.readPost(w, r, 4096, "input.too_long"); !ok {
		return
	}
	p := s.newPage(r, "menu.albergues", nil)
	d, ok := s.shelterForm(w, r, p)
	if !ok {
		return
	}
	loc, ok := formLocation(r)
	if !ok {
		d.Problem = p.T("input.bad_location")
		p.Data = d
		s.render(w, r, http.StatusOK, "shelters", p)
		return
	}
	if !s.shelterSearch(w, r, p, d, loc, nil) {
		return
	}
	p.Data = d
	s.render(w, r, http.StatusOK, "shelters", p)
}

// shelterForm starts the shelters page: the cities, and the session the
// location form needs.
func (s *Server) shelterForm(w http.ResponseWriter, r *http.Request, p *page) (*sheltersData, bool) {
	cities, err := s.cfg.Shelters.ShelterCities(r.Context())
	if err != nil {
		s.log.Error("shelter cities", "err", err)
		s.fail(w, r, http.StatusServiceUnavailable, "albergues.unavailable")
		return nil, false
	}
	if id, ok := s.ensureSession(w, r); ok {
		p.CSRF = s.token(id)
	}
	return &sheltersData{Cities: cities}, true
}

// shelterSearch fills d with the open shelters nearest to from, with the
// bot's words for each, and the closed ones where the person looked.
func (s *Server) shelterSearch(w http.ResponseWriter, r *http.Request, p *page, d *sheltersData, from flows.Location, city *flows.ShelterCity) bool {
	ctx := r.Context()
	now := s.cfg.Now()
	open, err := s.cfg.Shelters.NearestShelters(ctx, from, shelterList, func(sh *flows.Shelter) bool { return sh.Status != flows.StatusClosed })
	if err != nil {
		s.log.Error("nearest shelters", "err", err)
		s.fail(w, r, http.StatusServiceUnavailable, "albergues.unavailable")
		return false
	}
	limit := float64(shelterClosedKm)
	if n := len(open); n > 0 {
		limit = math.Max(limit, open[n-1].Km)
	}
	closed, err := s.cfg.Shelters.NearestShelters(ctx, from, shelterList, func(sh *flows.Shelter) bool {
		return sh.Status == flows.StatusClosed && (city == nil || sh.CityKey == city.Key)
	})
	if err != nil {
		s.log.Error("nearest shelters", "err", err)
		s.fail(w, r, http.StatusServiceUnavailable, "albergues.unavailable")
		return false
	}
	d.Searched = true
	if city != nil {
		d.Heading = p.T("web.shelters.from_city", "City", city.Name)
	} else {
		d.Heading = p.T("albergues.nearest")
	}
	for _, sh := range open {
		v := s.cfg.Engine.DescribeShelter(ctx, p.Lang, now, sh, city)
		d.List = append(d.List, shelterItem{ShelterView: v, Tel: telLink(sh.Phone),
			Geo: template.URL("geo:" + strconv.FormatFloat(sh.Point.Lat, 'f', -1, 64) + "," + strconv.FormatFloat(sh.Point.Lon, 'f', -1, 64))})
	}
	var names []string
	for _, sh := range closed {
		if city == nil && sh.Km > limit {
			break
		}
		names = append(names, p.T("albergues.closed_item", "Name", sh.Name, "Age", s.cfg.Engine.ShelterAge(p.Lang, now, sh.StatusAt)))
	}
	if len(names) > 0 {
		d.Closed = p.T("albergues.closed", "Names", strings.Join(names, "; "))
	}
	if len(d.List) == 0 {
		d.Notes = append(d.Notes, p.T("albergues.none_at_all"))
	} else {
		d.Notes = append(d.Notes, p.T("albergues.straight_line"))
	}
	return true
}

// telLink turns a directory phone ("962 626 7777", "+52 962...") into a
// tel: link, or "" when it holds anything else (two numbers, words).
func telLink(phone string) template.URL {
	var b strings.Builder
	for i, c := range strings.TrimSpace(phone) {
		switch {
		case c >= '0' && c <= '9':
			b.WriteRune(c)
		case c == '+' && i == 0:
			b.WriteRune(c)
		case c == ' ' || c == '-' || c == '(' || c == ')' || c == '.':
		default:
			return ""
		}
	}
	if n := b.Len(); n < 7 || n > 16 {
		return ""
	}
	return template.URL("tel:" + b.String())
}
