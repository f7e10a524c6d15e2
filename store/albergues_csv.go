package store

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/acercate/acercate/flows"
)

// ShelterColumns are the columns of a shelter directory file, in the order
// WriteShelters writes them. A file may order them differently, but must
// have all of them (README.md, "Shelter directory", says what each means).
var ShelterColumns = []string{"id", "name", "city", "state", "address", "lat", "lon", "exact",
	"phone", "populations", "services", "notes", "capacity", "verified", "source"}

// MaxShelters is the most entries a directory file may hold.
const MaxShelters = 100000

// ShelterRegion is the box every shelter must lie in: Mexico and Central
// America. A point outside it is almost always a swapped latitude and
// longitude or a lost minus sign, which would send people the wrong way.
var ShelterRegion = struct{ MinLat, MaxLat, MinLon, MaxLon float64 }{5, 33, -118, -77}

// ShelterRowError is one problem in a directory file.
type ShelterRowError struct {
	// Line is the line of the file the problem is on (1 is the first).
	Line int
	// Column is the column's name, "" for the whole row.
	Column string
	Msg    string
}

func (e ShelterRowError) String() string {
	if e.Column == "" {
		return fmt.Sprintf("line %d: %s", e.Line, e.Msg)
	}
	return fmt.Sprintf("line %d: %s: %s", e.Line, e.Column, e.Msg)
}

// ShelterFileError lists every problem found in a directory file. Nothing of a
// file with problems is imported.
type ShelterFileError struct {
	Problems []ShelterRowError
}

func (e *ShelterFileError) Error() string {
	if len(e.Problems) == 1 {
		return "shelter file: " + e.Problems[0].String()
	}
	return fmt.Sprintf("shelter file: %d problems, the first: %s", len(e.Problems), e.Problems[0])
}

// ShelterParseOptions tune ParseShelters.
type ShelterParseOptions struct {
	// NotAfter, when set, is the latest acceptable verified date: a date
	// after it is a typo (2062 for 2026), not a check that happened.
	NotAfter time.Time
}

