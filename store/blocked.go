package store

import (
	"context"
	"fmt"
)

// A blocked mark needs no eraser for /borrar: the person writing again
// (/borrar included) clears it before the engine sees the message.

// MarkBlocked records that the person of a chat (its keyed hash) blocked
// the bot, so nothing is sent to them until they write again.
func (s *DB) MarkBlocked(ctx context.Context, chatHash string) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO blocked_chats (chat, at) VALUES (?, ?)
		ON CONFLICT (chat) DO UPDATE SET at = excluded.at`, chatHash, millis(s.Now()))
	if err != nil {
		return fmt.Errorf("mark blocked: %w", err)
	}
	return nil
}

// Unblock forgets that a chat's person blocked the bot.
func (s *DB) Unblock(ctx context.Context, chatHash string) error {
	if _, err := s.db.ExecContext(ctx, `DELETE FROM blocked_chats WHERE chat = ?`, chatHash); err != nil {
		return fmt.Errorf("unblock: %w", err)
	}
	return nil
}

// BlockedChats returns the keyed hashes of every blocked chat.
func (s *DB) BlockedChats(ctx context.Context) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT chat FROM blocked_chats ORDER BY chat`)
	if err != nil {
		return nil, fmt.Errorf("list blocked chats: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var h string
		if err := rows.Scan(&h); err != nil {
			return nil, err
		}
		out = append(out, h)
	}
	return out, rows.Err()
}
