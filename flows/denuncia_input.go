package flows

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/acercate/acercate/hours"
)

// DenunciaMunicipality is a municipality of Chiapas where people on the
// route report most, with the approximate centre of its main town: a
// shared location is turned into the nearest one and then forgotten.
type DenunciaMunicipality struct {
	Code     string
	Lat, Lon float64
	// match are lowercase, accent-free names a person may type for it.
	match []string
}

// DenunciaMunicipalities are the choices of the "where" step, in the
// order shown ("other" last, without a position).
var DenunciaMunicipalities = []DenunciaMunicipality{
	{"tapachula", 14.9056, -92.2633, []string{"tapachula"}},
	{"suchiate", 14.6792, -92.1497, []string{"ciudad hidalgo", "cd hidalgo", "suchiate"}},
	{"huixtla", 15.1386, -92.4658, []string{"huixtla"}},
	{"arriaga", 16.2350, -93.8970, []string{"arriaga"}},
	{"tuxtla", 16.7530, -93.1160, []string{"tuxtla", "tuxtla gutierrez"}},
	{"sancristobal", 16.7370, -92.6376, []string{"san cristobal", "san cristobal de las casas", "sancris"}},
	{"comitan", 16.2510, -92.1342, []string{"comitan", "comitan de dominguez"}},
	{"palenque", 17.5100, -91.9820, []string{"palenque"}},
	{"comalapa", 15.6600, -92.1370, []string{"frontera comalapa", "comalapa"}},
	{"other", 0, 0, nil},
}

// Limits of what a denuncia holds.
const (
	DenunciaTextMax   = 2000 // characters of what happened
	DenunciaPhotosMax = 5
	DenunciaPlaceMax  = 200 // characters of a typed place
	// denunciaNear is how far (km) a shared location may be from a
	// municipality's town to be taken as that municipality.
	denunciaNear = 50.0
)

func denunciaIsOneOf(v string, list []string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

func denunciaMunicipality(code string) bool {
	for _, m := range DenunciaMunicipalities {
		if m.Code == code {
			return true
		}
	}
	return false
}

// Validate reports what is wrong with a denuncia before it is stored.
func (d Denuncia) Validate() error {
	switch {
	case !denunciaIsOneOf(d.Category, DenunciaCategories):
		return fmt.Errorf("denuncia: unknown category %q", d.Category)
	case !denunciaIsOneOf(d.When, DenunciaWhens) && d.When != "date":
		return fmt.Errorf("denuncia: unknown when %q", d.When)
	case d.On != "" && !denunciaDateOK(d.On):
		return fmt.Errorf("denuncia: bad date %q", d.On)
	case !denunciaMunicipality(d.Municipality):
		return fmt.Errorf("denuncia: unknown municipality %q", d.Municipality)
	case !denunciaIsOneOf(d.Perpetrator, DenunciaPerpetrators):
		return fmt.Errorf("denuncia: unknown perpetrator %q", d.Perpetrator)
	case d.Which != "" && (d.Perpetrator != "authority" || !denunciaIsOneOf(d.Which, DenunciaAuthorities)):
		return fmt.Errorf("denuncia: bad authority %q", d.Which)
	case utf8.RuneCountInString(d.Text) > DenunciaTextMax:
		return errors.New("denuncia: text too long")
	case utf8.RuneCountInString(d.Place) > DenunciaPlaceMax:
		return errors.New("denuncia: place too long")
	case len(d.Photos) > DenunciaPhotosMax:
		return errors.New("denuncia: too many photos")
	case d.Person == "" || d.Source == "" || d.At.IsZero():
		return errors.New("denuncia: person, source and time are required")
	}
	return nil
}

func denunciaDateOK(s string) bool {
	_, err := time.Parse(time.DateOnly, s)
	return err == nil
}

// denunciaDay is the local calendar day of t, at midnight.
func denunciaDay(t time.Time) time.Time {
	y, m, d := t.In(hours.Zone()).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, hours.Zone())
}

// denunciaShowDate formats a YYYY-MM-DD date as day/month/year, the order
// people on the route write dates in.
func denunciaShowDate(iso string) string {
	t, err := time.Parse(time.DateOnly, iso)
	if err != nil {
		return iso
	}
	return t.Format("02/01/2006")
}

