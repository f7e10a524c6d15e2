package store_test

import (
	"context"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/acercate/acercate/apptest"
	"github.com/acercate/acercate/flows"
	"github.com/acercate/acercate/secret"
	"github.com/acercate/acercate/store"
)

const day = 24 * time.Hour

func openClocked(t testing.TB) (*store.DB, *apptest.Clock) {
	t.Helper()
	keys, err := secret.Parse(secret.Generate())
	if err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "acercate.db"), keys)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	clock := &apptest.Clock{}
	clock.Set(apptest.Start)
	db.Now = clock.Now
	return db, clock
}

// fileAt files a denuncia at t, with text, a place, a photo and a contact.
func fileAt(t *testing.T, db *store.DB, n int64, at time.Time) string {
	t.Helper()
	p := "person-" + strconv.FormatInt(n, 10)
	folio, err := db.Denuncias().File(context.Background(), flows.Denuncia{
		Category: "robbery", When: "today", Municipality: "tapachula", Place: "junto al puente",
		Perpetrator: "unknown", Text: "me robaron", Photos: []string{"ph-" + p}, Contact: flows.Telegram(1000 + n),
		Person: p, Source: p + ":1", At: at,
	}, flows.Request{UpdateID: n, At: at, Person: p, Kind: "button"})
	if err != nil {
		t.Fatal(err)
	}
	return folio
}

