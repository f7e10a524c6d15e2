package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/acercate/acercate/flows"
)

// The rollups' SQL, generated from flows.RequestKinds (the one definition
// of what a request counts as): which topic and detail a request-log row
// keeps in request_days, and which kind it is in person_kind_weeks. The
// statements that keep the rollups, the backfill and the request-log
// queries of the report all use these, so none of them can disagree.

// sqlString quotes s for SQL; the values are ours (flow names, topics).
func sqlString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// rollupTopic is the topic a row keeps: its own for flows whose kind the
// report breaks down by topic, ” for others.
func rollupTopic(col string) string {
	var keep []string
	for _, k := range flows.RequestKinds {
		if k.KeepTopic {
			keep = append(keep, sqlString(k.Flow))
		}
	}
	return "CASE WHEN " + col + "flow IN (" + strings.Join(keep, ", ") + ") THEN " + col + "topic ELSE '' END"
}

// rollupDetail is the detail a row keeps: a counted row's own where the
// report reads it, ” for a first page (flows counting first pages only),
// '-' otherwise.
func rollupDetail(col string) string {
	var when []string
	for _, k := range flows.RequestKinds {
		flow := col + "flow = " + sqlString(k.Flow)
		switch {
		case k.KeepDetail && k.Counted == flows.AnyTopic:
			when = append(when, "("+flow+" AND "+col+"topic <> '')")
		case k.KeepDetail:
			when = append(when, "("+flow+" AND "+col+"topic = "+sqlString(k.Counted)+")")
		case k.FirstPage:
			when = append(when, "("+flow+" AND "+col+"detail = '')")
		}
	}
	return "CASE WHEN " + strings.Join(when, "\n\t\t\tOR ") + " THEN " + col + "detail ELSE '-' END"
}

// rollupKind is the kind a row is.
func rollupKind(col string) string {
	var b strings.Builder
	b.WriteString("CASE " + col + "flow")
	for _, k := range flows.RequestKinds {
		b.WriteString(" WHEN " + sqlString(k.Flow) + " THEN " + sqlString(k.Kind))
	}
	b.WriteString(" ELSE " + sqlString(flows.KindOther) + " END")
	return b.String()
}

// Days and weeks of the rollups: Mexico City's fixed UTC−6, the week
// starting Monday (migration 00043 explains the numbers).
func sqlDay(col string) string  { return "(" + col + "at / 1000 - 21600) / 86400" }
func sqlWeek(col string) string { return "((" + col + "at / 1000 - 21600) / 86400 + 3) / 7" }

// rollupSQL are the statements that count the request-log rows with ids
// ?1 to ?2 (the rows one transaction just inserted) in the rollups:
// request_days, person_weeks, person_kind_weeks, person_years,
// channel_days and person_channel_weeks. The
// writers of the request log run them in the transaction that inserted
// the rows (rollUp), once for all its rows, instead of the per-row
// triggers that did it before: those were two thirds of a logged row's
// CPU (BenchmarkLogRequest), and a batch of rows shares each statement's
// pages. A duplicate row (INSERT OR IGNORE) is not inserted, has no id in
// the range and is counted nowhere, as before. The counts are upserts row
// by row (n + 1, the earlier first_at), not GROUP BY: a batch is a few
// rows, and a GROUP BY's sorter cost more than the upserts it saved
// (request_days 6.2 µs instead of 10.6 for one row, person_years 1.4
// instead of 2.4).
func rollupSQL() []string {
	rows := ` FROM requests WHERE id BETWEEN ?1 AND ?2`
	return []string{
		`INSERT INTO request_days (day, flow, topic, detail, lang, campaign, modulo, n)
	SELECT ` + sqlDay("") + `, flow, ` + rollupTopic("") + `,
		` + rollupDetail("") + `, lang, campaign, modulo, 1` + rows + `
	ON CONFLICT (day, flow, topic, detail, lang, campaign, modulo) DO UPDATE SET n = n + excluded.n`,
		`INSERT OR IGNORE INTO person_weeks (week, person, lang, campaign, modulo)
	SELECT ` + sqlWeek("") + `, person, lang, campaign, modulo` + rows,
		`INSERT OR IGNORE INTO person_kind_weeks (week, kind, person, lang, campaign, modulo)
	SELECT ` + sqlWeek("") + `, ` + rollupKind("") + `, person, lang, campaign, modulo` + rows,
		// The person's first request of the Mexico City year (fixed
		// UTC−6, migration 00042).
		`INSERT INTO person_years (year, person, first_at)
	SELECT CAST(strftime('%Y', at / 1000, 'unixepoch', '-6 hours') AS INTEGER), person, at` + rows + `
	ON CONFLICT (year, person) DO UPDATE SET first_at = excluded.first_at
	WHERE excluded.first_at < person_years.first_at`,
		// Requests per day and people per week per channel (00160).
		`INSERT INTO channel_days (day, channel, n)
	SELECT ` + sqlDay("") + `, channel, 1` + rows + `
	ON CONFLICT (day, channel) DO UPDATE SET n = n + excluded.n`,
		`INSERT OR IGNORE INTO person_channel_weeks (week, channel, person)
	SELECT ` + sqlWeek("") + `, channel, person` + rows,
	}
}

