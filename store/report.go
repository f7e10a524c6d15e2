package store

import (
	"context"
	"fmt"
	"time"

	"github.com/acercate/acercate/flows"
)

// ReportData is what the weekly report reads for one stretch of time, as
// counts: nothing in it names or identifies a person.
type ReportData struct {
	// People: distinct people with at least one request, and how many of
	// them had none before From.
	People, New int
	// Segments are distinct people per campaign, módulo and language
	// (the attribution and language of their requests in the range).
	Segments []SegmentPeople
	// Kinds are distinct people per kind of request (flows.RequestKinds),
	// in all and per campaign, módulo and language: the people of the
	// families flow, for one.
	Kinds []KindPeople
	// Channels are the people and request-log rows per channel
	// ("telegram", "web"): a person who came through two channels counts
	// once in each (and once in People).
	Channels []ChannelCount
	// Requests are the range's request-log rows grouped by what they were.
	// Topic is kept for rights, albergues and emergency rows; Detail for
	// albergues searches, emergency triggers and rights pages.
	Requests []RequestGroup
	// Denuncias filed in the range, grouped.
	Denuncias []DenunciaGroup
	// Tickets (escalations to staff) opened, answered or closed in the
	// range; TicketsKnown is false when the tickets table does not exist.
	Tickets      []TicketTimes
	TicketsKnown bool
}

// SegmentPeople is how many distinct people (and new people) one campaign,
// módulo or language had. Dim is "campaign", "modulo" or "lang"; Key ""
// is "none" (no link, no language yet).
type SegmentPeople struct {
	Dim, Key    string
	People, New int
}

// KindPeople is how many distinct people made a request of one kind: in
// all (Dim "") or in one campaign, módulo or language (Dim, Key as in
// SegmentPeople).
type KindPeople struct {
	Kind, Dim, Key string
	People         int
}

// ChannelCount is how many distinct people and request-log rows one
// channel had.
type ChannelCount struct {
	Channel          string
	People, Requests int
}

// RequestGroup is a count of request-log rows alike in these fields.
type RequestGroup struct {
	Flow, Topic, Detail, Lang, Campaign, Modulo string
	N                                           int
}

// DenunciaGroup is a count of denuncias alike in these fields.
type DenunciaGroup struct {
	Category, Municipality, Perpetrator, Lang, Campaign, Modulo string
	N                                                           int
}

// TicketTimes are one ticket's times (zero when it has not happened).
type TicketTimes struct {
	Opened, FirstResponse, Closed time.Time
	Lang, Campaign, Modulo        string
}

// ReportData reads the counts of [from, to).
func (s *DB) ReportData(ctx context.Context, from, to time.Time) (*ReportData, error) {
	return s.reportData(ctx, from, to, true)
}

