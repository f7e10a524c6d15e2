package store

import (
	"bytes"
	"context"
	"database/sql"
	_ "embed" // the seed directory
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/acercate/acercate/flows"
)

// seedShelters is the directory shipped with Acércate, from FACTS.md §3.
//
//go:embed albergues.csv
var seedShelters []byte

// SeedShelters returns the shipped directory file (store/albergues.csv).
func SeedShelters() []byte { return bytes.Clone(seedShelters) }

// shelterCache keeps the directory in memory for nearest searches. It is
// reloaded when the directory's version in meta changes, which every import
// and status change bumps in its own transaction, so a status set by the
// CLI (another process) shows in the running bot within a second.
//
// The version is read at most once a second (shelterVersionEvery), not at
// every search: in WAL mode a pool connection drops its page cache once
// the request log's connection has committed, so each read of meta read
// its pages again (about 40 µs a search under load). A change made by this
// process drops the check (changed), so it shows at the next search.
type shelterCache struct {
	mu      sync.Mutex
	version string
	index   *shelterIndex
	// checked is when version was last read (clock's time); zero when
	// this process changed the directory since.
	checked time.Time
	// clock is the cache's own clock (time.Now when nil), so a test moves
	// it without moving DB.Now, which reports and statuses use.
	clock func() time.Time
}

// shelterVersionEvery is how long the directory is used without reading
// its version again: how late a change by another process can show.
const shelterVersionEvery = time.Second

func (c *shelterCache) now() time.Time {
	if c.clock != nil {
		return c.clock()
	}
	return time.Now()
}

// changed makes the next search read the directory's version: call it
// after a transaction that bumped it committed (or failed, which costs
// only a read).
func (c *shelterCache) changed() {
	c.mu.Lock()
	c.checked = time.Time{}
	c.mu.Unlock()
}

const (
	metaShelterVersion = "albergues_version"
	metaShelterSeeded  = "albergues_seeded"
)

// ShelterImport says what an import changed.
type ShelterImport struct {
	Added, Updated, Removed int
}

// seedShelterDirectory imports the shipped directory into a database that
// never had one, so the bot shows shelters with no setup. Once a database
// has a directory, only staff imports change it.
func (s *DB) seedShelterDirectory(ctx context.Context) error {
	defer s.shelterCache.changed()
	return s.seedOnce(ctx, metaShelterSeeded, func(tx *sql.Tx) error {
		list, err := ParseShelters(bytes.NewReader(seedShelters), ShelterParseOptions{})
		if err != nil {
			return fmt.Errorf("shipped shelter directory: %w", err)
		}
		_, err = writeShelters(ctx, tx, list, s.Now())
		return err
	})
}

// ImportShelters replaces the directory with list (as read by
// ParseShelters) in one transaction: shelters are added or updated by id
// and those not in list removed, with their statuses. Statuses of shelters
// that stay are kept. Either all of it happens or none.
func (s *DB) ImportShelters(ctx context.Context, list []flows.Shelter) (ShelterImport, error) {
	if len(list) == 0 {
		return ShelterImport{}, errors.New("import shelters: the list is empty")
	}
	var res ShelterImport
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var err error
		res, err = writeShelters(ctx, tx, list, s.Now())
		return err
	})
	s.shelterCache.changed()
	if err != nil {
		return ShelterImport{}, err
	}
	return res, nil
}

