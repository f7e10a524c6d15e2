package store

import (
	"context"
	"fmt"
	"time"
)

// StaffPost is a message the bot posted in a staff group, to delete at
// DeleteAt.
type StaffPost struct {
	Chat, Message int64
	DeleteAt      time.Time
}

// RecordStaffPost remembers a group message to delete at a time.
func (s *DB) RecordStaffPost(ctx context.Context, p StaffPost) error {
	_, err := s.db.ExecContext(ctx, `INSERT OR REPLACE INTO staff_posts (chat, message, delete_at) VALUES (?, ?, ?)`,
		p.Chat, p.Message, millis(p.DeleteAt))
	if err != nil {
		return fmt.Errorf("record staff post: %w", err)
	}
	return nil
}

// DueStaffPosts returns up to limit posts whose time to be deleted came.
func (s *DB) DueStaffPosts(ctx context.Context, now time.Time, limit int) ([]StaffPost, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT chat, message, delete_at FROM staff_posts WHERE delete_at <= ?
		ORDER BY delete_at LIMIT ?`, millis(now), limit)
	if err != nil {
		return nil, fmt.Errorf("due staff posts: %w", err)
	}
	defer rows.Close()
	var out []StaffPost
	for rows.Next() {
		var p StaffPost
		var at int64
		if err := rows.Scan(&p.Chat, &p.Message, &at); err != nil {
			return nil, err
		}
		p.DeleteAt = fromMillis(at)
		out = append(out, p)
	}
	return out, rows.Err()
}

// StaffPostDeleted forgets a post once deleted (or gone).
func (s *DB) StaffPostDeleted(ctx context.Context, chat, message int64) error {
	_, err := s.db.ExecContext(ctx, `DELETE FROM staff_posts WHERE chat = ? AND message = ?`, chat, message)
	return err
}
