package report

import (
	"bytes"
	"fmt"
	"image/color"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// Chart draws the week's headline figures beside the previous week's as
// a PNG bar chart for the coordinators' chat. Figures from 1 to 4 are
// drawn as 5 (and the chart says so), by the same rule as the text.
func Chart(r *Report, l Labels) ([]byte, error) {
	t, p := r.Totals, r.Previous
	keys := []string{"people", "new_people", "rights_views", "shelter_searches", "denuncias", "escalations_opened", "emergencies"}
	cur := plotter.Values{float64(t.People), float64(t.NewPeople), float64(t.RightsViews), float64(t.ShelterSearches),
		float64(t.Denuncias), float64(t.EscalationsOpened), float64(t.Emergencies)}
	prev := plotter.Values{float64(p.People), float64(p.NewPeople), float64(p.RightsViews), float64(p.ShelterSearches),
		float64(p.Denuncias), float64(p.EscalationsOpened), float64(p.Emergencies)}
	for _, vs := range []plotter.Values{cur, prev} {
		for i, v := range vs {
			if v > 0 && v < Small {
				vs[i] = Small
			}
		}
	}
	names := make([]string, len(keys))
	for i, k := range keys {
		names[i] = l.T("report.total." + k)
	}

	pl := plot.New()
	pl.Title.Text = l.T("report.chart.title", "Week", r.Week)
	pl.X.Label.Text = l.T("report.chart.note")
	pl.Y.Min = 0
	w := vg.Points(14)
	before, err := plotter.NewBarChart(prev, w)
	if err != nil {
		return nil, fmt.Errorf("chart: %w", err)
	}
	before.Color = color.RGBA{R: 0xb0, G: 0xb7, B: 0xc3, A: 0xff}
	before.LineStyle.Width = 0
	before.Offset = -w / 2
	now, err := plotter.NewBarChart(cur, w)
	if err != nil {
		return nil, fmt.Errorf("chart: %w", err)
	}
	now.Color = color.RGBA{R: 0x1f, G: 0x6f, B: 0xb2, A: 0xff}
	now.LineStyle.Width = 0
	now.Offset = w / 2
	pl.Add(before, now, plotter.NewGrid())
	pl.Legend.Add(l.T("report.chart.previous"), before)
	pl.Legend.Add(l.T("report.chart.this"), now)
	pl.Legend.Top = true
	pl.NominalX(names...)
	// Room above the tallest bar for the legend, and beside the outer bars.
	top := 0.0
	for i := range cur {
		top = max(top, cur[i], prev[i])
	}
	pl.Y.Max = top*1.3 + 1
	pl.X.Min, pl.X.Max = -0.6, float64(len(keys))-0.4
	pl.X.Tick.Label.Rotation = 0.5
	pl.X.Tick.Label.XAlign = draw.XRight
	pl.X.Tick.Label.YAlign = draw.YCenter

	c := vgimg.New(vg.Points(720), vg.Points(420))
	pl.Draw(draw.New(c))
	var buf bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: c}).WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("chart: %w", err)
	}
	return buf.Bytes(), nil
}
