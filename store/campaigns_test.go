package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/acercate/acercate/flows"
)

func TestNormalizeCode(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		ok       bool
	}{
		{"Feria_2026", "feria_2026", true},
		{" tapachula ", "tapachula", true},
		{"a", "a", true},
		{strings.Repeat("a", 62), strings.Repeat("a", 62), true},
		{strings.Repeat("a", 63), "", false}, // 65 with "c-"
		{"", "", false},
		{"-feria", "", false},
		{"_feria", "", false},
		{"feria 2026", "", false},
		{"feria.2026", "", false},
		{"ñandú", "", false},
		{"c-feria", "c-feria", true}, // a code may itself contain "-"
	} {
		got, err := NormalizeCode(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("NormalizeCode(%q) = %q, %v; want %q ok=%v", tc.in, got, err, tc.want, tc.ok)
		}
		var inv InvalidError
		if err != nil && !errors.As(err, &inv) {
			t.Errorf("NormalizeCode(%q) error %v is not an InvalidError", tc.in, err)
		}
		// Whatever is accepted must be what the engine records from a link.
		if err == nil && flows.ParseAttribution("c-"+strings.ToUpper(got)) != "c-"+got {
			t.Errorf("engine would not record c-%s", got)
		}
	}
}

func TestModulosAndCampaigns(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	db.Now = func() time.Time { return time.Date(2026, 11, 16, 16, 0, 0, 0, time.UTC) }
	if err := db.AddModulo(ctx, Modulo{Code: "Tapachula", Name: "Módulo Tapachula", StaffChat: -100123, StaffUsers: []int64{1, 2}}); err != nil {
		t.Fatal(err)
	}
	if err := db.AddModulo(ctx, Modulo{Code: "hidalgo", Name: "Ciudad Hidalgo"}); err != nil {
		t.Fatal(err)
	}
	if err := db.AddModulo(ctx, Modulo{Code: "TAPACHULA", Name: "again"}); !errors.Is(err, ErrExists) {
		t.Fatalf("duplicate módulo: %v", err)
	}
	if err := db.AddModulo(ctx, Modulo{Code: "x", Name: " "}); err == nil {
		t.Fatal("a módulo without a name was stored")
	}
	ms, err := db.Modulos(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 2 || ms[0].Code != "hidalgo" || ms[0].StaffChat != 0 || len(ms[0].StaffUsers) != 0 ||
		ms[1].Code != "tapachula" || ms[1].StaffChat != -100123 || len(ms[1].StaffUsers) != 2 || ms[1].StaffUsers[1] != 2 ||
		!ms[1].Created.Equal(db.Now()) {
		t.Fatalf("módulos = %+v", ms)
	}
	// staff reads NULL for "the default group".
	var null bool
	if err := db.db.QueryRow(`SELECT staff_chat IS NULL FROM modulos WHERE code = 'hidalgo'`).Scan(&null); err != nil || !null {
		t.Fatalf("staff_chat of a módulo without one: null=%v %v", null, err)
	}

	if err := db.AddCampaign(ctx, Campaign{Code: "Feria", Name: "Feria de la frontera", Modulo: "TAPACHULA", Starts: "2026-11-20"}); err != nil {
		t.Fatal(err)
	}
	if err := db.AddCampaign(ctx, Campaign{Code: "radio", Name: "Radio"}); err != nil {
		t.Fatal(err)
	}
	if err := db.AddCampaign(ctx, Campaign{Code: "lona", Name: "Lona", Modulo: "nowhere"}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("campaign of an unknown módulo: %v", err)
	}
	if err := db.AddCampaign(ctx, Campaign{Code: "lona", Name: "Lona", Starts: "20/11/2026"}); err == nil {
		t.Fatal("a bad start date was stored")
	}
	if err := db.AddCampaign(ctx, Campaign{Code: "feria", Name: "x"}); !errors.Is(err, ErrExists) {
		t.Fatalf("duplicate campaign: %v", err)
	}
	cs, err := db.Campaigns(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 2 || cs[0].Code != "feria" || cs[0].Modulo != "tapachula" || cs[0].Starts != "2026-11-20" || cs[1].Modulo != "" {
		t.Fatalf("campaigns = %+v", cs)
	}
	if _, err := db.CampaignByCode(ctx, "nope"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown campaign: %v", err)
	}
}

func TestAttributionFirstAndLastTouch(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	t0 := time.Date(2026, 11, 16, 16, 0, 0, 0, time.UTC)
	log := func(update int64, person string, at time.Duration, topic, detail, campaign, modulo string) {
		t.Helper()
		if err := db.LogRequest(ctx, flows.Request{UpdateID: update, At: t0.Add(at), Person: person, Kind: "command",
			Flow: "start", Topic: topic, Detail: detail, Lang: "es", Campaign: campaign, Modulo: modulo}); err != nil {
			t.Fatal(err)
		}
	}
	log(1, "p1", 0, "first", "c", "feria", "")
	log(2, "p1", time.Hour, "", "", "feria", "")            // not a touch: attribution in force
	log(3, "p1", 2*time.Hour, "start", "junk", "feria", "") // junk payload: not a touch
	log(4, "p1", 3*time.Hour, "start", "m", "", "tapachula")
	log(4, "p1", 9*time.Hour, "start", "c", "radio", "") // same update again after a crash: ignored
	log(5, "p2", 0, "first", "", "", "")                 // came without a link
	log(6, "p3", time.Hour, "start", "c", "radio", "")
	log(7, "p3", 0, "first", "m", "", "hidalgo") // an older row written late

	a, ok, err := db.AttributionOf(ctx, "p1")
	if err != nil || !ok {
		t.Fatal(ok, err)
	}
	if a.FirstCode != "c-feria" || !a.FirstAt.Equal(t0) || a.LastCode != "m-tapachula" || !a.LastAt.Equal(t0.Add(3*time.Hour)) {
		t.Fatalf("p1 = %+v", a)
	}
	if _, ok, _ := db.AttributionOf(ctx, "p2"); ok {
		t.Fatal("p2 has an attribution without a link")
	}
	a, _, _ = db.AttributionOf(ctx, "p3")
	if a.FirstCode != "m-hidalgo" || a.LastCode != "c-radio" {
		t.Fatalf("p3 = %+v", a)
	}

	err = db.tx(ctx, func(tx *sql.Tx) error { return forgetAttribution(ctx, tx, "p1") })
	if err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := db.AttributionOf(ctx, "p1"); ok {
		t.Fatal("p1 not forgotten")
	}
	var n int64
	err = db.tx(ctx, func(tx *sql.Tx) (err error) { n, err = purgeAttribution(ctx, tx, t0.Add(2*time.Hour)); return err })
	if err != nil || n != 1 {
		t.Fatalf("purge: %d %v", n, err)
	}
	countYears := func() (c int) {
		t.Helper()
		if err := db.db.QueryRow(`SELECT count(*) FROM person_years`).Scan(&c); err != nil {
			t.Fatal(err)
		}
		return c
	}
	if c := countYears(); c != 2 { // p2, p3 (p1 was forgotten)
		t.Fatalf("person_years rows = %d, want 2", c)
	}
	err = db.tx(ctx, func(tx *sql.Tx) (err error) { _, err = purgeAttribution(ctx, tx, t0.AddDate(1, 2, 0)); return err })
	var weeks, kindWeeks, channelWeeks int
	db.db.QueryRow(`SELECT count(*) FROM person_weeks`).Scan(&weeks)
	db.db.QueryRow(`SELECT count(*) FROM person_kind_weeks`).Scan(&kindWeeks)
	db.db.QueryRow(`SELECT count(*) FROM person_channel_weeks`).Scan(&channelWeeks)
	if err != nil || countYears() != 0 || weeks != 0 || kindWeeks != 0 || channelWeeks != 0 {
		t.Fatalf("purge of a past year left %d person_years rows (%v)", countYears(), err)
	}
}
