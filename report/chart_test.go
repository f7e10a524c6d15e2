package report

import (
	"bytes"
	"context"
	"image/png"
	"os"
	"testing"

	"github.com/acercate/acercate/hours"
)

// The chart is a PNG of a readable size in every language; with
// ACERCATE_CHART_OUT set it is written there to look at.
func TestChart(t *testing.T) {
	db := seedWeek47(t)
	r, err := Build(context.Background(), db, hours.Week{Year: 2026, Num: 47}, mx(2026, 11, 23, 8, 0))
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range []string{"es", "en", "fr", "ht", "pt"} {
		data, err := Chart(r, NewLabels(catalog(t), lang))
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(bytes.NewReader(data))
		if err != nil || img.Bounds().Dx() < 700 || img.Bounds().Dy() < 400 {
			t.Fatalf("%s: %v %v", lang, img.Bounds(), err)
		}
		if out := os.Getenv("ACERCATE_CHART_OUT"); out != "" && lang == "es" {
			os.WriteFile(out, data, 0o644)
		}
	}
}
