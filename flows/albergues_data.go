package flows

import (
	"context"
	"errors"
	"math"
	"strings"
	"time"
)

// Shelter is one entry of the office's shelter directory (store/albergues.csv).
// Only what the office knows is filled in: an empty Address, Phone or
// Capacity, or no Populations, means "not known", and the bot says so.
type Shelter struct {
	// ID is the entry's stable id in the directory file ("la72-tenosique");
	// staff use it to set the status.
	ID   string
	Name string
	// City and State are as written in the directory; CityKey is the
	// city's normalised key ("tuxtla-gutierrez"), used in buttons and logs.
	City, CityKey, State string
	Address              string
	// Point is where the shelter is. Exact is false when Point is only an
	// approximation (most often the city centre): distances and the map are
	// then approximate, and the bot says so.
	Point Location
	Exact bool
	// Area is true when an approximate Point is the shelter's own area (a
	// locality its source gives, named in Address: Pakal-Ná), not a city
	// centre: the bot then gives the distance, as approximate, with the
	// area's name. From a city centre it gives none, only the town.
	Area  bool
	Phone string
	// Populations are who the shelter is known to receive (PopFamilies...);
	// empty means the office does not know. The list is not exhaustive: a
	// shelter not listed as receiving men may still receive them.
	Populations []string
	// Services (SvcMeals...) and Notes (NotePriorityFamilies...) are codes
	// with a message in every language, never free text.
	Services []string
	Notes    []string
	// Capacity is "150-180", "~700" (about) or "100"; "" when not known.
	Capacity string
	// Verified is the day the entry was last checked, and Source where its
	// facts come from (for staff; not shown to migrants).
	Verified time.Time
	Source   string
	// Confirmed is the day the office itself confirmed the entry (zero:
	// never; the bot then says only "according to public sources" and
	// Verified), ConfirmedBy who did (`acercate albergues confirm`).
	Confirmed   time.Time
	ConfirmedBy string
	// Status is the last status staff reported ("" when none), StatusAt
	// when, and StatusBy who (a keyed hash of a staff member, or "cli").
	Status   string
	StatusAt time.Time
	StatusBy string
}

// Serves reports whether the shelter is known to receive a population.
func (s *Shelter) Serves(pop string) bool {
	for _, p := range s.Populations {
		if p == pop {
			return true
		}
	}
	return false
}

// Who a shelter receives. The codes are the directory's "populations"
// column; each has the messages albergues.pop.<code> (in a sentence) and
// albergues.filter.<code> (a button) in every language.
const (
	PopFamilies    = "families"
	PopWomen       = "women"
	PopChildren    = "children"
	PopAdolescents = "adolescents" // travelling without an adult
	PopLGBTI       = "lgbti"
	PopAsylum      = "asylum" // asking for refugee status (asylum)
	PopMen         = "men"
)

// ShelterPopulations lists every population code, in the order filters are offered.
var ShelterPopulations = []string{PopWomen, PopFamilies, PopChildren, PopAdolescents, PopLGBTI, PopAsylum, PopMen}

// What a shelter offers: the "services" column, with albergues.svc.<code>.
const (
	SvcMeals         = "meals"
	SvcMedical       = "medical"
	SvcPsychological = "psychological"
	SvcSchool        = "school"       // a school for children
	SvcLegalAsylum   = "legal_asylum" // legal help to ask for asylum
)

// ShelterServices lists every service code.
var ShelterServices = []string{SvcMeals, SvcMedical, SvcPsychological, SvcSchool, SvcLegalAsylum}

// Rules worth knowing before going: the "notes" column, with albergues.note.<code>.
const (
	NotePriorityFamilies = "priority_families" // when full, families and vulnerable people first
	NoteStay45Days       = "stay_45_days"      // stays of up to 45 days reported
	NoteUNHCR            = "unhcr"             // works with UNHCR (ACNUR)
)

// ShelterNotes lists every note code.
var ShelterNotes = []string{NotePriorityFamilies, NoteStay45Days, NoteUNHCR}

// What staff report about a shelter today.
const (
	StatusOpen   = "open"
	StatusFull   = "full"
	StatusClosed = "closed"
)

// ShelterStatuses lists every status code (albergues.status.<code>).
var ShelterStatuses = []string{StatusOpen, StatusFull, StatusClosed}

// NearShelter is a shelter with its distance from a point.
type NearShelter struct {
	Shelter
	// Km is the great-circle distance (straight line over the Earth) from
	// the point searched, in kilometres.
	Km float64
}

// ShelterCity is a city with shelters in the directory.
type ShelterCity struct {
	Key, Name, State string
	// Center is the point distances from the city are measured from: the
	// approximate point (the city centre) the directory gives its shelters
	// without an exact one, or the middle of its shelters when all are exact.
	Center Location
	// Count is how many shelters the city has.
	Count int
}

// ErrUnknownShelter is returned for a shelter id not in the directory.
var ErrUnknownShelter = errors.New("no shelter with that id in the directory")

// Shelters is the shelter directory, implemented by the store.
type Shelters interface {
	// NearestShelters returns up to n shelters for which keep returns true
	// (nil keeps all), nearest to from first; equally near ones in
	// directory order. The Shelter values share their slices with the
	// directory: read them, do not change them.
	NearestShelters(ctx context.Context, from Location, n int, keep func(*Shelter) bool) ([]NearShelter, error)
	// ShelterCities returns the cities with shelters, in directory order.
	ShelterCities(ctx context.Context) ([]ShelterCity, error)
	// SetShelterStatus records a shelter's status (StatusOpen...) as of
	// now, reported by who: a keyed hash of a staff member, or "cli". It
	// returns ErrUnknownShelter for an id not in the directory.
	SetShelterStatus(ctx context.Context, id, status, by string) error
}

// EarthRadiusKm is the mean radius of the Earth (IUGG). A sphere of this
// radius is within 0.5% of the WGS84 ellipsoid's distances, far less than
// what a city-centre approximation already adds.
const EarthRadiusKm = 6371.0088

// DistanceKm is the great-circle distance between two points in km, by the
// haversine formula, which stays accurate for points close together.
func (l Location) DistanceKm(o Location) float64 {
	φ1, φ2 := radians(l.Lat), radians(o.Lat)
	dφ, dλ := φ2-φ1, radians(o.Lon-l.Lon)
	sφ, sλ := math.Sin(dφ/2), math.Sin(dλ/2)
	h := sφ*sφ + math.Cos(φ1)*math.Cos(φ2)*sλ*sλ
	return 2 * EarthRadiusKm * math.Asin(math.Min(1, math.Sqrt(h)))
}

func radians(deg float64) float64 { return deg * math.Pi / 180 }

// CityKey is a city's key: its name lowercased, without accents, words
// joined by "-" ("San Cristóbal de Las Casas" → "san-cristobal-de-las-casas").
func CityKey(city string) string {
	return strings.Join(strings.Fields(normalize(city)), "-")
}
