package store_test

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/acercate/acercate/apptest"
	"github.com/acercate/acercate/flows"
	"github.com/acercate/acercate/secret"
	"github.com/acercate/acercate/store"
)

func newKeys(t *testing.T) *secret.Keys {
	t.Helper()
	k, err := secret.Parse(secret.Generate())
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func open(t *testing.T, path string, keys *secret.Keys) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), path, keys)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// fileVaried files denuncias with every sealed field, and one anonymous
// without place or photos.
func fileVaried(t *testing.T, db *store.DB, n int) []string {
	t.Helper()
	var folios []string
	for i := 1; i <= n; i++ {
		folios = append(folios, fileAt(t, db, int64(i), apptest.Start))
	}
	f, err := db.Denuncias().File(context.Background(), flows.Denuncia{
		Category: "other", When: "today", Municipality: "tapachula", Perpetrator: "unknown",
		Text: "anónima", Person: "anon", Source: "anon:1", At: apptest.Start,
	}, flows.Request{UpdateID: 999, At: apptest.Start, Person: "anon", Kind: "button"})
	if err != nil {
		t.Fatal(err)
	}
	return append(folios, f)
}

func viewAll(t *testing.T, db *store.DB, folios []string) []*store.DenunciaRecord {
	t.Helper()
	var out []*store.DenunciaRecord
	for _, f := range folios {
		rec, err := db.Denuncias().View(context.Background(), f, "test")
		if err != nil {
			t.Fatalf("view %s: %v", f, err)
		}
		out = append(out, rec)
	}
	return out
}

// sealedUnder lists every value in every column of every table that is a
// sealed value under keys: a rekey that missed a field leaves one.
func sealedUnder(t *testing.T, db *store.DB, keys *secret.Keys) []string {
	t.Helper()
	ctx := context.Background()
	var found []string
	for _, tb := range tableNames(t, db) {
		rows, err := db.SQL().QueryContext(ctx, `SELECT * FROM "`+tb+`"`)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			rows.Scan(ptrs...)
			for i, v := range vals {
				var s string
				switch x := v.(type) {
				case string:
					s = x
				case []byte:
					// A BLOB holds a sealed value as it is (web_photos.data).
					if keys.SealedBy(x) {
						found = append(found, fmt.Sprintf("%s.%s", tb, cols[i]))
						continue
					}
					s = string(x)
				default:
					continue
				}
				raw, err := base64.RawStdEncoding.DecodeString(s)
				if err == nil && keys.SealedBy(raw) {
					found = append(found, fmt.Sprintf("%s.%s", tb, cols[i]))
				}
			}
		}
		rows.Close()
	}
	return found
}

// TestRekeyRoundTripsEveryField: after a rekey in small batches every
// sealed field opens under the new key alone and reads the same; nothing
// is left sealed under the old key; the old key is refused; keyed hashes
// are the same as before, so /folio still finds the person's denuncia.
func TestRekeyRoundTripsEveryField(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "acercate.db")
	oldK, newK := newKeys(t), newKeys(t)
	db := open(t, path, oldK)
	folios := fileVaried(t, db, 5)
	before := viewAll(t, db, folios)
	hashBefore := db.Keys().Hash("person", "731904862")
	if len(sealedUnder(t, db, oldK)) == 0 {
		t.Fatal("nothing sealed under the old key: the test would prove nothing")
	}
	stats, err := db.Rekey(ctx, newK, 2)
	if err != nil {
		t.Fatal(err)
	}
	// 5 denuncias × (place, text, contact) + 5 photos + the anonymous one's text.
	if stats.Resealed != 5*3+5+1 || stats.Areas["denuncias"] != 16 || stats.Areas["denuncia_photos"] != 5 {
		t.Errorf("stats %+v", stats)
	}
	db.Close()

	if _, err := store.Open(ctx, path, oldK); !errors.Is(err, store.ErrWrongKey) {
		t.Fatalf("the old key opened the database after the rekey: %v", err)
	}
	db = open(t, path, newK)
	if left := sealedUnder(t, db, oldK); len(left) != 0 {
		t.Errorf("still sealed under the old key: %v", left)
	}
	if after := viewAll(t, db, folios); !reflect.DeepEqual(before, after) {
		t.Errorf("records changed:\nbefore %+v\nafter  %+v", before[0], after[0])
	}
	if h := db.Keys().Hash("person", "731904862"); h != hashBefore {
		t.Errorf("the person hash changed with the data key: %s, was %s", h, hashBefore)
	}
	if _, err := db.Denuncias().Status(ctx, folios[0], "person-1"); err != nil {
		t.Errorf("/folio after the rekey: %v", err)
	}
	// Running again re-seals nothing.
	stats, err = db.Rekey(ctx, newK, 2)
	if err != nil || stats.Resealed != 0 || stats.Current != 21 {
		t.Errorf("second rekey: %+v, %v", stats, err)
	}
}

