package flows

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"
)

// The kinds of entry in the office's reference directory (store/directory.csv
// is the seed; README.md, "Reference directory", says what each holds). The
// ids are stable: they are a column of the directory file and what flows ask
// the directory for.
const (
	// DirConsulate is a foreign country's consulate for migrants in Chiapas.
	DirConsulate = "consulate"
	// DirMexicanConsulate is a Mexican embassy or consulate abroad.
	DirMexicanConsulate = "mexican_consulate"
	// DirSRELine is a phone line of the SRE for Mexicans abroad and their
	// families (CIAM, MiConsulado).
	DirSRELine = "sre_line"
	// DirSearchCommission is a national or state commission that searches
	// for missing people.
	DirSearchCommission = "search_commission"
	// DirFamiliesCommittee is a committee of families searching for
	// missing migrants.
	DirFamiliesCommittee = "families_committee"
	// DirFamilyLinks is the Red Cross service that restores contact
	// between relatives.
	DirFamilyLinks = "family_links"
	// DirCasaChiapas is a Casa Chiapas in the United States.
	DirCasaChiapas = "casa_chiapas"
	// DirMunicipalContact is a municipality's contact for migrants.
	DirMunicipalContact = "municipal_contact"
	// DirStateOffice is a government office in Chiapas for migrants and
	// returning Chiapanecos.
	DirStateOffice = "state_office"
	// DirLegalAid is free legal or humanitarian help.
	DirLegalAid = "legal_aid"
	// DirUNAgency is an office of a United Nations agency.
	DirUNAgency = "un_agency"
	// DirPaisano is the Heroínas y Héroes Paisanos programme's lines.
	DirPaisano = "paisano"
)

// DirectoryKinds lists every kind, in the order the directory file documents them.
var DirectoryKinds = []string{
	DirConsulate, DirMexicanConsulate, DirSRELine, DirSearchCommission, DirFamiliesCommittee,
	DirFamilyLinks, DirCasaChiapas, DirMunicipalContact, DirStateOffice, DirLegalAid,
	DirUNAgency, DirPaisano,
}

// The statuses of a directory entry.
const (
	DirOpen    = "open"
	DirClosed  = "closed"
	DirUnknown = "unknown" // whether it still works is not verified
)

// DirectoryStatuses lists every status.
var DirectoryStatuses = []string{DirOpen, DirClosed, DirUnknown}

// The labels a phone of a directory entry may carry ("001 520 623 7874
// (from_mexico)"); each has a message dir.phone.<label> in every language.
var DirectoryPhoneLabels = []string{"whatsapp", "from_mexico", "from_us", "from_us_canada", "from_abroad"}

// Phone is one number of a directory entry and what it is for ("" = a
// plain phone).
type Phone struct {
	Number, Label string
}

// DirectoryEntry is one row of the office's reference directory. Values
// are the office's data, shown as they are; an empty value is not known.
type DirectoryEntry struct {
	// ID is stable: lowercase letters, digits and '-'.
	ID   string
	Kind string
	Name string
	// Place is the city or area it serves; Country where that is. PlaceKey
	// is Place normalised (CityKey), to look entries up by place.
	Place, Country, PlaceKey string
	Phones                   []Phone
	Address, Hours, URL      string
	// Status is DirOpen, DirClosed or DirUnknown.
	Status string
	// Notes are for the person reading (in Spanish, the office's
	// language): what it does, what is not known.
	Notes string
	// Source is where the values come from; SourceDate the source's own
	// date as it gives it ("2025-11-02", "2020-04", "2017", "" = undated).
	Source, SourceDate string
	// Confirmed is the day the office itself confirmed the entry (zero:
	// it has not, and the bot shows the source's date, never "revisado");
	// ConfirmedBy who did.
	Confirmed   time.Time
	ConfirmedBy string
}

// Directory is the office's reference directory: consulates, SRE lines,
// search commissions, Casa Chiapas, municipal contacts, legal aid. The
// store implements it; the office edits it with `acercate directorio`.
type Directory interface {
	// Entries returns the entries of a kind in file order; place, when not
	// "", keeps those whose PlaceKey is CityKey(place).
	Entries(ctx context.Context, kind, place string) ([]DirectoryEntry, error)
}

// directoryMessageMax is what one message of directory entries may hold,
// well under Telegram's 4096 characters (and easy to read on a small phone).
const directoryMessageMax = 3000

