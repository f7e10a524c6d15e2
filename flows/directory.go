package flows

import (
	"context"
	"time"
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
