package store

import (
	"context"
	"fmt"
	"sort"
	"strings"
)

// GoalKeys are the yearly figures the office sets with "acercate meta
// set": its counted goals (the institutional program counts campaigns,
// módulos, workshops and people attended) and the one count the bot
// cannot see, workshops held; goal.families_people is the Chiapanecos
// abroad and their families attended through the families flow (the
// office's yearly report counts "atención a migrantes chiapanecos en el
// exterior").
var GoalKeys = []string{"goal.campaigns", "goal.modulos", "goal.workshops", "goal.people", "goal.families_people", "done.workshops"}

// SetGoal sets one yearly figure. The key must be one of GoalKeys.
func (s *DB) SetGoal(ctx context.Context, year int, key string, value int) error {
	key = strings.ToLower(strings.TrimSpace(key))
	if !isGoalKey(key) {
		return invalidf("unknown key %q (one of %s)", key, strings.Join(GoalKeys, ", "))
	}
	if value < 0 {
		return invalidf("%s: %d is negative", key, value)
	}
	if year < 2000 || year > 2200 {
		return invalidf("year %d is out of range", year)
	}
	_, err := s.db.ExecContext(ctx, `INSERT INTO report_goals (year, key, value) VALUES (?, ?, ?)
		ON CONFLICT (year, key) DO UPDATE SET value = excluded.value`, year, key, value)
	if err != nil {
		return fmt.Errorf("set %s: %w", key, err)
	}
	return nil
}

// Goals returns the figures set for a year.
func (s *DB) Goals(ctx context.Context, year int) (map[string]int, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT key, value FROM report_goals WHERE year = ?`, year)
	if err != nil {
		return nil, fmt.Errorf("read goals: %w", err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var k string
		var v int
		if err := rows.Scan(&k, &v); err != nil {
			return nil, err
		}
		out[k] = v
	}
	return out, rows.Err()
}

// GoalYears returns every year with figures set, newest first.
func (s *DB) GoalYears(ctx context.Context) ([]int, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT DISTINCT year FROM report_goals`)
	if err != nil {
		return nil, fmt.Errorf("read goal years: %w", err)
	}
	defer rows.Close()
	var out []int
	for rows.Next() {
		var y int
		if err := rows.Scan(&y); err != nil {
			return nil, err
		}
		out = append(out, y)
	}
	sort.Sort(sort.Reverse(sort.IntSlice(out)))
	return out, rows.Err()
}

func isGoalKey(k string) bool {
	for _, g := range GoalKeys {
		if g == k {
			return true
		}
	}
	return false
}
