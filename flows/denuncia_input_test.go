package flows

import (
	"testing"
	"time"

	"github.com/acercate/acercate/hours"
)

func TestDenunciaParseDate(t *testing.T) {
	today := time.Date(2026, 11, 16, 0, 0, 0, 0, hours.Zone())
	for _, c := range []struct {
		in, want, problem string
	}{
		{"10/11/2026", "2026-11-10", ""},
		{" 10-11-26 ", "2026-11-10", ""},
		{"1.2.2025", "2025-02-01", ""},
		{"2026-11-16", "2026-11-16", ""},
		{"16/11", "2026-11-16", ""},
		{"20/12", "2025-12-20", ""}, // the most recent 20 December
		{"17/11/2026", "", "future"},
		{"31/02/2026", "", "bad"},
		{"13/13/2026", "", "bad"},
		{"ayer", "", "bad"},
		{"", "", "bad"},
		{"5/5/1900", "", "old"},
		{"29/02/2024", "2024-02-29", ""},
	} {
		day, problem := denunciaParseDate(c.in, today)
		got := ""
		if problem == "" {
			got = day.Format(time.DateOnly)
		}
		if got != c.want || problem != c.problem {
			t.Errorf("%q = %q %q, want %q %q", c.in, got, problem, c.want, c.problem)
		}
	}
}

func TestDenunciaNearest(t *testing.T) {
	for _, c := range []struct {
		lat, lon float64
		want     string
	}{
		{14.90, -92.26, "tapachula"},
		{14.68, -92.15, "suchiate"},
		{16.74, -92.64, "sancristobal"},
		{17.43, -91.80, "palenque"}, // Pakal-Ná, outside the town
		{19.43, -99.13, ""},         // Mexico City
		{15.68, -93.21, ""},         // Pijijiapan: no town of the list within 50 km
		{17.46166, -91.4309, ""},    // Tenosique, Tabasco: 50+ km from Palenque
		{16.2349, -93.8970, "arriaga"},
	} {
		if got := denunciaNearest(Location{c.lat, c.lon}); got != c.want {
			t.Errorf("(%v, %v) = %q, want %q", c.lat, c.lon, got, c.want)
		}
	}
}

func TestDenunciaMatchPlace(t *testing.T) {
	for in, want := range map[string]string{
		"Tapachula":                           "tapachula",
		"en tapachula":                        "tapachula",
		"à Huixtla":                           "huixtla",
		"Cd. Hidalgo":                         "suchiate",
		"SAN CRISTÓBAL":                       "sancristobal",
		"Comitán de Domínguez":                "comitan",
		"la carretera de Tapachula a Huixtla": "",
		"Pijijiapan":                          "",
		"en":                                  "",
	} {
		if got := denunciaMatchPlace(in); got != want {
			t.Errorf("%q = %q, want %q", in, got, want)
		}
	}
}

func TestDenunciaParseFolio(t *testing.T) {
	for in, want := range map[string]string{
		"DEN-2026-000042":     "DEN-2026-000042",
		"den 2026 42":         "DEN-2026-000042",
		"mi folio: DEN2026-7": "DEN-2026-000007",
		"folio 2026-42":       "",
		"DEN-26-42":           "",
		"":                    "",
	} {
		if got := denunciaParseFolio(in); got != want {
			t.Errorf("%q = %q, want %q", in, got, want)
		}
	}
}

func TestDenunciaValidate(t *testing.T) {
	ok := Denuncia{Category: "robbery", When: "today", On: "2026-11-16", Municipality: "tapachula",
		Perpetrator: "authority", Which: "gn", Person: "p", Source: "p:1", At: time.Now()}
	if err := ok.Validate(); err != nil {
		t.Fatal(err)
	}
	for name, change := range map[string]func(*Denuncia){
		"category":        func(d *Denuncia) { d.Category = "x" },
		"when":            func(d *Denuncia) { d.When = "x" },
		"date":            func(d *Denuncia) { d.On = "16/11/2026" },
		"municipality":    func(d *Denuncia) { d.Municipality = "x" },
		"perpetrator":     func(d *Denuncia) { d.Perpetrator = "x" },
		"which":           func(d *Denuncia) { d.Which = "x" },
		"which for crime": func(d *Denuncia) { d.Perpetrator = "crime" },
		"photos":          func(d *Denuncia) { d.Photos = make([]string, DenunciaPhotosMax+1) },
		"source":          func(d *Denuncia) { d.Source = "" },
	} {
		d := ok
		change(&d)
		if d.Validate() == nil {
			t.Errorf("%s: invalid denuncia accepted", name)
		}
	}
}