// rollupStatements is rollupSQL, built once: the ticket and denuncia
// writers run it on every row they log.
var rollupStatements = rollupSQL()

// RollUpRequests counts the request-log rows with ids from to to in the
// report's rollups, in tx: for a tool or benchmark that writes the
// request log in bulk with its own statements (the store's writers do
// this themselves). Each row must be counted once.
func RollUpRequests(ctx context.Context, tx *sql.Tx, from, to int64) error {
	return rollUp(ctx, tx, from, to)
}

// rollUp counts the request-log rows with ids from to to in the rollups,
// in db's transaction (rollupSQL).
func rollUp(ctx context.Context, db execer, from, to int64) error {
	for _, q := range rollupStatements {
		if _, err := db.ExecContext(ctx, q, from, to); err != nil {
			return fmt.Errorf("request rollups: %w", err)
		}
	}
	return nil
}

const metaRollupsFilled = "rollups_filled"

// ensureRollups drops the trigger that kept the rollups row by row
// (the writers now count their rows, rollupSQL), and fills rollups that
// have never been filled from the request log there is: a database from
// before the rollups, or from before person_kind_weeks. One transaction,
// so no row is counted twice or missed. person_years, channel_days and
// person_channel_weeks are not here: their migrations (00042, 00160) fill
// them from the log in plain SQL, and this runs right after them.
func (s *DB) ensureRollups(ctx context.Context) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DROP TRIGGER IF EXISTS report_rollups`); err != nil {
			return fmt.Errorf("rollups: %w", err)
		}
		var filled int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM meta WHERE key = ?`, metaRollupsFilled).Scan(&filled); err != nil || filled > 0 {
			return err
		}
		for _, t := range []struct{ table, fill string }{
			{"request_days", `INSERT INTO request_days (day, flow, topic, detail, lang, campaign, modulo, n)
				SELECT ` + sqlDay("") + `, flow, ` + rollupTopic("") + `, ` + rollupDetail("") + `,
					lang, campaign, modulo, count(*)
				FROM requests GROUP BY 1, 2, 3, 4, 5, 6, 7`},
			{"person_weeks", `INSERT OR IGNORE INTO person_weeks (week, person, lang, campaign, modulo)
				SELECT ` + sqlWeek("") + `, person, lang, campaign, modulo FROM requests`},
			{"person_kind_weeks", `INSERT OR IGNORE INTO person_kind_weeks (week, kind, person, lang, campaign, modulo)
				SELECT ` + sqlWeek("") + `, ` + rollupKind("") + `, person, lang, campaign, modulo FROM requests`},
		} {
			// A rollup with rows was filled by the migration that made it
			// (or by the writers since): filling it again would count twice.
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT 1 FROM `+t.table+` LIMIT 1)`).Scan(&n); err != nil {
				return fmt.Errorf("rollups %s: %w", t.table, err)
			}
			if n > 0 {
				continue
			}
			if _, err := tx.ExecContext(ctx, t.fill); err != nil {
				return fmt.Errorf("fill %s: %w", t.table, err)
			}
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES (?, '1')`, metaRollupsFilled)
		return err
	})
}