// TestRekeyWithoutDowntime: the bot keeps writing under the old key while
// the rekey runs; restarted with the new key and the old one to open, it
// reads everything; a second rekey re-seals what was written meanwhile.
func TestRekeyWithoutDowntime(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "acercate.db")
	oldK, newK := newKeys(t), newKeys(t)
	serving := open(t, path, oldK)
	folios := fileVaried(t, serving, 2)
	rekeying := open(t, path, oldK)
	if _, err := rekeying.Rekey(ctx, newK, 1); err != nil {
		t.Fatal(err)
	}
	// The bot, still on the old key, files another denuncia.
	folios = append(folios, fileAt(t, serving, 50, apptest.Start))
	serving.Close()
	rekeying.Close()

	restarted := open(t, path, newK.WithOlder(oldK))
	all := viewAll(t, restarted, folios)
	if all[len(all)-1].Text != "me robaron" {
		t.Fatalf("the denuncia filed during the rekey does not open: %+v", all[len(all)-1])
	}
	stats, err := restarted.Rekey(ctx, newK.WithOlder(oldK), 500)
	if err != nil || stats.Resealed != 4 {
		t.Fatalf("finishing rekey: %+v, %v (want the 4 fields written during the rotation)", stats, err)
	}
	restarted.Close()
	final := open(t, path, newK)
	if left := sealedUnder(t, final, oldK); len(left) != 0 {
		t.Errorf("still sealed under the old key: %v", left)
	}
	viewAll(t, final, folios)
}

// TestWrongKeyIsRefused: a database never opens under another key, and
// says so, rather than failing later on every sealed field.
func TestWrongKeyIsRefused(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "acercate.db")
	db := open(t, path, newKeys(t))
	fileVaried(t, db, 1)
	db.Close()
	_, err := store.Open(ctx, path, newKeys(t))
	if !errors.Is(err, store.ErrWrongKey) {
		t.Fatalf("another key: %v", err)
	}
}

// TestHashKeyKeptFromBefore: a database from before hash keys were kept
// (no meta row) keeps hashing with its data key's own hash key, so every
// hash already stored stays valid.
func TestHashKeyKeptFromBefore(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "acercate.db")
	k := newKeys(t)
	db := open(t, path, k)
	if _, err := db.SQL().ExecContext(ctx, `DELETE FROM meta WHERE key = 'hash_key'`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	db = open(t, path, k)
	if got, want := db.Keys().Hash("person", "7"), k.Hash("person", "7"); got != want {
		t.Errorf("hash %s, want the data key's own %s", got, want)
	}
	var n int
	db.SQL().QueryRowContext(ctx, `SELECT count(*) FROM meta WHERE key = 'hash_key'`).Scan(&n)
	if n != 1 {
		t.Errorf("%d hash_key rows", n)
	}
}

