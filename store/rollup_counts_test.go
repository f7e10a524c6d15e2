package store

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/acercate/acercate/flows"
	"github.com/acercate/acercate/hours"
)

// The people of each kind a week's report counts, known by hand: a
// person counted once per kind and per segment however many requests they
// made, whether the week is read from the rollups (counted at each group
// commit) or from the request log.
func TestKindPeopleCountsEachPersonOnce(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	week := hours.Week{Year: 2026, Num: 47}
	at := week.Start().Add(30 * time.Hour)
	var update int64
	log := func(person, flow, lang, campaign string) {
		t.Helper()
		update++
		if err := db.LogRequest(ctx, flows.Request{UpdateID: update, At: at.Add(time.Duration(update) * time.Minute),
			Person: person, Kind: "text", Flow: flow, Topic: "x", Lang: lang, Campaign: campaign}); err != nil {
			t.Fatal(err)
		}
	}
	log("ana", "families", "es", "feria")
	log("ana", "families", "es", "feria")
	log("ana", "families", "ht", "feria")
	log("ben", "families", "es", "radio")
	log("ben", "rights", "es", "radio")
	log("eva", "rights", "fr", "")
	want := []string{
		"families//=2", "families/campaign/feria=1", "families/campaign/radio=1", "families/lang/es=2", "families/lang/ht=1",
		"families/modulo/=2",
		"rights//=2", "rights/campaign/=1", "rights/campaign/radio=1", "rights/lang/es=1", "rights/lang/fr=1", "rights/modulo/=2",
	}
	for _, rollups := range []bool{true, false} {
		d, err := db.reportData(ctx, week.Start(), week.End(), rollups)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, k := range d.Kinds {
			got = append(got, fmt.Sprintf("%s/%s/%s=%d", k.Kind, k.Dim, k.Key, k.People))
		}
		sort.Strings(got)
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("rollups=%v:\n got %v\nwant %v", rollups, got, want)
		}
	}
}