var (
	shelterID      = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,39}$`)
	phoneFormat    = regexp.MustCompile(`^\+?[0-9][0-9 ().-]{5,24}$`)
	capacityFormat = regexp.MustCompile(`^(~?)([0-9]{1,5})(?:-([0-9]{1,5}))?$`)
)

// ParseShelters reads a shelter directory file: CSV, UTF-8, a header row
// naming the columns, lines starting with # ignored. It checks every row
// and returns either every shelter or a *ShelterFileError listing every problem
// with its line, so a file is fixed in one pass and never half-read.
func ParseShelters(r io.Reader, opt ShelterParseOptions) ([]flows.Shelter, error) {
	f, ok, err := newCSVFile(r, ShelterColumns, "shelter")
	fe := &ShelterFileError{}
	switch {
	case err != nil && !errors.Is(err, errStop):
		return nil, fmt.Errorf("read shelter file: %w", err)
	case !ok:
		fe.Problems = f.Problems()
		return nil, fe
	}
	add := f.Add
	var out []flows.Shelter
	ids := map[string]int{}   // id → line
	names := map[string]int{} // name+city → line
	cities := map[string]string{}
	for {
		get, line, err := f.Next()
		if errors.Is(err, io.EOF) || errors.Is(err, errStop) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("read shelter file: %w", err)
		}
		if len(out) >= MaxShelters {
			add(line, "", "more than %d shelters", MaxShelters)
			break
		}
		s, problems := parseShelterRow(get, opt)
		for _, p := range problems {
			p.Line = line
			f.problems = append(f.problems, p)
		}
		if s.ID != "" {
			if first, dup := ids[s.ID]; dup {
				add(line, "id", "%q is already used on line %d", s.ID, first)
			} else {
				ids[s.ID] = line
			}
		}
		if s.Name != "" && s.CityKey != "" {
			k := flows.CityKey(s.Name) + "|" + s.CityKey
			if first, dup := names[k]; dup {
				add(line, "name", "%q in %s is already on line %d", s.Name, s.City, first)
			} else {
				names[k] = line
			}
			if st, seen := cities[s.CityKey]; seen && st != flows.CityKey(s.State) {
				add(line, "city", "%q is also a city of another state; tell them apart in the name, e.g. %q", s.City, s.City+" ("+s.State+")")
			} else {
				cities[s.CityKey] = flows.CityKey(s.State)
			}
		}
		out = append(out, s)
	}
	if len(out) == 0 && len(f.Problems()) == 0 {
		add(f.HeaderLine, "", "the file has no shelters; an empty directory would tell everyone there is no shelter")
	}
	if len(f.Problems()) > 0 {
		fe.Problems = f.Problems()
		return nil, fe
	}
	return out, nil
}

// parseShelterRow checks one row's values.
func parseShelterRow(get func(string) string, opt ShelterParseOptions) (flows.Shelter, []ShelterRowError) {
	var probs []ShelterRowError
	bad := func(col, format string, a ...any) {
		probs = append(probs, ShelterRowError{Column: col, Msg: fmt.Sprintf(format, a...)})
	}
	text := textCheck(get, bad)
	s := flows.Shelter{
		ID:      get("id"),
		Name:    text("name", 120, true),
		City:    text("city", 60, true),
		State:   text("state", 60, true),
		Address: text("address", 200, false),
		Phone:   get("phone"),
		Source:  text("source", 1000, true),
	}
	switch {
	case s.ID == "":
		bad("id", "is required")
	case !shelterID.MatchString(s.ID):
		bad("id", "%q must be lowercase letters, digits and '-', at most 40 (e.g. la72-tenosique)", s.ID)
		s.ID = ""
	}
	if s.City != "" {
		s.CityKey = flows.CityKey(s.City)
		if s.CityKey == "" || len(s.CityKey) > 30 {
			bad("city", "%q must have letters and, without accents, at most 30 characters", s.City)
			s.CityKey = ""
		}
	}
	s.Point.Lat = parseCoordinate(get("lat"), "lat", -90, 90, ShelterRegion.MinLat, ShelterRegion.MaxLat, bad)
	s.Point.Lon = parseCoordinate(get("lon"), "lon", -180, 180, ShelterRegion.MinLon, ShelterRegion.MaxLon, bad)
	switch strings.ToLower(get("exact")) {
	case "true", "yes", "sí", "si":
		s.Exact = true
	case "false", "no":
	case "area":
		s.Area = true
	default:
		bad("exact", "%q must be true (the point is the shelter), area (an approximate point for the shelter's own area, named in its address) or false (the point is the city centre)", get("exact"))
	}
	if s.Phone != "" && (!phoneFormat.MatchString(s.Phone) || phoneDigits(s.Phone) < 7) {
		bad("phone", "%q is not a phone number (digits, spaces, + - ( ) only)", s.Phone)
	}
	s.Populations = parseCodes(get("populations"), "populations", flows.ShelterPopulations, bad)
	s.Services = parseCodes(get("services"), "services", flows.ShelterServices, bad)
	s.Notes = parseCodes(get("notes"), "notes", flows.ShelterNotes, bad)
	if c := strings.ReplaceAll(strings.ReplaceAll(get("capacity"), " ", ""), "–", "-"); c != "" {
		m := capacityFormat.FindStringSubmatch(c)
		if m == nil {
			bad("capacity", "%q must be a number, a range like 150-180, or ~700 for about 700", get("capacity"))
		} else if lo, hi := capAtoi(m[2]), capAtoi(m[3]); lo == 0 || (m[3] != "" && (hi <= lo || m[1] != "")) {
			bad("capacity", "%q is not a sensible capacity", get("capacity"))
		} else {
			s.Capacity = c
		}
	}
	if v := get("verified"); v == "" {
		bad("verified", "is required: the day the entry was checked, as 2026-11-22")
	} else if d, err := time.Parse("2006-01-02", v); err != nil {
		bad("verified", "%q is not a date like 2026-11-22", v)
	} else if d.Year() < 2000 {
		bad("verified", "%q is too old to be a real check", v)
	} else if !opt.NotAfter.IsZero() && d.After(opt.NotAfter) {
		bad("verified", "%q is in the future", v)
	} else {
		s.Verified = d
	}
	return s, probs
}

func parseCoordinate(v, col string, min, max, regionMin, regionMax float64, bad func(string, string, ...any)) float64 {
	if v == "" {
		bad(col, "is required")
		return 0
	}
	f, err := strconv.ParseFloat(strings.Replace(v, "−", "-", 1), 64)
	switch {
	case err != nil || math.IsNaN(f) || math.IsInf(f, 0):
		bad(col, "%q is not a number in decimal degrees (like -92.267)", v)
	case f < min || f > max:
		bad(col, "%s is out of range (%g to %g)", v, min, max)
	case f < regionMin || f > regionMax:
		bad(col, "%s is outside Mexico and Central America (%g to %g): swapped lat and lon, or a lost minus sign?", v, regionMin, regionMax)
	default:
		return f
	}
	return 0
}

// codes splits a ';'-separated list and checks every code is known.
func parseCodes(v, col string, known []string, bad func(string, string, ...any)) []string {
	var out []string
	for _, c := range strings.FieldsFunc(v, func(r rune) bool { return r == ';' || r == ',' || r == ' ' }) {
		c = strings.ToLower(c)
		switch {
		case !shelterListHas(known, c):
			bad(col, "unknown %q (known: %s)", c, strings.Join(known, ";"))
		case !shelterListHas(out, c):
			out = append(out, c)
		}
	}
	return out
}

func phoneDigits(s string) int {
	n := 0
	for _, r := range s {
		if r >= '0' && r <= '9' {
			n++
		}
	}
	return n
}

func capAtoi(s string) int { n, _ := strconv.Atoi(s); return n }

func shelterListHas(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// WriteShelters writes shelters as a directory file (with a header row),
// the format ParseShelters reads, so staff can export, edit and import.
func WriteShelters(w io.Writer, shelters []flows.Shelter) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(ShelterColumns); err != nil {
		return err
	}
	for _, s := range shelters {
		exact := strconv.FormatBool(s.Exact)
		if !s.Exact && s.Area {
			exact = "area"
		}
		rec := []string{s.ID, s.Name, s.City, s.State, s.Address,
			strconv.FormatFloat(s.Point.Lat, 'f', -1, 64), strconv.FormatFloat(s.Point.Lon, 'f', -1, 64),
			exact, s.Phone, strings.Join(s.Populations, ";"),
			strings.Join(s.Services, ";"), strings.Join(s.Notes, ";"), s.Capacity,
			s.Verified.Format("2006-01-02"), s.Source}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