// directoryMessages renders a heading and the directory's entries of the
// given kinds, packed into as few messages as fit; an empty kind says it
// has no contact yet, so the person knows to ask the office. withAddress
// says so too of an entry with no address, for answers that tell people
// where to go. asked, when not "", is what the person wrote: entries
// it names ("consulado de honduras") come first.
func directoryMessages(c *Ctx, head string, kinds []string, withAddress bool, asked string) ([]string, error) {
	var msgs []string
	cur := head
	flush := func() {
		if cur != "" {
			msgs = append(msgs, cur)
		}
		cur = ""
	}
	add := func(block string) {
		if cur != "" && utf8.RuneCountInString(cur)+2+utf8.RuneCountInString(block) > directoryMessageMax {
			flush()
		}
		if cur != "" {
			cur += "\n\n"
		}
		cur += block
	}
	for _, kind := range kinds {
		list, err := c.Deps.Directory.Entries(c, kind, "")
		if err != nil {
			return nil, err
		}
		if len(list) == 0 {
			add(c.T("families.dir.none"))
			continue
		}
		for _, e := range directoryAskedFirst(list, asked) {
			add(directoryEntryText(c, e, withAddress))
		}
	}
	flush()
	return msgs, nil
}

// directoryEntryText shows one directory entry: its name and place, each
// phone with what it is for, hours, web, address, the office's note, its
// status, and where the data comes from: the office's own check
// ("revisado") only when the office confirmed it, else the source's date.
// What is not known is said, never left out silently.
func directoryEntryText(c *Ctx, e DirectoryEntry, withAddress bool) string {
	var lines []string
	add := func(id string, kv ...any) { lines = append(lines, c.T(id, kv...)) }
	lines = append(lines, "▪️ "+e.Name)
	if where := strings.Join(nonEmptyStrings(e.Place, e.Country), ", "); where != "" {
		lines = append(lines, "📌 "+where)
	}
	switch e.Status {
	case DirClosed:
		add("families.dir.closed")
	case DirUnknown:
		add("families.dir.unknown")
	}
	if e.Status != DirClosed {
		if len(e.Phones) == 0 {
			add("families.dir.no_phone")
		}
		for _, p := range e.Phones {
			if p.Label == "" {
				add("families.dir.phone", "Phone", p.Number)
			} else {
				add("families.dir.phone_for", "Phone", p.Number, "For", c.T("families.dir.phone."+p.Label))
			}
		}
		if e.Hours != "" {
			add("families.dir.hours", "Hours", e.Hours)
		}
		if e.URL != "" {
			add("families.dir.url", "URL", e.URL)
		}
		switch {
		case e.Address != "":
			add("families.dir.address", "Address", e.Address)
		case withAddress:
			add("info.dir.no_address")
		}
	}
	if e.Notes != "" {
		add("families.dir.notes", "Notes", e.Notes)
	}
	switch {
	case !e.Confirmed.IsZero():
		add("families.dir.confirmed", "Date", shelterDate(c, e.Confirmed))
	case e.SourceDate != "":
		add("families.dir.source", "Date", familiesSourceDate(c, e.SourceDate))
	default:
		add("families.dir.source_undated")
	}
	return strings.Join(lines, "\n")
}

// directoryAskedFirst moves to the front, in file order, the entries whose
// name shares with what the person wrote a word that tells entries apart
// (a country, a town): "consulado de honduras" puts Honduras' consulates
// first, while "consulado", in nearly every name, moves nothing.
func directoryAskedFirst(list []DirectoryEntry, asked string) []DirectoryEntry {
	words := strings.Fields(normalize(asked))
	if len(words) == 0 || len(list) < 2 {
		return list
	}
	names := make([]map[string]bool, len(list))
	count := map[string]int{}
	for i, e := range list {
		names[i] = map[string]bool{}
		for _, w := range strings.Fields(normalize(e.Name + " " + e.Place)) {
			if !names[i][w] {
				names[i][w] = true
				count[w]++
			}
		}
	}
	var first, rest []DirectoryEntry
	for i, e := range list {
		named := false
		for _, w := range words {
			if len(w) >= 4 && names[i][w] && 2*count[w] <= len(list) {
				named = true
				break
			}
		}
		if named {
			first = append(first, e)
		} else {
			rest = append(rest, e)
		}
	}
	return append(first, rest...)
}
