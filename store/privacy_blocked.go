package store

import (
	"context"
	"database/sql"
	"time"
)

// purgeBlocked forgets that a chat blocked the bot once the mark is as old
// as the request log keeps: by then nothing is waiting to be sent to it,
// and the chat's keyed hash should not outlive the person's records.
func purgeBlocked(ctx context.Context, tx *sql.Tx, before time.Time, dry bool) (int, error) {
	return purgeCount(ctx, tx, dry, `FROM blocked_chats WHERE at < ?`, millis(before))
}
