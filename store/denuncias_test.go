package store

import (
	"context"
	"errors"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/acercate/acercate/flows"
	"github.com/acercate/acercate/secret"
)

var filedAt = time.Date(2026, 11, 16, 16, 0, 0, 0, time.UTC)

func testDenuncia(source string) flows.Denuncia {
	return flows.Denuncia{
		Category: "extortion", When: "date", On: "2026-11-10",
		Municipality: "tapachula", Perpetrator: "authority", Which: "inm",
		Text: "Me pidieron dinero.", Photos: []string{"photo-a", "photo-b"},
		Contact: flows.Telegram(123456789), Person: "person-hash", Source: source, At: filedAt,
	}
}

func testRequest(update int64) flows.Request {
	return flows.Request{UpdateID: update, At: filedAt, Person: "person-hash", Kind: "button",
		Flow: "denuncia", Topic: "filed", Detail: "extortion", Lang: "ht", Campaign: "feria"}
}

func TestFileIsIdempotentBySource(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	d := db.Denuncias()
	a, err := d.File(ctx, testDenuncia("p:1"), testRequest(1))
	if err != nil {
		t.Fatal(err)
	}
	again, err := d.File(ctx, testDenuncia("p:1"), testRequest(1))
	if err != nil || again != a {
		t.Fatalf("second filing = %q, %v; want %q", again, err, a)
	}
	b, err := d.File(ctx, testDenuncia("p:2"), testRequest(2))
	if err != nil {
		t.Fatal(err)
	}
	if a != "DEN-2026-000001" || b != "DEN-2026-000002" {
		t.Fatalf("folios %q, %q", a, b)
	}
	var n, photos, outbox, reqs int
	db.db.QueryRow(`SELECT count(*) FROM denuncias`).Scan(&n)
	db.db.QueryRow(`SELECT count(*) FROM denuncia_photos`).Scan(&photos)
	db.db.QueryRow(`SELECT count(*) FROM outbox WHERE kind = ?`, FolioKind).Scan(&outbox)
	db.db.QueryRow(`SELECT count(*) FROM requests`).Scan(&reqs)
	if n != 2 || photos != 4 || outbox != 2 || reqs != 2 {
		t.Fatalf("rows: %d denuncias, %d photos, %d outbox, %d requests; want 2, 4, 2, 2", n, photos, outbox, reqs)
	}
	// The engine's own write of the same log row is ignored.
	if err := db.LogRequest(ctx, testRequest(1)); err != nil {
		t.Fatal(err)
	}
	db.db.QueryRow(`SELECT count(*) FROM requests`).Scan(&reqs)
	if reqs != 2 {
		t.Fatalf("%d request rows after the engine's write, want 2", reqs)
	}
}

func TestFileRejectsInvalid(t *testing.T) {
	db := openTest(t)
	bad := testDenuncia("p:1")
	bad.Category = "nonsense"
	if _, err := db.Denuncias().File(context.Background(), bad, testRequest(1)); err == nil {
		t.Fatal("an unknown category was filed")
	}
	bad = testDenuncia("p:1")
	bad.Text = strings.Repeat("x", flows.DenunciaTextMax+1)
	if _, err := db.Denuncias().File(context.Background(), bad, testRequest(1)); err == nil {
		t.Fatal("a text over the limit was filed")
	}
}