func writeShelters(ctx context.Context, tx *sql.Tx, list []flows.Shelter, now time.Time) (ShelterImport, error) {
	var res ShelterImport
	old, err := tableIDs(ctx, tx, "shelters")
	if err != nil {
		return res, fmt.Errorf("import shelters: %w", err)
	}
	ins, err := tx.PrepareContext(ctx, `INSERT INTO shelters
			(id, position, name, city, state, address, lat, lon, exact, area, phone, populations, services, notes, capacity, verified, source, imported_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET position = excluded.position, name = excluded.name, city = excluded.city,
				state = excluded.state, address = excluded.address, lat = excluded.lat, lon = excluded.lon,
				exact = excluded.exact, area = excluded.area, phone = excluded.phone, populations = excluded.populations,
				services = excluded.services, notes = excluded.notes, capacity = excluded.capacity,
				verified = excluded.verified, source = excluded.source, imported_at = excluded.imported_at,
				-- The office's check holds only for the facts it checked:
				-- an import that changes them clears it (00140).
				confirmed = CASE WHEN `+shelterFactsSame+` THEN shelters.confirmed ELSE '' END,
				confirmed_by = CASE WHEN `+shelterFactsSame+` THEN shelters.confirmed_by ELSE '' END`)
	if err != nil {
		return res, fmt.Errorf("import shelters: %w", err)
	}
	defer ins.Close()
	seen := map[string]bool{}
	for i, sh := range list {
		if seen[sh.ID] {
			return res, fmt.Errorf("import shelters: id %q twice", sh.ID)
		}
		seen[sh.ID] = true
		exact, area := 0, 0
		if sh.Exact {
			exact = 1
		} else if sh.Area {
			area = 1
		}
		_, err := ins.ExecContext(ctx,
			sh.ID, i, sh.Name, sh.City, sh.State, sh.Address, sh.Point.Lat, sh.Point.Lon, exact, area, sh.Phone,
			strings.Join(sh.Populations, ";"), strings.Join(sh.Services, ";"), strings.Join(sh.Notes, ";"),
			sh.Capacity, sh.Verified.Format("2006-01-02"), sh.Source, millis(now))
		if err != nil {
			return res, fmt.Errorf("import shelter %q: %w", sh.ID, err)
		}
		if old[sh.ID] {
			res.Updated++
		} else {
			res.Added++
		}
	}
	if res.Removed, err = removeUnseen(ctx, tx, "shelters", old, seen); err != nil {
		return res, fmt.Errorf("import shelters: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES (?, ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`, metaShelterSeeded, now.UTC().Format(time.RFC3339)); err != nil {
		return res, err
	}
	return res, bumpShelterVersion(ctx, tx)
}

func bumpShelterVersion(ctx context.Context, tx *sql.Tx) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES (?, '1')
		ON CONFLICT (key) DO UPDATE SET value = CAST(value AS INTEGER) + 1`, metaShelterVersion)
	if err != nil {
		return fmt.Errorf("shelter version: %w", err)
	}
	return nil
}

// SetShelterStatus records a shelter's status as of now (flows.Shelters).
func (s *DB) SetShelterStatus(ctx context.Context, id, status, by string) error {
	if !shelterListHas(flows.ShelterStatuses, status) {
		return fmt.Errorf("shelter status %q: must be one of %s", status, strings.Join(flows.ShelterStatuses, ", "))
	}
	if by == "" {
		return errors.New("shelter status: who reports it is required")
	}
	defer s.shelterCache.changed()
	return s.tx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM shelters WHERE id = ?`, id).Scan(&n); err != nil {
			return fmt.Errorf("shelter status: %w", err)
		}
		if n == 0 {
			return fmt.Errorf("shelter %q: %w", id, flows.ErrUnknownShelter)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO shelter_status (shelter_id, status, at, by) VALUES (?, ?, ?, ?)`,
			id, status, millis(s.Now()), by); err != nil {
			return fmt.Errorf("shelter status: %w", err)
		}
		return bumpShelterVersion(ctx, tx)
	})
}

// ListShelters returns the directory in file order, each with its last status.
func (s *DB) ListShelters(ctx context.Context) ([]flows.Shelter, error) {
	type status struct {
		status, by string
		at         int64
	}
	latest := map[string]status{}
	rows, err := s.db.QueryContext(ctx, `SELECT shelter_id, status, at, by FROM (
			SELECT shelter_id, status, at, by,
				row_number() OVER (PARTITION BY shelter_id ORDER BY at DESC, id DESC) AS n
			FROM shelter_status)
		WHERE n = 1`)
	if err != nil {
		return nil, fmt.Errorf("list shelter statuses: %w", err)
	}
	for rows.Next() {
		var id string
		var st status
		if err := rows.Scan(&id, &st.status, &st.at, &st.by); err != nil {
			rows.Close()
			return nil, fmt.Errorf("list shelter statuses: %w", err)
		}
		latest[id] = st
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list shelter statuses: %w", err)
	}
	rows, err = s.db.QueryContext(ctx, `SELECT id, name, city, state, address, lat, lon, exact, area,
			phone, populations, services, notes, capacity, verified, source, confirmed, confirmed_by
		FROM shelters ORDER BY position`)
	if err != nil {
		return nil, fmt.Errorf("list shelters: %w", err)
	}
	defer rows.Close()
	var out []flows.Shelter
	cityKeys := map[string]string{} // normalising is slow; cities repeat
	for rows.Next() {
		var sh flows.Shelter
		var exact, area int
		var pops, svcs, notes, verified, confirmed string
		if err := rows.Scan(&sh.ID, &sh.Name, &sh.City, &sh.State, &sh.Address, &sh.Point.Lat, &sh.Point.Lon, &exact, &area,
			&sh.Phone, &pops, &svcs, &notes, &sh.Capacity, &verified, &sh.Source, &confirmed, &sh.ConfirmedBy); err != nil {
			return nil, fmt.Errorf("list shelters: %w", err)
		}
		if sh.Confirmed, err = parseConfirmedDay(fmt.Sprintf("shelter %q", sh.ID), confirmed); err != nil {
			return nil, err
		}
		sh.Exact, sh.Area = exact == 1, area == 1
		if sh.CityKey = cityKeys[sh.City]; sh.CityKey == "" {
			sh.CityKey = flows.CityKey(sh.City)
			cityKeys[sh.City] = sh.CityKey
		}
		sh.Populations, sh.Services, sh.Notes = splitCodes(pops), splitCodes(svcs), splitCodes(notes)
		if sh.Verified, err = time.Parse("2006-01-02", verified); err != nil {
			return nil, fmt.Errorf("shelter %q: verified %q: %w", sh.ID, verified, err)
		}
		if st, ok := latest[sh.ID]; ok {
			sh.Status, sh.StatusAt, sh.StatusBy = st.status, fromMillis(st.at), st.by
		}
		out = append(out, sh)
	}
	return out, rows.Err()
}

func splitCodes(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ";")
}

// shelters returns the in-memory directory, reloading it if the stored
// directory changed since it was loaded. The version is read under the
// lock, so a change by this process (changed, after its commit) cannot be
// overtaken by a search that read the version before the commit.
func (s *DB) shelters(ctx context.Context) (*shelterIndex, error) {
	c := &s.shelterCache
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()
	if c.index != nil && !c.checked.IsZero() && now.Sub(c.checked) < shelterVersionEvery && !now.Before(c.checked) {
		return c.index, nil
	}
	var version string
	err := s.db.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = ?`, metaShelterVersion).Scan(&version)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("shelter directory: %w", err)
	}
	if c.index == nil || c.version != version {
		list, err := s.ListShelters(ctx)
		if err != nil {
			return nil, err
		}
		c.index, c.version = newShelterIndex(list), version
	}
	c.checked = now
	return c.index, nil
}

// NearestShelters implements flows.Shelters.
func (s *DB) NearestShelters(ctx context.Context, from flows.Location, n int, keep func(*flows.Shelter) bool) ([]flows.NearShelter, error) {
	ix, err := s.shelters(ctx)
	if err != nil {
		return nil, err
	}
	return ix.nearest(from, n, keep), nil
}

// ShelterCities implements flows.Shelters.
func (s *DB) ShelterCities(ctx context.Context) ([]flows.ShelterCity, error) {
	ix, err := s.shelters(ctx)
	if err != nil {
		return nil, err
	}
	return append([]flows.ShelterCity(nil), ix.cities...), nil
}
