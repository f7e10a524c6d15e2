package store

import (
	"math"

	"github.com/acercate/acercate/flows"
)

// shelterIndex answers nearest-shelter questions from memory. Each shelter
// is kept as a point on the unit sphere: the straight-line (chord) distance
// between two such points grows with the great-circle distance, so the
// nearest shelters are found with a few multiplications each, with no
// trigonometry, and only the few kept get their exact distance in km.
// A scan of 10,000 shelters takes tens of microseconds (see the benchmark),
// which a directory of a region's shelters will never outgrow.
type shelterIndex struct {
	shelters []flows.Shelter // in directory order
	unit     []shelterVec
	cities   []flows.ShelterCity
}

type shelterVec struct{ x, y, z float64 }

func shelterUnit(l flows.Location) shelterVec {
	φ, λ := l.Lat*math.Pi/180, l.Lon*math.Pi/180
	return shelterVec{math.Cos(φ) * math.Cos(λ), math.Cos(φ) * math.Sin(λ), math.Sin(φ)}
}

func (a shelterVec) chord2(b shelterVec) float64 {
	dx, dy, dz := a.x-b.x, a.y-b.y, a.z-b.z
	return dx*dx + dy*dy + dz*dz
}

func newShelterIndex(list []flows.Shelter) *shelterIndex {
	ix := &shelterIndex{shelters: list, unit: make([]shelterVec, len(list))}
	type acc struct {
		city                         *flows.ShelterCity
		approxLat, approxLon, approx float64
		lat, lon                     float64
	}
	byKey := map[string]*acc{}
	var order []*acc
	for i := range list {
		s := &list[i]
		ix.unit[i] = shelterUnit(s.Point)
		a := byKey[s.CityKey]
		if a == nil {
			a = &acc{city: &flows.ShelterCity{Key: s.CityKey, Name: s.City, State: s.State}}
			byKey[s.CityKey] = a
			order = append(order, a)
		}
		a.city.Count++
		a.lat += s.Point.Lat
		a.lon += s.Point.Lon
		if !s.Exact {
			a.approx++
			a.approxLat += s.Point.Lat
			a.approxLon += s.Point.Lon
		}
	}
	for _, a := range order {
		c := *a.city
		if a.approx > 0 {
			c.Center = flows.Location{Lat: a.approxLat / a.approx, Lon: a.approxLon / a.approx}
		} else {
			n := float64(c.Count)
			c.Center = flows.Location{Lat: a.lat / n, Lon: a.lon / n}
		}
		ix.cities = append(ix.cities, c)
	}
	return ix
}

// nearest returns up to n shelters that keep accepts, nearest first; ties
// in directory order.
func (ix *shelterIndex) nearest(from flows.Location, n int, keep func(*flows.Shelter) bool) []flows.NearShelter {
	if n <= 0 {
		return nil
	}
	type hit struct {
		i  int
		d2 float64
	}
	best := make([]hit, 0, n)
	u := shelterUnit(from)
	for i := range ix.unit {
		d2 := u.chord2(ix.unit[i])
		if len(best) == n && d2 >= best[n-1].d2 {
			continue
		}
		if keep != nil && !keep(&ix.shelters[i]) {
			continue
		}
		// Insert in order; an equal distance goes after, keeping file order.
		j := len(best)
		if j < n {
			best = append(best, hit{})
		} else {
			j = n - 1
		}
		for ; j > 0 && best[j-1].d2 > d2; j-- {
			best[j] = best[j-1]
		}
		best[j] = hit{i, d2}
	}
	out := make([]flows.NearShelter, len(best))
	for k, h := range best {
		s := ix.shelters[h.i]
		out[k] = flows.NearShelter{Shelter: s, Km: from.DistanceKm(s.Point)}
	}
	return out
}
