package flows

// The country a shared location falls in, as far as the emergency answer
// needs it: Mexico, Guatemala, or somewhere else outside Mexico. The
// outlines are coarse (a few kilometres off along the line), which is why
// the answer says the location "seems" to be outside Mexico; they only
// decide whether the Mexican numbers may be presented as the person's.

// guatemala is Guatemala's outline, counter-clockwise from the mouth of the
// Suchiate: up the river, the line through La Mesilla, the 16°04' parallel,
// the Usumacinta, the 90°59' meridian, the 17°49' parallel to Belize, then
// a coarse line along Belize, the Caribbean, Honduras, El Salvador and the
// Pacific coast.
var guatemala = [][2]float64{
	{14.53, -92.23}, {14.68, -92.145}, {14.95, -92.14}, {15.07, -92.07}, {15.26, -92.21},
	{16.07, -91.73}, {16.07, -90.44}, {16.52, -90.40}, {16.82, -90.89}, {17.25, -90.99},
	{17.82, -90.98}, {17.82, -89.15}, {15.90, -89.22}, {15.70, -88.20}, {14.40, -89.35},
	{13.75, -90.10}, {13.90, -91.30},
}

// belize is a box around Belize, east of the 89°09' meridian.
var belize = [][2]float64{{15.88, -89.23}, {18.50, -89.23}, {18.50, -87.40}, {15.88, -87.40}}

// countryOf returns "gt" for a point in Guatemala, "abroad" for one
// elsewhere outside Mexico on this side of it (Belize, or south of Mexico's
// southern tip, the rest of Central America), else "" (Mexico, or too far
// north to matter here).
func countryOf(l Location) string {
	switch {
	case inPolygon(guatemala, l):
		return "gt"
	case inPolygon(belize, l), l.Lat < 14.5 && l.Lon > -95 && l.Lon < -77:
		return "abroad"
	}
	return ""
}

// inPolygon is the even-odd rule: a ray to the east crosses the outline an
// odd number of times from inside.
func inPolygon(poly [][2]float64, l Location) bool {
	in := false
	for i, j := 0, len(poly)-1; i < len(poly); j, i = i, i+1 {
		a, b := poly[i], poly[j]
		if (a[0] > l.Lat) != (b[0] > l.Lat) && l.Lon < (b[1]-a[1])*(l.Lat-a[0])/(b[0]-a[0])+a[1] {
			in = !in
		}
	}
	return in
}

// emergencyAnswer is the emergency numbers fitted to where the person is:
// with a location of this event outside Mexico, first that the numbers
// are Mexico's and may not work there (and, in Guatemala, the 24-hour lines
// of Mexico's consulates that FACTS gives, for Mexicans).
func emergencyAnswer(c *Ctx) string {
	text := c.T("emergency.text")
	if l := c.Event.Location; c.Event.Kind == EventLocation && l != nil {
		switch countryOf(*l) {
		case "gt":
			return c.T("danger.abroad.gt") + "\n\n" + text
		case "abroad":
			return c.T("danger.abroad") + "\n\n" + text
		}
	}
	return text
}