// TestRekeyMissesNoSealedField fills every table that holds sealed values
// through the store's own API (denuncias with place, text, photos and
// contact; a ticket with its chat, relays both ways, a closing notice and
// staff notes), rekeys, and scans every column of every table for a value
// still sealed under the old key: a sealed column left out of rekeyAreas
// fails it. A new table must be filled here, or listed below as holding
// nothing sealed, so that the scan covers it.
func TestRekeyMissesNoSealedField(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "acercate.db")
	oldK, newK := newKeys(t), newKeys(t)
	db := open(t, path, oldK)
	fileVaried(t, db, 2)
	// A web chat photo in a draft: its bytes are sealed in a BLOB.
	photo, err := db.KeepWebPhoto(ctx, "webperson", "image/png", []byte("\x89PNG\r\n\x1a\n the cleaned bytes"))
	if err != nil {
		t.Fatal(err)
	}
	k := openTicket(t, db, 9, apptest.Start)
	tk := db.Tickets()
	if err := tk.Relay(ctx, flows.Relay{Ticket: k.ID, Source: "out:1", Direction: flows.RelayOut, Kind: flows.RelayText,
		Text: "¿dónde estás?", By: "staffhash", At: apptest.Start.Add(time.Minute)}); err != nil {
		t.Fatal(err)
	}
	if err := tk.MapMessage(ctx, -100, 55, k.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := tk.Close(ctx, k.ID, "staffhash", apptest.Start.Add(time.Hour), &flows.Relay{Source: "close:1",
		Direction: flows.RelayOut, Kind: flows.RelayNotice, Text: "cerrada", At: apptest.Start.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if err := tk.Note(ctx, k.ID, "staffhash", "no contestó", apptest.Start.Add(2*time.Hour)); err != nil {
		t.Fatal(err)
	}

	// Tables that hold no sealed value (hashes, codes, counts, times), or
	// only SQLite's and goose's own. Any other table must have rows here.
	unsealed := map[string]bool{
		"goose_db_version": true, "sqlite_sequence": true,
		"requests": true, "person_years": true, "person_weeks": true, "person_kind_weeks": true, "request_days": true, "attribution": true,
		"channel_days": true, "person_channel_weeks": true,
		"shelters": true, "shelter_status": true, "modulos": true, "campaigns": true,
		"folio_counters": true, "outbox": true, "audit": true, "blocked_chats": true,
		"report_goals": true, "report_deliveries": true, "ticket_messages": true,
		// The desk's lease (a process id) and its staff groups it cannot reach.
		"leases": true, "staff_groups_down": true,
		// Tombstones of erasures: a keyed hash and an update id.
		"erasures": true,
		// Group messages to delete: a chat id, a message id, a time.
		"staff_posts": true,
	}
	for _, tb := range tableNames(t, db) {
		var n int
		if err := db.SQL().QueryRowContext(ctx, `SELECT count(*) FROM "`+tb+`"`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n == 0 && !unsealed[tb] {
			t.Errorf("table %s is empty here: fill it through the store (its sealed fields must be rekeyed), or list it as holding nothing sealed", tb)
		}
	}

	sealed := map[string]bool{}
	for _, c := range sealedUnder(t, db, oldK) {
		sealed[c] = true
	}
	for _, c := range []string{"meta.value", "denuncias.place", "denuncias.text", "denuncias.contact", "denuncia_photos.file",
		"web_photos.data", "tickets.chat", "relays.body", "ticket_notes.body"} {
		if !sealed[c] {
			t.Errorf("%s holds nothing sealed before the rekey: the test would prove nothing about it", c)
		}
	}

	if _, err := db.Rekey(ctx, newK, 1); err != nil {
		t.Fatal(err)
	}
	db.Close()
	db = open(t, path, newK)
	if left := sealedUnder(t, db, oldK); len(left) != 0 {
		t.Errorf("still sealed under the old key after the rekey (add the column to rekeyAreas): %v", left)
	}
	if data, _, _, err := db.WebPhoto(ctx, photo); err != nil || string(data) != "\x89PNG\r\n\x1a\n the cleaned bytes" {
		t.Errorf("the web photo under the new key: %q, %v", data, err)
	}
	notes, err := db.Tickets().Notes(ctx, k.ID)
	if err != nil || len(notes) != 2 || notes[1].Text != "no contestó" {
		t.Errorf("notes under the new key: %+v, %v", notes, err)
	}
}

// tableNames lists the database's tables, by name.
func tableNames(t *testing.T, db *store.DB) []string {
	t.Helper()
	rows, err := db.SQL().QueryContext(context.Background(), `SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var tables []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, n)
	}
	return tables
}
