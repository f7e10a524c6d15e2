package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/acercate/acercate/flows"
	"github.com/mattn/go-sqlite3"
)

// ErrExists reports that a campaign or módulo with that code exists.
var ErrExists = errors.New("a record with that code already exists")

// ErrNotFound reports that no campaign or módulo has that code.
var ErrNotFound = errors.New("no record with that code")

// InvalidError is input the office typed that cannot be stored (a bad
// code, a missing name); its text says what to fix.
type InvalidError string

func (e InvalidError) Error() string { return string(e) }

func invalidf(format string, a ...any) error { return InvalidError(fmt.Sprintf(format, a...)) }

// Modulo is one of the office's information módulos.
type Modulo struct {
	// Code is what its deep link carries after "m-": lower-case letters,
	// digits, "_" and "-" (see NormalizeCode).
	Code string
	Name string
	// StaffChat is the Telegram group its escalations go to; 0 means the
	// default staff chat (ACERCATE_STAFF_CHAT).
	StaffChat int64
	// StaffUsers are the Telegram user ids who act for it; empty means
	// those of ACERCATE_STAFF_USERS.
	StaffUsers []int64
	Created    time.Time
	// Address and Hours are what a person who asks where the módulo is
	// reads; Lat and Lon its location when HasLocation.
	Address, Hours string
	Lat, Lon       float64
	HasLocation    bool
}

// NormalizeCode checks a campaign or módulo code against what a Telegram
// start parameter allows (A-Z, a-z, 0-9, "_", "-"; at most 64 characters
// with the "c-"/"m-" prefix) and returns it in lower case, the form the
// engine records (flows.ParseAttribution lower-cases payloads).
func NormalizeCode(code string) (string, error) {
	c := strings.ToLower(strings.TrimSpace(code))
	if c == "" {
		return "", invalidf("the code is empty")
	}
	if len(c) > 62 {
		return "", invalidf("the code %q is longer than 62 characters (Telegram allows 64 with the c-/m- prefix)", code)
	}
	if flows.ParseAttribution("c-"+c) != "c-"+c {
		return "", invalidf("the code %q may only hold letters A-Z, digits, _ and -, and must start with a letter or digit", code)
	}
	return c, nil
}

