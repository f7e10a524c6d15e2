package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/acercate/acercate/flows"
)

// LogRequest appends a row to the request log. A row for the same update
// and person is ignored, so an event handled again after a crash is not
// counted twice.
//
// Rows logged at the same time are committed together (requests_batch.go).
func (s *DB) LogRequest(ctx context.Context, r flows.Request) error {
	return s.logBatched(ctx, r)
}

// execer is what logRequest needs of a database or a transaction, so a
// flow's own records (a denuncia) commit with their request-log row.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

const insertRequestSQL = `INSERT OR IGNORE INTO requests
	(update_id, at, person, kind, flow, topic, detail, lang, campaign, modulo, channel)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

// requestArgs are insertRequestSQL's arguments for r.
func requestArgs(r flows.Request) []any {
	return []any{r.UpdateID, millis(r.At), r.Person, r.Kind, r.Flow, r.Topic, r.Detail, r.Lang, r.Campaign, r.Modulo, channelOf(r)}
}

// channelOf is the channel a request is logged under: a request from
// before channels (or a caller that does not say) is Telegram's, as the
// log's rows from before migration 00160 are.
func channelOf(r flows.Request) string {
	if r.Channel == "" {
		return flows.ChannelTelegram
	}
	return r.Channel
}

// logRequest logs r in db's transaction, with its rollups (rollUp).
func logRequest(ctx context.Context, db execer, r flows.Request) error {
	res, err := db.ExecContext(ctx, insertRequestSQL, requestArgs(r)...)
	if err != nil {
		return fmt.Errorf("log request: %w", err)
	}
	id, ok, err := insertedID(res)
	if err != nil || !ok {
		return err
	}
	return rollUp(ctx, db, id, id)
}

// insertedID is the id of the row an INSERT OR IGNORE inserted; ok is
// false when it ignored a duplicate.
func insertedID(res sql.Result) (id int64, ok bool, err error) {
	n, err := res.RowsAffected()
	if err != nil || n == 0 {
		return 0, false, err
	}
	id, err = res.LastInsertId()
	return id, err == nil, err
}

// Requests returns the logged requests in order, for tests and exports.
func (s *DB) Requests(ctx context.Context) ([]flows.Request, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT update_id, at, person, kind, flow, topic, detail, lang, campaign, modulo, channel
		FROM requests ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("list requests: %w", err)
	}
	defer rows.Close()
	var out []flows.Request
	for rows.Next() {
		var r flows.Request
		var at int64
		if err := rows.Scan(&r.UpdateID, &at, &r.Person, &r.Kind, &r.Flow, &r.Topic, &r.Detail, &r.Lang, &r.Campaign, &r.Modulo, &r.Channel); err != nil {
			return nil, err
		}
		r.At = fromMillis(at)
		out = append(out, r)
	}
	return out, rows.Err()
}
