package store

import (
	"bytes"
	"context"
	"database/sql"
	_ "embed" // the seed directory
	"errors"
	"fmt"
	"time"

	"github.com/acercate/acercate/flows"
)

// seedDirectory is the reference directory shipped with Acércate, from
// FACTS.md Part II.
//
//go:embed directory.csv
var seedDirectory []byte

// SeedDirectory returns the shipped reference directory file (store/directory.csv).
func SeedDirectory() []byte { return bytes.Clone(seedDirectory) }

const metaDirectorySeeded = "directory_seeded"

// DirectoryImport says what an import changed.
type DirectoryImport struct {
	Added, Updated, Removed int
}

// seedReferenceDirectory imports the shipped directory into a database
// that never had one. Once a database has a directory, only the office's
// imports change it.
func (s *DB) seedReferenceDirectory(ctx context.Context) error {
	return s.seedOnce(ctx, metaDirectorySeeded, func(tx *sql.Tx) error {
		list, err := ParseDirectory(bytes.NewReader(seedDirectory), DirectoryParseOptions{})
		if err != nil {
			return fmt.Errorf("shipped reference directory: %w", err)
		}
		_, err = writeDirectory(ctx, tx, list, s.Now())
		return err
	})
}

// ImportDirectory replaces the reference directory with list (as read by
// ParseDirectory) in one transaction: entries are added or updated by id
// and those not in list removed. Either all of it happens or none.
func (s *DB) ImportDirectory(ctx context.Context, list []flows.DirectoryEntry) (DirectoryImport, error) {
	if len(list) == 0 {
		return DirectoryImport{}, errors.New("import directory: the list is empty")
	}
	var res DirectoryImport
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var err error
		res, err = writeDirectory(ctx, tx, list, s.Now())
		return err
	})
	if err != nil {
		return DirectoryImport{}, err
	}
	return res, nil
}

func writeDirectory(ctx context.Context, tx *sql.Tx, list []flows.DirectoryEntry, now time.Time) (DirectoryImport, error) {
	var res DirectoryImport
	old, err := tableIDs(ctx, tx, "directory")
	if err != nil {
		return res, fmt.Errorf("import directory: %w", err)
	}
	ins, err := tx.PrepareContext(ctx, `INSERT INTO directory
			(id, position, kind, name, place, place_key, country, phones, address, hours, url, status,
			 notes, source, source_date, confirmed, confirmed_by, imported_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET position = excluded.position, kind = excluded.kind,
				name = excluded.name, place = excluded.place, place_key = excluded.place_key,
				country = excluded.country, phones = excluded.phones, address = excluded.address,
				hours = excluded.hours, url = excluded.url, status = excluded.status, notes = excluded.notes,
				source = excluded.source, source_date = excluded.source_date, confirmed = excluded.confirmed,
				confirmed_by = excluded.confirmed_by, imported_at = excluded.imported_at`)
	if err != nil {
		return res, fmt.Errorf("import directory: %w", err)
	}
	defer ins.Close()
	seen := map[string]bool{}
	for i, e := range list {
		if seen[e.ID] {
			return res, fmt.Errorf("import directory: id %q twice", e.ID)
		}
		seen[e.ID] = true
		_, err := ins.ExecContext(ctx, e.ID, i, e.Kind, e.Name, e.Place, flows.CityKey(e.Place), e.Country,
			formatPhones(e.Phones), e.Address, e.Hours, e.URL, e.Status, e.Notes, e.Source, e.SourceDate,
			confirmedDay(e.Confirmed), e.ConfirmedBy, millis(now))
		if err != nil {
			return res, fmt.Errorf("import directory entry %q: %w", e.ID, err)
		}
		if old[e.ID] {
			res.Updated++
		} else {
			res.Added++
		}
	}
	if res.Removed, err = removeUnseen(ctx, tx, "directory", old, seen); err != nil {
		return res, fmt.Errorf("import directory: %w", err)
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES (?, ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`, metaDirectorySeeded, now.UTC().Format(time.RFC3339))
	return res, err
}

// ListDirectory returns the whole reference directory in file order.
func (s *DB) ListDirectory(ctx context.Context) ([]flows.DirectoryEntry, error) {
	return s.directory(ctx, `SELECT `+directoryFields+` FROM directory ORDER BY position`)
}

// Entries implements flows.Directory.
func (s *DB) Entries(ctx context.Context, kind, place string) ([]flows.DirectoryEntry, error) {
	if place == "" {
		return s.directory(ctx, `SELECT `+directoryFields+` FROM directory WHERE kind = ? ORDER BY position`, kind)
	}
	return s.directory(ctx, `SELECT `+directoryFields+` FROM directory WHERE kind = ? AND place_key = ? ORDER BY position`,
		kind, flows.CityKey(place))
}

const directoryFields = `id, kind, name, place, place_key, country, phones, address, hours, url, status,
	notes, source, source_date, confirmed, confirmed_by`

func (s *DB) directory(ctx context.Context, query string, args ...any) ([]flows.DirectoryEntry, error) {
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("directory: %w", err)
	}
	defer rows.Close()
	var out []flows.DirectoryEntry
	for rows.Next() {
		var e flows.DirectoryEntry
		var phones, confirmed string
		if err := rows.Scan(&e.ID, &e.Kind, &e.Name, &e.Place, &e.PlaceKey, &e.Country, &phones, &e.Address,
			&e.Hours, &e.URL, &e.Status, &e.Notes, &e.Source, &e.SourceDate, &confirmed, &e.ConfirmedBy); err != nil {
			return nil, fmt.Errorf("directory: %w", err)
		}
		// Stored phones were checked at import; a bad one cannot be here.
		e.Phones = parsePhones(phones, func(string, string, ...any) {})
		if e.Confirmed, err = parseConfirmedDay(fmt.Sprintf("directory entry %q", e.ID), confirmed); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}