// AddModulo stores a new módulo. ErrExists if its code is taken.
func (s *DB) AddModulo(ctx context.Context, m Modulo) error {
	code, err := NormalizeCode(m.Code)
	if err != nil {
		return err
	}
	if strings.TrimSpace(m.Name) == "" {
		return invalidf("a módulo needs a name")
	}
	var chat any
	if m.StaffChat != 0 {
		chat = m.StaffChat
	}
	if err := validPlace(m); err != nil {
		return err
	}
	lat, lon := placeArgs(m)
	_, err = s.db.ExecContext(ctx, `INSERT INTO modulos (code, name, staff_chat, staff_users, created_at, address, hours, lat, lon)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, code, strings.TrimSpace(m.Name), chat, joinIDs(m.StaffUsers), millis(s.Now()),
		strings.TrimSpace(m.Address), strings.TrimSpace(m.Hours), lat, lon)
	if isUnique(err) {
		return fmt.Errorf("módulo %q: %w", code, ErrExists)
	}
	if err != nil {
		return fmt.Errorf("add módulo: %w", err)
	}
	return nil
}

// Modulos returns every módulo, by code.
func (s *DB) Modulos(ctx context.Context) ([]Modulo, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+moduloColumns+` FROM modulos ORDER BY code`)
	if err != nil {
		return nil, fmt.Errorf("list módulos: %w", err)
	}
	defer rows.Close()
	var out []Modulo
	for rows.Next() {
		m, err := scanModulo(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// ModuloByCode returns one módulo, or ErrNotFound.
func (s *DB) ModuloByCode(ctx context.Context, code string) (Modulo, error) {
	m, err := scanModulo(s.db.QueryRowContext(ctx, `SELECT `+moduloColumns+`
		FROM modulos WHERE code = ?`, strings.ToLower(strings.TrimSpace(code))))
	if errors.Is(err, sql.ErrNoRows) {
		return Modulo{}, fmt.Errorf("módulo %q: %w", code, ErrNotFound)
	}
	return m, err
}

type scanner interface{ Scan(...any) error }

const moduloColumns = `code, name, staff_chat, staff_users, created_at, address, hours, lat, lon`

func scanModulo(r scanner) (Modulo, error) {
	var m Modulo
	var chat sql.NullInt64
	var users string
	var created int64
	var lat, lon sql.NullFloat64
	if err := r.Scan(&m.Code, &m.Name, &chat, &users, &created, &m.Address, &m.Hours, &lat, &lon); err != nil {
		return Modulo{}, err
	}
	m.Lat, m.Lon, m.HasLocation = lat.Float64, lon.Float64, lat.Valid && lon.Valid
	m.StaffChat = chat.Int64
	ids, err := ParseIDs(users)
	if err != nil {
		return Modulo{}, fmt.Errorf("módulo %s staff_users: %w", m.Code, err)
	}
	m.StaffUsers = ids
	m.Created = fromMillis(created)
	return m, nil
}

// ParseIDs reads a comma-separated list of Telegram ids ("1,2, 3").
func ParseIDs(s string) ([]int64, error) {
	var out []int64
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		id, err := strconv.ParseInt(f, 10, 64)
		if err != nil || id == 0 {
			return nil, fmt.Errorf("%q is not a Telegram id", f)
		}
		out = append(out, id)
	}
	return out, nil
}

func joinIDs(ids []int64) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = strconv.FormatInt(id, 10)
	}
	return strings.Join(parts, ",")
}

func isUnique(err error) bool {
	var se sqlite3.Error
	return errors.As(err, &se) && se.ExtendedCode == sqlite3.ErrConstraintPrimaryKey
}

// validPlace checks what a person will read of where a módulo is.
func validPlace(m Modulo) error {
	if len(m.Address) > 300 || len(m.Hours) > 200 {
		return invalidf("the address (300) or hours (200 characters) are too long")
	}
	if m.HasLocation && !(flows.Location{Lat: m.Lat, Lon: m.Lon}).Valid() {
		return invalidf("the location %v,%v is not a latitude and longitude", m.Lat, m.Lon)
	}
	return nil
}

func placeArgs(m Modulo) (lat, lon any) {
	if !m.HasLocation {
		return nil, nil
	}
	return m.Lat, m.Lon
}

// SetModuloPlace records where a módulo is: its address, opening hours and
// location (none when !HasLocation), replacing what was recorded.
func (s *DB) SetModuloPlace(ctx context.Context, m Modulo) error {
	if err := validPlace(m); err != nil {
		return err
	}
	lat, lon := placeArgs(m)
	res, err := s.db.ExecContext(ctx, `UPDATE modulos SET address = ?, hours = ?, lat = ?, lon = ? WHERE code = ?`,
		strings.TrimSpace(m.Address), strings.TrimSpace(m.Hours), lat, lon, strings.ToLower(strings.TrimSpace(m.Code)))
	if err != nil {
		return fmt.Errorf("set módulo place: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("módulo %q: %w", m.Code, ErrNotFound)
	}
	return nil
}

// ModuloPlaces lists where the módulos are, for a person who asks
// (flows.Modulos): only those with an address or a location recorded.
func (s *DB) ModuloPlaces(ctx context.Context) ([]flows.ModuloPlace, error) {
	list, err := s.Modulos(ctx)
	if err != nil {
		return nil, err
	}
	var out []flows.ModuloPlace
	for _, m := range list {
		if m.Address == "" && !m.HasLocation {
			continue
		}
		out = append(out, flows.ModuloPlace{Name: m.Name, Address: m.Address, Hours: m.Hours, Lat: m.Lat, Lon: m.Lon, HasLocation: m.HasLocation})
	}
	return out, nil
}
