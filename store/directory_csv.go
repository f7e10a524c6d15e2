package store

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/acercate/acercate/flows"
)

// DirectoryColumns are the columns of a reference directory file, in the
// order WriteDirectory writes them. A file may order them differently, but
// must have all of them (the head of store/directory.csv and README.md,
// "Reference directory", say what each means).
var DirectoryColumns = []string{"id", "kind", "name", "place", "country", "phones", "address", "hours",
	"url", "status", "notes", "source", "source_date", "confirmed", "confirmed_by"}

// MaxDirectoryEntries is the most entries a directory file may hold.
const MaxDirectoryEntries = 10000

// DirectoryFileError lists every problem found in a reference directory
// file. Nothing of a file with problems is imported.
type DirectoryFileError struct {
	Problems []ShelterRowError
}

func (e *DirectoryFileError) Error() string {
	if len(e.Problems) == 1 {
		return "directory file: " + e.Problems[0].String()
	}
	return fmt.Sprintf("directory file: %d problems, the first: %s", len(e.Problems), e.Problems[0])
}

// DirectoryParseOptions tune ParseDirectory.
type DirectoryParseOptions struct {
	// NotAfter, when set, is the latest acceptable date (a source's date,
	// a confirmation): a later one is a typo, not a check that happened.
	NotAfter time.Time
}

var (
	// dirPhone is one phone of the phones column: a number, optionally
	// followed by its label in parentheses. Short numbers (079, 911)
	// are numbers too.
	dirPhone       = regexp.MustCompile(`^(\+?[0-9][0-9 .-]{1,24}[0-9])(?:\s*\(([a-z_]+)\))?$`)
	dirSourceDate  = regexp.MustCompile(`^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$`)
	dirSourceParse = map[int]string{4: "2006", 7: "2006-01", 10: "2006-01-02"}
)

// ParseDirectory reads a reference directory file. It checks every row and
// returns either every entry or a *DirectoryFileError listing every
// problem with its line, so a file is fixed in one pass and never
// half-read.
func ParseDirectory(r io.Reader, opt DirectoryParseOptions) ([]flows.DirectoryEntry, error) {
	f, ok, err := newCSVFile(r, DirectoryColumns, "entry")
	fe := &DirectoryFileError{}
	switch {
	case err != nil && !errors.Is(err, errStop):
		return nil, fmt.Errorf("read directory file: %w", err)
	case !ok:
		fe.Problems = f.Problems()
		return nil, fe
	}
	var out []flows.DirectoryEntry
	ids := map[string]int{} // id → line
	for {
		get, line, err := f.Next()
		if errors.Is(err, io.EOF) || errors.Is(err, errStop) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("read directory file: %w", err)
		}
		if len(out) >= MaxDirectoryEntries {
			f.Add(line, "", "more than %d entries", MaxDirectoryEntries)
			break
		}
		e, problems := parseDirectoryRow(get, opt)
		for _, p := range problems {
			p.Line = line
			f.problems = append(f.problems, p)
		}
		if e.ID != "" {
			if first, dup := ids[e.ID]; dup {
				f.Add(line, "id", "%q is already used on line %d", e.ID, first)
			} else {
				ids[e.ID] = line
			}
		}
		out = append(out, e)
	}
	if len(out) == 0 && len(f.Problems()) == 0 {
		f.Add(f.HeaderLine, "", "the file has no entries; importing it would empty the directory the bot reads")
	}
	if len(f.Problems()) > 0 {
		fe.Problems = f.Problems()
		return nil, fe
	}
	return out, nil
}