func auditCount(t *testing.T, db *store.DB, action string) int {
	t.Helper()
	log, err := db.AuditLog(context.Background(), time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range log {
		if e.Action == action {
			n++
		}
	}
	return n
}

// TestPurgeRemovesExactlyWhatIsPastRetention moves an injected clock and
// checks each side of every cutoff: the request log (400 days by
// default), and closed denuncias' sealed fields (365 days after closing;
// an open denuncia is never purged, however old).
func TestPurgeRemovesExactlyWhatIsPastRetention(t *testing.T) {
	db, clock := openClocked(t)
	ctx := context.Background()
	now := apptest.Start.Add(800 * day)
	ret := store.DefaultRetention
	reqCut := now.Add(-time.Duration(ret.Requests) * day)
	for i, at := range []time.Time{reqCut.Add(-time.Millisecond), reqCut.Add(-30 * day), reqCut, reqCut.Add(time.Hour)} {
		if err := db.LogRequest(ctx, flows.Request{UpdateID: int64(100 + i), At: at, Person: "p", Kind: "text"}); err != nil {
			t.Fatal(err)
		}
	}
	// Denuncias filed long ago; closed at different times.
	denCut := now.Add(-time.Duration(ret.Denuncias) * day)
	old := fileAt(t, db, 1, apptest.Start)
	recent := fileAt(t, db, 2, apptest.Start)
	open := fileAt(t, db, 3, apptest.Start)
	clock.Set(denCut.Add(-time.Minute))
	if err := db.Denuncias().SetStatus(ctx, old, "cerrada", "cli:ana"); err != nil {
		t.Fatal(err)
	}
	clock.Set(denCut.Add(time.Minute))
	if err := db.Denuncias().SetStatus(ctx, recent, "cerrada", "cli:ana"); err != nil {
		t.Fatal(err)
	}
	clock.Set(reqCut.Add(-time.Hour))
	if err := db.MarkBlocked(ctx, "old-chat"); err != nil {
		t.Fatal(err)
	}
	clock.Set(reqCut.Add(time.Hour))
	if err := db.MarkBlocked(ctx, "recent-chat"); err != nil {
		t.Fatal(err)
	}
	clock.Set(now)

	// The three filing rows of 2026 are old too.
	want := map[string]int{"requests": 2 + 3, "denuncias": 1, "blocked": 1}
	check := func(items []store.PurgeItem) {
		t.Helper()
		got := map[string]int{}
		for _, it := range items {
			got[it.Area] = it.Count
		}
		for area, n := range want {
			if got[area] != n {
				t.Errorf("%s: %d, want %d (all: %+v)", area, got[area], n, items)
			}
		}
	}
	dry, err := db.Purge(ctx, "cli:ana", true)
	if err != nil {
		t.Fatal(err)
	}
	check(dry)
	if reqs, _ := db.Requests(ctx); len(reqs) != 7 {
		t.Fatalf("a dry run removed requests: %d left", len(reqs))
	}
	if auditCount(t, db, "purge") != 0 {
		t.Fatal("a dry run wrote an audit row")
	}
	items, err := db.Purge(ctx, "cli:ana", false)
	if err != nil {
		t.Fatal(err)
	}
	check(items)
	reqs, _ := db.Requests(ctx)
	if len(reqs) != 2 {
		t.Errorf("%d requests left, want the 2 at or after the cutoff", len(reqs))
	}
	for _, r := range reqs {
		if r.At.Before(reqCut) {
			t.Errorf("request at %v survived the cutoff %v", r.At, reqCut)
		}
	}
	rec, err := db.Denuncias().View(ctx, old, "test")
	if err != nil {
		t.Fatal(err)
	}
	if rec.Text != "" || rec.Place != "" || !rec.Contact.IsZero() || len(rec.Photos) != 0 || rec.Person != "" {
		t.Errorf("purged denuncia keeps what the person gave: %+v", rec)
	}
	if rec.Category != "robbery" || rec.Municipality != "tapachula" || rec.Status != "cerrada" || !rec.Created.Equal(apptest.Start) {
		t.Errorf("purged denuncia lost its statistics: %+v", rec)
	}
	for _, f := range []string{recent, open} {
		rec, err := db.Denuncias().View(ctx, f, "test")
		if err != nil {
			t.Fatal(err)
		}
		if rec.Text != "me robaron" || rec.Contact.IsZero() || len(rec.Photos) != 1 {
			t.Errorf("%s (status %s) lost its contents: %+v", f, rec.Status, rec)
		}
	}
	if n := auditCount(t, db, "purge"); n != 1 {
		t.Errorf("%d purge audit rows, want 1", n)
	}
	if b, _ := db.BlockedChats(ctx); len(b) != 1 || b[0] != "recent-chat" {
		t.Errorf("blocked marks left: %v", b)
	}
	// Nothing is left to purge.
	want = map[string]int{"requests": 0, "denuncias": 0, "blocked": 0}
	items, err = db.Purge(ctx, "serve", false)
	if err != nil {
		t.Fatal(err)
	}
	check(items)
}

// TestRetentionIsConfigurable: shorter days purge more.
func TestRetentionIsConfigurable(t *testing.T) {
	db, clock := openClocked(t)
	ctx := context.Background()
	if err := db.LogRequest(ctx, flows.Request{UpdateID: 1, At: apptest.Start, Person: "p", Kind: "text"}); err != nil {
		t.Fatal(err)
	}
	clock.Set(apptest.Start.Add(11 * day))
	db.SetRetention(flows.Retention{Requests: 10})
	if got := db.Retention(); got.Requests != 10 || got.Denuncias != store.DefaultRetention.Denuncias {
		t.Fatalf("retention %+v", got)
	}
	items, err := db.Purge(ctx, "serve", false)
	if err != nil || items[0].Area != "requests" || items[0].Count != 1 {
		t.Fatalf("purge = %+v, %v", items, err)
	}
}

// TestEveryAuditedActionWritesOneRow: reading a denuncia, changing its
// status, an erasure and a purge each append exactly one row.
func TestEveryAuditedActionWritesOneRow(t *testing.T) {
	// (A dry-run purge, reading the audit log and a failed action write none.)
	db, _ := openClocked(t)
	ctx := context.Background()
	folio := fileAt(t, db, 7, apptest.Start)
	actions := []struct {
		action string
		do     func() error
	}{
		{"denuncia.view", func() error { _, err := db.Denuncias().View(ctx, folio, "cli:ana"); return err }},
		{"denuncia.status", func() error { return db.Denuncias().SetStatus(ctx, folio, "en_revision", "cli:ana") }},
		{"privacy.erase", func() error {
			_, err := db.Forget(ctx, flows.Subject{Person: "person-7", Chat: flows.Telegram(1007)})
			return err
		}},
		{"purge", func() error { _, err := db.Purge(ctx, "cli:ana", false); return err }},
		{"ticket.take", func() error {
			k := openTicket(t, db, 8, apptest.Start)
			_, err := db.Tickets().Take(ctx, k.ID, "staffhash", apptest.Start)
			return err
		}},
		{"ticket.close", func() error {
			k, err := db.Tickets().Current(ctx, "person-8")
			if err != nil {
				return err
			}
			_, err = db.Tickets().Close(ctx, k.ID, "staffhash", apptest.Start, nil)
			return err
		}},
		{"rekey", func() error { _, err := db.Rekey(ctx, newKeys(t), 100); return err }},
	}
	total := 0
	for _, a := range actions {
		if err := a.do(); err != nil {
			t.Fatalf("%s: %v", a.action, err)
		}
		total++
		if n := auditCount(t, db, a.action); n != 1 {
			t.Errorf("%s wrote %d audit rows, want 1", a.action, n)
		}
		log, _ := db.AuditLog(ctx, time.Time{})
		if len(log) != total {
			t.Errorf("after %s the log has %d rows, want %d", a.action, len(log), total)
		}
	}
}

// TestAuditRefusesReplace: INSERT OR REPLACE cannot overwrite a row.
func TestAuditRefusesReplace(t *testing.T) {
	db, _ := openClocked(t)
	ctx := context.Background()
	if err := db.Audit(ctx, store.AuditEntry{Actor: "cli:ana", Action: "denuncia.view", Object: "DEN-2026-000001"}); err != nil {
		t.Fatal(err)
	}
	log, _ := db.AuditLog(ctx, time.Time{})
	for _, q := range []string{
		`INSERT OR REPLACE INTO audit (id, at, actor, action) VALUES (?, 0, 'nobody', 'nothing')`,
		`REPLACE INTO audit (id, at, actor, action) VALUES (?, 0, 'nobody', 'nothing')`,
		`UPDATE audit SET actor = 'nobody' WHERE id = ?`,
		`DELETE FROM audit WHERE id = ?`,
	} {
		if _, err := db.SQL().ExecContext(ctx, q, log[0].ID); err == nil {
			t.Errorf("%s succeeded", q)
		}
	}
	after, _ := db.AuditLog(ctx, time.Time{})
	if len(after) != 1 || after[0] != log[0] {
		t.Errorf("audit row changed: %+v", after)
	}
}
