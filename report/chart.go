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
// drawn as 5 (and the chart says so), by the same rule as the text; a
// figure the text hides as "x" is not drawn, and its name says "(x)".
func Chart(r *Report, l Labels) ([]byte, error) {
	keys := []string{"people", "new_people", "rights_views", "shelter_searches", "denuncias", "escalations_opened", "emergencies", "families_requests"}
	names := make([]string, len(keys))
	var cur, prev plotter.Values
	now, before := r.shown, r.shownBefore
	for i, k := range keys {
		names[i] = l.T("report.total." + k)
		hidden := false
		for _, w := range []struct {
			s  *sheet
			vs *plotter.Values
		}{{now, &cur}, {before, &prev}} {
			c := w.s.total[k]
			v := float64(w.s.g.val[c])
			switch w.s.g.state[c] {
			case small:
				v = Small
			case masked:
				v, hidden = 0, true
			}
			*w.vs = append(*w.vs, v)
		}
		if hidden {
			names[i] += " (" + Hidden + ")"
		}
	}

	pl := plot.New()
	pl.Title.Text = l.T("report.chart.title", "Week", r.Week)
	pl.X.Label.Text = l.T("report.chart.note")
	pl.Y.Min = 0
	w := vg.Points(14)
	last, err := plotter.NewBarChart(prev, w)
	if err != nil {
		return nil, fmt.Errorf("chart: %w", err)
	}
	last.Color = color.RGBA{R: 0xb0, G: 0xb7, B: 0xc3, A: 0xff}
	last.LineStyle.Width = 0
	last.Offset = -w / 2
	this, err := plotter.NewBarChart(cur, w)
	if err != nil {
		return nil, fmt.Errorf("chart: %w", err)
	}
	this.Color = color.RGBA{R: 0x1f, G: 0x6f, B: 0xb2, A: 0xff}
	this.LineStyle.Width = 0
	this.Offset = w / 2
	pl.Add(last, this, plotter.NewGrid())
	pl.Legend.Add(l.T("report.chart.previous"), last)
	pl.Legend.Add(l.T("report.chart.this"), this)
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
