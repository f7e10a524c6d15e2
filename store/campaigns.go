package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Campaign is one of the office's promotion campaigns (trípticos,
// carteles, lonas, a fair): its deep link carries "c-" + Code.
type Campaign struct {
	Code string
	Name string
	// Modulo is the módulo running it, "" for none.
	Modulo string
	// Starts is the day it starts, "YYYY-MM-DD", or "".
	Starts  string
	Created time.Time
}

// AddCampaign stores a new campaign. ErrExists if its code is taken,
// ErrNotFound if its módulo does not exist.
func (s *DB) AddCampaign(ctx context.Context, c Campaign) error {
	code, err := NormalizeCode(c.Code)
	if err != nil {
		return err
	}
	if strings.TrimSpace(c.Name) == "" {
		return invalidf("a campaign needs a name")
	}
	if c.Starts != "" {
		if _, err := time.Parse("2006-01-02", c.Starts); err != nil {
			return invalidf("starts %q is not a date like 2026-11-23", c.Starts)
		}
	}
	var modulo any
	if c.Modulo != "" {
		m, err := s.ModuloByCode(ctx, c.Modulo)
		if err != nil {
			return err
		}
		modulo = m.Code
	}
	_, err = s.db.ExecContext(ctx, `INSERT INTO campaigns (code, name, modulo, starts, created_at)
		VALUES (?, ?, ?, ?, ?)`, code, strings.TrimSpace(c.Name), modulo, c.Starts, millis(s.Now()))
	if isUnique(err) {
		return fmt.Errorf("campaign %q: %w", code, ErrExists)
	}
	if err != nil {
		return fmt.Errorf("add campaign: %w", err)
	}
	return nil
}

// Campaigns returns every campaign, by code.
func (s *DB) Campaigns(ctx context.Context) ([]Campaign, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT code, name, modulo, starts, created_at FROM campaigns ORDER BY code`)
	if err != nil {
		return nil, fmt.Errorf("list campaigns: %w", err)
	}
	defer rows.Close()
	var out []Campaign
	for rows.Next() {
		c, err := scanCampaign(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// CampaignByCode returns one campaign, or ErrNotFound.
func (s *DB) CampaignByCode(ctx context.Context, code string) (Campaign, error) {
	c, err := scanCampaign(s.db.QueryRowContext(ctx, `SELECT code, name, modulo, starts, created_at
		FROM campaigns WHERE code = ?`, strings.ToLower(strings.TrimSpace(code))))
	if errors.Is(err, sql.ErrNoRows) {
		return Campaign{}, fmt.Errorf("campaign %q: %w", code, ErrNotFound)
	}
	return c, err
}

func scanCampaign(r scanner) (Campaign, error) {
	var c Campaign
	var modulo sql.NullString
	var created int64
	if err := r.Scan(&c.Code, &c.Name, &modulo, &c.Starts, &created); err != nil {
		return Campaign{}, err
	}
	c.Modulo = modulo.String
	c.Created = fromMillis(created)
	return c, nil
}

// KnownCode implements flows.Codes: whether "c-<code>" is a campaign or
// "m-<code>" a módulo of the office.
func (s *DB) KnownCode(ctx context.Context, attribution string) (bool, error) {
	table := ""
	switch {
	case strings.HasPrefix(attribution, "c-"):
		table = "campaigns"
	case strings.HasPrefix(attribution, "m-"):
		table = "modulos"
	default:
		return false, nil
	}
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM `+table+` WHERE code = ?`, attribution[2:]).Scan(&n); err != nil {
		return false, fmt.Errorf("known code: %w", err)
	}
	return n > 0, nil
}