var (
	dmyDate = regexp.MustCompile(`^(\d{1,2})\s*[/.\- ]\s*(\d{1,2})(?:\s*[/.\- ]\s*(\d{4}|\d{2}))?$`)
	isoDate = regexp.MustCompile(`^(\d{4})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{1,2})$`)
)

// denunciaParseDate reads a date a person typed ("10/11/2026", "10-11",
// "2026-11-10") relative to today (local midnight). A day and month
// without a year are the most recent such day. problem is "" or "bad",
// "future", "old".
func denunciaParseDate(text string, today time.Time) (day time.Time, problem string) {
	s := strings.TrimSpace(text)
	var y, m, d int
	if p := isoDate.FindStringSubmatch(s); p != nil {
		y, _ = strconv.Atoi(p[1])
		m, _ = strconv.Atoi(p[2])
		d, _ = strconv.Atoi(p[3])
	} else if p := dmyDate.FindStringSubmatch(s); p != nil {
		d, _ = strconv.Atoi(p[1])
		m, _ = strconv.Atoi(p[2])
		switch len(p[3]) {
		case 0:
			y = today.Year()
			if c := time.Date(y, time.Month(m), d, 0, 0, 0, 0, hours.Zone()); c.After(today) {
				y--
			}
		case 2:
			y, _ = strconv.Atoi(p[3])
			y += 2000
		default:
			y, _ = strconv.Atoi(p[3])
		}
	} else {
		return time.Time{}, "bad"
	}
	day = time.Date(y, time.Month(m), d, 0, 0, 0, 0, hours.Zone())
	if day.Year() != y || day.Month() != time.Month(m) || day.Day() != d {
		return time.Time{}, "bad" // 31/02, month 13...
	}
	switch {
	case day.After(today):
		return time.Time{}, "future"
	case y < 1950:
		return time.Time{}, "old"
	}
	return day, ""
}

// denunciaNearest returns the municipality whose town is nearest to a
// location, or "" when none is within denunciaNear km.
func denunciaNearest(l Location) string {
	best, bestKm := "", math.Inf(1)
	for _, m := range DenunciaMunicipalities {
		if m.Code == "other" {
			continue
		}
		if km := haversineKm(l.Lat, l.Lon, m.Lat, m.Lon); km < bestKm {
			best, bestKm = m.Code, km
		}
	}
	if bestKm > denunciaNear {
		return ""
	}
	return best
}

// haversineKm is the great-circle distance between two points in km.
func haversineKm(lat1, lon1, lat2, lon2 float64) float64 {
	const r = 6371.0
	rad := math.Pi / 180
	dLat, dLon := (lat2-lat1)*rad, (lon2-lon1)*rad
	a := math.Sin(dLat/2)*math.Sin(dLat/2) +
		math.Cos(lat1*rad)*math.Cos(lat2*rad)*math.Sin(dLon/2)*math.Sin(dLon/2)
	return 2 * r * math.Asin(math.Min(1, math.Sqrt(a)))
}

// denunciaMatchPlace returns the municipality a typed place names, or "".
// Only a place that is just a name of the list ("Tapachula", "en
// Huixtla") counts: "la carretera de Tapachula a Huixtla" stays as typed,
// for staff to read, rather than being filed under the wrong town.
func denunciaMatchPlace(text string) string {
	words := strings.Fields(normalize(text))
	if len(words) > 1 && denunciaIsOneOf(words[0], []string{"en", "in", "a", "nan", "em", "no", "na"}) {
		words = words[1:]
	}
	typed := strings.Join(words, " ")
	for _, m := range DenunciaMunicipalities {
		if denunciaIsOneOf(typed, m.match) {
			return m.Code
		}
	}
	return ""
}

// folioPattern finds a folio in what a person typed, forgivingly: "den
// 2026 42", "DEN-2026-000042".
var folioPattern = regexp.MustCompile(`(?i)\bden\W{0,3}(\d{4})\W{0,3}(\d{1,6})\b`)

// denunciaParseFolio returns the folio in text in its canonical form
// (DEN-2026-000042), or "".
func denunciaParseFolio(text string) string {
	p := folioPattern.FindStringSubmatch(text)
	if p == nil {
		return ""
	}
	n, _ := strconv.Atoi(p[2])
	return fmt.Sprintf("DEN-%s-%06d", p[1], n)
}
