package flows

import (
	"math"
	"testing"
)

// TestDistanceKmAgainstGeodesics compares the haversine distance with
// geodesic distances on the WGS84 ellipsoid computed by GeographicLib 2.0,
// an independent implementation: a sphere is within 0.5% of them.
func TestDistanceKmAgainstGeodesics(t *testing.T) {
	for _, tc := range []struct {
		name string
		a, b Location
		km   float64
	}{
		{"Tapachula centre – La 72, Tenosique", Location{14.900, -92.267}, Location{17.46166, -91.4309}, 297.238},
		{"a person in Tapachula – city centre", Location{14.9, -92.26}, Location{14.900, -92.267}, 0.753},
		{"Palenque – Casa del Caminante point", Location{17.51, -91.98}, Location{17.433, -91.800}, 20.932},
		{"Palenque – La 72", Location{17.51, -91.98}, Location{17.46166, -91.4309}, 58.563},
		{"Tecún Umán (Guatemala) – Tapachula", Location{14.676, -92.146}, Location{14.900, -92.267}, 28.000},
		{"Ciudad Hidalgo – Tapachula", Location{14.6833, -92.1500}, Location{14.900, -92.267}, 27.084},
		{"Tapachula – Arriaga", Location{14.900, -92.267}, Location{16.235, -93.896}, 228.803},
		{"Tuxtla – San Cristóbal", Location{16.753, -93.117}, Location{16.737, -92.638}, 51.106},
		{"1° of latitude at 17°N", Location{17, -92}, Location{18, -92}, 110.675},
		{"1.03° of longitude at 17°N", Location{17, -92}, Location{17, -93.03}, 109.680},
	} {
		got := tc.a.DistanceKm(tc.b)
		if math.Abs(got-tc.km) > 0.005*tc.km+0.01 {
			t.Errorf("%s: %.3f km, want %.3f (±0.5%%)", tc.name, got, tc.km)
		}
		if back := tc.b.DistanceKm(tc.a); math.Abs(back-got) > 1e-9 {
			t.Errorf("%s: not symmetric: %.6f and %.6f", tc.name, got, back)
		}
	}
	if d := (Location{14.9, -92.26}).DistanceKm(Location{14.9, -92.26}); d != 0 {
		t.Errorf("distance to itself = %v", d)
	}
	// Antipodes: the formula must not return NaN where rounding pushes the
	// haversine past 1.
	if d := (Location{0, 0}).DistanceKm(Location{0, 180}); math.Abs(d-math.Pi*EarthRadiusKm) > 1e-6 {
		t.Errorf("antipodes: %v", d)
	}
}

func TestCityKey(t *testing.T) {
	for in, want := range map[string]string{
		"San Cristóbal de Las Casas": "san-cristobal-de-las-casas",
		"  Tuxtla   Gutiérrez ":      "tuxtla-gutierrez",
		"TAPACHULA":                  "tapachula",
		"Pakal-Ná":                   "pakal-na",
		"¿?":                         "",
	} {
		if got := CityKey(in); got != want {
			t.Errorf("CityKey(%q) = %q, want %q", in, got, want)
		}
	}
}
