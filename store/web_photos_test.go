package store_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/acercate/acercate/apptest"
	"github.com/acercate/acercate/flows"
)

// /borrar deletes the photos of the person's draft and keeps those of a
// denuncia they sent, with the denuncia, no longer linked to them; a
// photo someone else attached is not taken by their filing.
func TestForgetWebPhotos(t *testing.T) {
	ctx := context.Background()
	db := open(t, filepath.Join(t.TempDir(), "acercate.db"), newKeys(t))
	png := []byte("\x89PNG\r\n\x1a\n cleaned")
	keep := func(person string) string {
		t.Helper()
		id, err := db.KeepWebPhoto(ctx, person, "image/png", png)
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	sent, draft, other := keep("ana"), keep("ana"), keep("beto")
	folio, err := db.Denuncias().File(ctx, flows.Denuncia{
		Category: "robbery", When: "today", Municipality: "tapachula", Perpetrator: "crime",
		Text: "me robaron", Person: "ana", Source: "ana:1", At: apptest.Start, Photos: []string{sent, other},
	}, flows.Request{UpdateID: 1, At: apptest.Start, Person: "ana", Kind: "button"})
	if err != nil {
		t.Fatal(err)
	}
	person := func(id string) (string, bool) {
		var p string
		var filed bool
		err := db.SQL().QueryRowContext(ctx, `SELECT person, denuncia IS NOT NULL FROM web_photos WHERE 'web:' || token = ?`, id).Scan(&p, &filed)
		if err != nil {
			t.Fatalf("%s: %v", id, err)
		}
		return p, filed
	}
	if _, filed := person(other); filed {
		t.Errorf("another person's photo was taken by %s", folio)
	}
	er, err := db.Forget(ctx, flows.Subject{Person: "ana"})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range er.Areas {
		if a.Name == "web_photos" && a.Count != 1 {
			t.Errorf("web_photos erased %d, want 1 (the draft's)", a.Count)
		}
	}
	if _, _, _, err := db.WebPhoto(ctx, draft); err == nil {
		t.Error("the draft's photo is still kept after /borrar")
	}
	if p, filed := person(sent); p != "" || !filed {
		t.Errorf("the sent denuncia's photo: person %q, filed %v; want unlinked and kept", p, filed)
	}
	if data, _, _, err := db.WebPhoto(ctx, sent); err != nil || string(data) != string(png) {
		t.Errorf("the sent denuncia's photo does not open: %v", err)
	}
	// Settling keeps what the draft still holds.
	kept := keep("beto")
	if n, err := db.SettleWebPhotos(ctx, "beto", []string{kept}); err != nil || n != 1 {
		t.Errorf("settle: %d %v, want 1 left", n, err)
	}
	if _, _, _, err := db.WebPhoto(ctx, other); err == nil {
		t.Error("a photo the draft no longer holds is still kept")
	}
}