// parseDirectoryRow checks one row's values.
func parseDirectoryRow(get func(string) string, opt DirectoryParseOptions) (flows.DirectoryEntry, []ShelterRowError) {
	var probs []ShelterRowError
	bad := func(col, format string, a ...any) {
		probs = append(probs, ShelterRowError{Column: col, Msg: fmt.Sprintf(format, a...)})
	}
	text := textCheck(get, bad)
	e := flows.DirectoryEntry{
		ID:          get("id"),
		Kind:        get("kind"),
		Name:        text("name", 160, true),
		Place:       text("place", 80, false),
		Country:     text("country", 60, false),
		Address:     text("address", 200, false),
		Hours:       text("hours", 160, false),
		Status:      strings.ToLower(get("status")),
		Notes:       text("notes", 700, false),
		Source:      text("source", 1000, true),
		SourceDate:  get("source_date"),
		ConfirmedBy: text("confirmed_by", 80, false),
	}
	switch {
	case e.ID == "":
		bad("id", "is required")
	case !shelterID.MatchString(e.ID):
		bad("id", "%q must be lowercase letters, digits and '-', at most 40 (e.g. ciam-tucson)", e.ID)
		e.ID = ""
	}
	if !shelterListHas(flows.DirectoryKinds, e.Kind) {
		bad("kind", "%q is not a kind (the kinds are %s)", e.Kind, strings.Join(flows.DirectoryKinds, ", "))
	}
	if e.Place != "" {
		e.PlaceKey = flows.CityKey(e.Place)
	}
	if !shelterListHas(flows.DirectoryStatuses, e.Status) {
		bad("status", "%q must be open, closed or unknown (whether it still works is not verified)", get("status"))
	}
	e.Phones = parsePhones(text("phones", 300, false), bad)
	if u := text("url", 300, false); u != "" {
		p, err := url.Parse(u)
		if err != nil || (p.Scheme != "https" && p.Scheme != "http") || p.Host == "" {
			bad("url", "%q must be a whole address starting with https:// (or http://)", u)
		} else {
			e.URL = u
		}
	}
	if d := e.SourceDate; d != "" {
		t, err := time.Parse(dirSourceParse[len(d)], d)
		switch {
		case !dirSourceDate.MatchString(d) || err != nil:
			bad("source_date", "%q must be the source's date as 2025-11-02, 2020-04 or 2017, or empty when the source has none", d)
		case t.Year() < 1980:
			bad("source_date", "%q is too old to be a real source date", d)
		case !opt.NotAfter.IsZero() && t.After(opt.NotAfter):
			bad("source_date", "%q is in the future", d)
		}
	}
	if v := get("confirmed"); v != "" {
		d, err := time.Parse("2006-01-02", v)
		switch {
		case err != nil:
			bad("confirmed", "%q is not a date like 2026-12-06", v)
		case d.Year() < 2000:
			bad("confirmed", "%q is too old to be a real check", v)
		case !opt.NotAfter.IsZero() && d.After(opt.NotAfter):
			bad("confirmed", "%q is in the future", v)
		default:
			e.Confirmed = d
		}
		if e.ConfirmedBy == "" {
			bad("confirmed_by", "is required when confirmed is set: who in the office checked it")
		}
	} else if e.ConfirmedBy != "" {
		bad("confirmed", "is required when confirmed_by is set: the day %s checked it", e.ConfirmedBy)
	}
	return e, probs
}

// parsePhones reads the phones column: numbers separated by ';', each
// optionally labelled, "001 520 623 7874 (from_mexico); 55 1309 9024 (whatsapp)".
func parsePhones(v string, bad func(string, string, ...any)) []flows.Phone {
	var out []flows.Phone
	for _, p := range strings.Split(v, ";") {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		m := dirPhone.FindStringSubmatch(p)
		switch {
		case m == nil || phoneDigits(m[1]) < 3:
			bad("phones", "%q is not a phone number (digits, spaces, + - . only, then an optional (label))", p)
		case m[2] != "" && !shelterListHas(flows.DirectoryPhoneLabels, m[2]):
			bad("phones", "%q: unknown label %q (known: %s)", p, m[2], strings.Join(flows.DirectoryPhoneLabels, ", "))
		default:
			out = append(out, flows.Phone{Number: m[1], Label: m[2]})
		}
	}
	return out
}

// formatPhones writes phones as the phones column holds them.
func formatPhones(ps []flows.Phone) string {
	parts := make([]string, len(ps))
	for i, p := range ps {
		parts[i] = p.Number
		if p.Label != "" {
			parts[i] += " (" + p.Label + ")"
		}
	}
	return strings.Join(parts, "; ")
}

// WriteDirectory writes entries as a directory file (with a header row),
// the format ParseDirectory reads, so the office can export, edit and import.
func WriteDirectory(w io.Writer, entries []flows.DirectoryEntry) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(DirectoryColumns); err != nil {
		return err
	}
	for _, e := range entries {
		rec := []string{e.ID, e.Kind, e.Name, e.Place, e.Country, formatPhones(e.Phones), e.Address, e.Hours,
			e.URL, e.Status, e.Notes, e.Source, e.SourceDate, confirmedDay(e.Confirmed), e.ConfirmedBy}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