// TestFoliosNeverReused: numbers keep counting across reopening the
// database and after a denuncia is erased, and start again each year
// (in Chiapas time: 23:30 on 31 December local is still the old year).
func TestFoliosNeverReused(t *testing.T) {
	ctx := context.Background()
	keys, _ := secret.Parse(secret.Generate())
	path := filepath.Join(t.TempDir(), "acercate.db")
	db, err := Open(ctx, path, keys)
	if err != nil {
		t.Fatal(err)
	}
	for i, src := range []string{"a", "b"} {
		f, err := db.Denuncias().File(ctx, testDenuncia(src), testRequest(int64(i)))
		if err != nil {
			t.Fatal(err)
		}
		if want := []string{"DEN-2026-000001", "DEN-2026-000002"}[i]; f != want {
			t.Fatalf("folio %q, want %q", f, want)
		}
	}
	if _, err := db.db.Exec(`DELETE FROM denuncias WHERE folio = 'DEN-2026-000002'`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	db, err = Open(ctx, path, keys)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	f, err := db.Denuncias().File(ctx, testDenuncia("c"), testRequest(3))
	if err != nil || f != "DEN-2026-000003" {
		t.Fatalf("after reopening and erasing: %q, %v; want DEN-2026-000003", f, err)
	}
	lastNight := testDenuncia("d")
	lastNight.At = time.Date(2027, 1, 1, 5, 30, 0, 0, time.UTC) // 23:30 on 31/12/2026 in Chiapas
	if f, _ := db.Denuncias().File(ctx, lastNight, testRequest(4)); f != "DEN-2026-000004" {
		t.Fatalf("New Year's Eve in Chiapas: %q", f)
	}
	newYear := testDenuncia("e")
	newYear.At = time.Date(2027, 1, 1, 6, 30, 0, 0, time.UTC)
	if f, _ := db.Denuncias().File(ctx, newYear, testRequest(5)); f != "DEN-2027-000001" {
		t.Fatalf("first of 2027: %q", f)
	}
}

func TestStatusOnlyForThePerson(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	f, err := db.Denuncias().File(ctx, testDenuncia("p:1"), testRequest(1))
	if err != nil {
		t.Fatal(err)
	}
	st, err := db.Denuncias().Status(ctx, f, "person-hash")
	if err != nil || st.Status != "received" || !st.Created.Equal(filedAt) {
		t.Fatalf("status = %+v, %v", st, err)
	}
	if _, err := db.Denuncias().Status(ctx, f, "someone-else"); !errors.Is(err, flows.ErrNoDenuncia) {
		t.Fatalf("someone else's status: %v", err)
	}
	if _, err := db.Denuncias().Status(ctx, "DEN-2026-000099", "person-hash"); !errors.Is(err, flows.ErrNoDenuncia) {
		t.Fatalf("unknown folio: %v", err)
	}
}

func TestViewIsAuditedAndOpensEverything(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	later := filedAt.Add(time.Hour)
	db.Now = func() time.Time { return later }
	in := testDenuncia("p:1")
	in.Place = "Cerca del río"
	f, err := db.Denuncias().File(ctx, in, testRequest(1))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Denuncias().View(ctx, "DEN-2026-000077", "cli:ana"); !errors.Is(err, flows.ErrNoDenuncia) {
		t.Fatalf("unknown folio: %v", err)
	}
	rec, err := db.Denuncias().View(ctx, f, "cli:ana")
	if err != nil {
		t.Fatal(err)
	}
	if rec.Text != in.Text || rec.Place != in.Place || rec.Contact != in.Contact || strings.Join(rec.Photos, ",") != "photo-a,photo-b" ||
		rec.Which != "inm" || rec.On != "2026-11-10" || rec.Lang != "ht" || rec.Campaign != "feria" || rec.Status != "received" {
		t.Fatalf("record = %+v", rec)
	}
	log, err := db.AuditLog(ctx, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if len(log) != 1 || log[0].Actor != "cli:ana" || log[0].Action != "denuncia.view" || log[0].Object != f || !log[0].At.Equal(later) {
		t.Fatalf("audit = %+v; want one view by cli:ana (none for the unknown folio)", log)
	}
}

func TestSetStatusIsAudited(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	f, _ := db.Denuncias().File(ctx, testDenuncia("p:1"), testRequest(1))
	if err := db.Denuncias().SetStatus(ctx, f, "archived", "cli:ana"); err == nil {
		t.Fatal("an unknown status was set")
	}
	if err := db.Denuncias().SetStatus(ctx, "DEN-2026-000050", "cerrada", "cli:ana"); !errors.Is(err, flows.ErrNoDenuncia) {
		t.Fatalf("unknown folio: %v", err)
	}
	if err := db.Denuncias().SetStatus(ctx, f, "en_revision", "cli:ana"); err != nil {
		t.Fatal(err)
	}
	l, _ := db.Denuncias().List(ctx, "en_revision")
	if len(l) != 1 || l[0].Folio != f || l[0].Category != "extortion" || l[0].Municipality != "tapachula" {
		t.Fatalf("list = %+v", l)
	}
	if l, _ := db.Denuncias().List(ctx, "received"); len(l) != 0 {
		t.Fatalf("received list = %+v", l)
	}
	log, _ := db.AuditLog(ctx, time.Time{})
	if len(log) != 1 || log[0].Action != "denuncia.status" || log[0].Detail != "en_revision" {
		t.Fatalf("audit = %+v", log)
	}
}

func TestAuditIsAppendOnly(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	if err := db.Audit(ctx, AuditEntry{Actor: "cli:ana", Action: "denuncia.view", Object: "DEN-2026-000001"}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.db.Exec(`UPDATE audit SET actor = 'nobody'`); err == nil {
		t.Fatal("an audit row was changed")
	}
	if _, err := db.db.Exec(`DELETE FROM audit`); err == nil {
		t.Fatal("an audit row was deleted")
	}
	if err := db.Audit(ctx, AuditEntry{Action: "x"}); err == nil {
		t.Fatal("an audit row without actor was written")
	}
}

// TestSealsAreBoundToTheirRow: a sealed text copied onto another denuncia
// does not open there.
func TestSealsAreBoundToTheirRow(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	a, _ := db.Denuncias().File(ctx, testDenuncia("p:1"), testRequest(1))
	b, _ := db.Denuncias().File(ctx, testDenuncia("p:2"), testRequest(2))
	if _, err := db.db.Exec(`UPDATE denuncias SET text = (SELECT text FROM denuncias WHERE folio = ?) WHERE folio = ?`, a, b); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Denuncias().View(ctx, b, "test"); err == nil {
		t.Fatal("a text moved from another denuncia opened")
	}
}

func TestAnonymousKeepsNoContact(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	in := testDenuncia("p:1")
	in.Contact = flows.Address{}
	f, _ := db.Denuncias().File(ctx, in, testRequest(1))
	var contact string
	db.db.QueryRow(`SELECT contact FROM denuncias WHERE folio = ?`, f).Scan(&contact)
	if contact != "" {
		t.Fatalf("an anonymous denuncia keeps a contact: %q", contact)
	}
}

// BenchmarkFileDenuncia measures filing one denuncia with two photos:
// the whole transaction (folio counter, sealing, photos, log row, outbox).
func BenchmarkFileDenuncia(b *testing.B) {
	keys, _ := secret.Parse(secret.Generate())
	db, err := Open(context.Background(), filepath.Join(b.TempDir(), "acercate.db"), keys)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		src := "bench:" + strconv.Itoa(i)
		if _, err := db.Denuncias().File(ctx, testDenuncia(src), testRequest(int64(i))); err != nil {
			b.Fatal(err)
		}
	}
}