// reportData reads the counts of [from, to), from the rollups when rollups
// is true and the range is one whole week.
func (s *DB) reportData(ctx context.Context, from, to time.Time, rollups bool) (*ReportData, error) {
	d := &ReportData{}
	f, t := millis(from), millis(to)

	// A whole Mexico City week is read from the rollups (migration 00043);
	// any other stretch (the current week so far) from the request log.
	week, whole := rollupWeek(from, to)
	peopleQuery, requestsQuery, kindsQuery, channelsQuery := peopleFromLog, requestsFromLog, kindsFromLog, channelsFromLog
	args := []any{f, t}
	if whole && rollups {
		peopleQuery, requestsQuery, kindsQuery, channelsQuery = peopleFromRollup, requestsFromRollup, kindsFromRollup, channelsFromRollup
		args = []any{week, week*7 - 3, week*7 + 4}
	}

	// People: one row per (person, segment); the person hash stays here.
	rows, err := s.db.QueryContext(ctx, peopleQuery, args...)
	if err != nil {
		return nil, fmt.Errorf("report people: %w", err)
	}
	type seg struct{ dim, key string }
	people := map[seg]*SegmentPeople{}
	seen := map[seg]bool{}
	var last string
	var lastNew bool
	var segOrder []seg
	for rows.Next() {
		var person, lang, campaign, modulo string
		var isNew bool
		if err := rows.Scan(&person, &lang, &campaign, &modulo, &isNew); err != nil {
			rows.Close()
			return nil, fmt.Errorf("report people: %w", err)
		}
		if person != last {
			d.People++
			if isNew {
				d.New++
			}
			last, lastNew = person, isNew
			clear(seen)
		}
		for _, sg := range [...]seg{{"campaign", campaign}, {"modulo", modulo}, {"lang", lang}} {
			if seen[sg] {
				continue
			}
			seen[sg] = true
			p := people[sg]
			if p == nil {
				p = &SegmentPeople{Dim: sg.dim, Key: sg.key}
				people[sg] = p
				segOrder = append(segOrder, sg)
			}
			p.People++
			if lastNew {
				p.New++
			}
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("report people: %w", err)
	}
	for _, sg := range segOrder {
		d.Segments = append(d.Segments, *people[sg])
	}

	if d.Kinds, err = s.kindPeople(ctx, kindsQuery, args); err != nil {
		return nil, err
	}

	if d.Channels, err = s.channelCounts(ctx, channelsQuery, args); err != nil {
		return nil, err
	}

	rows, err = s.db.QueryContext(ctx, requestsQuery, args...)
	if err != nil {
		return nil, fmt.Errorf("report requests: %w", err)
	}
	for rows.Next() {
		var g RequestGroup
		if err := rows.Scan(&g.Flow, &g.Topic, &g.Detail, &g.Lang, &g.Campaign, &g.Modulo, &g.N); err != nil {
			rows.Close()
			return nil, fmt.Errorf("report requests: %w", err)
		}
		d.Requests = append(d.Requests, g)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("report requests: %w", err)
	}

	rows, err = s.db.QueryContext(ctx, `
		SELECT category, municipality, perpetrator, lang, campaign, modulo, count(*)
		FROM denuncias WHERE created >= ?1 AND created < ?2
		GROUP BY 1, 2, 3, 4, 5, 6`, f, t)
	if err != nil {
		return nil, fmt.Errorf("report denuncias: %w", err)
	}
	for rows.Next() {
		var g DenunciaGroup
		if err := rows.Scan(&g.Category, &g.Municipality, &g.Perpetrator, &g.Lang, &g.Campaign, &g.Modulo, &g.N); err != nil {
			rows.Close()
			return nil, fmt.Errorf("report denuncias: %w", err)
		}
		d.Denuncias = append(d.Denuncias, g)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("report denuncias: %w", err)
	}

	if err := s.reportTickets(ctx, d, f, t); err != nil {
		return nil, err
	}
	return d, nil
}

// The queries behind ReportData. From the request log, ?1 and ?2 are the
// range in Unix ms; from the rollups, ?1 is the week number and ?2, ?3 its
// first day and the next week's (see migration 00043).
const (
	peopleFromLog = `
		WITH wk AS (
			SELECT person, lang, campaign, modulo FROM requests
			WHERE at >= ?1 AND at < ?2
			GROUP BY person, lang, campaign, modulo)
		SELECT person, lang, campaign, modulo,
		       NOT EXISTS (SELECT 1 FROM requests r WHERE r.person = wk.person AND r.at < ?1)
		FROM wk ORDER BY person`
	peopleFromRollup = `
		SELECT person, lang, campaign, modulo,
		       NOT EXISTS (SELECT 1 FROM person_weeks p WHERE p.person = pw.person AND p.week < ?1)
		FROM person_weeks pw WHERE week = ?1 ORDER BY person`
	requestsFromRollup = `
		SELECT flow, topic, detail, lang, campaign, modulo, sum(n)
		FROM request_days WHERE day >= ?2 AND day < ?3
		GROUP BY 1, 2, 3, 4, 5, 6`
	kindsFromRollup = `
		SELECT kind, person, lang, campaign, modulo FROM person_kind_weeks
		WHERE week = ?1 ORDER BY kind, person`
	channelsFromLog = `
		SELECT channel, count(DISTINCT person), count(*) FROM requests
		WHERE at >= ?1 AND at < ?2
		GROUP BY channel ORDER BY channel`
	channelsFromRollup = `
		SELECT c.channel,
		       (SELECT count(*) FROM person_channel_weeks p WHERE p.week = ?1 AND p.channel = c.channel),
		       sum(c.n)
		FROM channel_days c WHERE c.day >= ?2 AND c.day < ?3
		GROUP BY c.channel ORDER BY c.channel`
)

// channelCounts reads the people and requests per channel.
func (s *DB) channelCounts(ctx context.Context, query string, args []any) ([]ChannelCount, error) {
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("report channels: %w", err)
	}
	defer rows.Close()
	var out []ChannelCount
	for rows.Next() {
		var c ChannelCount
		if err := rows.Scan(&c.Channel, &c.People, &c.Requests); err != nil {
			return nil, fmt.Errorf("report channels: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// The request-log queries that must keep what the rollups keep: their
// topic, detail and kind expressions are the rollups' own (store/kinds.go).
var (
	requestsFromLog = `
		SELECT flow, ` + rollupTopic("") + `,
		       ` + rollupDetail("") + `,
		       lang, campaign, modulo, count(*)
		FROM requests WHERE at >= ?1 AND at < ?2
		GROUP BY 1, 2, 3, 4, 5, 6`
	kindsFromLog = `
		SELECT ` + rollupKind("") + ` AS kind, person, lang, campaign, modulo FROM requests
		WHERE at >= ?1 AND at < ?2
		GROUP BY 1, 2, 3, 4, 5 ORDER BY kind, person`
)

// kindPeople counts distinct people per kind, and per kind and segment,
// from rows (kind, person, lang, campaign, modulo) ordered by kind and
// person; the person hash stays here.
func (s *DB) kindPeople(ctx context.Context, query string, args []any) ([]KindPeople, error) {
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("report kinds: %w", err)
	}
	defer rows.Close()
	type key struct{ kind, dim, key string }
	var out []KindPeople
	index := map[key]int{}
	count := func(k key) {
		i, ok := index[k]
		if !ok {
			i = len(out)
			index[k] = i
			out = append(out, KindPeople{Kind: k.kind, Dim: k.dim, Key: k.key})
		}
		out[i].People++
	}
	var lastKind, lastPerson string
	seen := map[key]bool{}
	for rows.Next() {
		var kind, person, lang, campaign, modulo string
		if err := rows.Scan(&kind, &person, &lang, &campaign, &modulo); err != nil {
			return nil, fmt.Errorf("report kinds: %w", err)
		}
		if kind != lastKind || person != lastPerson {
			lastKind, lastPerson = kind, person
			clear(seen)
			count(key{kind, "", ""})
		}
		for _, k := range [...]key{{kind, "campaign", campaign}, {kind, "modulo", modulo}, {kind, "lang", lang}} {
			if !seen[k] {
				seen[k] = true
				count(k)
			}
		}
	}
	return out, rows.Err()
}

// rollupWeek returns the rollups' week number of [from, to) when it is
// exactly one Mexico City week, Monday 00:00 to Monday 00:00.
func rollupWeek(from, to time.Time) (int64, bool) {
	const day = 86400
	sec := from.Unix() - 21600 // Mexico City, UTC−6 all year since 2022
	if from.Nanosecond() != 0 || sec%day != 0 || to.Sub(from) != 7*day*time.Second || from.Year() < 2023 {
		return 0, false
	}
	d := sec / day
	if (d+3)%7 != 0 {
		return 0, false
	}
	return (d + 3) / 7, true
}

// reportTickets reads the staff desk's tickets, when that table exists
// (it belongs to the staff work, migrations 00030-39).
func (s *DB) reportTickets(ctx context.Context, d *ReportData, f, t int64) error {
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'tickets'`).Scan(&n); err != nil {
		return fmt.Errorf("report tickets: %w", err)
	}
	if n == 0 {
		return nil
	}
	d.TicketsKnown = true
	rows, err := s.db.QueryContext(ctx, `
		SELECT opened_at, first_response_at, closed_at, lang, campaign, modulo FROM tickets
		WHERE (opened_at >= ?1 AND opened_at < ?2)
		   OR (first_response_at >= ?1 AND first_response_at < ?2)
		   OR (closed_at >= ?1 AND closed_at < ?2)`, f, t)
	if err != nil {
		return fmt.Errorf("report tickets: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var tt TicketTimes
		var opened int64
		var first, closed *int64
		if err := rows.Scan(&opened, &first, &closed, &tt.Lang, &tt.Campaign, &tt.Modulo); err != nil {
			return fmt.Errorf("report tickets: %w", err)
		}
		tt.Opened = fromMillis(opened)
		if first != nil {
			tt.FirstResponse = fromMillis(*first)
		}
		if closed != nil {
			tt.Closed = fromMillis(*closed)
		}
		d.Tickets = append(d.Tickets, tt)
	}
	return rows.Err()
}

// YearData is the year-to-date progress the report sets against the goals.
type YearData struct {
	// People are distinct people with a request from 1 January to the
	// report's end.
	People int
	// Campaigns are the campaigns starting in the year (or, without a
	// start date, added in it); Modulos every módulo registered by then.
	Campaigns, Modulos int
	// FamiliesPeople are distinct people who used the families flow in
	// the year's weeks up to the report's, counted in whole weeks (the
	// week of 1 January from its Monday, as the weekly rollups count).
	FamiliesPeople int
	// Goals are the values set with "acercate meta set" for the year.
	Goals map[string]int
}

// YearData reads the progress of the year that starts at yearStart, up to to.
func (s *DB) YearData(ctx context.Context, yearStart, to time.Time) (*YearData, error) {
	y := &YearData{Goals: map[string]int{}}
	year := yearStart.Year()
	err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM person_years WHERE year = ? AND first_at < ?`,
		year, millis(to)).Scan(&y.People)
	if err != nil {
		return nil, fmt.Errorf("report year people: %w", err)
	}
	err = s.db.QueryRowContext(ctx, `SELECT count(*) FROM campaigns WHERE
		CASE WHEN starts <> '' THEN substr(starts, 1, 4) = ?1 ELSE created_at >= ?2 AND created_at < ?3 END
		AND (starts = '' OR starts <= ?4)`,
		fmt.Sprintf("%04d", year), millis(yearStart), millis(to), to.In(yearStart.Location()).Format("2006-01-02")).Scan(&y.Campaigns)
	if err != nil {
		return nil, fmt.Errorf("report year campaigns: %w", err)
	}
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM modulos WHERE created_at < ?`, millis(to)).Scan(&y.Modulos); err != nil {
		return nil, fmt.Errorf("report year módulos: %w", err)
	}
	weekOf := func(t time.Time) int64 { return ((t.UnixMilli()/1000-21600)/86400 + 3) / 7 }
	if err := s.db.QueryRowContext(ctx, `SELECT count(DISTINCT person) FROM person_kind_weeks
		WHERE kind = ? AND week >= ? AND week <= ?`, flows.KindFamilies, weekOf(yearStart), weekOf(to.Add(-time.Millisecond))).Scan(&y.FamiliesPeople); err != nil {
		return nil, fmt.Errorf("report year families: %w", err)
	}
	goals, err := s.Goals(ctx, year)
	if err != nil {
		return nil, err
	}
	y.Goals = goals
	return y, nil
}
