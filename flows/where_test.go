package flows

import "testing"

func TestCountryOf(t *testing.T) {
	for _, tc := range []struct {
		name     string
		lat, lon float64
		want     string
	}{
		{"Tapachula", 14.905, -92.263, ""},
		{"Ciudad Hidalgo", 14.679, -92.149, ""},
		{"Tecún Umán", 14.675, -92.140, "gt"},
		{"Quetzaltenango", 14.834, -91.518, "gt"},
		{"Guatemala City", 14.634, -90.507, "gt"},
		{"Flores, Petén", 16.927, -89.892, "gt"},
		{"Comitán", 16.251, -92.134, ""},
		{"Palenque", 17.510, -91.982, ""},
		{"Tenosique", 17.475, -91.422, ""},
		{"Ciudad Cuauhtémoc", 15.66, -92.00, ""},
		{"Belize City", 17.498, -88.186, "abroad"},
		{"San Salvador", 13.692, -89.218, "abroad"},
		{"Tegucigalpa", 14.072, -87.192, "abroad"},
		{"Mexico City", 19.43, -99.13, ""},
	} {
		if got := countryOf(Location{Lat: tc.lat, Lon: tc.lon}); got != tc.want {
			t.Errorf("%s: countryOf = %q, want %q", tc.name, got, tc.want)
		}
	}
}
